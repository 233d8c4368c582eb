# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory plugin through the real ``ansible-inventory`` at -vvvv: what only a whole run's output shows.

The hosts, groups and variables it makes, its cache and how its errors fail the run are tested by the integration
target inventory_instances (tests/integration/targets/), which runs ansible-inventory and ansible-playbook -i.
"""

from __future__ import annotations

import json

from conftest import QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance

FAILED_ID = "5b0e7a41-9d2c-4e8f-8a1b-3c4d5e6f7a8b"
WRONG_TOKEN = "wrong-token-0000"


def test_graph_and_a_rejected_token_at_vvvv_keep_the_tokens_out(ansible, simulator):
    """--graph at -vvvv, then with a wrong token: neither token, nor an instance's access token, is in the output (the
    ansible fixture scans for the scenario's secrets)."""
    sim = simulator(
        hypersender_scenario(
            instance(WORKING_ID, "WORKING", name="shop-eg"),
            instance(QR_ID, "SCAN_QR_CODE", name="support eg"),
            instance(FAILED_ID, "FAILED", name="Shop {{ 7 * 7 }}"),
        )
    )
    config = ansible.tmp_path / "hypersender.yml"
    config.write_text(json.dumps({"plugin": "hypersender.whatsapp.instances", "api_url": sim.hypersender_url}))
    run = ansible(["-i", str(config), "--graph"], command="ansible-inventory", env={"HYPERSENDER_API_TOKEN": TOKEN})
    assert run.rc == 0, run
    assert "@hypersender_failed:" in run.output and "|--Shop_7_7" in run.output
    assert "@hypersender_working:" in run.output and "|--shop-eg" in run.output
    rejected = ansible(
        ["-i", str(config), "--graph"], command="ansible-inventory", env={"HYPERSENDER_API_TOKEN": WRONG_TOKEN}
    )
    assert rejected.rc != 0 and "rejected the credentials (HTTP 401)" in " ".join(rejected.output.split()), rejected
    assert WRONG_TOKEN not in rejected.output
    assert [r["status"] for r in sim.requests()] == [200, 401]
