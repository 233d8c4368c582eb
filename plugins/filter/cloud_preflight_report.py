# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cloud_preflight_report
short_description: Word a cloud_preflight result as a role's lines, naming the role's variables
version_added: 0.2.0
description:
  - Turns the result of M(hypersender.whatsapp.cloud_preflight) into what a role prints - a summary, one line per
    failed or warned check (Meta's words, what to do, and the role variable that changes or leaves out the check),
    the failure message, and the clause a deploy gate's line adds when the token expires soon.
  - It decides nothing; RV(hypersender.whatsapp.cloud_preflight#module:ready) and each check's C(passed) and
    C(severity) are the module's.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description: The registered result of the cloud_preflight task (also a failed or skipped one).
    type: dict
    required: true
  role:
    description: The name the lines start with.
    type: str
    default: cloud_preflight
  variables:
    description:
      - Module option to the role variable that sets it (C(skip_checks), C(templates), C(fail_on_quality),
        C(token_expiry_warn_days), C(phone_number_ids), C(waba_id), C(enabled) for the role's switch); an option left
        out is named as the module's.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Print the preflight's failed and warned checks
  ansible.builtin.debug:
    msg: "{{ report.lines }}"
  vars:
    report: >-
      {{ preflight | hypersender.whatsapp.cloud_preflight_report(role='my_gate',
         variables={'skip_checks': 'my_gate_skip_checks', 'templates': 'my_gate_templates'}) }}
"""

RETURN = r"""
_value:
  description: What to print.
  type: dict
  contains:
    summary:
      description: One line - READY or NOT READY, how many checks failed or warned, and in how many Graph calls.
      type: str
    lines:
      description: The summary, then one line per failed check and per warning.
      type: list
      elements: str
    failure:
      description: The message of a fail task, the summary and every failed check; empty when ready.
      type: str
    token_clause:
      description: V(token expires in N days) when the token expiry check warns, else empty.
      type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._preflight_report import preflight_report


def cloud_preflight_report(result, role="cloud_preflight", variables=None):
    if not isinstance(result, dict):
        raise AnsibleFilterError("cloud_preflight_report: give the registered result of a cloud_preflight task")
    return preflight_report(result, role, variables)


class FilterModule:

    def filters(self):
        return {"cloud_preflight_report": cloud_preflight_report}
