# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.instance_canary's output at -vvvv, scanned for the tokens (the conftest), the webhook's
Authorization value and the recipient's full number. What the module does (stages, failures, the receiver, check mode)
is tested by the integration target module_instance_canary.
"""

from __future__ import annotations

import socket

from conftest import ACCESS_TOKEN, TOKEN, WORKING_ID, hypersender_scenario, instance

OTHER_ID = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"
WEBHOOK_AUTHORIZATION = "Bearer canary-webhook-secret-6Jq2"
PHONE = "201098765432"
MASKED = "********5432"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scenario(port, sends, status="WORKING", **extra):
    canary = instance(
        WORKING_ID,
        status,
        name="canary-eu",
        phone="+201000000001",
        webhook_url="http://127.0.0.1:%d/hypersender/webhook" % port,
        webhook_authorization=WEBHOOK_AUTHORIZATION,
        sends=sends,
    )
    other = instance(OTHER_ID, "WORKING", name="shop-eu", access_token="235|otherinstancetokenotherinstancetoken0123")
    return hypersender_scenario(canary, other, **extra)


def env_for(sim):
    # The number and the webhook's secret come from the environment, as in a pipeline: ansible-core prints a failed
    # ad-hoc task's literal arguments (its "Origin"), so a value typed there is the caller's to hide.
    return {
        "HYPERSENDER_API_URL": sim.hypersender_url,
        "HYPERSENDER_API_TOKEN": TOKEN,
        "HYPERSENDER_WEBHOOK_AUTHORIZATION": WEBHOOK_AUTHORIZATION,
        "CANARY_TO": "+" + PHONE,
    }


def args(port, **options):
    values = {
        "instance": "canary-eu",
        "to": "{{ lookup('ansible.builtin.env', 'CANARY_TO') }}",
        "receiver_port": port,
        "wait_sleep": 0.5,
    }
    values.update(options)
    return values


def assert_private(run):
    assert WEBHOOK_AUTHORIZATION not in run.output and WEBHOOK_AUTHORIZATION.split(" ", 1)[1] not in run.output
    assert PHONE not in run.output, "the recipient's full number reached the output"


def canary(ansible, sim, port, check=False, **options):
    run = ansible.module(
        "instance_canary", args(port, **options), env=env_for(sim), extra_args=["--check"] if check else []
    )
    assert_private(run)
    return run


def test_secrets_and_the_number_stay_out_of_a_failed_run_at_vvvv(simulator, ansible):
    """A failing run prints most: its arguments, the failure, the result. None carries a secret or the number."""
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.2, "result": "not_on_whatsapp"}]))
    run = canary(ansible, sim, port, wait_for="delivered")  # canary() checks the Authorization value and the number
    assert run.rc != 0 and "<redacted>" not in run.output
    assert ACCESS_TOKEN not in run.output and TOKEN not in run.output
    assert MASKED in run.output and "jid: ********@s.whatsapp.net" in run.output  # the vendor's words, number hidden
