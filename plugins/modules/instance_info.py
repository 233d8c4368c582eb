#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: instance_info
short_description: List Hypersender WhatsApp instances, or wait for a whole fleet to be ready
version_added: 0.1.0
description:
  - Lists the instances of the Hypersender account (C(GET /instances)), filtered the way the API filters them,
    with a count per status.
  - With O(wait=true), polls until every selected instance is in a status of O(wait_for). One list request per poll
    covers every instance, however many; this is the efficient way to gate a deployment on many instances.
  - The C(access_token) of each instance is a live credential; it is left out unless O(return_access_token=true).
  - When the API lists one id more than once with different statuses, the worst of them counts (a status in
    O(fail_on), then one not in O(wait_for)) and a warning names the id. A status this collection does not know
    counts as not ready and is warned about.
  - The module only reads; it never changes anything and always returns RV(ignore:changed=false).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  status:
    description:
      - Only instances in this status (the API's C(filter[status])). Cannot be combined with O(wait=true).
  instances:
    description:
      - UUIDs of the instances to select from the list; each is checked before any request.
      - UUIDs compare without case; a UUID given twice counts once.
      - A selected UUID the account does not have is listed in RV(missing); with O(wait=true) it ends the wait at
        once as a failure, since waiting cannot make it appear.
      - Without it, every instance matching the filters is selected (and awaited, with O(wait=true)).
    type: list
    elements: str
    default: []
  return_access_token:
    description:
      - Include each instance's C(access_token) in the result.
      - Put C(no_log=true) on a task that sets this, or the tokens reach the output and logs.
    type: bool
    default: false
extends_documentation_fragment:
  - hypersender.whatsapp.filters
  - hypersender.whatsapp.hypersender
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.wait
  - hypersender.whatsapp.wait.statuses
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_hypersender
seealso:
  - module: hypersender.whatsapp.instance_health
  - plugin: hypersender.whatsapp.instance_info
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Count the account's instances by status, and list those that need a QR scan
  hypersender.whatsapp.instance_info:
  register: fleet
  delegate_to: localhost
  run_once: true

- name: Hold the deployment until these instances are WORKING (one list request per poll)
  hypersender.whatsapp.instance_info:
    instances: "{{ whatsapp_instance_ids }}"
    wait: true
    wait_timeout: 600
  delegate_to: localhost
  run_once: true

- name: Wait for every instance named like "prod-" and stop if one fails
  hypersender.whatsapp.instance_info:
    name: prod-
    wait: true
    fail_on: [FAILED, STOPPED]
  delegate_to: localhost
  run_once: true

- name: Read the instances' access tokens (never without no_log)
  hypersender.whatsapp.instance_info:
    uuid: fa3d01c4-1234-4c0d-a12f-df319b612f8c
    return_access_token: true
  register: with_token
  no_log: true
"""

RETURN = r"""
instances:
  description: The selected instances, as the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: UUID of the instance., type: str, sample: fa3d01c4-1234-4c0d-a12f-df319b612f8c}
    name: {description: Name of the instance; empty when the API gives none., type: str, sample: MyInstanceName}
    phone: {description: Phone number in E.164 form; empty when the API gives none., type: str, sample: '+201234567890'}
    service_type: {description: Service type., type: str, sample: whatsapp}
    status: {description: Status; a status this collection does not know is passed through and counts as not ready.,
      type: str, sample: WORKING}
    created_at: {description: Creation time; empty when the API gives none., type: str, sample: '2025-05-26T10:12:45'}
    access_token: {description: The instance's access token (null if it is not yet connected)., type: str,
      returned: only with O(return_access_token=true)}
    ready:
      description: Whether the instance is in a status of O(wait_for) (V(WORKING) without O(wait)), that is in RV(ready).
      type: bool
      sample: true
      version_added: 0.2.0
