#!/usr/bin/python3
"""tests/e2e/cisim.py: what t_42 and t_43 need to run the CI agents as the
runners would, with nothing but Debian's python3 and python3-yaml.

GitHub Actions (actions/runner, for a JavaScript action):
  action ACTION_YML                 check runs: node24, main, post, post-if
                                    always(); print main and post, one a line
  inputs ACTION_YML [NAME=VALUE...] the step's INPUT_* variables, NUL-separated
                                    NAME=VALUE: every input of action.yml,
                                    given or its default, named as the runner
                                    names them (INPUT_ + the name upper-cased,
                                    spaces made underscores, dashes kept)
  file-command FILE [PREFIX]        the NAME=VALUE pairs of a file command
                                    ($GITHUB_STATE, $GITHUB_OUTPUT), both
                                    forms (NAME=VALUE, NAME<<DELIMITER),
                                    NUL-separated, each name with PREFIX
  summary-rows FILE                 the rows of the alert tables of a Markdown
                                    report, cells unescaped, as JSON

GitLab CI (a job that extends a hidden job of an included template):
  gitlab-job TEMPLATE JOB_YML JOB OUTDIR
                                    merge JOB with what it extends, expand
                                    its variables with the environment's
                                    (the predefined CI_* ones), write
                                    OUTDIR/env (NUL-separated NAME=VALUE),
                                    OUTDIR/main.sh (before_script + script,
                                    one shell, as the runner runs them),
                                    OUTDIR/after.sh (after_script, a shell of
                                    its own) and OUTDIR/job.json
"""
import json
import os
import re
import sys

import yaml


def die(msg):
    sys.exit("cisim: " + msg)


def put_pairs(pairs):
    out = sys.stdout.buffer
    for k, v in pairs:
        if "\0" in k or "\0" in v:
            die("a NUL in " + k)
        out.write(k.encode() + b"=" + v.encode() + b"\0")


def cmd_action(path):
    a = yaml.safe_load(open(path))
    runs = a.get("runs") or {}
    if runs.get("using") != "node24":
        die(f"{path}: runs.using is {runs.get('using')!r}, not node24")
    for key in ("main", "post"):
        if not runs.get(key):
            die(f"{path}: no runs.{key}")
    if runs.get("post-if") != "always()":
        die(f"{path}: runs.post-if is {runs.get('post-if')!r}, not always()")
    print(runs["main"])
    print(runs["post"])


def cmd_inputs(path, *given):
    a = yaml.safe_load(open(path))
    inputs = a.get("inputs") or {}
    values = {}
    for g in given:
        name, sep, value = g.partition("=")
        if not sep:
            die(f"input {g!r}: expected NAME=VALUE")
        if name not in inputs:
            die(f"input {name!r} is not declared in {path}")
        values[name] = value
    pairs = []
    for name, spec in inputs.items():
        v = values.get(name, str((spec or {}).get("default", "")))
        if "${{" in v:
            die(f"{path}: the default of {name} is an expression, which this runner does not evaluate")
        pairs.append(("INPUT_" + name.replace(" ", "_").upper(), v))
    put_pairs(pairs)


def file_command(path):
    """The runner's parser of $GITHUB_ENV, $GITHUB_STATE, $GITHUB_OUTPUT."""
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    pairs, i = [], 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        eq, hd = line.find("="), line.find("<<")
        if eq >= 0 and (hd < 0 or eq < hd):
            pairs.append((line[:eq], line[eq + 1:]))
            continue
        if hd < 0:
            die(f"{path}: invalid line {line!r}")
        name, delim = line[:hd], line[hd + 2:]
        if not name or not delim:
            die(f"{path}: invalid heredoc {line!r}")
        value = []
        while True:
            if i >= len(lines):
                die(f"{path}: no delimiter {delim!r} for {name}")
            if lines[i] == delim:
                i += 1
                break
            value.append(lines[i])
            i += 1
        pairs.append((name, "\n".join(value)))
    return pairs


def cmd_file_command(path, prefix=""):
    put_pairs([(prefix + k, v) for k, v in file_command(path)])


def md_cells(row):
    """Split a Markdown table row on unescaped |, and unescape each cell."""
    cells, cur, i = [], "", 0
    row = row.strip()
    if not (row.startswith("|") and row.endswith("|")):
        return None
    row = row[1:-1]
    while i < len(row):
        c = row[i]
        if c == "\\" and i + 1 < len(row):
            cur += row[i + 1]
            i += 2
            continue
        if c == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    cells.append(cur.strip())
    return cells


def cmd_summary_rows(path):
    rows, header = [], None
    for line in open(path, encoding="utf-8"):
        cells = md_cells(line)
        if cells is None:
            header = None
            continue
        if header is None:
            header = cells
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        rows.append(dict(zip(header, cells)))
    json.dump(rows, sys.stdout, indent=1)
    print()


def merge(base, over):
    """extends: hashes merge deeply, the job's keys win; lists are replaced."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def resolve(docs, name, seen=()):
    job = docs.get(name)
    if not isinstance(job, dict):
        die(f"no job {name}")
    if name in seen:
        die(f"extends loop at {name}")
    ext = job.get("extends")
    if not ext:
        return job
    out = {}
    for parent in [ext] if isinstance(ext, str) else ext:
        out = merge(out, resolve(docs, parent, seen + (name,)))
    return merge(out, {k: v for k, v in job.items() if k != "extends"})


VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def expand(value, env):
    return VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), value)


def script_lines(job, key):
    v = job.get(key) or []
    if isinstance(v, str):
        v = [v]
    for line in v:
        if not isinstance(line, str):
            die(f"{key}: not a string: {line!r}")
    return v


def shell(lines):
    # the shell executor's bash: stop at the first failing command
    return "set -eo pipefail\n" + "".join(line + "\n" for line in lines)


def cmd_gitlab_job(template, job_yml, name, outdir):
    docs = {}
    for path in (template, job_yml):
        d = yaml.safe_load(open(path))
        if not isinstance(d, dict):
            die(f"{path}: not a mapping")
        docs.update(d)
    job = resolve(docs, name)
    env = dict(os.environ)
    variables = {}
    for k, v in (job.get("variables") or {}).items():
        if isinstance(v, dict):
            v = v.get("value", "")
        variables[k] = expand(str(v), {**env, **variables})
    main = script_lines(job, "before_script") + script_lines(job, "script")
    after = script_lines(job, "after_script")
    if not script_lines(job, "script"):
        die(f"{name} has no script")
    with open(os.path.join(outdir, "env"), "wb") as f:
        for k, v in variables.items():
            f.write(k.encode() + b"=" + v.encode() + b"\0")
    with open(os.path.join(outdir, "main.sh"), "w") as f:
        f.write(shell(main))
    with open(os.path.join(outdir, "after.sh"), "w") as f:
        f.write(shell(after))
    with open(os.path.join(outdir, "job.json"), "w") as f:
        json.dump({"variables": variables, "artifacts": job.get("artifacts") or {}}, f, indent=1)


COMMANDS = {
    "action": cmd_action,
    "inputs": cmd_inputs,
    "file-command": cmd_file_command,
    "summary-rows": cmd_summary_rows,
    "gitlab-job": cmd_gitlab_job,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        die("usage: cisim.py " + "|".join(COMMANDS) + " ARG...")
    COMMANDS[sys.argv[1]](*sys.argv[2:])
