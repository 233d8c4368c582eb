"""Run the collection's tests with nox, then print a summary CI can read.

Usage: scripts/test [-j N] [--list] [STEP|GROUP ...] [-- EXTRA ARGS FOR THE STEPS]

The steps are the nox sessions of noxfile.py (add a step there, not here);
groups are their tags (sanity, units, integration, e2e, 216, 221, release).
No argument: every default session.  It runs scripts/bootstrap (the nox venv,
the interpreters), then ``nox --parallel N`` (default 2) with a JSON report,
and prints one row per step (nox's result, tests passed/failed/skipped from the
step's JUnit XML in .cache/junit/<step>/, seconds) and, as its last line,
``N passed, M failed``: individual tests, where a step that failed outside any
test case counts as one failure.  Exit status 0 only if every step passed.

Standard library only; runs on Python >= 3.9.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".cache")
NOX = os.path.join(ROOT, ".venv", "nox", "bin", "nox")
REPORT = os.path.join(CACHE, "nox-report.json")


def nox_cmd(*args):
    return [NOX, "-f", os.path.join(ROOT, "noxfile.py")] + list(args)


def list_sessions():
    """[(name, description, tags)] of the default sessions, in noxfile order."""
    out = subprocess.run(
        nox_cmd("--list", "--json"),
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        check=True,
        universal_newlines=True,
        cwd=ROOT,
    )
    return [(s["name"], s["description"], s["tags"]) for s in json.loads(out.stdout)]


def select(sessions, wanted, parser):
    if not wanted:
        return [name for name, _desc, _tags in sessions]
    names = []
    for item in wanted:
        matches = [name for name, _desc, tags in sessions if item == name or item in tags]
        if not matches:
            parser.error(
                "unknown step %r (steps: %s; groups: %s)"
                % (item, " ".join(s[0] for s in sessions), " ".join(sorted({t for s in sessions for t in s[2]})))
            )
        names.extend(name for name in matches if name not in names)
    return names


def count_junit(step):
    """(passed, failed, skipped) over .cache/junit/<step>/*.xml, or None if there is none."""
    files = sorted(glob.glob(os.path.join(CACHE, "junit", step, "*.xml")))
    if not files:
        return None
    passed = failed = skipped = 0
    for path in files:
        try:
            tree = ET.parse(path)
        except ET.ParseError:
            failed += 1
            continue
        for case in tree.iter("testcase"):
            tags = {child.tag for child in case}
            if tags & {"failure", "error"}:
                failed += 1
            elif "skipped" in tags:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def summary(names, wall):
    try:
        with open(REPORT) as handle:
            results = {s["name"]: s for s in json.load(handle)["sessions"]}
    except (OSError, ValueError, KeyError):
        results = {}
    rows = [("step", "result", "passed", "failed", "skipped", "seconds")]
    total_passed = total_failed = 0
    for name in names:
        result = results.get(name, {})
        outcome = result.get("result", "not run")
        counts = count_junit(name)
        if counts is None:  # a step without test cases (lint) counts as one test
            counts = (1, 0, 0) if outcome == "success" else (0, 1, 0)
        passed, failed, skipped = counts
        if outcome != "success" and failed == 0:
            failed = 1  # failed outside any test case (collection error, crash, install failure)
        total_passed += passed
        total_failed += failed
        rows.append((name, outcome, str(passed), str(failed), str(skipped), "%.0f" % result.get("duration", 0)))
    rows.append(("total", "", str(total_passed), str(total_failed), "", "%.0f" % wall))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print("\nSummary (logs: the nox output above; JUnit XML: .cache/junit/<step>/):")
    for index, row in enumerate(rows):
        print("  ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(row)))
        if index in (0, len(rows) - 2):
            print("  ".join("-" * w for w in widths))
    print("%d passed, %d failed" % (total_passed, total_failed), flush=True)
    return total_failed == 0 and all(results.get(n, {}).get("result") == "success" for n in names)


def main(argv):
    extra = []
    if "--" in argv:
        argv, extra = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    parser = argparse.ArgumentParser(prog="scripts/test", description="Run the collection's tests (nox sessions).")
    parser.add_argument("steps", nargs="*", metavar="STEP", help="session names or tags (groups)")
    parser.add_argument(
        "-j", "--jobs", default=os.environ.get("HSW_TEST_JOBS", "2"), help="steps run at the same time (default 2)"
    )
    parser.add_argument("--list", action="store_true", help="list the steps and exit")
    args = parser.parse_args(argv)
    started = time.monotonic()
    boot = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "bootstrap.py")], stdin=subprocess.DEVNULL, check=False
    )
    if boot.returncode != 0:
        print("bootstrap failed (exit status %d): no step was run" % boot.returncode)
        print("0 passed, 1 failed")
        return 1
    sessions = list_sessions()
    if args.list:
        for name, description, tags in sessions:
            print("%-16s %-22s %s" % (name, ",".join(tags), description))
        return 0
    names = select(sessions, args.steps, parser)
    if os.path.exists(REPORT):
        os.unlink(REPORT)
    print("=== nox: %s, %s at a time" % (" ".join(names), args.jobs), flush=True)
    cmd = nox_cmd("--parallel", str(args.jobs), "--report", REPORT, "--no-color", "-s", *names)
    if extra:
        cmd += ["--"] + extra
    subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, check=False)
    ok = summary(names, time.monotonic() - started)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
