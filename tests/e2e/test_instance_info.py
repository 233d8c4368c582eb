# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.instance_info, module and lookup: what only a whole run's output shows.

What they return and how they fail is tested by the integration targets module_instance_info and
lookup_instance_info (tests/integration/targets/).
"""

from __future__ import annotations

import textwrap

from conftest import QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance


def test_access_tokens_stay_out_of_a_whole_run_at_vvvv(simulator, ansible):
    """A listing, the lookup, and the access token read with no_log, in one playbook at -vvvv: no access token in its
    output (the ansible fixture scans for it), not even the key of one."""
    sim = simulator(
        hypersender_scenario(
            instance(WORKING_ID, "WORKING", name="prod-alpha"),
            instance(QR_ID, "SCAN_QR_CODE", name="prod-beta", access_token=None),
        )
    )
    run = ansible.playbook(
        textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          module_defaults:
            group/hypersender.whatsapp.hypersender:
              api_url: "{{ url }}"
              api_token: "{{ token }}"
          tasks:
            - hypersender.whatsapp.instance_info:
            - ansible.builtin.debug:
                msg: "{{ query('hypersender.whatsapp.instance_info', name='prod', api_url=url, api_token=token) }}"
            - hypersender.whatsapp.instance_info:
                uuid: %s
                return_access_token: true
              register: with_token
              no_log: true
            - ansible.builtin.assert:
                that: with_token.instances[0].access_token | length > 20
                quiet: true
        """ % WORKING_ID),
        extra_args=["-e", "url=%s" % sim.hypersender_url, "-e", "token=%s" % TOKEN],
    )
    assert run.rc == 0, run
    assert '"access_token":' not in run.output
    assert len(sim.requests()) == 3
