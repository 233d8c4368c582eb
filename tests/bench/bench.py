# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmarks: the collection's deploy gate against the ``uri`` + ``until`` idiom.

Run with ``scripts/bench`` (``--quick`` for a small smoke run). Everything goes through real
``ansible-playbook`` runs against the bundled simulator on loopback, started here as a separate process.

Time is compressed by ``--scale`` (default 10): the simulator's rate-limit window (60 s for 10 health
requests) and every contender's poll interval (its documented default: 10 s for the role, 6 s for
instance_health, 5 s for uri's until example) are all divided by it, so the contenders meet the same
limit as in real life, only faster.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from heal_bench import heal_table, run_heal  # noqa: E402  pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN = "bench-token-0123456789"
# Each contender polls at the interval its own documentation or defaults give, in real seconds.
ROLE_POLL = 10.0  # wait_for_working_poll_interval default
MODULE_POLL = 6.0  # instance_health wait_sleep default: inside 10 requests a minute
URI_POLL = 5.0  # the until/retries/delay example in ansible.builtin.uri's documentation
REAL_WINDOW = 60.0
RATE_LIMIT = 10
SEED = 42


class SimulatorProcess:
    """The simulator in its own process, driven through its admin endpoints."""

    def __init__(self):
        env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "simulator"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "whatsapp_sim"], stdout=subprocess.PIPE, text=True, env=env
        )
        line = self.process.stdout.readline().strip()
        if not line.startswith("READY "):
            raise RuntimeError("the simulator did not start: %r" % line)
        self.url = line.split(" ", 1)[1]
        self.session = requests.Session()

    def load(self, scenario):
        """Replace the scenario; the simulator's clock, limits and request log start again now."""
        self.session.put(self.url + "/_sim/scenario", json=scenario, timeout=30).raise_for_status()
        return time.monotonic()

    def requests(self):
        return self.session.get(self.url + "/_sim/requests", timeout=30).json()

    def ready_times(self):
        return self.session.get(self.url + "/_sim/instances", timeout=30).json()

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


class Runner:
    """Runs one playbook under /usr/bin/time -v and gathers its figures."""

    def __init__(self, workdir, api_url):
        self.workdir = Path(workdir)
        collections = self.workdir / "collections" / "ansible_collections" / "hypersender"
        collections.mkdir(parents=True)
        (collections / "whatsapp").symlink_to(ROOT)
        self.env = dict(os.environ)
        self.env.update(
            {
                "ANSIBLE_COLLECTIONS_PATH": str(self.workdir / "collections"),
                "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).parent / "callback_plugins"),
                "ANSIBLE_CALLBACKS_ENABLED": "bench_timer",
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "ANSIBLE_LOCALHOST_WARNING": "0",
                "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
                "ANSIBLE_HOST_KEY_CHECKING": "0",
                "ANSIBLE_NOCOLOR": "1",
                "HYPERSENDER_API_URL": api_url,
                "HYPERSENDER_API_TOKEN": TOKEN,
                "PATH": "%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")),
                "NO_PROXY": "127.0.0.1,localhost",
            }
        )
        self.count = 0

    def run(self, playbook, hosts=None, extra_vars=None, timeout=900):
        self.count += 1
        base = self.workdir / ("run%03d" % self.count)
        base.mkdir()
        (base / "playbook.yml").write_text(playbook)
        (base / "vars.json").write_text(json.dumps(extra_vars or {}))
        argv = [
            "/usr/bin/time",
            "-v",
            str(BIN / "ansible-playbook"),
            str(base / "playbook.yml"),
            "-e",
            "@" + str(base / "vars.json"),
        ]
        if hosts:
            inventory = {
                "all": {
                    "hosts": {
                        name: dict(hostvars, ansible_connection="local", ansible_python_interpreter=sys.executable)
                        for name, hostvars in hosts.items()
                    }
                }
            }
            (base / "inventory.json").write_text(json.dumps(inventory))
            argv += ["-i", str(base / "inventory.json")]
        env = dict(self.env, BENCH_TIMER_FILE=str(base / "timer.jsonl"))
        started = time.monotonic()
        completed = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=timeout, check=False, cwd=str(base)
        )
        ended = time.monotonic()
        (base / "output.log").write_text(completed.stdout + completed.stderr)
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr)
        failed = sum(int(n) for n in re.findall(r"\bfailed=(\d+)", completed.stdout))
        timer_file = base / "timer.jsonl"
        timer = [json.loads(line) for line in timer_file.read_text().splitlines()] if timer_file.exists() else []
        return {
            "rc": completed.returncode,
            "started": started,
            "ended": ended,
            "wall": ended - started,
            "rss_mb": int(rss.group(1)) / 1024 if rss else float("nan"),
            "failed": failed,
            "timer": timer,
            "log": str(base / "output.log"),
        }


