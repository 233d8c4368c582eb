# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cloud_preflight_switch
short_description: Whether a role runs its Cloud API preflight, from its switch and the WhatsApp Business Account
version_added: 0.2.0
description:
  - V(auto) runs the preflight when the WhatsApp Business Account is known; V(true) requires it (else a problem that
    names the role's variables, for the role to stop with before any request); V(false) turns it off.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description: The role's switch, V(auto), V(true) or V(false).
    type: raw
    required: true
  waba_id:
    description: The WhatsApp Business Account the role knows (its variable or E(WA_CLOUD_WABA_ID)); empty if none.
    type: str
    required: true
  role:
    description: Whose variables the problem names.
    type: str
    choices: [verify_cloud]
    default: verify_cloud
"""

EXAMPLES = r"""
- name: Stop before any request when the preflight cannot run as asked
  ansible.builtin.assert:
    that: switch.problem | length == 0
    fail_msg: "{{ switch.problem }}"
  vars:
    switch: "{{ verify_cloud_preflight | hypersender.whatsapp.cloud_preflight_switch(verify_cloud_waba_id) }}"
"""

RETURN = r"""
_value:
  description: C(run), whether the preflight runs, and C(problem), why the role must stop (empty when none).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._reports import preflight_switch


def cloud_preflight_switch(switch, waba_id, role="verify_cloud"):
    if role != "verify_cloud":
        raise AnsibleFilterError("cloud_preflight_switch: role must be verify_cloud, got %r" % (role,))
    return preflight_switch(switch, str(waba_id or "").strip(), role)


class FilterModule:

    def filters(self):
        return {"cloud_preflight_switch": cloud_preflight_switch}
