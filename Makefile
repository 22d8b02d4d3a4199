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

ARCH		:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
CFLAGS		?= -O2 -g
CFLAGS		+= -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(OUT)
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		   -I$(OUT) -Iinclude -Ibpf
LDLIBS		:= -lbpf -lelf -lz -ljson-c

DEBS		:= make clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libjson-c-dev \
		   libcmocka-dev pkg-config python3 python3-pip python3-setuptools python3-wheel \
		   iproute2 procps curl wget gcc util-linux dnsmasq-base \
		   qemu-system-x86 busybox-static e2fsprogs cpio \
		   systemd man-db groff-base \
		   logrotate rsyslog
APT_GET		:= DEBIAN_FRONTEND=noninteractive apt-get

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
USER_SRCS	:= $(wildcard user/*.c)
USER_OBJS	:= $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS))
LIB_OBJS	:= $(filter-out $(OUT)/user/main.o,$(USER_OBJS))
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
.PHONY: all deps run test unit e2e test-kernels bench install uninstall clean

all: $(OUT)/depsentry

deps:
	@missing=""; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || \
			missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "  APT      $$missing"; \
		$(APT_GET) update -qq && $(APT_GET) install -y -qq $$missing; \
	fi

$(OUT)/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c bpf/maps.h bpf/task.h include/depsentry.h $(OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/depsentry.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUT)/depsentry.skel.h: $(OUT)/depsentry.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name depsentry_bpf > $@

$(OUT)/user/%.o: user/%.c user/internal.h include/depsentry.h $(OUT)/depsentry.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# the default configuration is compiled into the binary
$(OUT)/user/config_builtin.o: config/depsentry.json

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

test: deps all
	$(MAKE) unit
	$(MAKE) e2e
	$(MAKE) test-kernels

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

clean:
	rm -rf $(OUT)