# --- the contenders -----------------------------------------------------------------------------------

ROLE_PLAY = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: hypersender.whatsapp.wait_for_working
      vars:
        wait_for_working_instances: "{{ ids }}"
        wait_for_working_timeout: "{{ timeout }}"
        wait_for_working_poll_interval: "{{ poll }}"
"""

MODULE_PER_HOST_PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Wait for this host's instance
      hypersender.whatsapp.instance_health:
        instance: "{{ uuid }}"
        wait: true
        wait_sleep: "{{ poll }}"
        wait_timeout: "{{ timeout }}"
"""

URI_TASK = """
    - name: Wait for WORKING
      ansible.builtin.uri:
        url: "{{ lookup('ansible.builtin.env', 'HYPERSENDER_API_URL') }}/%s/health"
        headers:
          Authorization: "Bearer {{ lookup('ansible.builtin.env', 'HYPERSENDER_API_TOKEN') }}"
        status_code: [200, 429]
      register: health
      until: health.status == 200 and health.json.status == 'WORKING'
      retries: "{{ retries }}"
      delay: "{{ poll }}"
"""

URI_SEQUENTIAL_PLAY = (
    """
- hosts: localhost
  gather_facts: false
  tasks:
"""
    + URI_TASK % "{{ item }}"
    + """      loop: "{{ ids }}"
"""
)

URI_PER_HOST_PLAY = """
- hosts: all
  gather_facts: false
  tasks:
""" + URI_TASK % "{{ uuid }}"


def fleet_contenders():
    """name -> (playbook, one host per instance?, real poll interval)"""
    return {
        "(a) wait_for_working role": (ROLE_PLAY, False, ROLE_POLL),
        "(b) instance_health per host, forks 5": (MODULE_PER_HOST_PLAY, True, MODULE_POLL),
        "(c) uri+until, sequential": (URI_SEQUENTIAL_PLAY, False, URI_POLL),
        "(c) uri+until, per host, forks 5": (URI_PER_HOST_PLAY, True, URI_POLL),
    }


def fleet_scenario(size, scale, within):
    return {
        "hypersender": {
            "tokens": [TOKEN],
            "rate_limit": {"requests": RATE_LIMIT, "window": REAL_WINDOW / scale},
            "generate": {"count": size, "seed": SEED, "working_within": within / scale},
        }
    }


