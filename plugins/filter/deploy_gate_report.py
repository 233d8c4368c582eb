# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: deploy_gate_report
short_description: The summary and failure message of the deploy_gate playbook
version_added: 0.2.0
description:
  - Gathers the reports of the gates that ran (the roles' C(<role>_report) facts, see
    P(hypersender.whatsapp.gate_report#filter)) into one summary, a line per gate, and one failure message that gives
    every failed gate's reason.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description: Gate (V(hypersender), V(onprem), V(cloud)) to its role's report, or null for a gate that did not run.
    type: dict
    required: true
  switches:
    description: Gate to its switch, V(true), V(false) or V(auto) (a gate that did not run says why).
    type: dict
    required: true
  check_mode:
    description: Whether the play runs in check mode.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Print the deploy gate's summary
  ansible.builtin.debug:
    msg: "{{ report.summary }}"
  vars:
    report: >-
      {{ {'hypersender': wait_for_working_report | default(none)}
         | hypersender.whatsapp.deploy_gate_report({'hypersender': 'auto'}) }}
"""

RETURN = r"""
_value:
  description: C(summary), the lines to print, and C(failure), the message of a failed gate (empty when none failed).
  type: dict
"""

from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._reports import deploy_gate


def deploy_gate_report(reports, switches, check_mode=False):
    return deploy_gate(reports or {}, switches or {}, check_mode)


class FilterModule:

    def filters(self):
        return {"deploy_gate_report": deploy_gate_report}
