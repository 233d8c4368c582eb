# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: instance_canary runs against the simulator, in calls and time, against the floor.

The floor of one canary: one send, one queued-request poll per interval until the send is processed, and no call
at all for the acks (they come by webhook); with the instance given by name, one instance list before (the
instance's status and access token). For each way of running it, prints the calls per canary by kind, the wall
time of the ansible-playbook run and of the task, the module's own time from the send to its end, and the time
from the ack's arrival at the receiver to the task's end (the goal: under 1 s). No assertion: figures only.

    .venv/core221/bin/python tests/bench/canary_bench.py [--runs 5] [--processing 0.3] [--ack 0.6] [--wait-sleep 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "simulator"))

from whatsapp_sim import Simulator  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "sim-bench-token-0123456789"
ACCESS_TOKEN = "234|benchinstanceaccesstoken0123456789abcdefghijklmn"
INSTANCE = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
AUTHORIZATION = "Bearer bench-webhook-secret"
PHONE = "201098765432"

# The play run_timed runs: the task "canary" (a module call, given by each benchmark), its result kept in a file.
PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: canary
      %s
      register: canary

    - name: keep the result
      ansible.builtin.copy:
        content: "{{ canary | to_json }}"
        dest: "{{ canary_result_file }}"
        mode: "0600"
"""
CANARY = """hypersender.whatsapp.instance_canary:
        instance: "{{ canary_instance }}"
        to: "{{ canary_to }}"
        wait_for: "{{ canary_wait_for }}"
        wait_sleep: "{{ canary_wait_sleep }}"
        receiver_port: "{{ canary_port }}"
