# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: gate_out_of_range
short_description: Name each variable whose value is not a number within its bounds
version_added: 0.2.0
description:
  - Checks variables before a gate makes any request, so that an error names the variable the user set.
  - A value passes when it is a number, or text that reads as one, from the lower to the upper bound (both included).
    Booleans, NaN and infinity never pass.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description: Variable name to C([value, lower bound, upper bound]).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check the role's numbers before any request
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: >-
      {{ {'my_timeout': [my_timeout, 0, 86400], 'my_retries': [my_retries, 0, 10]}
         | hypersender.whatsapp.gate_out_of_range }}
# my_timeout=soon => ["my_timeout must be a number from 0 to 86400, got soon"]
"""

RETURN = r"""
_value:
  description: One sentence per variable out of range, in the input's order; empty when every value is in range.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def gate_out_of_range(checks):
    """``name must be a number from LOW to HIGH, got VALUE`` for each ``name: [value, low, high]`` out of range."""
    if not isinstance(checks, dict) or not all(
        isinstance(bounds, (list, tuple)) and len(bounds) == 3 for bounds in checks.values()
    ):
        raise AnsibleFilterError("gate_out_of_range: give a dictionary of name: [value, lower bound, upper bound]")
    problems = []
    for name, (value, low, high) in checks.items():
        number = _number(value)
        # NaN fails every comparison, so it is refused here too.
        if number is None or not low <= number <= high:
            problems.append("%s must be a number from %s to %s, got %s" % (name, low, high, value))
    return problems


class FilterModule:

    def filters(self):
        return {"gate_out_of_range": gate_out_of_range}
