#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: instance_health
short_description: Check, or wait for, the health of a Hypersender WhatsApp instance
version_added: 0.1.0
description:
  - Reads the status of one instance from the Hypersender WhatsApp Enterprise API (C(GET /{instance}/health)).
  - With O(wait=true), polls inside this one task until the instance reaches a status in O(wait_for),
    reports a status in O(fail_on), or O(wait_timeout) passes. Use it to hold a deployment until WhatsApp is ready.
  - The API allows 10 health requests a minute per account; the default O(wait_sleep) of 6 seconds stays within it,
    and a rate-limited request is retried after the server's C(Retry-After).
  - A UUID the account does not have (HTTP 404) fails at once, waiting or not, so a typo does not cost a whole wait.
  - The module only reads; it never changes anything and always returns RV(ignore:changed=false).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  instance:
    description:
      - UUID of the instance, as shown in the Hypersender dashboard.
      - Checked before any request is made.
    type: str
    required: true
    aliases: [uuid, instance_id]
extends_documentation_fragment:
  - hypersender.whatsapp.hypersender
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.wait
  - hypersender.whatsapp.wait.statuses
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_hypersender
seealso:
  - plugin: hypersender.whatsapp.instance_health
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Read an instance's status
  hypersender.whatsapp.instance_health:
    instance: fa3d01c4-1234-4c0d-a12f-df319b612f8c
  register: health
  delegate_to: localhost

- name: Hold the deployment until the instance is WORKING (10 minutes at most)
  hypersender.whatsapp.instance_health:
    instance: fa3d01c4-1234-4c0d-a12f-df319b612f8c
    wait: true
    wait_timeout: 600
  delegate_to: localhost
  run_once: true

- name: Set the connection once for every Hypersender task of a play
  module_defaults:
    group/hypersender.whatsapp.hypersender:
      api_token: "{{ vault_hypersender_token }}"
  block:
    - name: Wait for WORKING, but stop at once if the phone must be linked again
      hypersender.whatsapp.instance_health:
        uuid: fa3d01c4-1234-4c0d-a12f-df319b612f8c
        wait: true
        fail_on: [FAILED, SCAN_QR_CODE]
"""

RETURN = r"""
instance_id: {description: UUID of the instance., returned: success or after a wait ended without success, type: str,
  sample: fa3d01c4-1234-4c0d-a12f-df319b612f8c}
status:
  description:
    - The last status the API reported; after a failed wait, the status the instance was left in.
    - One of C(STOPPED), C(STARTING), C(WORKING), C(SCAN_QR_CODE), C(FAILED), C(PENDING), or a newer status the API
      introduced, passed through as it is and treated as not ready.
  returned: when a probe succeeded
  type: str
  sample: WORKING
connected_at: {description: "When the instance connected, as the API reports it.", returned: when a probe succeeded,
  type: str, sample: '2025-05-26T10:12:45'}
healthy: {description: "Whether the status is V(WORKING) or, with O(wait=true), one of O(wait_for).",
  returned: always, type: bool, sample: true}
waited: {description: Whether the task polled (false without O(wait) and in check mode)., returned: always,
  type: bool, sample: true}
elapsed: {description: Seconds spent in the API calls and between them., returned: always, type: float, sample: 12.4}
polls: {description: How many probes were made (each may include retries of a transient failure)., returned: always,
  type: int, sample: 3}
"""

from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    HYPERSENDER,
    READY_STATUS,
    InstanceWatch,
    status_wait_argument_spec,
    validate_status_wait_options,
    validate_uuid,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule


def validate_options(params):
    validate_status_wait_options(params)
    return validate_uuid(params["instance"])


def main():
    module = WhatsAppModule(
        HYPERSENDER,
        dict(instance=dict(type="str", required=True, aliases=["uuid", "instance_id"])),
        wait=status_wait_argument_spec(),
    )
    instance = module.checked(validate_options)
    params = module.params
    ready = params["wait_for"] if params["wait"] else [READY_STATUS]
    with module.client() as api:
        module.watch(InstanceWatch(api, instance, ready, params["fail_on"]))


if __name__ == "__main__":
    main()
