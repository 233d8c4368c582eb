# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: table
short_description: Render a list of dictionaries as the lines of a fixed-width text table
version_added: 0.2.0
description:
  - Turns rows (dictionaries) into lines of text whose columns line up, for C(ansible.builtin.debug) output
    that people read in a job log. The first line is the header unless O(header=false).
  - Columns are separated by two spaces; trailing spaces are removed from every line.
  - It only formats. A value is shown as it is, V(true) and V(false) as C(yes) and C(no), unless the column's
    C(labels) name the text to show.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description: The rows, one dictionary each.
    type: list
    elements: dict
    required: true
  columns:
    description: The columns, in order.
    type: list
    elements: dict
    required: true
    suboptions:
      key:
        description: The key of the row that fills the column.
        type: str
        required: true
      header:
        description: The column's heading.
        type: str
        default: ""
      width:
        description: Pad the column to this many characters (longer values are kept whole unless C(truncate)).
        type: int
      align:
        description: Pad on the right (V(left)) or on the left (V(right)).
        type: str
        choices: [left, right]
        default: left
      truncate:
        description: Cut values longer than C(width) to C(width).
        type: bool
        default: false
      default:
        description: Shown when the row lacks the key or its value is null or empty, labelled like a value.
        type: raw
        default: ""
      labels:
        description: "Text to show for given values, for example V({true: ok, false: FAILS})."
        type: dict
      format:
        description: "A C(printf) format applied to a value that is not empty, for example V(restart failed: %s)."
        type: str
  header:
    description: Whether the first line is the header.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Print the instances and whether they are ready
  ansible.builtin.debug:
    msg: >-
      {{ result.instances | hypersender.whatsapp.table([
           {'key': 'id', 'header': 'INSTANCE', 'width': 36},
           {'key': 'name', 'header': 'NAME', 'width': 24, 'truncate': true, 'default': '-'},
           {'key': 'ready', 'header': 'READY'}]) }}
# => ["INSTANCE                              NAME                      READY",
#     "fa3d01c4-1234-4c0d-a12f-df319b612f8c  shop-eu                   yes"]
"""

RETURN = r"""
_value:
  description: The header line (unless O(header=false)), then one line per row.
  type: list
  elements: str
"""

from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._table import table


class FilterModule:

    def filters(self):
        return {"table": table}
