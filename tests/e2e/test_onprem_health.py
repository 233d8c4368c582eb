# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.onprem_health, module and lookup: what only a whole run's output shows.

What they return and how they fail is tested by the integration targets module_onprem_health and
lookup_onprem_health (tests/integration/targets/).
"""

from __future__ import annotations

import json
import textwrap

from conftest import ONPREM_API_KEY, ONPREM_PASSWORD, ONPREM_TOKEN

ENV_TOKEN = "an-environment-token-that-is-wrong"
BAD_KEYS = ["k" * 10 + "Z", "k" * 128 + "Z", "has white space", "a-wrong-key-of-good-length"]


def test_no_credential_in_a_whole_run_at_vvvv(simulator, ansible):
    """Every way to give a credential (API key, Bearer token, login from the options, the environment and the
    lookup), a wrong token in the environment, and keys refused before or by the API, in one playbook at -vvvv: none
    of them, and no token the login issued, is in its output (the ansible fixture scans for the scenario's own)."""
    sim = simulator(
        {"onprem": {"api_keys": [ONPREM_API_KEY], "tokens": [ONPREM_TOKEN], "users": {"admin": ONPREM_PASSWORD}}}
    )
    # The values stay in an extra-vars file and the loop runs over indexes: no secret in the playbook or in an item.
    (ansible.tmp_path / "vars.json").write_text(
        json.dumps(
            {
                "url": sim.onprem_url,
                "key": ONPREM_API_KEY,
                "token": ONPREM_TOKEN,
                "password": ONPREM_PASSWORD,
                "bad_keys": BAD_KEYS,
            }
        )
    )
    run = ansible.playbook(
        textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          environment:
            WA_ONPREM_TOKEN: %s
          module_defaults:
            group/hypersender.whatsapp.onprem:
              api_url: "{{ url }}"
          tasks:
            - hypersender.whatsapp.onprem_health:
                api_key: "{{ key }}"
            - hypersender.whatsapp.onprem_health:
                api_token: "{{ token }}"
            - hypersender.whatsapp.onprem_health:
                username: admin
                password: "{{ password }}"
            - hypersender.whatsapp.onprem_health:
              environment:
                WA_ONPREM_TOKEN: ""
                WA_WEB_USERNAME: admin
                WA_WEB_PASSWORD: "{{ password }}"
            - ansible.builtin.debug:
                msg: "{{ lookup('hypersender.whatsapp.onprem_health', api_url=url, username='admin', password=password) }}"
            - hypersender.whatsapp.onprem_health:
                api_key: "{{ bad_keys[item] }}"
              loop: "{{ range(bad_keys | length) | list }}"
              ignore_errors: true
        """ % ENV_TOKEN),
        extra_args=["-e", "@%s" % (ansible.tmp_path / "vars.json")],
    )
    assert run.rc == 0, run
    assert [state for state, result in run.results][:5] == ["SUCCESS"] * 5, run
    assert [result["failed"] for result in run.result["results"]] == [True] * 4
    issued = list(sim.app._issued_tokens)  # pylint: disable=protected-access
    assert len(issued) == 3
    for secret in issued + BAD_KEYS + [ENV_TOKEN]:
        assert secret not in run.output
    assert [r["auth"] for r in sim.requests()] == [
        "apikey",
        "bearer",
        "basic",
        "bearer",
        "basic",
        "bearer",
        "basic",
        "bearer",
        "apikey",
    ]
