# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import STATUSES
from ansible_collections.hypersender.whatsapp.plugins.module_utils._inventory import (
    cache_scope,
    check_known_options,
    check_variable_name,
    could_be_template,
    host_names,
    host_variables,
    merge_duplicate_ids,
    plugin_groups,
    safe_group_name,
    safe_name,
    status_group,
    unknown_status_warnings,
    uuid_host_name,
)
from hypothesis import given
from hypothesis import strategies as st

SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")
UUID_A = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
UUID_B = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"
UUID_C = "5b0e7a41-9d2c-4e8f-8a1b-3c4d5e6f7a8b"
GROUPS = plugin_groups("hypersender_")
JINJA_HEADER = (
    "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n[[ lookup('ansible.builtin.env', 'HOME') ]]"
)


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


def test_duplicate_names_are_all_named_by_uuid_with_one_warning():
    names, warnings = host_names([{"id": UUID_A, "name": "shop"}, {"id": UUID_B, "name": "shop"}])
    assert names == [UUID_A, UUID_B]
    assert len(warnings) == 1
    assert "2 instances would have the host name 'shop'" in warnings[0] and UUID_A in warnings[0]


def test_a_name_that_is_a_group_or_localhost_or_another_uuid_is_not_used():
    instances = [
        {"id": UUID_A, "name": "hypersender_failed"},
        {"id": UUID_B, "name": "localhost"},
        {"id": UUID_C, "name": UUID_A},
        {"id": "d" + UUID_C[1:], "name": "shop"},
    ]
    names, warnings = host_names(instances, groups=GROUPS)
    assert names == [UUID_A, UUID_B, UUID_C, "shop"]
    assert [w.split(", ")[1].split(";")[0] for w in warnings] == [
        "which is also the name of a group",
        "which would make it Ansible's localhost",
        "which is the UUID of another instance",
    ]


def test_missing_name_falls_back_to_uuid_and_sources():
    instances = [{"id": UUID_A, "name": None, "phone": "+201234567890"}, {"id": UUID_B, "name": "b", "phone": None}]
    assert host_names(instances)[0] == [UUID_A, "b"]
    assert host_names(instances, "uuid")[0] == [UUID_A, UUID_B]
    assert host_names(instances, "phone")[0] == ["201234567890", UUID_B]
    with pytest.raises(OptionError, match="hostname_source"):
        host_names(instances, "label")


def test_a_uuid_that_is_a_group_name_is_an_error():
    with pytest.raises(OptionError, match="give those groups a prefix"):
        host_names([{"id": UUID_A, "name": "x"}], groups=["x", UUID_A])


def test_ids_that_are_not_safe_get_a_digest_name():
    assert uuid_host_name(UUID_A) == UUID_A
    assert re.match(r"^instance_[0-9a-f]{16}$", uuid_host_name("a b"))
    assert uuid_host_name("a b") != uuid_host_name("a_b") == "a_b"
    assert uuid_host_name("") != uuid_host_name("{}")


NAME_CHOICES = ["shop", "a b", "", "{{x}}", "localhost", "hypersender_failed", "hypersender_working", UUID_A, "x"]


@st.composite
def instance_lists(draw):
    ids = draw(st.lists(st.uuids().map(str), max_size=12, unique=True))
    if draw(st.booleans()) and ids:
        ids[0] = UUID_A  # so that another instance can be named like it
    ids = list(dict.fromkeys(ids))
    return [{"id": uuid, "name": draw(st.sampled_from(NAME_CHOICES))} for uuid in ids]


@given(instance_lists(), st.randoms())
def test_host_names_are_unique_safe_no_group_and_independent_of_the_order(instances, random):
    names, dummy = host_names(instances, groups=GROUPS + ["x"])
    assert len(names) == len(instances) == len(set(names))
    assert all(SAFE.match(name) for name in names)
    assert not set(names) & (set(GROUPS) | {"x", "localhost"})
    shuffled = list(instances)
    random.shuffle(shuffled)
    again, dummy = host_names(shuffled, groups=GROUPS + ["x"])
    assert dict(zip((i["id"] for i in shuffled), again)) == dict(zip((i["id"] for i in instances), names))


