// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * uring_connect ADDR PORT: one TCP connect to an IPv4 address through
 * io_uring (IORING_OP_CONNECT, raw system calls: no liburing), the way a
 * package evading syscall-based sensors would, then "host data" sent on the
 * connection if it was made. Prints "connect N" (0 or -errno) and, after a
 * send, "sent N". Built by the scenario that runs it (t_69).
 */
#include <arpa/inet.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct io_uring_params p;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask, tail;
	void *sq, *cq;
	int ring, s, res;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "usage: uring_connect IPV4 PORT\n");
		return 2;
	}
	dst.sin_port = htons((unsigned short)atoi(argv[2]));
	memset(&p, 0, sizeof(p));
	ring = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0) {
		perror("io_uring_setup");
		return 1;
	}
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	sq_tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	sq_mask = (unsigned int *)((char *)sq + p.sq_off.ring_mask);
	sq_array = (unsigned int *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned int *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned int *)((char *)cq + p.cq_off.tail);
	cq_mask = (unsigned int *)((char *)cq + p.cq_off.ring_mask);
	cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		perror("socket");
		return 1;
	}
	tail = *sq_tail;
	memset(&sqes[tail & *sq_mask], 0, sizeof(struct io_uring_sqe));
	sqes[tail & *sq_mask].opcode = IORING_OP_CONNECT;
	sqes[tail & *sq_mask].fd = s;
	sqes[tail & *sq_mask].addr = (unsigned long)&dst;
	sqes[tail & *sq_mask].off = sizeof(dst);
	sq_array[tail & *sq_mask] = tail & *sq_mask;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
		perror("io_uring_enter");
		return 1;
	}
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head) {
		fprintf(stderr, "no completion\n");
		return 1;
	}
	res = cqes[*cq_head & *cq_mask].res;
	__atomic_store_n(cq_head, *cq_head + 1, __ATOMIC_RELEASE);
	printf("connect %d\n", res);
	fflush(stdout);
	if (res == 0)
		printf("sent %zd\n", send(s, "host-data", 9, 0));
	return 0;
}
