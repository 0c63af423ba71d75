#!/usr/bin/env python3
"""Record Terraform's answers for the conformance suite.

Called by regenerate.sh (which checks the Terraform version and sets up the
environment); see README.md for the formats this writes. Usage:

    record.py [--jobs N] [--only NAME ...]

NAME is an expression file stem (`functions_string`) or a config case
(`config/count_basic`); without --only everything is re-recorded.
"""

import argparse
import concurrent.futures
import json
import os
import pty
import queue
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import termios
import fcntl
import struct
import threading
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
CONTEXT = os.path.join(HERE, "context")
EXPR_DIR = os.path.join(HERE, "expr")
CONFIG_DIR = os.path.join(HERE, "config")
CASE_FILE = "zz_conformance_case.tf"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TIMEOUT = 120


class Fail(Exception):
    pass


# --------------------------------------------------------------------------
# Running terraform
# --------------------------------------------------------------------------

def run_tf(args, cwd, stdin_text=None, wide_stderr=False):
    """Run terraform; return (exit code, stdout, stderr) as text.

    With wide_stderr, stderr is a pseudo-terminal 30,000 columns wide, so
    Terraform does not word-wrap diagnostic details (it wraps at 78 columns
    when stderr is not a terminal). stdin and stdout stay pipes, so the
    console runs in its piped mode.
    """
    if not wide_stderr:
        p = subprocess.run(["terraform"] + args, cwd=cwd, input=stdin_text,
                           capture_output=True, text=True, timeout=TIMEOUT)
        return p.returncode, p.stdout, p.stderr
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 30000, 0, 0))
    tty.setraw(slave)
    chunks = []

    def drain():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        p = subprocess.Popen(["terraform"] + args, cwd=cwd, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=slave)
    finally:
        os.close(slave)
    try:
        out, _ = p.communicate(stdin_text.encode() if stdin_text else None, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        raise Fail("terraform %s timed out in %s" % (" ".join(args), cwd))
    reader.join()
    os.close(master)
    return p.returncode, out.decode(), b"".join(chunks).decode()


# --------------------------------------------------------------------------
# Parsing the console's human-readable diagnostics
# --------------------------------------------------------------------------

DIAG_START = re.compile(r"(?:^|(?<=\n\n))\n(Error|Warning): ")


def parse_diagnostics(text):
    """Split the console's stderr into diagnostics.

    Each diagnostic is printed as "\\nError: SUMMARY\\n\\n", then an optional
    location block ("  with ADDR,", "  on FILE line N:", source lines or
    "  (source code not available)", value lines) ending in an empty line,
    then the detail followed by "\\n", then one more "\\n".
    """
    text = ANSI.sub("", text).replace("\r\n", "\n")
    starts = list(DIAG_START.finditer(text))
    if not starts or starts[0].start() != 0:
        raise Fail("unparseable diagnostics:\n" + text)
    diags = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        chunk = text[m.end():end]
        summary, _, rest = chunk.partition("\n")
        if not rest.startswith("\n"):
            raise Fail("unparseable diagnostic:\n" + chunk)
        rest = rest[1:]
        if rest.startswith("  on ") or rest.startswith("  with "):
            blank = rest.find("\n\n")
            if blank < 0:
                raise Fail("unterminated location block:\n" + chunk)
            rest = rest[blank + 2:]
        if rest == "\n" or rest == "":
            detail = ""
        elif rest.endswith("\n\n"):
            detail = rest[:-2]
        else:
            raise Fail("unparseable diagnostic detail:\n" + chunk)
        diags.append({"severity": m.group(1).lower(), "summary": summary, "detail": detail})
    return diags


# --------------------------------------------------------------------------
# Expression cases
# --------------------------------------------------------------------------

def parse_cases(path):
    cases = []
    pending = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        raw = lines[i]
        lineno = i + 1
        stripped = raw.strip()
        i += 1
        if stripped.startswith("#!"):
            key, _, val = stripped[2:].strip().partition(":")
            key = key.strip()
            if key not in ("match", "differs") or not val.strip():
                raise Fail("%s:%d: unknown directive %r" % (path, lineno, raw))
            pending[key] = val.strip()
            continue
        if stripped == "" or stripped.startswith("#"):
            continue
        if stripped == "<<<":
            body = []
            while True:
                if i >= len(lines):
                    raise Fail("%s:%d: <<< without >>>" % (path, lineno))
                if lines[i].strip() == ">>>":
                    i += 1
                    break
                body.append(lines[i])
                i += 1
            case = {"line": lineno, "expr": "\n".join(body), "multiline": True}
        else:
            case = {"line": lineno, "expr": stripped, "multiline": False}
        case.update(pending)
        pending = {}
        cases.append(case)
    if pending:
        raise Fail("%s: directive at end of file applies to no case" % path)
    return cases


CONSOLE_CONFIG_WARNING = "Due to the problems above, some expressions may produce unexpected results."


def console(expr, cwd):
    code, out, err = run_tf(["console", "-no-color"], cwd, expr + "\n", wide_stderr=True)
    if code == 0 and err.strip():
        # The console tolerates errors while evaluating the configuration
        # (a multi-line case's locals block): it prints them, then a warning
        # of its own, then evaluates the failed value as unknown. That is an
        # error of the case.
        diags = [d for d in parse_diagnostics(err)
                 if d["summary"] != CONSOLE_CONFIG_WARNING]
        if not any(d["severity"] == "error" for d in diags):
            raise Fail("console succeeded but wrote to stderr for %r:\n%s" % (expr, err))
        return None, diags
    if code == 0:
        if not out.endswith("\n"):
            raise Fail("console output without final newline for %r: %r" % (expr, out))
        return ANSI.sub("", out[:-1]), None
    if out.strip():
        raise Fail("console failed but wrote to stdout for %r:\n%s" % (expr, out))
    return None, parse_diagnostics(err)


def eval_case(case, workdir):
    if case["multiline"]:
        with open(os.path.join(workdir, CASE_FILE), "w", encoding="utf-8") as f:
            f.write("locals {\n  conformance_case = " + case["expr"] + "\n}\n")
        target = "local.conformance_case"
    else:
        target = case["expr"]
    try:
        value, diags = console(target, workdir)
        typ = None
        if diags is None:
            typ, tdiags = console("type(" + target + ")", workdir)
            diags = tdiags or []
    finally:
        if case["multiline"]:
            os.remove(os.path.join(workdir, CASE_FILE))
    out = {"line": case["line"], "expr": case["expr"], "value": value,
           "type": typ, "diagnostics": diags}
    if "match" in case:
        out["match"] = case["match"]
    if "differs" in case:
        out["differs"] = case["differs"]
    return out


def record_expr(names, jobs, workroot):
    files = sorted(f[:-6] for f in os.listdir(EXPR_DIR) if f.endswith(".cases"))
    if names:
        missing = [n for n in names if n not in files]
        if missing:
            raise Fail("no such expression file: %s" % ", ".join(missing))
        files = [n for n in files if n in names]
    workdirs = queue.Queue()
    for w in range(jobs):
        d = os.path.join(workroot, "console%d" % w)
        shutil.copytree(CONTEXT, d)
        workdirs.put(d)

    def job(case):
        d = workdirs.get()
        try:
            return eval_case(case, d)
        finally:
            workdirs.put(d)

    total = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for name in files:
            path = os.path.join(EXPR_DIR, name + ".cases")
            cases = parse_cases(path)
            results = list(pool.map(job, cases))
            expected_path = os.path.join(EXPR_DIR, name + ".expected.json")
            # A Go panic inside a function: its stack trace is no answer to
            # compare against, so such cases are left out of the suite.
            panics = ["%d: %s" % (r["line"], r["expr"]) for r in results
                      if any("goroutine " in d["detail"] for d in r["diagnostics"])]
            if panics:
                raise Fail("%s: Terraform panicked on these cases; leave them out:\n  %s"
                           % (path, "\n  ".join(panics)))
            keep_nondeterministic(results, expected_path)
            for r in results:
                if "match" in r and r["value"] is not None \
                        and not re.fullmatch(r["match"], r["value"], re.S):
                    raise Fail("%s:%d: value %r does not match %r"
                               % (path, r["line"], r["value"], r["match"]))
            write_json(expected_path, results)
            total += len(results)
            print("  expr/%s: %d cases" % (name, len(results)), flush=True)
    return total


def keep_nondeterministic(results, expected_path):
    """For `#! match:` cases keep the previously recorded value when it still
    matches, so regenerating without changes leaves the files byte-identical."""
    if not os.path.exists(expected_path):
        return
    with open(expected_path, encoding="utf-8") as f:
        try:
            old = json.load(f)
        except ValueError:
            return
    previous = {(o["expr"], o.get("match")): o for o in old if "match" in o}
    for r in results:
        o = previous.get((r["expr"], r.get("match")))
        if o is None or r["value"] is None or o["value"] is None:
            continue
        if re.fullmatch(r["match"], o["value"], re.S) and o["type"] == r["type"] \
                and o["diagnostics"] == r["diagnostics"]:
            r["value"] = o["value"]


class ExactNumber(float):
    """A JSON number with a fraction or exponent, kept as Terraform wrote it: Terraform's
    numbers are arbitrary precision, and a Python float would round
    3.14159265358979323846264338327950288 to 17 digits."""

    def __new__(cls, text):
        n = super().__new__(cls, text)
        n.text = text
        return n


def exact_placeholders(data):
    """`data` with every ExactNumber replaced by a placeholder string that
    write_json turns back into the number's text (json.dumps writes a float
    subclass through float.__repr__)."""
    if isinstance(data, ExactNumber):
        return "\u0001N" + data.text + "\u0001"
    if isinstance(data, dict):
        return {k: exact_placeholders(v) for k, v in data.items()}
    if isinstance(data, list):
        return [exact_placeholders(v) for v in data]
    return data


def write_json(path, data):
    text = json.dumps(exact_placeholders(data), indent=2, ensure_ascii=False) + "\n"
    text = re.sub(r'"\\u0001N([^"\\]+)\\u0001"', r"\1", text)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


# --------------------------------------------------------------------------
# Configuration cases
# --------------------------------------------------------------------------

def json_diagnostics(stream_text):
    """Diagnostics from a -json event stream, sorted (Terraform emits them in
    an order that depends on its parallel graph walk)."""
    diags = []
    for line in stream_text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("type") != "diagnostic":
            continue
        diags.append(simplify_diag(msg["diagnostic"]))
    return sort_diags(diags)


def simplify_diag(d):
    out = {"severity": d["severity"], "summary": d["summary"], "detail": d.get("detail", "")}
    if d.get("address"):
        out["address"] = d["address"]
    rng = d.get("range")
    if rng:
        out["range"] = {"filename": rng["filename"], "line": rng["start"]["line"],
                        "column": rng["start"]["column"]}
    return out


def validate_summary(code, out, name, step):
    """`validate -json`: its exit code, verdict and diagnostics (sorted)."""
    doc = load_json(out, "terraform validate -json (config/%s/%s)" % (name, step))
    return {"exit_code": code, "valid": doc["valid"],
            "diagnostics": sort_diags([simplify_diag(d) for d in doc.get("diagnostics", [])])}


def sort_diags(diags):
    def key(d):
        r = d.get("range") or {}
        return (r.get("filename", ""), r.get("line", 0), r.get("column", 0),
                d["severity"], d["summary"], d["detail"], d.get("address", ""))
    return sorted(diags, key=key)


def strip_id(value):
    if isinstance(value, dict) and "id" in value:
        value = dict(value)
        del value["id"]
    return value


def plan_summary(plan):
    changes = []
    for rc in plan.get("resource_changes", []):
        ch = rc["change"]
        item = {"address": rc["address"]}
        for k in ("previous_address", "module_address"):
            if k in rc:
                item[k] = rc[k]
        item["mode"] = rc["mode"]
        item["type"] = rc["type"]
        item["name"] = rc["name"]
        if "index" in rc:
            item["index"] = rc["index"]
        item["actions"] = ch["actions"]
        if "action_reason" in rc:
            item["action_reason"] = rc["action_reason"]
        if ch["actions"] != ["delete"]:
            item["after"] = strip_id(ch.get("after"))
            item["after_unknown"] = strip_id(ch.get("after_unknown"))
            if ch.get("after_sensitive") not in (None, False, {}):
                item["after_sensitive"] = ch["after_sensitive"]
        if ch.get("importing"):
            item["importing"] = ch["importing"]
        changes.append(item)
    outputs = {}
    for name, ch in sorted(plan.get("output_changes", {}).items()):
        o = {"actions": ch["actions"]}
        if ch["actions"] != ["delete"]:
            if ch.get("after_unknown"):
                o["after_unknown"] = ch["after_unknown"]
            else:
                o["after"] = ch.get("after")
            if ch.get("after_sensitive"):
                o["after_sensitive"] = ch["after_sensitive"]
        outputs[name] = o
    checks = checks_summary(plan)
    out = {"resource_changes": changes, "output_changes": outputs}
    if checks:
        out["checks"] = checks
    if plan.get("errored"):
        out["errored"] = True
    return out


def checks_summary(doc):
    """The `checks` of `show -json` (a plan's, or the state's check results)."""
    checks = []
    for c in doc.get("checks", []):
        item = {"address": c["address"]["to_display"], "kind": c["address"]["kind"],
                "status": c["status"]}
        insts = []
        for inst in c.get("instances", []):
            i = {"address": inst["address"]["to_display"], "status": inst["status"]}
            if inst.get("problems"):
                i["problems"] = [p["message"] for p in inst["problems"]]
            insts.append(i)
        if insts:
            item["instances"] = insts
        checks.append(item)
    checks.sort(key=lambda c: c["address"])
    return checks


def state_summary(show):
    resources = []

    def walk(mod):
        for r in mod.get("resources", []):
            item = {"address": r["address"]}
            if r["type"] == "terraform_data":
                vals = r.get("values", {})
                item["input"] = vals.get("input")
                item["output"] = vals.get("output")
            resources.append(item)
        for child in mod.get("child_modules", []):
            walk(child)

    walk(show.get("values", {}).get("root_module", {}))
    resources.sort(key=lambda r: r["address"])
    return resources


def clean_step_files(work):
    for name in os.listdir(work):
        if name.startswith(".terraform") or name.startswith("terraform.tfstate"):
            continue
        p = os.path.join(work, name)
        if os.path.isdir(p):
            shutil.rmtree(p)
        else:
            os.remove(p)


def load_json(text, what):
    try:
        return json.loads(text, parse_float=ExactNumber)
    except ValueError:
        raise Fail("%s did not print JSON:\n%s" % (what, text[:2000]))


def record_config_case(name, workroot):
    case_dir = os.path.join(CONFIG_DIR, name)
    steps = sorted((d for d in os.listdir(case_dir) if re.fullmatch(r"step\d+", d)),
                   key=lambda d: int(d[4:]))
    if not steps:
        raise Fail("config/%s has no step directories" % name)
    work = os.path.join(workroot, "config-" + name)
    os.makedirs(work)
    results = []
    for step in steps:
        src = os.path.join(case_dir, step)
        clean_step_files(work)
        args = []
        for entry in os.listdir(src):
            p = os.path.join(src, entry)
            if entry == "args":
                with open(p, encoding="utf-8") as f:
                    args = shlex.split(f.read(), comments=True)
            elif os.path.isdir(p):
                shutil.copytree(p, os.path.join(work, entry))
            else:
                shutil.copy(p, os.path.join(work, entry))
        rec = {"step": step}
        if args:
            rec["args"] = args
        code, out, err = run_tf(["init", "-input=false", "-no-color", "-json"], work)
        if code != 0:
            # Recorded, then plan runs all the same: its diagnostics are the
            # ones terrane is compared on (init repeats some of them).
            rec["init"] = {"exit_code": code, "diagnostics": json_diagnostics(out)}
        code, out, err = run_tf(["validate", "-no-color", "-json"], work)
        rec["validate"] = validate_summary(code, out, name, step)
        code, out, err = run_tf(["plan", "-input=false", "-no-color", "-json", "-out=tfplan"] + args, work)
        rec["plan"] = {"exit_code": code, "diagnostics": json_diagnostics(out)}
        if code != 0:
            # Terraform saves the partial plan of a walk that found errors ("errored"):
            # what it holds, and apply's refusal of it, are recorded too.
            if os.path.exists(os.path.join(work, "tfplan")):
                code, out, err = run_tf(["show", "-json", "tfplan"], work)
                if code != 0:
                    raise Fail("config/%s/%s: terraform show tfplan failed:\n%s" % (name, step, err))
                rec["plan"]["saved"] = True
                rec["plan"].update(plan_summary(load_json(out, "terraform show -json tfplan")))
                code, out, err = run_tf(["apply", "-input=false", "-no-color", "-json", "-auto-approve", "tfplan"], work)
                rec["apply"] = {"exit_code": code, "diagnostics": json_diagnostics(out)}
                os.remove(os.path.join(work, "tfplan"))
            results.append(rec)
            continue
        code, out, err = run_tf(["show", "-json", "tfplan"], work)
        if code != 0:
            raise Fail("config/%s/%s: terraform show tfplan failed:\n%s" % (name, step, err))
        rec["plan"].update(plan_summary(load_json(out, "terraform show -json tfplan")))
        code, out, err = run_tf(["apply", "-input=false", "-no-color", "-json", "-auto-approve", "tfplan"], work)
        rec["apply"] = {"exit_code": code, "diagnostics": json_diagnostics(out)}
        code, out, err = run_tf(["output", "-no-color", "-json"], work)
        rec["outputs"] = load_json(out, "terraform output -json") if code == 0 else {"exit_code": code}
        code, out, err = run_tf(["show", "-no-color", "-json"], work)
        if code != 0:
            raise Fail("config/%s/%s: terraform show failed:\n%s" % (name, step, err))
        show = load_json(out, "terraform show -json")
        rec["state"] = state_summary(show)
        # The check results the apply left in the state (after a destroy too).
        state_checks = checks_summary(show)
        if state_checks:
            rec["state_checks"] = state_checks
        os.remove(os.path.join(work, "tfplan"))
        results.append(rec)
    write_json(os.path.join(case_dir, "expected.json"), {"steps": results})
    return name


def record_config(names, jobs, workroot):
    cases = sorted(d for d in os.listdir(CONFIG_DIR)
                   if os.path.isdir(os.path.join(CONFIG_DIR, d)))
    if names:
        missing = [n for n in names if n not in cases]
        if missing:
            raise Fail("no such config case: %s" % ", ".join(missing))
        cases = [n for n in cases if n in names]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for name in pool.map(lambda n: record_config_case(n, workroot), cases):
            print("  config/%s" % name, flush=True)
    return len(cases)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*", default=[])
    opts = ap.parse_args()
    expr_names = [n for n in opts.only if not n.startswith("config/")]
    config_names = [n[len("config/"):] for n in opts.only if n.startswith("config/")]
    workroot = tempfile.mkdtemp(prefix="terrane-conformance-")
    try:
        n_expr = n_config = 0
        if not opts.only or expr_names:
            n_expr = record_expr(expr_names, opts.jobs, workroot)
        if not opts.only or config_names:
            n_config = record_config(config_names, opts.jobs, workroot)
        print("recorded %d expression cases, %d configuration cases" % (n_expr, n_config))
    except Fail as e:
        print("record.py: error: %s" % e, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
