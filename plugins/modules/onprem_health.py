#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: onprem_health
short_description: Check, or wait for, the health of a WhatsApp Business On-Premises deployment
version_added: 0.1.0
description:
  - Reads C(GET /v1/health) from the Webapp of a WhatsApp Business API client (On-Premises API) and judges it by the
    rules Meta documents for a single instance, a High Availability cluster or a Multiconnect deployment
    (see O(topology)).
  - Returns every node with its C(gateway_status) and C(role), the verdict RV(healthy), and RV(problems) as plain
    sentences that say what is wrong and what to do, with Meta's advice for C(unregistered) and C(uninitialized).
  - Without O(wait), a gateway that is not healthy does not fail the task; look at RV(healthy). Rejected credentials,
    an unreachable Webapp or an answer that is not a health answer do fail it.
  - With O(wait=true), polls inside this one task until the gateway is healthy, and fails with the problems of the
    last poll if O(wait_timeout) passes. An answer that contradicts O(topology) ends the wait at once.
  - Authenticates with an API key, a Bearer token, or a username and password (logging in once per task); see the
    notes for which one is used.
  - The module only reads; it never changes anything and always returns RV(ignore:changed=false).
  - Meta has retired the On-Premises API; its final client version expired on 23 October 2025, and numbers still
    registered on it no longer send or receive messages. This module stays for running and migrating clusters; to gate
    numbers on the WhatsApp Cloud API, use M(hypersender.whatsapp.cloud_health) (or the
    C(hypersender.whatsapp.verify_cloud) role).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  wait_sleep:
    description:
      - Seconds between two probes when O(wait=true).
      - The On-Premises API has no rate limit on C(/v1/health), hence a shorter default than the Hypersender modules'.
    type: float
    default: 5
extends_documentation_fragment:
  - hypersender.whatsapp.onprem
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.onprem.verdict
  - hypersender.whatsapp.wait
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_onprem
seealso:
  - plugin: hypersender.whatsapp.onprem_health
    plugin_type: lookup
  - module: hypersender.whatsapp.cloud_health
  - name: On-Premises API sunset
    description: Meta's notice of the On-Premises API's end, and how to migrate to the Cloud API.
    link: https://developers.facebook.com/docs/whatsapp/on-premises
  - name: Health (WhatsApp Business On-Premises API)
    description: Meta's reference of C(/v1/health), its two shapes and the meaning of each C(gateway_status).
    link: https://developers.facebook.com/docs/whatsapp/on-premises/reference/health
"""

EXAMPLES = r"""
- name: Read the gateway's health (URL and API key from WA_ONPREM_URL and WA_API_KEY)
  hypersender.whatsapp.onprem_health:
  register: gateway
  delegate_to: localhost

- name: Hold the deployment until the High Availability cluster is healthy (10 minutes at most)
  hypersender.whatsapp.onprem_health:
    api_url: https://wa.example.com:9090
    api_key: "{{ vault_wa_api_key }}"
    ca_path: /etc/pki/internal-ca.pem
    topology: ha
    wait: true
    wait_timeout: 600
  delegate_to: localhost
  run_once: true

- name: Set the connection once for every On-Premises task of a play
  module_defaults:
    group/hypersender.whatsapp.onprem:
      api_url: https://wa.example.com:9090
      username: admin
      password: "{{ vault_wa_password }}"
  block:
    - name: Multiconnect with 2 shards - 2 coreapps and the primary master must be connected
      hypersender.whatsapp.onprem_health:
        shards: 2
        wait: true
      register: gateway

    - name: Show what is wrong, if anything
      ansible.builtin.debug:
        var: gateway.problems
"""

RETURN = r"""
topology: {description: "The topology whose rules were applied, V(auto) resolved (see O(topology)).",
  returned: when a probe succeeded, type: str, sample: ha}
topology_name:
  description:
    - The applied O(topology)'s name for people, V(single instance), V(High Availability) or V(Multiconnect), as
      reports and the P(hypersender.whatsapp.verify_gateway#role) role print it.
  returned: when a probe succeeded
  type: str
  sample: High Availability
  version_added: 0.2.0
nodes:
  description:
    - The nodes of the deployment as the Webapp reported them, in its order; one node for a single instance.
    - A C(gateway_status) or C(role) this collection does not know is passed through as it is.
  returned: always (empty if no probe succeeded)
  type: list
  elements: dict
  contains:
    name: {description: The node's C(hostname:container-id); V("") for a single instance., type: str,
      sample: gw3:8c9d0e1f}
    gateway_status:
      description: V(connected), V(connecting), V(disconnected), V(uninitialized) or V(unregistered).
      type: str
      sample: connected
    role: {description: "V(primary_master), V(secondary_master) or V(coreapp); null for a single instance.",
      type: str, sample: coreapp}
gateway_status: {description: The C(gateway_status) of a single instance.,
  returned: when a probe succeeded and the Webapp answered for a single instance, type: str, sample: connected}
connected: {description: How many nodes have the C(gateway_status) V(connected)., returned: always, type: int,
  sample: 1}
healthy: {description: Whether the deployment is healthy by the rules of RV(topology) (see O(topology)).,
  returned: always, type: bool, sample: false}
problems:
  description: What is wrong and what to do, in plain sentences; empty when RV(healthy) is true.
  returned: always
  type: list
  elements: str
  sample:
    - >-
      No coreapp is connected to the WhatsApp servers, but High Availability needs exactly one (gw3:8c9d0e1f uninitialized).
    - >-
      Node gw3:8c9d0e1f (coreapp) is uninitialized: the application could be upgrading or initializing its database
      schema; retry in a few minutes (or wait with wait=true), and contact WhatsApp Support if it persists.
waited: {description: Whether the task polled (false without O(wait) and in check mode)., returned: always,
  type: bool, sample: true}
polls: {description: How many probes were made (each may include retries of a transient failure)., returned: always,
  type: int, sample: 3}
elapsed: {description: Seconds spent in the API calls and between them., returned: always, type: float, sample: 12.4}
"""

from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem import ONPREM, GatewayWatch
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem_rules import (
    VERDICT_ARGUMENT_SPEC,
    validate_rules,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import wait_argument_spec


def main():
    module = WhatsAppModule(ONPREM, VERDICT_ARGUMENT_SPEC, wait=wait_argument_spec(wait_sleep=5))
    rules = module.checked(validate_rules)
    params = module.params
    with module.client() as api:
        module.watch(GatewayWatch(api, rules, params["api_url"], params["wait_timeout"]))


if __name__ == "__main__":
    main()
