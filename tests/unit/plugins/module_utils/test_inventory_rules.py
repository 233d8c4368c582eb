# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._inventory import (
    check_variable_name,
    host_names,
    host_variables,
    safe_group_name,
    safe_name,
    status_group,
)
from hypothesis import given
from hypothesis import strategies as st

SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")
UUID_A = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
UUID_B = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"


def test_safe_name_replaces_runs_of_other_characters():
    assert safe_name("Shop {{ 7*7 }}") == "Shop_7_7"
    assert safe_name("ventas-mx.01") == "ventas-mx.01"
    assert safe_name("  ") == ""
    assert safe_name(None) == ""
    assert safe_name("{{ }}") == ""


@given(st.text())
def test_safe_name_is_safe_and_stable(text):
    name = safe_name(text)
    assert name == "" or SAFE.match(name)
    assert "{" not in name and " " not in name
    assert safe_name(name) == name


def test_duplicate_names_get_the_uuid_start():
    names, renamed = host_names([{"id": UUID_A, "name": "shop"}, {"id": UUID_B, "name": "shop"}])
    assert names == ["shop", "shop_c9a1dd76"]
    assert renamed == [("shop_c9a1dd76", UUID_B)]


def test_missing_name_falls_back_to_uuid_and_sources():
    instances = [{"id": UUID_A, "name": None, "phone": "+201234567890"}, {"id": UUID_B, "name": "b", "phone": None}]
    assert host_names(instances)[0] == [UUID_A, "b"]
    assert host_names(instances, "uuid")[0] == [UUID_A, UUID_B]
    assert host_names(instances, "phone")[0] == ["201234567890", UUID_B]
    with pytest.raises(OptionError, match="hostname_source"):
        host_names(instances, "label")


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "a b", "", "{{x}}", "a_b"]), st.uuids()),
        max_size=30,
        unique_by=lambda pair: pair[1],
    )
)
def test_host_names_are_unique_safe_and_one_per_instance(pairs):
    instances = [{"id": str(uuid), "name": name} for name, uuid in pairs]
    names, dummy = host_names(instances)
    assert len(names) == len(instances)
    assert len(set(names)) == len(names)
    assert all(SAFE.match(name) for name in names)


def test_host_variables_leave_out_the_access_token_unless_asked():
    instance = {
        "id": UUID_A,
        "name": "a",
        "phone": "+201234567890",
        "status": "WORKING",
        "service_type": "whatsapp",
        "created_at": "2025-05-26T10:12:45",
        "access_token": "secret",
    }
    variables = host_variables(instance)
    assert variables["hypersender_uuid"] == UUID_A
    assert "secret" not in variables.values()
    assert sorted(variables) == [
        "hypersender_created_at",
        "hypersender_name",
        "hypersender_phone",
        "hypersender_service_type",
        "hypersender_status",
        "hypersender_uuid",
    ]
    assert host_variables(instance, "wa_", "wa_token")["wa_token"] == "secret"


def test_group_names():
    assert status_group("SCAN_QR_CODE") == "hypersender_scan_qr_code"
    assert status_group("MIGRATING", "wa-") == "wa_migrating"
    assert safe_group_name("A b") == "a_b"


def test_variable_names_are_checked():
    assert check_variable_name("instance_token", "access_token_var") == "instance_token"
    assert check_variable_name(None, "access_token_var") is None
    with pytest.raises(OptionError, match="access_token_var"):
        check_variable_name("1bad name", "access_token_var")
