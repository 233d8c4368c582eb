# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark: the instance_status event source against the simulator.

Usage: .venv/core221/bin/python tests/bench/bench_eda_source.py [--instances 50] [--interval 0.25]
       [--changes 100] [--polls 1000] [--json FILE]

The source is loaded by path as ansible-rulebook loads it and runs with a queue that timestamps what it
receives; the simulator runs in its own process. Two parts:

1. Events and lag: ``--instances`` instances whose status changes at seeded random times (``--changes``
   changes in all, at least 3 polls apart for one instance, so that each one is observable). Printed:
   events per change (must be exactly 1), the lag from the change (simulator clock) to the event
   (max, median, p95) against the interval, and API requests per poll.
2. Memory: ``--polls`` polls of 100 instances with no interval; Python heap (tracemalloc) and RSS after
   100 polls and after all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "extensions" / "eda" / "plugins" / "event_source" / "instance_status.py"
TOKEN = "bench-token-0123456789"
STATUSES = ["WORKING", "FAILED", "SCAN_QR_CODE", "STOPPED", "STARTING"]


class SimulatorProcess:
    def __init__(self):
        env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "simulator"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "whatsapp_sim"], stdout=subprocess.PIPE, text=True, env=env
        )
        line = self.process.stdout.readline().strip()
        if not line.startswith("READY "):
            raise RuntimeError("the simulator did not start: %r" % line)
        self.url = line.split(" ", 1)[1]

    def load(self, scenario):
        """Replace the scenario; its clock starts now (returned as this process's monotonic time)."""
        before = time.monotonic()
        requests.put(self.url + "/_sim/scenario", json=scenario, timeout=60).raise_for_status()
        return before, time.monotonic()

    def requests_logged(self):
        return requests.get(self.url + "/_sim/requests", timeout=60).json()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def rss_mb():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class TimedQueue:
    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append((time.monotonic(), event))