def run_fleet(sim, runner, size, scale, within, max_calls_per_contender):
    """Scenario 1: every contender gates the same fleet of ``size`` instances."""
    rows = []
    for name, (playbook, per_host, real_poll) in fleet_contenders().items():
        poll = real_poll / scale
        if name.startswith(("(b)", "(c)")) and size > max_calls_per_contender:
            floor = size / RATE_LIMIT * REAL_WINDOW / scale
            rows.append(
                {
                    "contender": name,
                    "size": size,
                    "skipped": "not run: at least %d calls, >= %.0f s at the rate limit" % (size, floor),
                }
            )
            continue
        reset = sim.load(fleet_scenario(size, scale, within))
        ready = sim.ready_times()
        ids = sorted(ready)
        last_ready = max(ready.values())
        timeout = within / scale + 60 + size / RATE_LIMIT * REAL_WINDOW / scale * 2
        extra = {"ids": ids, "poll": poll, "timeout": timeout, "retries": int(math.ceil(timeout / poll))}
        hosts = {"i%04d" % n: {"uuid": uuid} for n, uuid in enumerate(ids)} if per_host else None
        result = runner.run(playbook, hosts=hosts, extra_vars=extra)
        log = sim.requests()
        polls = [line["polls"] for line in result["timer"] if line.get("polls")]
        rows.append(
            {
                "contender": name,
                "size": size,
                "wall": result["wall"],
                "lag": result["ended"] - reset - last_ready,
                "detected": max(r["t"] for r in log) - last_ready if log else None,
                "calls": len(log),
                "throttled": sum(1 for r in log if r["status"] == 429),
                "failed": result["failed"],
                "rss_mb": result["rss_mb"],
                "polls": sum(polls) if polls else None,
                "rc": result["rc"],
                "log": result["log"],
                "poll": poll,
            }
        )
    return rows


# --- scenario 2: one check, many times --------------------------------------------------------------

SINGLE_CHECK_PLAYS = {
    "lookup": """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: check
      ansible.builtin.debug:
        msg: "{{ lookup('hypersender.whatsapp.instance_health', uuid).status }}"
      loop: "{{ range(checks) | list }}"
""",
    "module": """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: check
      hypersender.whatsapp.instance_health:
        instance: "{{ uuid }}"
      loop: "{{ range(checks) | list }}"
""",
    "uri": """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: check
      ansible.builtin.uri:
        url: "{{ lookup('ansible.builtin.env', 'HYPERSENDER_API_URL') }}/{{ uuid }}/health"
        headers:
          Authorization: "Bearer {{ lookup('ansible.builtin.env', 'HYPERSENDER_API_TOKEN') }}"
      loop: "{{ range(checks) | list }}"
""",
    "debug (floor)": """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: check
      ansible.builtin.debug:
        msg: "{{ uuid }}"
      loop: "{{ range(checks) | list }}"
""",
}


def run_single_checks(sim, runner, checks):
    uuid = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
    sim.load(
        {
            "hypersender": {
                "tokens": [TOKEN],
                "rate_limit": {"requests": 1000000, "window": 60},
                "instances": [{"id": uuid, "status": "WORKING"}],
            }
        }
    )
    rows = {}
    for name, playbook in SINGLE_CHECK_PLAYS.items():
        result = runner.run(playbook, extra_vars={"uuid": uuid, "checks": checks})
        start = [line["t"] for line in result["timer"] if line["status"] == "start" and line["task"] == "check"][0]
        items = sorted(line["t"] for line in result["timer"] if line.get("item"))
        assert len(items) == checks and result["rc"] == 0, result["log"]
        durations = [b - a for a, b in zip([start] + items[:-1], items)]
        rows[name] = {"median_ms": statistics.median(durations) * 1000, "total": items[-1] - start}
    return rows


# --- report -------------------------------------------------------------------------------------------


def fmt(value, pattern="%.1f"):
    if value is None:
        return "-"
    return pattern % value


