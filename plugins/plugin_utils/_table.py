# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixed-width text tables for job logs: the table filter, and the reports of the roles and playbooks."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

BOOLEAN_LABELS = {True: "yes", False: "no"}


def _text(row, column):
    value = row.get(column["key"]) if isinstance(row, dict) else None
    if value is None or value == "":
        value = column.get("default", "")
        if value is None or value == "":
            return ""
    # 1 == True in Python: a label for true must not catch the number 1.
    labels = [
        text
        for key, text in (column.get("labels") or {}).items()
        if key == value and isinstance(key, bool) == isinstance(value, bool)
    ]
    if labels:
        value = labels[0]
    elif isinstance(value, bool):
        value = BOOLEAN_LABELS[value]
    return column["format"] % (value,) if column.get("format") else str(value)


def _cell(text, column):
    width = column.get("width")
    if width is None:
        return text
    if column.get("truncate"):
        text = text[:width]
    return text.rjust(width) if column.get("align") == "right" else text.ljust(width)


def table(rows, columns, header=True):
    """The lines of a fixed-width table of ``rows`` (dictionaries) in ``columns``."""
    if not isinstance(columns, list) or not all(isinstance(column, dict) and "key" in column for column in columns):
        raise AnsibleFilterError("table: columns must be a list of dictionaries, each with a key")
    lines = [[column.get("header", "") for column in columns]] if header else []
    lines += [[_text(row, column) for column in columns] for row in rows or []]
    return ["  ".join(_cell(text, column) for text, column in zip(line, columns)).rstrip() for line in lines]
