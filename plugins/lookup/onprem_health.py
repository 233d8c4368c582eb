# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: onprem_health
short_description: Read the health of a WhatsApp Business On-Premises deployment
version_added: 0.1.0
description:
  - Reads C(GET /v1/health) from the Webapp of a WhatsApp Business API client once and returns one dictionary, the
    same as the result of the M(hypersender.whatsapp.onprem_health) module without waiting (the nodes, the verdict
    C(healthy) and the C(problems) as plain sentences).
  - A gateway that is not healthy is not an error; rejected credentials, an unreachable Webapp or an answer that is
    not a health answer are.
  - It checks no ids, so it takes no terms; give the options as keyword arguments, variables, environment variables
    or C(ansible.cfg) settings (section C([whatsapp_onprem]), everything but the credentials). A term, or an option
    this lookup does not have, is an error.
  - To wait until the gateway is healthy, use the module with O(hypersender.whatsapp.onprem_health#module:wait=true).
  - Meta has retired the On-Premises API; its final client version expired on 23 October 2025. For numbers on the
    WhatsApp Cloud API, use the P(hypersender.whatsapp.cloud_health#lookup) lookup.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
extends_documentation_fragment:
  - hypersender.whatsapp.onprem
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.onprem.verdict
  - hypersender.whatsapp.onprem.plugins
seealso:
  - module: hypersender.whatsapp.onprem_health
"""

EXAMPLES = r"""
- name: Show the gateway's verdict (URL and credential from WA_ONPREM_URL and WA_API_KEY)
  ansible.builtin.debug:
    msg: "{{ lookup('hypersender.whatsapp.onprem_health') }}"

- name: Stop unless the Multiconnect deployment with 3 shards is healthy
  ansible.builtin.assert:
    that: gateway.healthy
    fail_msg: "{{ gateway.problems | join(' ') }}"
  vars:
    gateway: "{{ lookup('hypersender.whatsapp.onprem_health', api_url='https://wa.example.com:9090',
                        api_key=vault_wa_api_key, ca_path='/etc/pki/internal-ca.pem', shards=3) }}"
"""

RETURN = r"""
_raw:
  description:
    - One dictionary (with C(query), a list of one dictionary).
  type: list
  elements: dict
  contains:
    topology:
      description: The topology whose rules were applied, V(auto) resolved.
      type: str
      sample: ha
    topology_name:
      description: The applied topology's name for people, V(single instance), V(High Availability) or V(Multiconnect).
      type: str
      sample: High Availability
      version_added: 0.2.0
    nodes:
      description:
        - Each node's C(name) (C(hostname:container-id), V("") for a single instance), C(gateway_status) and C(role)
          (null for a single instance), as the Webapp reported them.
      type: list
      elements: dict
    gateway_status:
      description: The C(gateway_status) of a single instance; absent for a cluster.
      type: str
      sample: connected
    connected:
      description: How many nodes have the C(gateway_status) V(connected).
      type: int
      sample: 1
    healthy:
      description: Whether the deployment is healthy by the rules of its topology.
      type: bool
      sample: true
    problems:
      description: What is wrong and what to do, in plain sentences; empty when healthy.
      type: list
      elements: str
      sample: []
"""

from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem import ONPREM
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem_rules import (
    VERDICT_OPTIONS,
    validate_rules,
    verdict,
)
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._lookup import WhatsAppLookupBase


class LookupModule(WhatsAppLookupBase):

    # The credentials bind late by the module's own rule (ONPREM's connect): options first, the environment only
    # when none is given.
    service = ONPREM
    no_terms_example = "topology='ha'"

    def run(self, terms, variables=None, **kwargs):
        self.load_options(variables, kwargs, terms)
        with self.api_errors():
            rules = validate_rules(self.options(VERDICT_OPTIONS))
            with self.connect() as api:
                return [verdict(api.health(), **rules)]
