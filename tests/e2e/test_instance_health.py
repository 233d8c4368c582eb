# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.instance_health, module and lookup: what only a whole run's output shows.

What they return and how they fail is tested by the integration targets module_instance_health and
lookup_instance_health (tests/integration/targets/).
"""

from __future__ import annotations

import textwrap

from conftest import QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance

STARTING_ID = "5e2a9b7c-3d4f-4a1b-8c6d-7e8f9a0b1c2d"
UNKNOWN_ID = "5b2e0c3a-9999-4abc-8def-0123456789ab"
WRONG_TOKEN = "wrong-token-value-123"


def env_for(sim, token=TOKEN):
    return {"HYPERSENDER_API_URL": sim.hypersender_url, "HYPERSENDER_API_TOKEN": token}


def test_no_token_in_a_whole_run_at_vvvv(simulator, ansible):
    """A read, a wait that times out, a rejected token and the lookup's results and errors, in one playbook at -vvvv:
    no token (the right one, a wrong one) and no access token in its output (the ansible fixture scans for the
    scenario's secrets)."""
    sim = simulator(
        hypersender_scenario(
            instance(WORKING_ID, "WORKING"), instance(QR_ID, "SCAN_QR_CODE"), instance(STARTING_ID, "STARTING")
        )
    )
    run = ansible.playbook(
        textwrap.dedent(
            """
        - hosts: localhost
          gather_facts: false
          module_defaults:
            group/hypersender.whatsapp.hypersender:
              api_url: "{{ url }}"
              api_token: "{{ token }}"
          tasks:
            - hypersender.whatsapp.instance_health:
                instance: %(working)s
            - hypersender.whatsapp.instance_health:
                instance: %(starting)s
                wait: true
                wait_sleep: 0.2
                wait_timeout: 1
              ignore_errors: true
            - hypersender.whatsapp.instance_health:
                instance: %(working)s
                api_token: %(wrong)s
              ignore_errors: true
            - ansible.builtin.debug:
                msg: "{{ query('hypersender.whatsapp.instance_health', '%(working)s', '%(qr)s', api_url=url, api_token=token) }}"
            - ansible.builtin.debug:
                msg: "{{ lookup('hypersender.whatsapp.instance_health', '%(unknown)s', api_url=url, api_token=token) }}"
              ignore_errors: true
        """ % {"working": WORKING_ID, "starting": STARTING_ID, "qr": QR_ID, "unknown": UNKNOWN_ID, "wrong": WRONG_TOKEN}
        ),
        extra_args=["-e", "url=%s" % sim.hypersender_url, "-e", "token=%s" % TOKEN],
    )
    assert run.rc == 0, run
    assert [state for state, result in run.results] == ["SUCCESS", "FAILED!", "FAILED!", "SUCCESS", "FAILED!"], run
    assert WRONG_TOKEN not in run.output
    assert [entry["status"] for entry in sim.requests()][-4:] == [401, 200, 200, 404]


def test_a_rejected_token_names_every_place_a_token_is_set(simulator, ansible):
    """The token came from the whatsapp_hypersender_api_token variable (read by the module's action plugin): the
    message names that variable, the api_token option and the HYPERSENDER_API_TOKEN environment variable."""
    sim = simulator(hypersender_scenario(instance()))
    run = ansible.module(
        "instance_health",
        {"instance": WORKING_ID},
        env={"HYPERSENDER_API_URL": sim.hypersender_url},
        extra_args=["-e", "whatsapp_hypersender_api_token=%s" % WRONG_TOKEN],
    )
    assert run.rc != 0, run
    assert run.result["msg"].endswith(
        "rejected the credentials (HTTP 401) (Unauthenticated.): check api_token / the whatsapp_hypersender_api_token "
        "variable / the HYPERSENDER_API_TOKEN environment variable"
    ), run
    assert WRONG_TOKEN not in run.output
    assert [entry["status"] for entry in sim.requests()] == [401]
