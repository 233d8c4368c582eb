# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_report_data
short_description: The data, summary and failure message of the fleet_report playbook
version_added: 0.2.0
description:
  - Gathers what M(hypersender.whatsapp.instance_info), M(hypersender.whatsapp.onprem_health) and
    M(hypersender.whatsapp.cloud_health) read into the report the C(hypersender.whatsapp.fleet_report) playbook writes
    (one section per service - not checked, an error, or what was read), the lines it prints and the message it fails
    with when a service could not be read. No access token is ever part of it.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description:
      - V(hypersender), V(onprem) and V(cloud) to the registered result of their module (skipped when not read).
    type: dict
    required: true
  path:
    description: Where the report is written, without the C(.md) or C(.json) extension.
    type: str
    required: true
  generated_at:
    description: When the report was made, as it should read.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Print the summary
  ansible.builtin.debug:
    msg: "{{ report.summary }}"
  vars:
    report: >-
      {{ {'hypersender': instances} | hypersender.whatsapp.fleet_report_data('out/fleet-report', '2026-01-01T00:00:00Z') }}
"""

RETURN = r"""
_value:
  description: C(data) (the report), C(summary) (the lines to print) and C(failure) (empty when every service was read).
  type: dict
"""

from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._reports import fleet_report


def fleet_report_data(results, path, generated_at):
    return fleet_report(results or {}, path, generated_at)


class FilterModule:

    def filters(self):
        return {"fleet_report_data": fleet_report_data}
