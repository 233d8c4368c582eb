# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.filter.table import FilterModule, table

COLUMNS = [
    {"key": "id", "header": "ID", "width": 6},
    {"key": "name", "header": "NAME", "width": 5, "truncate": True, "default": "-"},
    {"key": "ready", "header": "READY"},
]


def test_header_then_one_line_per_row_in_fixed_columns():
    lines = table(
        [{"id": "a1", "name": "shop-europe", "ready": True}, {"id": "b2", "name": "", "ready": False}], COLUMNS
    )
    assert lines == ["ID      NAME   READY", "a1      shop-  yes", "b2      -      no"]
    assert len({line.index(word) for line, word in zip(lines, ("READY", "yes", "no"))}) == 1


def test_a_missing_key_shows_the_default_and_no_header_on_request():
    assert table([{"id": "c3"}], COLUMNS, header=False) == ["c3      -"]
    assert table([], COLUMNS) == ["ID      NAME   READY"]


def test_right_alignment_format_and_labels():
    columns = [
        {"key": "n", "header": "COUNT", "width": 6, "align": "right"},
        {"key": "ok", "labels": {True: "ok", False: "FAILS"}, "width": 5},
        {"key": "error", "format": "failed: %s"},
    ]
    assert table([{"n": 1, "ok": False, "error": "HTTP 429"}, {"n": 12, "ok": True, "error": ""}], columns) == [
        " COUNT",
        "     1  FAILS  failed: HTTP 429",
        "    12  ok",
    ]


def test_a_label_for_true_does_not_catch_the_number_one():
    assert table([{"n": 1}, {"n": True}], [{"key": "n", "labels": {True: "on"}}], header=False) == ["1", "on"]


def test_long_values_are_kept_whole_without_truncate():
    assert table([{"id": "abcdefgh"}], [{"key": "id", "width": 3}, {"key": "x", "default": "."}], header=False) == [
        "abcdefgh  ."
    ]


@pytest.mark.parametrize("columns", [None, "id", [{"header": "ID"}]])
def test_columns_must_name_keys(columns):
    with pytest.raises(AnsibleFilterError, match="columns must be a list"):
        table([{"id": 1}], columns)


def test_the_filter_is_registered():
    assert FilterModule().filters()["table"] is table


def test_a_default_is_labelled_like_a_value():
    columns = [{"key": "ready", "default": False}, {"key": "error", "format": "failed: %s"}]
    assert table([{}], columns, header=False) == ["no"]
    assert table([{"error": "x"}], columns, header=False) == ["no  failed: x"]
