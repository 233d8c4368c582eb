# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.filter.gate_out_of_range import FilterModule, gate_out_of_range


@pytest.mark.parametrize("value", [0, 86400, "600", 0.5, " 12 "])
def test_numbers_in_range_pass(value):
    assert gate_out_of_range({"timeout": [value, 0, 86400]}) == []


@pytest.mark.parametrize("value", [-1, 86401, "soon", None, True, "nan", "inf", float("nan"), [1]])
def test_anything_else_is_named_with_its_bounds_and_value(value):
    assert gate_out_of_range({"timeout": [value, 0, 86400]}) == [
        "timeout must be a number from 0 to 86400, got %s" % (value,)
    ]


def test_every_problem_in_the_input_order():
    assert gate_out_of_range({"a": [5, 1, 3], "b": [2, 1, 3], "c": ["x", 0.001, 3600]}) == [
        "a must be a number from 1 to 3, got 5",
        "c must be a number from 0.001 to 3600, got x",
    ]


@pytest.mark.parametrize("checks", [None, [1, 2], {"a": [1, 2]}])
def test_the_input_shape_is_checked(checks):
    with pytest.raises(AnsibleFilterError, match="name: \\[value, lower bound, upper bound\\]"):
        gate_out_of_range(checks)


def test_the_filter_is_registered():
    assert FilterModule().filters()["gate_out_of_range"] is gate_out_of_range
