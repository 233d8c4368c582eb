# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: gate_report
short_description: Word a gate module's result as its role's summary and failure message
version_added: 0.2.0
description:
  - Turns the registered result of the module a gate role calls into what the role prints, naming the role's own
    variables - the summary lines (a verdict line, a table, the problems) and, when the gate failed, the one failure
    message. The module decides (states, problems, hints, the outcome); this only words it.
  - A module's option errors (its C(invalid_options) facts) are said with the role variable that set the option and the
    form it expects, for example V(wait_for_working_timeout is '10m', expected a number of seconds, ...).
  - The roles of the collection use it; a playbook that calls the same module can use it too.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description: The registered result of the role's module (M(hypersender.whatsapp.fleet_heal),
      M(hypersender.whatsapp.onprem_health) or M(hypersender.whatsapp.cloud_health)).
    type: dict
    required: true
  role:
    description: Whose wording and variables.
    type: str
    choices: [wait_for_working, verify_gateway, verify_cloud]
    required: true
  check_mode:
    description: Whether the play runs in check mode (the module then read once and did not wait).
    type: bool
    default: false
  preflight:
    description:
      - For V(verify_cloud), the registered result of M(hypersender.whatsapp.cloud_preflight) once it ran (also a
        skipped one). A failed check fails the gate, with the preflight's summary as its line; a token that expires
        soon adds V(token expires in N days) to the line.
    type: dict
    version_added: 0.2.0
"""

EXAMPLES = r"""
- name: Verify the gateway, then print what the role prints
  hypersender.whatsapp.onprem_health:
    topology: ha
    wait: true
  register: gateway
  failed_when: false

- name: Print the summary
  ansible.builtin.debug:
    msg: "{{ (gateway | hypersender.whatsapp.gate_report('verify_gateway')).summary }}"
"""

RETURN = r"""
_value:
  description: The report.
  type: dict
  contains:
    passed:
      description: Whether the gate passed (always in check mode).
      type: bool
    summary:
      description: The lines to print, the verdict first.
      type: list
      elements: str
    failure:
      description: The failure message, empty when the gate passed.
      type: str
    line:
      description: The verdict in a few words, for the deploy gate's summary.
      type: str
    preflight_lines:
      description: For V(verify_cloud), the preflight's summary and a line per failed or warned check; empty when it
        did not run.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._reports import GATES


def gate_report(result, role, check_mode=False, preflight=None):
    if role not in GATES:
        raise AnsibleFilterError("gate_report: role must be one of %s, got %r" % (", ".join(sorted(GATES)), role))
    if not isinstance(result, dict):
        raise AnsibleFilterError("gate_report: give the registered result of the role's module, got %r" % (result,))
    if preflight is not None:
        if role != "verify_cloud" or not isinstance(preflight, dict):
            raise AnsibleFilterError(
                "gate_report: preflight is verify_cloud's, the registered result of cloud_preflight"
            )
        return GATES[role](result, check_mode=check_mode, preflight=preflight)
    return GATES[role](result, check_mode=check_mode)


class FilterModule:

    def filters(self):
        return {"gate_report": gate_report}
