# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hub_signature
short_description: Sign a webhook body as Meta does (X-Hub-Signature-256)
version_added: 0.2.0
description:
  - Returns C(sha256=) and the hexadecimal HMAC-SHA256 of the body, keyed with the app secret, the value of the
    C(X-Hub-Signature-256) header Meta puts on its webhooks.
  - For a relay that hands Meta's webhooks over to a receiver that checks them, such as the one
    M(hypersender.whatsapp.cloud_canary) opens (the collection's playbook C(eda_cloud_status_relay) does).
  - A string is signed as it is (UTF-8). Anything else is signed as C(json.dumps) writes it with its defaults, which is
    how C(ansible.builtin.uri) sends a body that is not a string with C(body_format=json),
    so the signature matches the bytes the module sends either way.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description: The body to sign.
    type: raw
    required: true
  secret:
    description: The app secret. Keep it in a vault or the environment and out of the output (C(no_log)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Post a status to a canary's receiver, signed with the app secret
  ansible.builtin.uri:
    url: http://127.0.0.1:8089/whatsapp/webhook
    method: POST
    body: "{{ body }}"
    body_format: json
    headers:
      X-Hub-Signature-256: "{{ body | hypersender.whatsapp.hub_signature(app_secret) }}"
  vars:
    body: "{{ status_payload | to_json }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: The header's value, C(sha256=<64 hexadecimal digits>).
  type: str
  sample: sha256=6e1b5c4f1c1a8c2bd1b1b3b6a1e2c3d4e5f60718293a4b5c6d7e8f9012345678
"""

import hashlib
import hmac
import json

from ansible.errors import AnsibleFilterError


def hub_signature(body, secret):
    if not isinstance(secret, str) or not secret:
        raise AnsibleFilterError("hub_signature: give the app secret, a non-empty string")
    data = body if isinstance(body, str) else json.dumps(body)
    return "sha256=" + hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha256).hexdigest()


class FilterModule:

    def filters(self):
        return {"hub_signature": hub_signature}
