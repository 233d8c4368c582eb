# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.cloud_preflight in what only a whole run's output shows: neither token at -vvvv, and the
preflight's line in deploy_gate's summary (scenarios/cloud-preflight.json with the test's token).

What the module, the lookup and the verify_cloud role return and how they fail is tested by the integration targets
module_cloud_preflight, lookup_cloud_preflight and role_verify_cloud.
"""

from __future__ import annotations

import copy
import json

import pytest
from conftest import CLOUD_TOKEN, COLLECTION_ROOT
from test_cloud_health import cloud_env

SCENARIOS = COLLECTION_ROOT / "tests" / "simulator" / "scenarios"
APP_TOKEN = "634974688087057|sim-app-secret-e2e-7Hq2"
READY = "102290129340398"
EXAMPLE_TOKEN = "sim-cloud-token-0123456789"
ORDER_EN = {"name": "order_update", "language": "en_US"}


def preflight_scenario(name="cloud-preflight.json", **cloud):
    """A bundled scenario with the test's token (conftest.CLOUD_TOKEN, scanned for in every output) and app token in
    place of the scenario's own."""
    scenario = json.loads((SCENARIOS / name).read_text())
    section = scenario["cloud"]
    section["tokens"] = [CLOUD_TOKEN]
    section["app_tokens"] = [APP_TOKEN]
    info = section.setdefault("token_info", {})
    if EXAMPLE_TOKEN in info:
        info[CLOUD_TOKEN] = info.pop(EXAMPLE_TOKEN)
    cloud = copy.deepcopy(cloud)
    if "faults" in cloud:
        scenario["faults"] = cloud.pop("faults")
    section.update(cloud)
    return scenario


def env(sim, token=CLOUD_TOKEN, **extra):
    return dict(cloud_env(sim, token), **extra)


def preflight(ansible, sim, args, token=CLOUD_TOKEN, extra_args=(), **env_extra):
    run = ansible.module("cloud_preflight", args, env=env(sim, token, **env_extra), extra_args=extra_args)
    assert APP_TOKEN not in run.output and APP_TOKEN.split("|")[1] not in run.output
    return run


# --- secrets -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("echoed_on", ["/debug_token$", "/subscribed_apps$"])
def test_neither_token_nor_app_token_reaches_the_output_at_vvvv(simulator, ansible, echoed_on):
    """A careless endpoint echoes the Authorization header: the app token's (debug_token) or the token's."""
    sim = simulator(preflight_scenario(faults=[{"path": echoed_on, "echo_authorization": True, "status": 400}]))
    for args, extra in (
        ({"waba_id": READY, "app_token": APP_TOKEN}, {}),
        ({"waba_id": READY}, {"WA_CLOUD_APP_TOKEN": APP_TOKEN}),
    ):
        run = preflight(ansible, sim, args, **extra)  # conftest scans for CLOUD_TOKEN, preflight() for APP_TOKEN
        assert run.rc != 0 and "Access denied for Authorization: Bearer ********" in run.output, run
        assert sim.count(path=echoed_on) >= 1


# --- deploy_gate ---------------------------------------------------------------------------------------------------


def printed_lines(output, first):
    """The list a debug task printed whose first line starts with ``first``."""
    decoder = json.JSONDecoder()
    found = []
    start = 0
    while True:
        index = output.find('"msg": [', start)
        if index < 0:
            break
        lines = decoder.raw_decode(output, output.index("[", index))[0]
        if lines and isinstance(lines[0], str) and lines[0].startswith(first):
            found.append(lines)
        start = index + 1
    assert found, "no lines starting with %r in:\n%s" % (first, output[-4000:])
    return found[-1]


def troubled_account():
    """Numbers that can send, but another app subscribed, a template pending, and a token expiring in 3 days."""
    wabas = [
        {
            "id": READY,
            "phone_numbers": [{"id": "106540352242922"}],
            "subscribed_apps": [{"id": "111111111111111", "name": "Old CRM"}],
            "message_templates": [ORDER_EN, {"name": "otp_code", "language": "en_US", "status": "PENDING"}],
        }
    ]
    return preflight_scenario(wabas=wabas, token_info={CLOUD_TOKEN: {"expires_in": 3 * 86400 + 3600}})


def test_deploy_gate_says_the_token_expires_in_n_days_and_passes(simulator, ansible):
    sim = simulator(preflight_scenario(token_info={CLOUD_TOKEN: {"expires_in": 5 * 86400 + 3600}}))
    run = ansible(
        ["hypersender.whatsapp.deploy_gate"], command="ansible-playbook", env=env(sim, WA_CLOUD_WABA_ID=READY)
    )
    assert run.rc == 0, run
    summary = printed_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: PASSED"
    assert summary[3] == "Cloud API numbers:     PASSED, 2 of 2 number(s) can send (AVAILABLE), token expires in 5 days"


def test_deploy_gate_fails_on_a_preflight_failure(simulator, ansible):
    sim = simulator(troubled_account())
    run = ansible(
        ["hypersender.whatsapp.deploy_gate"], command="ansible-playbook", env=env(sim, WA_CLOUD_WABA_ID=READY)
    )
    assert run.rc == 2, run
    summary = printed_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: FAILED"
    assert summary[3].startswith("Cloud API numbers:     FAILED, verify_cloud: preflight NOT READY, 1 failed")
