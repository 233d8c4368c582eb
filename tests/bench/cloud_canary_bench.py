# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: cloud_canary runs against the simulator, in calls and time, against the floor.

The floor of one Cloud API canary: one request, the send (``POST /<PHONE_NUMBER_ID>/messages``), and no poll at all:
every status comes by signed webhook. For each awaited stage, prints the calls per canary by kind, the wall time of
the ansible-playbook run and of the task, the module's own time from the send to its end, and the time from the
awaited status's arrival at the receiver to the task's end. No assertion: figures only.

    .venv/core221/bin/python tests/bench/cloud_canary_bench.py [--runs 5] [--sent 0.3] [--delivered 0.6]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "simulator"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

from canary_bench import (  # noqa: E402  pylint: disable=wrong-import-position
    collection_path,
    free_port,
    print_spread,
    print_times,
    run_timed,
)
from whatsapp_sim import Simulator  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "sim-bench-cloud-token-0123456789"
APP_SECRET = "bench-app-secret"
NUMBER = "106540352242922"
PHONE = "201098765432"

CANARY = """hypersender.whatsapp.cloud_canary:
        phone_number_id: "{{ canary_number }}"
        to: "{{ canary_to }}"
        wait_for: "{{ canary_wait_for }}"
        receiver_port: "{{ canary_port }}"
"""


def scenario(port, args):
    statuses = [
        {"after": args.sent, "status": "sent"},
        {"after": args.delivered, "status": "delivered"},
        {"after": args.read, "status": "read"},
    ]
    return {
        "cloud": {
            "tokens": [TOKEN],
            "app_secret": APP_SECRET,
            "callback_url": "http://127.0.0.1:%d/whatsapp/webhook" % port,
            "wabas": [{"id": "102290129340398", "phone_numbers": [{"id": NUMBER, "sends": [{"statuses": statuses}]}]}],
        }
    }


def run_once(sim, wait_for, args, work):
    port = free_port()
    sim.load(scenario(port, args))
    sim_zero = time.monotonic() - sim.elapsed()  # the simulator's clock and this process's, joined once per run
    extra = {"canary_number": NUMBER, "canary_to": PHONE, "canary_wait_for": wait_for, "canary_port": port}
    env = {"WA_CLOUD_API_URL": sim.url + "/graph", "WA_CLOUD_TOKEN": TOKEN, "WA_CLOUD_APP_SECRET": APP_SECRET}
    run = run_timed(CANARY, extra, env, args, work)
    log = sim.requests()
    calls = {
        "send": sum(1 for r in log if r["method"] == "POST" and re.search(r"/messages$", r["path"])),
        "poll": sum(1 for r in log if r["method"] == "GET"),
    }
    awaited = next(hook for hook in sim.webhooks() if hook.get("message_status") == wait_for)
    return dict(
        run,
        calls=calls,
        api_calls=run["result"]["api_calls"],
        module=run["result"]["elapsed"],
        status_to_end=run["task_end"] - (sim_zero + awaited["t"]),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="canaries per awaited stage (default 5)")
    parser.add_argument("--sent", type=float, default=0.3, help="seconds from the send to the sent status")
    parser.add_argument("--delivered", type=float, default=0.6, help="seconds from the send to the delivered status")
    parser.add_argument("--read", type=float, default=0.9, help="seconds from the send to the read status")
    args = parser.parse_args()
    args.collections = collection_path()
    print(
        "cloud_canary, %d runs a stage: statuses sent, delivered, read %g, %g, %g s after the send"
        % (args.runs, args.sent, args.delivered, args.read)
    )
    with tempfile.TemporaryDirectory(prefix="hsw-cloud-canary-bench-") as work, Simulator({}) as sim:
        for wait_for in ("sent", "delivered", "read"):
            runs = [run_once(sim, wait_for, args, Path(work)) for dummy in range(args.runs)]
            calls = {kind: statistics.mean(run["calls"][kind] for run in runs) for kind in ("send", "poll")}
            floor_seconds = getattr(args, wait_for)
            print("  wait_for %s" % wait_for)
            print(
                "    calls a canary: %g send + %g poll = %g (module's api_calls: %g)   floor: 1 send + 0 poll = 1"
                % (calls["send"], calls["poll"], sum(calls.values()), statistics.mean(r["api_calls"] for r in runs))
            )
            print_times(runs, floor_seconds)
            print_spread("status's arrival", [run["status_to_end"] for run in runs])


if __name__ == "__main__":
    main()