"""


def collection_path():
    """A directory whose ansible_collections/hypersender/whatsapp is this tree."""
    holder = tempfile.mkdtemp(prefix="hsw-bench-")
    link = Path(holder) / "ansible_collections" / "hypersender" / "whatsapp"
    link.parent.mkdir(parents=True)
    os.symlink(ROOT, link)
    return holder


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_timed(canary, extra, env, args, work):
    """Run the module call ``canary`` in PLAY under the bench_timer callback: the ansible-playbook run's wall time,
    the task's time and end (on the monotonic clock), and the module's result."""
    timer = work / "timer.jsonl"
    timer.unlink(missing_ok=True)
    playbook = work / "canary.yml"
    playbook.write_text(PLAY % canary.rstrip())
    extra = dict(extra, canary_result_file=str(work / "result.json"))
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=args.collections,
        ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "tests" / "bench" / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="bench_timer",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        BENCH_TIMER_FILE=str(timer),
        NO_PROXY="127.0.0.1,localhost",
        **env,
    )
    started = time.monotonic()
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), str(playbook), "-e", json.dumps(extra)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - started
    if completed.returncode != 0:
        raise SystemExit("the canary failed:\n" + completed.stdout[-3000:] + completed.stderr[-2000:])
    events = [json.loads(line) for line in timer.read_text().splitlines()]
    task_start = next(e["t"] for e in events if e["task"] == "canary" and e["status"] == "start")
    task_end = next(e["t"] for e in events if e["task"] == "canary" and e["status"] != "start")
    result = json.loads((work / "result.json").read_text())
    return {"wall": wall, "task": task_end - task_start, "task_end": task_end, "result": result}


def print_times(runs, floor_seconds):
    """The medians of a way's runs: the module's own time, the task's and the ansible-playbook run's."""
    print(
        "    module, send to end: median %.2f s (floor %.2f s)   task: median %.2f s   "
        "ansible-playbook run: median %.2f s"
        % (
            statistics.median(run["module"] for run in runs),
            floor_seconds,
            statistics.median(run["task"] for run in runs),
            statistics.median(run["wall"] for run in runs),
        )
    )


def print_spread(what, seconds, goal=""):
    print(
        "    %s to the task's end: median %.3f s, min %.3f s, max %.3f s%s"
        % (what, statistics.median(seconds), min(seconds), max(seconds), goal)
    )


def scenario(port, processing, ack):
    return {
        "hypersender": {
            "tokens": [TOKEN],
            "rate_limit": None,
            "instances": [
                {
                    "id": INSTANCE,
                    "name": "canary-bench",
                    "status": "WORKING",
                    "access_token": ACCESS_TOKEN,
                    "webhook_url": "http://127.0.0.1:%d/hypersender/webhook" % port,
                    "webhook_authorization": AUTHORIZATION,
                    "sends": [
                        {
                            "processing_for": processing,
                            "acks": [{"after": processing + 0.05, "ack": "SERVER"}, {"after": ack, "ack": "DEVICE"}],
                        }
                    ],
                }
            ],
        }
    }


def run_once(sim, way, args, work):
    port = free_port()
    sim.load(scenario(port, args.processing, args.ack))
    # The simulator's clock and this process's monotonic clock, joined once per run.
    sim_zero = time.monotonic() - sim.elapsed()
    extra = {
        "canary_instance": INSTANCE if way["token"] else "canary-bench",
        "canary_to": PHONE,
        "canary_wait_for": way["wait_for"],
        "canary_wait_sleep": args.wait_sleep,
        "canary_port": port,
    }
    env = {
        "HYPERSENDER_API_URL": sim.hypersender_url,
        "HYPERSENDER_API_TOKEN": TOKEN,
        "HYPERSENDER_WEBHOOK_AUTHORIZATION": AUTHORIZATION,
    }
    if way["token"]:
        env["HYPERSENDER_INSTANCE_TOKEN"] = ACCESS_TOKEN
    run = run_timed(CANARY, extra, env, args, work)
    log = sim.requests()
    kinds = {
        "list": sum(1 for r in log if r["path"].endswith("/instances")),
        "send": sum(1 for r in log if re.search(r"/send-text$", r["path"])),
        "poll": sum(1 for r in log if "/queued-requests/" in r["path"]),
    }
    ack_to_end = None
    if way["wait_for"] != "sent":
        device = next(hook for hook in sim.webhooks() if hook["ack_name"] == "DEVICE")
        ack_to_end = run["task_end"] - (sim_zero + device["t"])
    return dict(run, calls=kinds, module=run["result"]["elapsed"], ack_to_end=ack_to_end)


def floor(way, args):
    """Calls and module time of the floor: the list (by name), one send, a poll per interval until processed."""
    polls = max(1, math.ceil(args.processing / args.wait_sleep))
    calls = {"list": 0 if way["token"] else 1, "send": 1, "poll": polls}
    seconds = polls * args.wait_sleep if way["wait_for"] == "sent" else args.ack
    return calls, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="canaries per way (default 5)")
    parser.add_argument("--processing", type=float, default=0.3, help="seconds until a send is processed")
    parser.add_argument("--ack", type=float, default=0.6, help="seconds from the send to the DEVICE ack")
    parser.add_argument("--wait-sleep", type=float, default=2.0, help="the module's wait_sleep")
    args = parser.parse_args()
    args.collections = collection_path()
    ways = [
        {"name": "sent, instance by name", "wait_for": "sent", "token": False},
        {"name": "delivered, instance by name", "wait_for": "delivered", "token": False},
        {"name": "delivered, UUID + instance_token", "wait_for": "delivered", "token": True},
    ]
    print(
        "instance_canary, %d runs a way: send processed after %g s, DEVICE ack %g s after the send, wait_sleep %g s"
        % (args.runs, args.processing, args.ack, args.wait_sleep)
    )
    with tempfile.TemporaryDirectory(prefix="hsw-canary-bench-") as work, Simulator({}) as sim:
        for way in ways:
            runs = [run_once(sim, way, args, Path(work)) for dummy in range(args.runs)]
            floor_calls, floor_seconds = floor(way, args)
            calls = {kind: statistics.mean(run["calls"][kind] for run in runs) for kind in floor_calls}
            print("  %s" % way["name"])
            print(
                "    calls a canary: %s = %g   floor: %s = %d"
                % (
                    " + ".join("%g %s" % (calls[k], k) for k in calls),
                    sum(calls.values()),
                    " + ".join("%d %s" % (floor_calls[k], k) for k in floor_calls),
                    sum(floor_calls.values()),
                )
            )
            print_times(runs, floor_seconds)
            acks = [run["ack_to_end"] for run in runs if run["ack_to_end"] is not None]
            if acks:
                print_spread("ack's arrival", acks, " (goal: under 1 s)")


if __name__ == "__main__":
    main()
