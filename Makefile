# depsentry: eBPF supply-chain compromise sensor.
# Every artifact goes under build/. `make V=1` shows full commands.

OUT		:= build
CC		?= cc
CLANG		?= clang
BPFTOOL		?= bpftool
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/depsentry
UNITDIR		?= $(PREFIX)/lib/systemd/system
LOGROTATE	?= config/depsentry.logrotate
CONFDIR		:= /etc/depsentry

# The BPF object is built against the kernel types pinned in the tree for
# its architecture (bpf/vmlinux/ARCH/vmlinux.h), never the build host's:
# `make vmlinux` regenerates them from VMLINUX_KERNEL's BTF (SERIES:SUITE).
ARCH		?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_H	:= bpf/vmlinux/$(ARCH)/vmlinux.h
VMLINUX_KERNEL	?= 6.12:bookworm-backports
CFLAGS		?= -O2 -g
CFLAGS		+= -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(OUT)
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		   -Ibpf/vmlinux/$(ARCH) -Iinclude -Ibpf
LDLIBS		:= -lbpf -lelf -lz -ljson-c -lm

# What building needs (make deps-build), and what the tests need besides
# (make deps).
DEBS_BUILD	:= make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libjson-c-dev \
		   pkg-config
DEBS		:= $(DEBS_BUILD) \
		   libcmocka-dev clang-format python3 python3-pip python3-setuptools python3-wheel python3-yaml \
		   python3-dev python3-build git \
		   iproute2 procps curl wget util-linux dnsmasq-base \
		   debootstrap podman runc \
		   qemu-system-x86 busybox-static e2fsprogs cpio \
		   systemd man-db groff-base \
		   logrotate rsyslog \
		   debhelper dpkg-dev lintian \
		   lz4 zstd libclang-rt-14-dev
# on x86 hosts, the arm64 build and its guest: Debian's cross tool chain and
# the arm64 libraries through multiarch (make deps adds the architecture)
ifeq ($(shell uname -m),x86_64)
DEBS		+= gcc-aarch64-linux-gnu qemu-system-arm libbpf-dev:arm64 libelf-dev:arm64 \
		   zlib1g-dev:arm64 libjson-c-dev:arm64
endif
APT_GET		:= DEBIAN_FRONTEND=noninteractive apt-get

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
# user/: one folder per layer, one header each (docs/architecture.md)
USER_SRCS	:= $(wildcard user/*/*.c)
USER_HDRS	:= $(wildcard user/*/*.h)
USER_OBJS	:= $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS))
LIB_OBJS	:= $(filter-out $(OUT)/user/daemon/main.o,$(USER_OBJS))
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
KERNEL_BINS	:= $(OUT)/kernels/depsentry $(OUT)/kernels/kt-tool

ifeq ($(V),1)
Q		:=
msg		=
else
Q		:= @
msg		= @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.PHONY: check-format format all deps deps-build run test unit e2e test-kernels test-kernels-arm64 cross-arm64 check-btf \
	check-clang vmlinux bench install uninstall deb clean fuzz fuzz-smoke fuzz-build unit-asan

all: $(OUT)/depsentry

# apt_install PACKAGES: install those not installed yet (an :arm64 one adds
# the architecture to dpkg first)
define apt_install
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || \
			missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		case "$$missing" in *:arm64*) \
			dpkg --print-foreign-architectures | grep -qx arm64 || \
				{ echo "  DPKG     --add-architecture arm64"; dpkg --add-architecture arm64; } ;; \
		esac; \
		echo "  APT      $$missing"; \
		$(APT_GET) update -qq && $(APT_GET) install -y -qq $$missing; \
	fi
endef

deps-build:
	$(call apt_install,$(DEBS_BUILD))

deps:
	$(call apt_install,$(DEBS))
	@tests/node.sh provision

$(VMLINUX_H):
	@echo "no kernel types for ARCH=$(ARCH) ($@): depsentry builds for x86 and arm64" >&2
	@exit 1

vmlinux:
	@tests/kernels/btf.sh pin $(VMLINUX_KERNEL)

check-btf:
	@tests/kernels/btf.sh check

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c bpf/maps.h bpf/task.h bpf/core_fixes.h include/depsentry.h \
		    $(VMLINUX_H)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/depsentry.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUT)/depsentry.skel.h: $(OUT)/depsentry.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name depsentry_bpf > $@

$(OUT)/user/%.o: user/%.c $(USER_HDRS) include/depsentry.h $(OUT)/depsentry.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# the default configuration is compiled into the binary
$(OUT)/user/config/config_builtin.o: config/depsentry.json

