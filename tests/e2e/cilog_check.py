#!/usr/bin/python3
"""Check that output meant for a CI job's log cannot steer the job.

    cilog_check.py WHAT FILE...

Each FILE must be valid UTF-8 with no control character but tab and
newline (a carriage return ends a line for the runners too), and no line of
it may start, after white space, with "::" (a GitHub Actions workflow
command), "##[" or "##vso[" (Azure Pipelines' commands and formatting,
which GitHub's runner also reads). White space is Python's str.isspace, a superset of what
the runners trim (.NET's char.IsWhiteSpace). Prints each offending line and
exits 1 when there is one.
"""

import sys


def check(what, path):
    errs = []
    with open(path, "rb") as fp:
        data = fp.read()
    try:
        text = data.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        return [f"{what}: {path}: not UTF-8: {e}"]
    for n, line in enumerate(text.split("\n"), 1):
        bad = [c for c in line if (ord(c) < 0x20 and c != "\t") or c == "\x7f"]
        if bad:
            errs.append(f"{what}: {path}:{n}: control character {bad[0]!r}: {line[:160]!r}")
        if line.lstrip().startswith(("::", "##[", "##vso[")):
            errs.append(f"{what}: {path}:{n}: starts a workflow command: {line[:160]!r}")
    return errs


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    errs = []
    for path in sys.argv[2:]:
        errs += check(sys.argv[1], path)
    for e in errs[:40]:
        print("   ", e, file=sys.stderr)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
