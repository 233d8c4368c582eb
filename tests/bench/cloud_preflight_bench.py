# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the Cloud API preflight's Graph calls and wall time for a WABA of 1, 10 and 100 numbers with 50 templates
(all 50 named), against the obvious per-object calls, in one run.

- preflight: hypersender.whatsapp.cloud_preflight's reads (module_utils/_cloud_preflight_run.py): debug_token, the WABA
  node with phone_numbers{...} expanded, subscribed_apps, message_templates (one call per page);
- per object: debug_token, the WABA's review fields, the phone_numbers edge for the IDs, then GET /<PHONE_NUMBER_ID>
  for each number, subscribed_apps, and GET /<WABA_ID>/message_templates?name=<name> for each template.

Both go through the collection's client against the simulator on loopback (page size 100, Meta's largest common
page); the calls are what Meta's hourly budget (200 a WABA by default) counts. Figures only, no assertion.

    .venv/core221/bin/python tests/bench/cloud_preflight_bench.py [--runs 5] [--sizes 1,10,100] [--templates 50]
"""

from __future__ import annotations

import argparse
import statistics
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


def scenario(numbers, templates):
    return {
        "cloud": {
            "tokens": [TOKEN],
            "page_size": 100,
            "wabas": [
                {
                    "id": WABA,
                    "phone_numbers": [{"id": str(106540352243000 + n)} for n in range(numbers)],
                    "message_templates": [{"name": "template_%03d" % n, "language": "en_US"} for n in range(templates)],
                }
            ],
        }
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--templates", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, collection_path())
    # pylint: disable=import-outside-toplevel
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import connect, read_pages
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_preflight_run import (
        NUMBER_FIELDS,
        TEMPLATE_FIELDS,
        run_preflight,
    )

    wanted = [{"name": "template_%03d" % n, "language": "en_US"} for n in range(args.templates)]

    def preflight(url):
        options = {"api_url": url, "api_token": TOKEN, "waba_id": WABA, "templates": wanted}
        result, error = run_preflight(options, {})
        assert error is None and result["ready"], (error, [c for c in result["checks"] if not c["passed"]])
        return result["calls"]

    def per_object(url):
        api = connect({"api_url": url, "api_token": TOKEN})
        with api.client:
            api.debug_token(TOKEN)
            api.client.get_json(
                "/%s/%s" % (api.version, WABA), {"fields": "business_verification_status,account_review_status"}
            )
            ids = [
                n["id"] for n in read_pages(api.client, "/%s/%s/phone_numbers" % (api.version, WABA), {"fields": "id"})
            ]
            for number_id in ids:
                api.client.get_json("/%s/%s" % (api.version, number_id), {"fields": NUMBER_FIELDS})
            api.waba_edge(WABA, "subscribed_apps")
            for template in wanted:
                api.waba_edge(WABA, "message_templates", {"fields": TEMPLATE_FIELDS, "name": template["name"]})
            return api.client.requests_sent

    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        "Cloud API preflight: Graph calls and wall time, %d templates named, median of %d runs, simulator on loopback "
        "(page size 100)" % (args.templates, args.runs)
    )
    print(
        "%-8s %-12s %6s %10s   %-12s %6s %10s   %s" % ("numbers", "way", "calls", "ms", "way", "calls", "ms", "ratio")
    )
    for size in sizes:
        with Simulator(scenario(size, args.templates)) as sim:
            row = {}
            for name, way in (("preflight", preflight), ("per object", per_object)):
                times, calls = [], None
                way(sim.cloud_url)  # warm up: imports, the first connection
                for dummy in range(args.runs):
                    sim.reset()
                    started = time.perf_counter()
                    calls = way(sim.cloud_url)
                    times.append((time.perf_counter() - started) * 1000)
                    assert calls == sim.count(path=r"^/graph/"), (calls, sim.count(path=r"^/graph/"))
                row[name] = (calls, statistics.median(times))
        (pre_calls, pre_ms), (obj_calls, obj_ms) = row["preflight"], row["per object"]
        print(
            "%-8d %-12s %6d %10.1f   %-12s %6d %10.1f   %.1fx the calls, %.1fx the time"
            % (
                size,
                "preflight",
                pre_calls,
                pre_ms,
                "per object",
                obj_calls,
                obj_ms,
                obj_calls / pre_calls,
                obj_ms / pre_ms,
            )
        )


if __name__ == "__main__":
    main()