def test_an_id_listed_twice_becomes_one_row_the_worst_with_a_warning():
    working = {"id": UUID_A, "name": "a", "status": "WORKING"}
    failed = {"id": UUID_A.upper(), "name": "a", "status": "FAILED"}
    other = {"id": UUID_B, "name": "b", "status": "STOPPED"}
    rows, warnings = merge_duplicate_ids([working, other, failed])
    assert rows == [failed, other]
    assert len(warnings) == 1 and "lists instance" in warnings[0] and "status FAILED, the worst" in warnings[0]
    assert merge_duplicate_ids([working, other]) == ([working, other], [])


@given(
    st.lists(st.sampled_from(list(STATUSES) + ["MIGRATING"]), min_size=1, max_size=6),
    st.lists(st.sampled_from(["a", "b", ""]), min_size=6, max_size=6),
    st.randoms(),
)
def test_the_row_kept_for_an_id_does_not_depend_on_the_order(statuses, names, random):
    rows = [{"id": UUID_A, "name": name, "status": status} for status, name in zip(statuses, names)]
    kept, dummy = merge_duplicate_ids(rows)
    random.shuffle(rows)
    assert merge_duplicate_ids(rows)[0] == kept
    if "FAILED" in statuses:
        assert kept[0]["status"] == "FAILED"
    elif set(statuses) != {"WORKING"}:
        assert kept[0]["status"] != "WORKING"


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
    assert status_group("MIGRATING", "wa-") == "wa_unknown_status"
    assert safe_group_name("A b") == "a_b"
    assert GROUPS[0] == "hypersender_instances" and len(GROUPS) == len(set(GROUPS)) == 8


@given(st.text(), st.sampled_from(["hypersender_", "", "wa-"]))
def test_only_a_documented_status_names_its_group(status, prefix):
    group = status_group(status, prefix)
    assert group in plugin_groups(prefix)
    assert group != plugin_groups(prefix)[0], "no status joins the group of all instances"
    documented = {status_group(known, prefix): known for known in STATUSES}
    assert group not in documented or documented[group] == status


def test_unknown_statuses_are_warned_once_each():
    instances = [
        {"id": UUID_A, "status": "working"},
        {"id": UUID_B, "status": "working"},
        {"id": UUID_C, "status": "FAILED"},
    ]
    warnings = unknown_status_warnings(instances)
    assert len(warnings) == 1
    assert "2 instance(s) report status 'working'" in warnings[0] and "hypersender_unknown_status" in warnings[0]


def test_could_be_template_examples():
    assert could_be_template("Shop {{ 7 * 7 }}") and could_be_template("{% if %}") and could_be_template("a}b")
    assert could_be_template(JINJA_HEADER)
    assert not could_be_template("WORKING") and not could_be_template("+201234567890")
    assert not could_be_template(None) and not could_be_template(3)


def test_variable_names_are_checked():
    assert check_variable_name("instance_token", "access_token_var") == "instance_token"
    assert check_variable_name(None, "access_token_var") is None
    with pytest.raises(OptionError, match="access_token_var"):
        check_variable_name("1bad name", "access_token_var")


def test_unknown_keys_are_named_with_a_suggestion_and_the_options():
    known = {"plugin": None, "name": None, "status": None, "api_token": None}
    check_known_options({"plugin": "x", "name": "shop"}, known, "x.hypersender.yml")
    with pytest.raises(OptionError) as error:
        check_known_options({"plugin": "x", "nmae": "shop", "zzz": 1}, known, "x.hypersender.yml")
    message = str(error.value)
    assert message.startswith("x.hypersender.yml: unknown options 'nmae' (did you mean 'name'?), 'zzz';")
    assert message.endswith("the options are: api_token, name, plugin, status")


def test_the_cache_scope_is_a_digest_of_url_token_and_filters():
    token = "sim-token-0123456789"
    scope = cache_scope("https://a/api", token, {"status": "FAILED", "name": "x"})
    assert re.match(r"^[0-9a-f]{16}$", scope) and token not in scope
    assert scope == cache_scope("https://a/api", token, {"name": "x", "status": "FAILED"})
    assert scope != cache_scope("https://a/api", token + "x", {"status": "FAILED", "name": "x"})
    assert scope != cache_scope("https://b/api", token, {"status": "FAILED", "name": "x"})
    assert scope != cache_scope("https://a/api", token, {"status": "FAILED"})