count: {description: Number of selected instances., returned: always, type: int, sample: 2}
total:
  description: Number of selected instances plus the UUIDs of RV(missing), that is RV(ready) and RV(not_ready) together.
  returned: always
  type: int
  sample: 2
  version_added: 0.2.0
outcome:
  description:
    - What decided the result. V(ready) - every selected instance is ready. V(missing) - a UUID of O(instances)
      is not in the account (a wait stops at once). V(fail_on) - an instance is in a status of O(fail_on) (a wait
      stops at once). V(timed_out) - the wait's deadline passed first. V(not_ready) - without a wait (or in check
      mode), not every selected instance is ready.
  returned: always
  type: str
  choices: [ready, missing, fail_on, timed_out, not_ready]
  sample: ready
  version_added: 0.2.0
by_status:
  description:
    - Number of selected instances in each status; every documented status is present.
    - In the order reports list them, V(WORKING), V(SCAN_QR_CODE), V(STARTING), V(PENDING), V(STOPPED), V(FAILED),
      then any status this collection does not know, in the order the API listed them.
  returned: always
  type: dict
  sample: {WORKING: 1, SCAN_QR_CODE: 1, STARTING: 0, PENDING: 0, STOPPED: 0, FAILED: 0}
missing: {description: UUIDs of O(instances) that the account does not have., returned: always, type: list,
  elements: str, sample: []}
ready: {description: UUIDs of the selected instances in a status of O(wait_for) (V(WORKING) without O(wait)).,
  returned: always, type: list, elements: str, sample: [fa3d01c4-1234-4c0d-a12f-df319b612f8c]}
not_ready: {description: "UUIDs of the selected instances that are not ready, including those in RV(missing).",
  returned: always, type: list, elements: str, sample: [c9a1dd76-5678-4f9d-9012-a5b78de100c3]}
not_ready_details:
  description:
    - For each selected instance that is not ready (those in RV(not_ready), in the same order), what a person
      needs to act on it. Roles and playbooks format these fields; they never parse RV(ignore:msg).
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: UUID of the instance., type: str, sample: c9a1dd76-5678-4f9d-9012-a5b78de100c3}
    name: {description: Name of the instance; empty when unknown (a UUID the account does not have)., type: str,
      sample: shop-us}
    status: {description: "Its status, or V(not found) for a UUID of O(instances) that the account does not have.",
      type: str, sample: SCAN_QR_CODE}
    hint: {description: What to do about it., type: str,
      sample: scan the QR code in the Hypersender dashboard to link the phone}
last_error:
  description:
    - The transient error of the last poll (rate limited, server error, connection problem) when a wait ended
      with one; null otherwise.
  returned: always
  type: str
  sample: "GET https://app.hypersender.com/api/whatsapp/v1/instances: server error (HTTP 503)"
waited: {description: Whether the task polled (false without O(wait) and in check mode)., returned: always,
  type: bool, sample: true}
elapsed: {description: Seconds spent in the API calls and between them., returned: always, type: float, sample: 42.3}
polls: {description: How many list requests were made (each may include retries of a transient failure).,
  returned: always, type: int, sample: 8}
"""

from ansible_collections.hypersender.whatsapp.plugins.module_utils._fleet import FleetWatch, validate_fleet_options
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    FILTER_ARGUMENT_SPEC,
    HYPERSENDER,
    READY_STATUS,
    status_wait_argument_spec,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule


def main():
    own = dict(
        FILTER_ARGUMENT_SPEC,
        instances=dict(type="list", elements="str", default=[]),
        return_access_token=dict(type="bool", default=False, no_log=False),
    )
    module = WhatsAppModule(HYPERSENDER, own, wait=status_wait_argument_spec())
    filters, wanted = module.checked(validate_fleet_options)
    params = module.params
    ready = params["wait_for"] if params["wait"] else [READY_STATUS]
    with module.client() as api:
        module.watch(FleetWatch(api, filters, wanted, ready, params["fail_on"], params["return_access_token"]))


if __name__ == "__main__":
    main()