def fleet_table(rows):
    lines = [
        "| N | contender | wall s | last call after last WORKING s | end after last WORKING s | API calls | 429s "
        "| failed tasks | peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if "skipped" in row:
            lines.append("| %d | %s | %s | | | | | | |" % (row["size"], row["contender"], row["skipped"]))
            continue
        failed = str(row["failed"]) if row["rc"] == 0 or row["failed"] else "error, rc %d" % row["rc"]
        lines.append(
            "| %d | %s | %.1f | %s | %.1f | %d | %d | %s | %.0f |"
            % (
                row["size"],
                row["contender"],
                row["wall"],
                fmt(row["detected"]),
                row["lag"],
                row["calls"],
                row["throttled"],
                failed,
                row["rss_mb"],
            )
        )
    return "\n".join(lines)


def growth_table(rows):
    lines = ["| N | API calls | polls | calls per poll | wall s | peak RSS MB |", "|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        if row["contender"].startswith("(a)") and "skipped" not in row:
            polls = row["polls"]
            per_poll = row["calls"] / polls if polls else None
            cells = (row["size"], row["calls"], fmt(polls, "%d"), fmt(per_poll, "%.2f"), row["wall"], row["rss_mb"])
            lines.append("| %d | %d | %s | %s | %.1f | %.0f |" % cells)
    return "\n".join(lines)


def single_table(rows):
    uri = rows["uri"]["median_ms"]
    lines = ["| check as | median ms per check | ratio to uri |", "|---|---:|---:|"]
    for name, row in rows.items():
        lines.append("| %s | %.1f | %.2f |" % (name, row["median_ms"], row["median_ms"] / uri))
    return "\n".join(lines)


def targets(rows, singles):
    """The issue's targets, each with the measured ratio and a verdict."""
    by = {
        (r["size"], r["contender"][:3] + ("p" if "per host" in r["contender"] else "")): r
        for r in rows
        if "skipped" not in r
    }
    checks = []
    a, c_seq, c_par = by.get((100, "(a)")), by.get((100, "(c)")), by.get((100, "(c)p"))
    if a and c_seq:
        checks.append(
            ("N=100: (a) makes >= 10x fewer calls than sequential (c)", c_seq["calls"] / a["calls"], 10, ">=")
        )
        checks.append(("N=100: (a) takes >= 5x less wall time than sequential (c)", c_seq["wall"] / a["wall"], 5, ">="))
    if a and c_par:
        checks.append(("N=100: (a) makes >= 50x fewer calls than per-host (c)", c_par["calls"] / a["calls"], 50, ">="))
    if a:
        checks.append(("N=100: (a) draws 0 rate-limit responses", a["throttled"], 0, "=="))
        checks.append(
            (
                "N=100: (a)'s wait ends (last call) within one poll interval of the last WORKING (s)",
                a["detected"],
                a["poll"],
                "<=",
            )
        )
    big = by.get((1000, "(a)"))
    if big:
        checks.append(("N=1000: (a) peak controller memory under 150 MB", big["rss_mb"], 150, "<"))
    for size in sorted({r["size"] for r in rows}):
        row = by.get((size, "(a)"))
        if row and row["polls"]:
            checks.append(("N=%d: (a) calls per poll" % size, row["calls"] / row["polls"], 1, "=="))
    if singles:
        checks.append(
            (
                "lookup >= 5x faster per check than a uri task",
                singles["uri"]["median_ms"] / singles["lookup"]["median_ms"],
                5,
                ">=",
            )
        )
        checks.append(
            (
                "module within 1.1x of a uri task",
                singles["module"]["median_ms"] / singles["uri"]["median_ms"],
                1.1,
                "<=",
            )
        )
    ops = {
        ">=": lambda x, y: x >= y,
        "<=": lambda x, y: x <= y,
        "<": lambda x, y: x < y,
        "==": lambda x, y: abs(x - y) < 1e-9,
    }
    lines = ["| target | measured | met |", "|---|---:|---|"]
    for label, value, bound, op in checks:
        lines.append("| %s | %.2f | %s |" % (label, value, "yes" if ops[op](value, bound) else "**no**"))
    return "\n".join(lines)


def machine():
    import ansible  # pylint: disable=import-outside-toplevel

    facts = (os.cpu_count(), platform.python_version(), ansible.__version__, platform.platform(terse=True))
    return "%d cores, Python %s, ansible-core %s, %s" % facts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="10,100,1000", help="fleet sizes (default 10,100,1000)")
    parser.add_argument("--scale", type=float, default=10.0, help="time compression factor (default 10)")
    parser.add_argument(
        "--within",
        type=float,
        default=60.0,
        help="instances turn WORKING within this many real seconds (compressed like everything else)",
    )
    parser.add_argument("--checks", type=int, default=50, help="checks in the single-check scenario")
    parser.add_argument(
        "--max-per-instance-size",
        type=int,
        default=100,
        help="largest fleet the per-instance contenders (b) and (c) run on (above it they are bound by the rate limit)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 5, scale 20, 5 checks")
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument(
        "--heal",
        default="10,5,5",
        help="scenario 4, self-healing: FAILED,SCAN_QR_CODE,WORKING instances (default 10,5,5; 'no' skips it)",
    )
    parser.add_argument("--only-heal", action="store_true", help="run scenario 4 only")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.scale, args.within, args.checks = "5", 20.0, 60.0, 5
        args.heal = "2,1,1" if args.heal == "10,5,5" else args.heal
    sizes = [int(s) for s in args.sizes.split(",")]

    started = time.monotonic()
    sim = SimulatorProcess()
    try:
        with tempfile.TemporaryDirectory(prefix="hsw-bench-") as workdir:
            runner = Runner(workdir, sim.url + "/api/whatsapp/v1")
            heal_rows = []
            if args.heal != "no":
                failed, scan, working = (int(n) for n in args.heal.split(","))
                heal_rows = run_heal(sim, runner, TOKEN, args.scale, failed, scan, working)
                print(heal_table(heal_rows), flush=True)
            if args.only_heal:
                return 0 if all(row["rc"] == 0 for row in heal_rows[:1]) else 1
            rows = []
            for size in sizes:
                rows += run_fleet(sim, runner, size, args.scale, args.within, args.max_per_instance_size)
                print(fleet_table([r for r in rows if r["size"] == size]), flush=True)
            singles = run_single_checks(sim, runner, args.checks)
            failures = [
                r
                for r in rows + heal_rows[:1]
                if "skipped" not in r and r["rc"] != 0 and r["contender"].startswith(("(a)", "(h)"))
            ]
            report = "\n\n".join(
                [
                    "Machine: %s. Time compressed %gx: rate limit %d health requests per %g s; poll intervals %g s (role), "
                    "%g s (instance_health), %g s (uri); instances turn WORKING at seeded random times within %g s (%g s real)."
                    % (
                        machine(),
                        args.scale,
                        RATE_LIMIT,
                        REAL_WINDOW / args.scale,
                        ROLE_POLL / args.scale,
                        MODULE_POLL / args.scale,
                        URI_POLL / args.scale,
                        args.within / args.scale,
                        args.within,
                    ),
                    "### 1. Fleet gate\n\n" + fleet_table(rows),
                    "### 2. Single check (%d checks of one instance, no rate limit)\n\n" % args.checks
                    + single_table(singles),
                    "### 3. How cost grows with N, contender (a)\n\n" + growth_table(rows),
                    "### Targets\n\n" + targets(rows, singles),
                    (
                        "### 4. Self-healing gate (%s FAILED, SCAN_QR_CODE, WORKING; the benchmark scans each code printed)\n\n"
                        % args.heal
                        + heal_table(heal_rows)
                        if heal_rows
                        else ""
                    ),
                    "Benchmark run took %.0f s." % (time.monotonic() - started),
                ]
            )
            print("\n" + report)
            if args.json:
                Path(args.json).write_text(
                    json.dumps({"fleet": rows, "single": singles, "heal": heal_rows}, indent=2, default=str)
                )
            for row in failures:
                print("contender (a) failed at N=%d; its output: %s" % (row["size"], row["log"]), file=sys.stderr)
            return 1 if failures else 0
    finally:
        sim.stop()


if __name__ == "__main__":
    sys.exit(main())