$(OUT)/depsentry: $(USER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/tests/%: tests/unit/%.c $(LIB_OBJS) tests/unit/unit.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

# static, for the kernel test's guests (glibc's warnings about NSS in a
# static binary are shown only if the link fails)
$(OUT)/kernels/depsentry: $(USER_OBJS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -static $^ $(LDLIBS) -o $@ 2>$@.ld.log || { cat $@.ld.log; exit 1; }

$(OUT)/kernels/kt-tool: tests/kernels/kt-tool.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -static $< -o $@

run: deps all
	./$(OUT)/depsentry run -o - -o /var/log/depsentry/alerts.json

unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do echo "  UNIT     $$t"; ./$$t || exit 1; done
	@echo "  PYUNIT   tests/siem"; /usr/bin/python3 -m unittest discover -q -s tests/siem

e2e: all
	@tests/e2e/run-all.sh

test-kernels: $(KERNEL_BINS)
	@tests/kernels/run.sh

# arm64 with Debian's cross tool chain (gcc-aarch64-linux-gnu, the arm64
# libraries through multiarch): the BPF object against the pinned arm64
# types, the daemon, and the static pair the arm64 guest boots with.
CROSS_ARM64	:= $(MAKE) --no-print-directory OUT=$(OUT)/arm64 ARCH=arm64 \
		   CC=aarch64-linux-gnu-gcc
cross-arm64:
	$(Q)$(CROSS_ARM64) all $(OUT)/arm64/kernels/depsentry $(OUT)/arm64/kernels/kt-tool

test-kernels-arm64: cross-arm64 $(OUT)/depsentry
	@KERNELS_ARCH=arm64 tests/kernels/run.sh

# The second compiler: the daemon and the unit tests built by clang, with
# the same -Werror, into build/clang (gcc builds build/).
check-clang:
	$(Q)$(MAKE) --no-print-directory OUT=$(OUT)/clang CC=clang all unit

# Fuzzing (docs/testing.md, "Fuzzing"): one libFuzzer harness per parser
# of untrusted input (tests/fuzz/fuzz_NAME.c, seeds in
# tests/fuzz/corpus/NAME/), linked with the library objects built again by
# clang with the sanitizers in build/fuzz/obj. The unit tests are built
# the same way without the fuzzer in build/asan: any sanitizer report
# aborts the test.
FUZZ_SECONDS	?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_OUT	:= $(OUT)/fuzz
ASAN_OUT	:= $(OUT)/asan
SAN_FLAGS	:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS	:= -O1 -g $(SAN_FLAGS) -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
		   -Iinclude -Iuser -I$(OUT)
LIB_SRCS	:= $(filter-out user/daemon/main.c,$(USER_SRCS))
FUZZ_LIB_OBJS	:= $(patsubst user/%.c,$(FUZZ_OUT)/obj/%.o,$(LIB_SRCS))
ASAN_LIB_OBJS	:= $(patsubst user/%.c,$(ASAN_OUT)/obj/%.o,$(LIB_SRCS))
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES	:= $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
FUZZ_BINS	:= $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_NAMES))
ASAN_UNIT_BINS	:= $(patsubst tests/unit/%.c,$(ASAN_OUT)/tests/%,$(UNIT_SRCS))

$(FUZZ_OUT)/obj/%.o: user/%.c $(USER_HDRS) include/depsentry.h $(OUT)/depsentry.skel.h
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(ASAN_OUT)/obj/%.o: user/%.c $(USER_HDRS) include/depsentry.h $(OUT)/depsentry.skel.h
	$(call msg,ASANCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/obj/config/config_builtin.o $(ASAN_OUT)/obj/config/config_builtin.o: config/depsentry.json

# objects reached only through a pattern rule: kept, not intermediates
.SECONDARY: $(FUZZ_LIB_OBJS) $(ASAN_LIB_OBJS)

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB_OBJS)
	$(call msg,FUZZLD,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $< $(FUZZ_LIB_OBJS) $(LDLIBS) -o $@

$(ASAN_OUT)/tests/%: tests/unit/%.c $(ASAN_LIB_OBJS) tests/unit/unit.h
	$(call msg,ASANLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) -Itests/unit $< $(ASAN_LIB_OBJS) $(LDLIBS) -lcmocka -o $@

fuzz-build: $(FUZZ_BINS)

# Each harness for FUZZ_SECONDS, one after the other; a crash fails with
# the harness's name and its reproducer (build/fuzz/crashes/).
fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

# The unit tests built with the sanitizers; a report aborts the test.
unit-asan: $(ASAN_UNIT_BINS)
	@for t in $(ASAN_UNIT_BINS); do echo "  UNIT     $$t"; \
		ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 LSAN_OPTIONS=suppressions=tests/unit/lsan.supp \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ./$$t || exit 1; done

# make test's share: the sanitized unit tests, then every harness a short
# while; the two sanitized builds two at a time
fuzz-smoke:
	$(Q)$(MAKE) --no-print-directory -j2 $(ASAN_UNIT_BINS) $(FUZZ_BINS)
	$(Q)$(MAKE) --no-print-directory unit-asan
	@FUZZ_FRESH=1 tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_NAMES)