def make_timelines(count, changes, interval, seed):
    """Per instance, a status timeline; changes at least 3 intervals apart; returns (instances, change list)."""
    rng = random.Random(seed)
    instances, expected = [], []
    per_instance = max(1, changes // count)
    gap = 3 * interval
    for number in range(count):
        uuid = "%08x-0000-4000-8000-%012x" % (number, number)
        status = "WORKING"
        at = 2 * interval + rng.uniform(0, gap)
        timeline = [{"at": 0, "status": status}]
        for dummy in range(per_instance):
            new = rng.choice([s for s in STATUSES if s != status])
            timeline.append({"at": round(at, 3), "status": new})
            expected.append((uuid, status, new, at))
            status = new
            at += gap + rng.uniform(0, gap)
        instances.append({"id": uuid, "name": "bench-%04d" % number, "timeline": timeline})
    return instances, expected


async def run_source(module, settings, queue, seconds, polls_wanted=None, poll_seconds=None):
    api = module["HypersenderApi"](module["build_client"](settings))
    if poll_seconds is not None:
        list_instances = api.list_instances

        def timed_list(filters):
            start = time.monotonic()
            try:
                return list_instances(filters)
            finally:
                poll_seconds.append(time.monotonic() - start)

        api.list_instances = timed_list
    polls = [0]
    marks = {}

    async def counting_sleep(delay):
        polls[0] += 1
        if polls_wanted and polls[0] in (100, polls_wanted // 2, polls_wanted):
            marks[polls[0]] = (tracemalloc.get_traced_memory()[0] / 1024.0 / 1024.0, rss_mb())
        await asyncio.sleep(delay)

    task = asyncio.ensure_future(module["poll_forever"](queue, api, settings, sleep=counting_sleep))
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (polls_wanted and polls[0] >= polls_wanted):
        await asyncio.sleep(0.05)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    api.client.close()
    return polls[0], marks


def settings_for(sim, interval):
    return {
        "api_url": sim.url + "/api/whatsapp/v1",
        "api_token": TOKEN,
        "validate_certs": True,
        "ca_path": None,
        "timeout": 10.0,
        "retries": 1,
        "interval": interval,
        "initial_snapshot": False,
        "error_threshold": 3,
        "max_backoff": 300.0,
        "filters": {},
    }


def importable_collection():
    """Put a directory whose ansible_collections/hypersender/whatsapp is this tree on sys.path."""
    if ROOT.parent.name == "hypersender" and ROOT.parents[1].name == "ansible_collections":
        sys.path.insert(0, str(ROOT.parents[2]))
        return None
    holder = tempfile.TemporaryDirectory(prefix="hsw-bench-eda-")  # pylint: disable=consider-using-with
    link = Path(holder.name) / "ansible_collections" / "hypersender" / "whatsapp"
    link.parent.mkdir(parents=True)
    link.symlink_to(ROOT, target_is_directory=True)
    sys.path.insert(0, holder.name)
    return holder


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--polls", type=int, default=1000)
    parser.add_argument("--json")
    args = parser.parse_args()
    holder = importable_collection()
    module = runpy.run_path(str(SOURCE))
    sim = SimulatorProcess()
    try:
        # 1. events per change, lag, requests per poll
        instances, expected = make_timelines(args.instances, args.changes, args.interval, seed=11)
        scenario = {"hypersender": {"tokens": [TOKEN], "rate_limit": None, "instances": instances}}
        load_start, load_end = sim.load(scenario)
        queue = TimedQueue()
        duration = max(change[3] for change in expected) + 3 * args.interval
        poll_seconds = []
        polls, dummy = asyncio.run(
            run_source(module, settings_for(sim, args.interval), queue, duration, poll_seconds=poll_seconds)
        )
        list_requests = [r for r in sim.requests_logged() if r["path"].endswith("/instances")]
        # per instance, the events in order must be exactly the scripted changes in order
        received_by_uuid, expected_by_uuid = {}, {}
        for received, event in queue.events:
            body = event["hypersender"]
            received_by_uuid.setdefault(body["instance"]["id"], []).append(
                (body["previous_status"], body["status"], received)
            )
        for uuid, old, new, at in expected:
            expected_by_uuid.setdefault(uuid, []).append((old, new, at))
        per_change, lags, unexpected = [], [], 0
        for uuid, changes in expected_by_uuid.items():
            got = received_by_uuid.get(uuid, [])
            for index, (old, new, at) in enumerate(changes):
                per_change.append(1 if index < len(got) and (got[index][0], got[index][1]) == (old, new) else 0)
                if index < len(got):
                    lags.append(got[index][2] - (load_start + at))
            unexpected += max(0, len(got) - len(changes))
        unexpected += sum(len(events) for uuid, events in received_by_uuid.items() if uuid not in expected_by_uuid)
        # 2. memory over many polls
        tracemalloc.start()
        sim.load(
            {
                "hypersender": {
                    "tokens": [TOKEN],
                    "rate_limit": None,
                    "generate": {"count": 100, "seed": 3, "working_within": 0},
                }
            }
        )
        mem_queue = TimedQueue()
        mem_polls, marks = asyncio.run(run_source(module, settings_for(sim, 0.0001), mem_queue, 600, args.polls))
        tracemalloc.stop()
    finally:
        sim.stop()
        if holder is not None:
            holder.cleanup()

    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": "%d cores, Python %s, %s" % (os.cpu_count() or 0, platform.python_version(), platform.platform()),
        "interval_s": args.interval,
        "instances": args.instances,
        "changes": len(expected),
        "events": len(queue.events),
        "events_per_change_min": min(per_change),
        "events_per_change_max": max(per_change),
        "poll_seconds_max": round(max(poll_seconds), 3),
        "poll_seconds_median": round(statistics.median(poll_seconds), 3),
        "unexpected_events": unexpected,
        "lag_s": {
            "max": round(max(lags), 3),
            "median": round(statistics.median(lags), 3),
            "p95": round(sorted(lags)[int(0.95 * (len(lags) - 1))], 3),
        },
        "load_window_s": round(load_end - load_start, 3),
        "polls": polls,
        "list_requests": len(list_requests),
        "requests_per_poll": round(len(list_requests) / max(polls, 1), 3),
        "memory_polls": mem_polls,
        "memory_events": len(mem_queue.events),
        "heap_mb_after_100_polls": round(marks.get(100, (float("nan"),))[0], 3),
        "heap_mb_after_last_poll": round(marks.get(args.polls, (float("nan"),))[0], 3),
        "heap_mb_after_half_the_polls": round(marks.get(args.polls // 2, (float("nan"),))[0], 3),
        "rss_mb_after_100_polls": round(marks.get(100, (0, float("nan")))[1], 1),
        "rss_mb_after_last_poll": round(marks.get(args.polls, (0, float("nan")))[1], 1),
    }
    print("instance_status event source (%s)" % result["machine"])
    print("| figure | value |")
    print("|---|---|")
    print("| status changes scripted (%d instances) | %d |" % (args.instances, result["changes"]))
    print(
        "| events per change (min / max); events for no change | %d / %d; %d |"
        % (result["events_per_change_min"], result["events_per_change_max"], unexpected)
    )
    print(
        "| lag change -> event, interval %.2f s: max / p95 / median | %.3f / %.3f / %.3f s "
        "(upper bounds: include the %.3f s the scenario load took) |"
        % (
            args.interval,
            result["lag_s"]["max"],
            result["lag_s"]["p95"],
            result["lag_s"]["median"],
            result["load_window_s"],
        )
    )
    print(
        "| one poll (GET /instances + parsing), max / median | %.3f / %.3f s |"
        % (result["poll_seconds_max"], result["poll_seconds_median"])
    )
    print(
        "| API requests per poll | %d requests / %d polls = %.3f |"
        % (len(list_requests), polls, result["requests_per_poll"])
    )
    print(
        "| Python heap after 100 / %d / %d polls (100 instances) | %.3f / %.3f / %.3f MB |"
        % (
            args.polls // 2,
            args.polls,
            result["heap_mb_after_100_polls"],
            result["heap_mb_after_half_the_polls"],
            result["heap_mb_after_last_poll"],
        )
    )
    print(
        "| RSS after 100 / %d polls | %.1f / %.1f MB |"
        % (args.polls, result["rss_mb_after_100_polls"], result["rss_mb_after_last_poll"])
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    ok = result["events_per_change_min"] == 1 and result["events_per_change_max"] == 1 and unexpected == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
