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
    """Every way to give a credential (API key, Bearer token, login from the options, the lookup and the
    environment), a wrong token in the environment, and keys refused before or by the API, in two playbook runs at
    -vvvv: none of them, and no token the login issued, is in their output (the ansible fixture scans for the
    scenario's own). The environment is the process's, as a pipeline sets it: a task's ``environment:`` is Ansible's
    to print at -vvvv, not the collection's."""
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
    by_options = ansible.playbook(
        textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
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
            - ansible.builtin.debug:
                msg: "{{ lookup('hypersender.whatsapp.onprem_health', api_url=url, username='admin', password=password) }}"
            - hypersender.whatsapp.onprem_health:
                api_key: "{{ bad_keys[item] }}"
              loop: "{{ range(bad_keys | length) | list }}"
              ignore_errors: true
        """),
        extra_args=["-e", "@%s" % (ansible.tmp_path / "vars.json")],
        env={"WA_ONPREM_TOKEN": ENV_TOKEN},
    )
    assert by_options.rc == 0, by_options
    assert [state for state, result in by_options.results][:4] == ["SUCCESS"] * 4, by_options
    state, bad = by_options.results[-1]
    assert state == "FAILED!" and len(bad["results"]) == 4, by_options
    # three keys refused before any request, one by the API
    assert ["rejected the credentials (HTTP 401)" in item["msg"] for item in bad["results"]] == [False] * 3 + [True]
    from_environment = ansible.module(
        "onprem_health",
        {},
        env={
            "WA_ONPREM_URL": sim.onprem_url,
            "WA_WEB_USERNAME": "admin",
            "WA_WEB_PASSWORD": ONPREM_PASSWORD,
            "WA_API_KEY": "",
        },
    )
    assert from_environment.rc == 0 and from_environment.result["healthy"] is True, from_environment
    issued = list(sim.app._issued_tokens)  # pylint: disable=protected-access
    assert len(issued) == 3
    for secret in issued + BAD_KEYS + [ENV_TOKEN]:
        assert secret not in by_options.output + from_environment.output
    assert [r["auth"] for r in sim.requests()] == [
        "apikey",
        "bearer",
        "basic",
        "bearer",
        "basic",
        "bearer",
        "apikey",
        "basic",
        "bearer",
    ]