# Every C file as .clang-format has it: `make format` rewrites them.
FORMAT_SRCS	= $(filter-out bpf/vmlinux/%,$(wildcard user/*/*.[ch] bpf/*.[ch] include/*.h \
		  tests/unit/*.[ch] tests/fuzz/*.[ch]))

check-format:
	$(call msg,FORMAT,check)
	$(Q)clang-format --dry-run --Werror $(FORMAT_SRCS)

format:
	$(Q)clang-format -i $(FORMAT_SRCS)

test: deps all
	$(MAKE) check-format
	$(MAKE) unit
	$(MAKE) fuzz-smoke
	$(MAKE) check-clang
	$(MAKE) check-btf
	$(MAKE) e2e
	$(MAKE) test-kernels
	$(MAKE) test-kernels-arm64

bench: deps all
	@bench/run.sh

# The configuration is the administrator's: installed once, never
# overwritten nor removed. The unit names the binary and the documentation
# where PREFIX puts them.
install: all
	$(call msg,INSTALL,$(DESTDIR)$(SBINDIR)/depsentry)
	$(Q)install -D -m 0755 $(OUT)/depsentry $(DESTDIR)$(SBINDIR)/depsentry
	$(call msg,INSTALL,$(DESTDIR)$(UNITDIR)/depsentry.service)
	$(Q)install -d -m 0755 $(DESTDIR)$(UNITDIR)
	$(Q)sed -e 's|/usr/local/sbin/depsentry|$(SBINDIR)/depsentry|g' \
		-e 's|/usr/local/share/doc/depsentry|$(DOCDIR)|g' systemd/depsentry.service \
		> $(DESTDIR)$(UNITDIR)/depsentry.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/depsentry.service
	$(call msg,INSTALL,$(DESTDIR)$(MANDIR)/man8/depsentry.8)
	$(Q)install -D -m 0644 docs/depsentry.8 $(DESTDIR)$(MANDIR)/man8/depsentry.8
	$(call msg,INSTALL,$(DESTDIR)$(DOCDIR))
	$(Q)install -D -m 0644 -t $(DESTDIR)$(DOCDIR) README.md config/depsentry.json
	$(Q)install -D -m 0644 -t $(DESTDIR)$(DOCDIR)/docs docs/*.md
	$(Q)if [ -f $(LOGROTATE) ]; then \
		printf '  %-8s %s\n' INSTALL $(DESTDIR)/etc/logrotate.d/depsentry; \
		install -D -m 0644 $(LOGROTATE) $(DESTDIR)/etc/logrotate.d/depsentry; \
	fi
	$(Q)if [ -e $(DESTDIR)$(CONFDIR)/depsentry.json ]; then \
		printf '  %-8s %s\n' KEEP "$(DESTDIR)$(CONFDIR)/depsentry.json (the default is $(DOCDIR)/depsentry.json)"; \
	else \
		printf '  %-8s %s\n' INSTALL $(DESTDIR)$(CONFDIR)/depsentry.json; \
		install -D -m 0644 config/depsentry.json $(DESTDIR)$(CONFDIR)/depsentry.json; \
	fi

uninstall:
	$(call msg,REMOVE,$(DESTDIR)$(SBINDIR)/depsentry and the unit, man page, documentation)
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/depsentry $(DESTDIR)$(UNITDIR)/depsentry.service \
		$(DESTDIR)$(MANDIR)/man8/depsentry.8 $(DESTDIR)/etc/logrotate.d/depsentry
	$(Q)rm -rf $(DESTDIR)$(DOCDIR)
	$(Q)if [ -e $(DESTDIR)$(CONFDIR)/depsentry.json ]; then \
		printf '  %-8s %s\n' KEEP $(DESTDIR)$(CONFDIR)/depsentry.json; \
	fi

# The Debian package (debian/) of the working tree, uncommitted changes
# included: built by dpkg-buildpackage in a copy under $(OUT)/deb/, which
# leaves $(OUT)/deb/depsentry_VERSION-1_ARCH.deb (and its .buildinfo,
# .changes and -dbgsym package) beside the copy. VERSION is
# DEPSENTRY_VERSION; debian/changelog must say the same.
deb:
	$(Q)ver=$$(sed -n 's/^#define[[:space:]]*DEPSENTRY_VERSION[[:space:]]*"\(.*\)"$$/\1/p' user/lib/lib.h); \
	chl=$$(dpkg-parsechangelog -S Version) || exit 1; \
	case $$chl in \
	"$$ver"-[0-9]*) ;; \
	*)	echo "deb: debian/changelog is at $$chl but user/lib/lib.h's DEPSENTRY_VERSION is $${ver:-missing}: add a changelog entry for $$ver-1" >&2; \
		exit 1 ;; \
	esac
	$(call msg,COPY,$(OUT)/deb/depsentry)
	$(Q)rm -rf $(OUT)/deb && mkdir -p $(OUT)/deb/depsentry
	$(Q)tar -c --exclude=./$(OUT) --exclude=./.git . | tar -x -C $(OUT)/deb/depsentry
	$(call msg,DPKG,$(OUT)/deb/build.log)
	$(Q)cd $(OUT)/deb/depsentry && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		dpkg-buildpackage -b -us -uc -Jauto $(if $(Q),>../build.log 2>&1 || \
		{ tail -n 30 ../build.log >&2; echo "deb: dpkg-buildpackage failed ($(OUT)/deb/build.log)" >&2; exit 1; })
	$(Q)for f in $(OUT)/deb/depsentry_*.deb; do printf '  %-8s %s\n' DEB "$$f"; done

clean:
	rm -rf $(OUT)
