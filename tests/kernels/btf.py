#!/usr/bin/python3
"""Extract a kernel's BTF (the types /sys/kernel/btf/vmlinux shows) from
the vmlinuz of a Debian kernel package, without booting it.

usage: btf.py VMLINUZ OUT.btf

The image is read as it is (an arm64 Image, plain as Debian ships it
signed, or gzip'd), or decompressed (on x86 the payload the
bzImage's boot header points at: gzip, xz, zstd, lzma, bzip2 or lz4), then searched for the BTF
header the kernel links in (.BTF: magic 0xeB9F, version 1, a 24-byte
header whose string section follows its type section). The largest
consistent blob is the kernel's. `bpftool btf dump file OUT.btf format c`
then gives its vmlinux.h.
"""
import bz2
import gzip
import lzma
import shutil
import struct
import subprocess
import sys
import zlib

BTF_HDR = struct.Struct("<HBBIIIII")	# magic ver flags hdr_len type_off type_len str_off str_len
BTF_MAGIC = 0xEB9F

# (signature, name) of payloads a bzImage may carry
PAYLOADS = [
    (b"\x1f\x8b\x08", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\x5d\x00\x00", "lzma"),
    (b"BZh", "bzip2"),
    (b"\x02\x21\x4c\x18", "lz4"),
]


def die(msg):
    sys.stderr.write("btf.py: %s\n" % msg)
    sys.exit(1)


def external(cmd, data):
    if not shutil.which(cmd[0]):
        die("needs %s to decompress this kernel: apt-get install %s" % (cmd[0], cmd[0]))
    p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return p.stdout		# trailing garbage makes the tools complain, not fail the data


def decompress(kind, data):
    try:
        if kind == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
        if kind == "xz":
            return lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(data)
        if kind == "lzma":
            return lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(data)
        if kind == "bzip2":
            return bz2.BZ2Decompressor().decompress(data)
        if kind == "zstd":
            return external(["zstd", "-dcq"], data)
        if kind == "lz4":
            return external(["lz4", "-dcq"], data)
    except (zlib.error, lzma.LZMAError, OSError, EOFError, ValueError):
        return b""
    return b""


def find_btf(img):
    """The largest consistent BTF blob in img, or None."""
    best = None
    magic = struct.pack("<HBB", BTF_MAGIC, 1, 0)
    at = img.find(magic)
    while at >= 0:
        if at + BTF_HDR.size <= len(img):
            _, _, _, hlen, toff, tlen, soff, slen = BTF_HDR.unpack_from(img, at)
            size = hlen + soff + slen
            if (hlen == BTF_HDR.size and toff == 0 and soff == tlen and tlen > 0 and
                    slen > 0 and at + size <= len(img) and
                    img[at + hlen + soff] == 0 and img[at + size - 1] == 0 and
                    (best is None or size > len(best))):
                best = img[at:at + size]
        at = img.find(magic, at + 1)
    return best


def main():
    if len(sys.argv) != 3:
        die("usage: btf.py VMLINUZ OUT.btf")
    raw = open(sys.argv[1], "rb").read()
    if raw[0x38:0x3C] == b"ARMd":		# arm64 Image, as Debian signs it
        btf = find_btf(raw)
    elif raw.startswith(b"\x1f\x8b"):		# arm64 Image, gzip'd
        btf = find_btf(gzip.decompress(raw))
    elif raw[0x202:0x206] == b"HdrS":		# x86 bzImage: the boot header says where
        setup_sects = raw[0x1F1] or 4
        poff, plen = struct.unpack_from("<II", raw, 0x248)
        start = (setup_sects + 1) * 512 + poff
        payload = raw[start:start + plen]
        kind = next((k for sig, k in PAYLOADS if payload.startswith(sig)), None)
        if kind is None:
            die("%s: unknown payload compression %s" % (sys.argv[1], payload[:4].hex()))
        btf = find_btf(decompress(kind, payload))
    else:
        die("%s: neither an arm64 Image nor an x86 bzImage" % sys.argv[1])
    if not btf:
        die("%s: no BTF found (a kernel without CONFIG_DEBUG_INFO_BTF?)" % sys.argv[1])
    with open(sys.argv[2], "wb") as f:
        f.write(btf)


if __name__ == "__main__":
    main()
