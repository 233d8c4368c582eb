#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: instance
short_description: Create or restart a Hypersender WhatsApp instance
version_added: 0.2.0
description:
  - With O(state=present), makes sure an instance named O(name) exists, and creates it
    (C(POST /create-instance)) when it does not. Names are matched the way the server matches them, trimmed and
    without case, so V(Shop ) is the existing V(shop) (the server would refuse to create it), but V(shop) is not
    V(shop-2) (the API's C(filter[name]) is a partial match; the module compares whole names).
  - An existing instance is never changed. If it has another phone than O(phone) the task fails, because the API
    cannot change an instance's phone.
  - With O(state=restarted), restarts the instance given by O(instance) or by its O(name)
    (C(POST /{instance}/restart)) and is RV(ignore:changed) once the API accepted the restart, as
    C(ansible.builtin.service) is. With O(restart_when), it restarts only when the instance is in one of those
    statuses, and otherwise reports RV(ignore:changed=false).
  - A task that fails on its action (refused, rate limited, a server error) reports RV(ignore:changed=false), since only an
    action the API accepted is a change. A failure after it (writing O(qr_code_path), the wait) keeps
    RV(ignore:changed=true) and says what was done.
  - After a create or a restart, O(wait=true) polls the instance's health until it reaches O(wait_for), reports a
    status in O(fail_on), or the deadline passes. After an accepted restart, a status in O(wait_for) counts at
    once. The API may still report the status from before the restart for a moment, and a whole restart may end
    between two polls, so the module cannot tell the two apart. The status from before counts as one of
    O(fail_on) only once another status has been seen.
  - A new instance waits in C(SCAN_QR_CODE) until someone links a phone by scanning its QR code; write the code
    with O(qr_code_path), or get a fresh one later with M(hypersender.whatsapp.instance_qr).
  - Whoever scans an instance's QR code links their WhatsApp account to it. The code and the instance's
    C(access_token) are never returned or printed unless asked for (O(qr_code_path), O(return_access_token)).
  - The API allows 5 creates and 5 restarts a minute per account. The whole task, the action and the wait, ends by
    its deadline, O(wait_timeout) seconds after it started, with or without O(wait). A rate-limited action
    (HTTP 429) is sent again once the server's C(Retry-After) has passed, if that is before the deadline;
    otherwise the task fails at once, saying the API refused the action. An action that may have reached the
    server (HTTP 5xx, a read timeout) is not repeated and fails the task.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  state:
    description:
      - V(present) creates the instance unless one named O(name) exists.
      - V(restarted) restarts it.
    type: str
    choices: [present, restarted]
    default: present
  name:
    description:
      - The instance's name, at most 50 characters, unique in the account.
      - Required with O(state=present); with O(state=restarted), selects the instance when O(instance) is not given.
      - Trimmed, as the server trims it, and compared with existing names without case, as the server does. The
        server may also take names that differ only in accents for one; it then refuses the create (HTTP 422),
        and the task fails with RV(ignore:changed=false).
    type: str
  phone:
    description:
      - Phone number of the instance in E.164 format (V(+201234567890)).
      - Required to create an instance. When the instance exists, the task fails if its phone differs.
    type: str
  webhook_url:
    description:
      - HTTPS URL that receives the instance's WhatsApp events, set when the instance is created.
      - The API neither returns nor changes it afterwards, so it is not compared with an existing instance.
    type: str
  instance:
    description:
      - UUID of the instance to restart (O(state=restarted)); takes precedence over O(name).
    type: str
    aliases: [uuid, instance_id]
  restart_when:
    description:
      - With O(state=restarted), restart only when the instance's status is one of these, for example
        V([FAILED, STOPPED]). Without it, the instance is always restarted.
    type: list
    elements: str
    choices: [STOPPED, STARTING, WORKING, SCAN_QR_CODE, FAILED, PENDING]
  return_access_token:
    description:
      - Whether to return the instance's C(access_token), a live credential, in RV(instance.access_token).
    type: bool
    default: false
  qr_code_path:
    description:
      - When an instance is created, write the QR code to link it (a PNG image) to this file, readable by its owner only
        (mode 0600). Nothing is written in check mode.
      - Checked before any request, also when the instance exists. The directory must exist and be writable, and the
        path must not be a directory or a symbolic link.
      - The code expires after about 60 seconds; use M(hypersender.whatsapp.instance_qr) for a fresh one.
    type: path
extends_documentation_fragment:
  - hypersender.whatsapp.hypersender
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.wait
  - hypersender.whatsapp.wait.statuses
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_hypersender
attributes:
  check_mode:
    details:
      - Reads the instance list, sends no action and does not wait; says what it would do in RV(msg).
  diff_mode:
    support: full
seealso:
  - module: hypersender.whatsapp.instance_qr
  - module: hypersender.whatsapp.instance_health
"""

EXAMPLES = r"""
- name: Make sure the shop's instance exists; write its QR code if it is new
  hypersender.whatsapp.instance:
    name: shop-eu
    phone: "+201234567890"
    webhook_url: https://shop.example.com/hooks/whatsapp
    qr_code_path: /root/shop-eu-qr.png
  delegate_to: localhost
  register: shop

- name: Restart the instance if it failed or stopped, then wait until it works
  hypersender.whatsapp.instance:
    state: restarted
    instance: "{{ shop.instance.id }}"
    restart_when: [FAILED, STOPPED]
    wait: true
    wait_timeout: 120
  delegate_to: localhost
"""

RETURN = r"""
instance:
  description:
    - The instance as the API described it (after the wait, with its last status).
    - In check mode, for an instance that would be created, only the options given.
  returned: always
  type: dict
  contains:
    id: {description: UUID of the instance (absent for an instance check mode would create)., type: str,
      sample: fa3d01c4-1234-4c0d-a12f-df319b612f8c}
    name: {description: Name of the instance., type: str, sample: shop-eu}
    phone: {description: "Phone number, E.164.", type: str, sample: '+201234567890'}
    status:
      description:
        - Last status seen. Right after a restart without O(wait), V(STOPPED), the first step the API documents
          for a restart (the module does not read it again).
      type: str
      sample: SCAN_QR_CODE
    service_type: {description: Service type., type: str, sample: whatsapp}
    created_at: {description: "Creation timestamp, as the API gives it.", type: str, sample: '2025-05-26T10:12:45'}
    access_token: {description: The instance's access token; only with O(return_access_token=true)., type: str,
      returned: when O(return_access_token=true)}
created: {description: "Whether the instance was created (or would be, in check mode).", returned: always, type: bool}
restarted: {description: "Whether the instance was restarted (or would be, in check mode).", returned: always,
  type: bool}
previous_status: {description: "The status before the restart, with O(state=restarted).",
  returned: with O(state=restarted), type: str, sample: FAILED}
qr_code_path: {description: Absolute path of the QR code PNG written., returned: when a QR code was written, type: str}
waited: {description: Whether the task polled the instance's health after acting., returned: always, type: bool}
polls: {description: Health probes made while waiting., returned: always, type: int}
elapsed: {description: Seconds spent waiting., returned: always, type: float}
msg: {description: "What was done, or would be done in check mode.", returned: always, type: str}
"""

import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    HYPERSENDER,
    status_wait_argument_spec,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._instance import (
    InstanceModule,
    instance_argument_spec,
    validate_instance_options,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule


def main():
    module = WhatsAppModule(HYPERSENDER, instance_argument_spec(), wait=status_wait_argument_spec())
    values = module.checked(validate_instance_options)
    deadline = time.monotonic() + module.params["wait_timeout"]
    with module.client() as api:
        runner = InstanceModule(module, values, api.client, deadline)
        try:
            runner.result["msg"] = runner.present() if module.params["state"] == "present" else runner.restarted()
        except (ApiError, OptionError) as error:
            runner.fail(error)
    if not module._diff:
        runner.result.pop("diff", None)
    module.exit_json(**runner.result)


if __name__ == "__main__":
    main()
