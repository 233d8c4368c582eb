# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark: ``ansible-inventory --list`` from the instances plugin against the same hosts in a static YAML file.

Usage: .venv/core221/bin/python tests/bench/bench_inventory.py [--count 10000] [--repeat 3] [--json FILE]

In one run: a simulator (separate process) serves ``--count`` generated instances; the plugin's
``--list`` output is turned into a static YAML inventory with the same hosts, groups and variables;
then ``ansible-inventory --list`` runs ``--repeat`` times on each (alternating), under
``/usr/bin/time -v``, plus the plugin with a warm jsonfile cache. It prints wall time and peak RSS
(medians), their ratios to the static file, and the API requests each plugin run made. Every run is
checked to list the same hosts.
"""

from __future__ import annotations

import argparse
import json
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
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN = "bench-token-0123456789"


class SimulatorProcess:
    def __init__(self, scenario):
        env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "simulator"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "whatsapp_sim"], stdout=subprocess.PIPE, text=True, env=env
        )
        line = self.process.stdout.readline().strip()
        if not line.startswith("READY "):
            raise RuntimeError("the simulator did not start: %r" % line)
        self.url = line.split(" ", 1)[1]
        requests.put(self.url + "/_sim/scenario", json=scenario, timeout=60).raise_for_status()

    def requests_logged(self):
        return requests.get(self.url + "/_sim/requests", timeout=60).json()

    def reset(self):
        requests.post(self.url + "/_sim/reset", timeout=60).raise_for_status()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def collections_dir(tmp):
    if ROOT.parent.name == "hypersender" and ROOT.parents[1].name == "ansible_collections":
        return str(ROOT.parents[2])
    link = Path(tmp) / "collections" / "ansible_collections" / "hypersender" / "whatsapp"
    link.parent.mkdir(parents=True)
    link.symlink_to(ROOT, target_is_directory=True)
    return str(Path(tmp) / "collections")


def timed_list(source, env, extra=()):
    argv = ["/usr/bin/time", "-v", str(BIN / "ansible-inventory"), "-i", source, "--list"] + list(extra)
    start = time.monotonic()
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    if completed.returncode != 0:
        raise RuntimeError("ansible-inventory failed:\n%s" % completed.stderr[-3000:])
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr).group(1)) / 1024.0
    return wall, rss, completed.stdout


def static_inventory(listing):
    """The --list JSON as a YAML inventory: same hosts, variables and group tree."""
    hostvars = listing["_meta"]["hostvars"]

    def plain(value):
        return value["__ansible_unsafe"] if isinstance(value, dict) and "__ansible_unsafe" in value else value

    groups = {}
    for name, group in listing.items():
        if name in ("_meta", "all"):
            continue
        entry = {}
        if group.get("hosts"):
            entry["hosts"] = {host: {k: plain(v) for k, v in hostvars[host].items()} for host in group["hosts"]}
        if group.get("children"):
            entry["children"] = {child: None for child in group["children"]}
        groups[name] = entry
    return {"all": {"children": groups}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    scenario = {
        "hypersender": {
            "tokens": [TOKEN],
            "rate_limit": None,
            "generate": {"count": args.count, "seed": 7, "working_within": 0},
        }
    }
    sim = SimulatorProcess(scenario)
    with tempfile.TemporaryDirectory(prefix="hsw-bench-inv-") as tmp:
        env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=collections_dir(tmp),
            HYPERSENDER_API_TOKEN=TOKEN,
            ANSIBLE_HOME=str(Path(tmp) / "home"),
            ANSIBLE_LOCAL_TEMP=str(Path(tmp) / "local"),
            ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
            NO_PROXY="127.0.0.1,localhost",
        )
        plugin = Path(tmp) / "hypersender.yml"
        plugin.write_text(
            yaml.safe_dump({"plugin": "hypersender.whatsapp.instances", "api_url": sim.url + "/api/whatsapp/v1"})
        )
        cached = Path(tmp) / "cached.hypersender.yml"
        cached.write_text(
            yaml.safe_dump(
                {
                    "plugin": "hypersender.whatsapp.instances",
                    "api_url": sim.url + "/api/whatsapp/v1",
                    "cache": True,
                    "cache_plugin": "ansible.builtin.jsonfile",
                    "cache_connection": str(Path(tmp) / "cache"),
                    "cache_timeout": 3600,
                }
            )
        )
        dummy, dummy, listing = timed_list(str(plugin), env)
        listing = json.loads(listing)
        hosts = len(listing["_meta"]["hostvars"])
        static = Path(tmp) / "static.yml"
        static.write_text(yaml.safe_dump(static_inventory(listing), default_flow_style=False))
        static_mb = static.stat().st_size / 1024.0 / 1024.0
        timed_list(str(cached), env)  # fills the cache
        figures = {"plugin": [], "static": [], "plugin_cached": []}
        requests_per_run = {"plugin": [], "plugin_cached": []}
        for dummy in range(args.repeat):
            for kind, source in (("plugin", plugin), ("static", static), ("plugin_cached", cached)):
                sim.reset()
                wall, rss, out = timed_list(str(source), env)
                figures[kind].append((wall, rss))
                same_hosts = sorted(json.loads(out)["_meta"]["hostvars"]) == sorted(listing["_meta"]["hostvars"])
                if not same_hosts:
                    raise RuntimeError("%s listed other hosts than the plugin's first run" % kind)
                if kind in requests_per_run:
                    requests_per_run[kind].append(len(sim.requests_logged()))
    sim.stop()

    def median(kind, index):
        return statistics.median(run[index] for run in figures[kind])

    result = {
        "date": time.strftime("%Y-%m-%d"),
        "hosts": hosts,
        "repeat": args.repeat,
        "static_file_mb": round(static_mb, 2),
        "machine": "%d cores, Python %s, %s" % (os.cpu_count() or 0, platform.python_version(), platform.platform()),
        "ansible_core": subprocess.run(
            [str(BIN / "ansible"), "--version"], capture_output=True, text=True, check=False
        ).stdout.split("\n")[0],
    }
    for kind in figures:
        result[kind] = {
            "wall_s": round(median(kind, 0), 2),
            "peak_rss_mb": round(median(kind, 1), 1),
            "walls": [round(w, 2) for w, r in figures[kind]],
        }
        if kind in requests_per_run:
            result[kind]["api_requests_per_run"] = requests_per_run[kind]
    for kind in ("plugin", "plugin_cached"):
        result[kind]["wall_ratio_to_static"] = round(result[kind]["wall_s"] / result["static"]["wall_s"], 2)
        result[kind]["rss_ratio_to_static"] = round(result[kind]["peak_rss_mb"] / result["static"]["peak_rss_mb"], 2)

    print(
        "ansible-inventory --list, %d hosts, median of %d runs (%s; %s); static file %.2f MB"
        % (hosts, args.repeat, result["ansible_core"], result["machine"], static_mb)
    )
    print("| source | wall s | peak RSS MB | wall ratio to static | RSS ratio to static | API requests per run |")
    print("|---|---:|---:|---:|---:|---|")
    for kind, label in (
        ("plugin", "hypersender.whatsapp.instances"),
        ("plugin_cached", "the plugin, warm jsonfile cache"),
        ("static", "static YAML inventory (same hosts and vars)"),
    ):
        row = result[kind]
        print(
            "| %s | %.2f | %.1f | %s | %s | %s |"
            % (
                label,
                row["wall_s"],
                row["peak_rss_mb"],
                row.get("wall_ratio_to_static", "1.00"),
                row.get("rss_ratio_to_static", "1.00"),
                ", ".join(str(n) for n in row.get("api_requests_per_run", [])) or "-",
            )
        )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
