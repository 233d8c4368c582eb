# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: reading a WhatsApp Business Account's numbers with one phone_numbers call against one call per number.

Prints, for each way, the Graph API calls per read (what Meta's hourly budget counts) and the wall time per read
against the simulator on loopback, and their ratios. No assertion: figures only.

    .venv/core221/bin/python tests/bench/cloud_bench.py [--numbers 20] [--reads 30]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "simulator"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

from canary_bench import collection_path  # noqa: E402  pylint: disable=wrong-import-position
from whatsapp_sim import Simulator  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "sim-cloud-bench-token"
WABA = "102290129340398"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=20)
    parser.add_argument("--reads", type=int, default=30)
    args = parser.parse_args()
    sys.path.insert(0, collection_path())
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import (  # pylint: disable=import-outside-toplevel
        MANAGEMENT_CALLS_PER_HOUR,
        connect,
    )

    ids = [str(106540352242000 + n) for n in range(args.numbers)]
    scenario = {"cloud": {"tokens": [TOKEN], "wabas": [{"id": WABA, "phone_numbers": [{"id": i} for i in ids]}]}}
    with Simulator(scenario) as sim:
        figures = {}
        for name, selection in (
            ("one phone_numbers call (waba_id)", ([], WABA)),
            ("one call per number (phone_number_id)", (ids, None)),
        ):
            api = connect({"api_url": sim.cloud_url, "api_token": TOKEN})
            started = time.perf_counter()
            for dummy in range(args.reads):
                numbers, dummy_missing = api.read(*selection)
                assert len(numbers) == args.numbers
            elapsed = time.perf_counter() - started
            figures[name] = (api.client.requests_sent / args.reads, elapsed / args.reads * 1000)
            api.client.close()
    print("%d numbers, %d reads each way, simulator on loopback" % (args.numbers, args.reads))
    for name, (calls, millis) in figures.items():
        print(
            "  %-40s %5.1f calls a read  %7.2f ms a read  reads an hour within %d calls: %d"
            % (name, calls, millis, MANAGEMENT_CALLS_PER_HOUR, MANAGEMENT_CALLS_PER_HOUR // calls)
        )
    (waba_calls, waba_ms), (each_calls, each_ms) = list(figures.values())
    print("  ratio per number / WABA: %.1fx the calls, %.1fx the time" % (each_calls / waba_calls, each_ms / waba_ms))


if __name__ == "__main__":
    main()
