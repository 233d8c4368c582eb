#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: instance_qr
short_description: Get a fresh QR code to link a phone to a Hypersender WhatsApp instance
version_added: 0.2.0
description:
  - Requests a new QR code for an instance (C(POST /{instance}/request-new-qr-code)) when the instance waits in
    C(SCAN_QR_CODE), writes it as a PNG to O(dest) and, with O(render=text), returns it drawn with Unicode half blocks
    in RV(qr_code_text), so that a person can scan it from a terminal or an AWX job log.
  - An instance in any other status needs no code; the task reports RV(ignore:changed=false) and requests none,
    unless O(force=true).
  - B(Whoever scans the code links their WhatsApp account to the instance.) Show it only where the log is private,
    and only to the person who should link the phone. The code is never returned or printed unless O(render=text).
  - A code is valid for about 60 seconds (RV(valid_for)).
  - Hypersender allows one new QR code a minute per account. The module never asks for a code for the same
    instance twice inside O(min_interval) seconds from this controller (it remembers the last request in a private
    directory, C($XDG_CACHE_HOME/hypersender.whatsapp) or C(~/.cache/hypersender.whatsapp), which must be the user's
    own with mode 0700; a link or a directory open to others is refused) and waits out the rest of that interval,
    or a rate limit (HTTP 429, after C(Retry-After) and never less than 60 s), only while that fits inside
    O(wait_timeout); otherwise it fails and says how long to wait.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  instance:
    description:
      - UUID of the instance, as shown in the Hypersender dashboard.
    type: str
    required: true
    aliases: [uuid, instance_id]
  dest:
    description:
      - Where to write the QR code PNG, readable by its owner only (mode 0600).
      - Checked before any request. The directory must exist and be writable, and the path must not be a directory
        or a symbolic link. If writing still fails after the code was requested, the task fails with
        RV(ignore:changed=true) and RV(requested=true), without the code.
      - At least one of O(dest) and O(render=text) is needed.
    type: path
  render:
    description:
      - V(text) returns the code drawn as text in RV(qr_code_text), light modules as block characters, for logs that
        print light text on a dark background (terminals, the AWX job output). Needs the C(pypng) Python library.
      - V(none) returns no drawing.
    type: str
    choices: [text, none]
    default: none
  force:
    description:
      - Request a new code whatever the instance's status (for example to link another phone to a working instance).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds the task may take, waiting for the minute between two QR requests, or for a rate limit to pass
        (HTTP 429 with C(Retry-After)), and the request itself.
      - V(0) fails at once instead of waiting. A request refused by the API reports RV(ignore:changed=false).
    type: float
    default: 90
  min_interval:
    description:
      - Seconds between two requests for one instance's code from this controller.
      - Hypersender allows one a minute; lower it only for a test server with a shorter limit.
    type: float
    default: 60
extends_documentation_fragment:
  - hypersender.whatsapp.hypersender
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_hypersender
attributes:
  check_mode:
    details:
      - Reads the instance's status and says whether it would request a code; requests and writes nothing.
requirements:
  - pypng (Python library on the host that runs the module), for O(render=text)
seealso:
  - module: hypersender.whatsapp.instance
"""

EXAMPLES = r"""
- name: Show a fresh QR code in the job log (private logs only), if the instance waits for one
  hypersender.whatsapp.instance_qr:
    instance: c9a1dd76-5678-4f9d-9012-a5b78de100c3
    render: text
  delegate_to: localhost
  register: qr

- name: Print it so a phone can scan it from the log
  ansible.builtin.debug:
    msg: "{{ qr.qr_code_text }}"
  when: qr.qr_code_text is defined

- name: Write the code to a file only its owner can read
  hypersender.whatsapp.instance_qr:
    instance: c9a1dd76-5678-4f9d-9012-a5b78de100c3
    dest: /root/link-phone.png
  delegate_to: localhost
"""

RETURN = r"""
instance:
  description: The instance (id, name, phone, service_type, status, created_at), without its access token or code.
  returned: always
  type: dict
  sample: {"id": "c9a1dd76-5678-4f9d-9012-a5b78de100c3", "name": "shop", "status": "SCAN_QR_CODE"}
requested: {description: "Whether a new code was requested (or would be, in check mode).", returned: always, type: bool}
dest: {description: Absolute path of the PNG written., returned: when a code was written to O(dest), type: str}
qr_code_text:
  description:
    - The code drawn with Unicode half blocks, one string per text line (two rows of modules each), quiet zone
      included. Light modules are ink, for light-on-dark logs.
  returned: when a code was requested and O(render=text)
  type: list
  elements: str
valid_for: {description: "Seconds the code stays valid, as the documentation gives it.",
  returned: when a code was requested, type: int, sample: 60}
paced: {description: Seconds the task waited so as not to ask for this instance's code twice inside O(min_interval).,
  returned: always, type: float}
msg: {description: "What was done, or would be done in check mode.", returned: always, type: str}
"""

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import HYPERSENDER
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import InstanceActions
from ansible_collections.hypersender.whatsapp.plugins.module_utils._instance_qr import (
    qr_argument_spec,
    request_qr,
    validate_qr_options,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule
from ansible_collections.hypersender.whatsapp.plugins.module_utils._qr import HAS_PNG, PNG_IMPORT_ERROR


def main():
    module = WhatsAppModule(HYPERSENDER, qr_argument_spec())
    if module.params["render"] == "text" and not HAS_PNG:
        module.fail_json(msg=missing_required_lib("pypng"), exception=PNG_IMPORT_ERROR)
    instance_id, dest = module.checked(validate_qr_options)
    with module.client() as api:
        request_qr(module, InstanceActions(api.client, deadline_option="wait_timeout"), instance_id, dest)


if __name__ == "__main__":
    main()
