# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""bench/wheels.py DIR N: N small pure-Python wheels in DIR, for the install
storm of bench/run.sh (no index is reachable from the bench machine). Each
package, ds_bench_pkg_NNN 1.0, holds a package of MODULES modules and a
data file; its RECORD has the sha256 of every file, as pip checks. Prints
the requirement names, one a line."""
import base64
import hashlib
import os
import sys
import zipfile

MODULES = 8      # modules per package
MODULE_LINES = 60  # lines of code per module


def digest(data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + h.decode()


def module(pkg, i):
    lines = [f'"""{pkg} module {i}."""', ""]
    for j in range(MODULE_LINES // 3):
        lines += [f"def f{j}(x):", f"    return x * {j} + {i}", ""]
    return "\n".join(lines).encode()


def wheel(outdir, n):
    name = f"ds_bench_pkg_{n:03d}"
    dist = f"{name}-1.0.dist-info"
    files = {f"{name}/__init__.py": f'"""{name}."""\n'.encode(),
             f"{name}/data.txt": (name + "\n").encode() * 64}
    for i in range(MODULES):
        files[f"{name}/m{i}.py"] = module(name, i)
    files[f"{dist}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
        "Summary: depsentry install storm filler\n").encode()
    files[f"{dist}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: depsentry-bench\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n").encode()
    files[f"{dist}/top_level.txt"] = (name + "\n").encode()
    record = "".join(f"{p},{digest(d)},{len(d)}\n" for p, d in files.items())
    record += f"{dist}/RECORD,,\n"
    path = os.path.join(outdir, f"{name}-1.0-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, d in files.items():
            z.writestr(p, d)
        z.writestr(f"{dist}/RECORD", record)
    return name


def main():
    outdir, count = sys.argv[1], int(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    for n in range(count):
        print(wheel(outdir, n))


main()
