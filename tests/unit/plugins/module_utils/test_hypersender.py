# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, ResponseFormatError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    STATUS_HINTS,
    STATUSES,
    HypersenderApi,
    InstanceNotFoundError,
    build_client,
    not_ready_message,
    parse_health,
    parse_instances,
    validate_phone,
    validate_statuses,
    validate_uuid,
)
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import Outcome, make_response
from hypothesis import given
from hypothesis import strategies as st

UUID = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


class TestValidation:

    @pytest.mark.parametrize("value", [UUID, UUID.upper(), " %s " % UUID])
    def test_uuids(self, value):
        assert validate_uuid(value) == value.strip()

    @pytest.mark.parametrize(
        "value",
        [
            "",
            None,
            "fa3d01c4",
            UUID + "0",
            UUID.replace("-", ""),
            "zz3d01c4-1234-4c0d-a12f-df319b612f8c",
            "../instances",
        ],
    )
    def test_malformed_uuids_are_refused_with_an_example(self, value):
        with pytest.raises(OptionError, match=r"is not an instance UUID \(expected 8-4-4-4-12 hex digits"):
            validate_uuid(value)

    def test_statuses(self):
        assert validate_statuses(["WORKING", "STARTING"], "wait_for") == ["WORKING", "STARTING"]
        assert validate_statuses("FAILED", "fail_on") == ["FAILED"]

    def test_unknown_statuses_are_named(self):
        with pytest.raises(OptionError, match=r"wait_for: unknown status 'WORKNG', 'working'; expected any of STOPPED"):
            validate_statuses(["WORKNG", "working", "WORKING"], "wait_for")

    def test_no_status_is_refused(self):
        with pytest.raises(OptionError, match="must name at least one status"):
            validate_statuses([], "wait_for")

    @pytest.mark.parametrize("phone", ["+201234567890", "+14155550123"])
    def test_e164_phones(self, phone):
        assert validate_phone(phone) == phone

    @pytest.mark.parametrize("phone", ["201234567890", "+0123456789", "+20 123 456", "+12", "+1234567890123456"])
    def test_bad_phones(self, phone):
        with pytest.raises(OptionError, match="is not an E.164 phone number"):
            validate_phone(phone)

    def test_build_client_refuses_an_empty_token_before_any_request(self):
        with pytest.raises(OptionError, match="api_token is empty: set api_token or the HYPERSENDER_API_TOKEN"):
            build_client({"api_url": "https://h/api", "api_token": ""})

    def test_build_client_checks_the_url_and_numbers(self):
        with pytest.raises(OptionError, match="api_url"):
            build_client({"api_url": "app.hypersender.com", "api_token": "t"})
        with pytest.raises(OptionError, match="timeout must be a number of seconds, above 0"):
            build_client({"api_token": "t", "timeout": 0})
        with pytest.raises(OptionError, match="retries must be a whole number, at least 0"):
            build_client({"api_token": "t", "retries": -1})

    def test_build_client_defaults(self):
        client = build_client({"api_url": None, "api_token": "tok"})
        assert client.base_url == "https://app.hypersender.com/api/whatsapp/v1"
        assert client.retries == 3 and client.timeout == 30


class TestParseHealth:

    def test_documented_body(self):
        body = {"instance_id": UUID, "connected_at": "2025-05-26T10:12:45", "status": "WORKING"}
        assert parse_health(body, UUID) == body

    def test_unknown_status_passes_through(self):
        assert parse_health({"status": "MIGRATING"}, UUID) == {
            "instance_id": UUID,
            "status": "MIGRATING",
            "connected_at": None,
        }

    @pytest.mark.parametrize(
        "body, words",
        [
            ([], "expected a JSON object, got an array of 0 items"),
            (None, "got null or an empty body"),
            ("WORKING", "got a str 'WORKING'"),
            ({"state": "WORKING"}, r"no status string \(keys: state\)"),
            ({"status": 3}, "no status string"),
        ],
    )
    def test_wrong_shapes(self, body, words):
        with pytest.raises(ResponseFormatError, match=words):
            parse_health(body, UUID)

    @given(JSON)
    def test_any_json_gives_a_result_or_a_format_error(self, body):
        try:
            health = parse_health(body, UUID)
        except ResponseFormatError:
            return
        assert isinstance(body, dict) and health["status"] == body["status"]
        assert set(health) == {"instance_id", "status", "connected_at"}

    @given(st.dictionaries(st.text(max_size=8), JSON, max_size=4), st.sampled_from(STATUSES + ("NEW_STATUS",)))
    def test_extra_fields_never_matter(self, extra, status):
        body = dict(extra, status=status, instance_id=UUID)
        assert parse_health(body, UUID)["status"] == status


INSTANCE = {
    "id": UUID,
    "name": "MyInstanceName",
    "phone": "+201234567890",
    "service_type": "whatsapp",
    "status": "WORKING",
    "access_token": "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1",
    "created_at": "2025-05-26T10:12:45",
}


class TestParseInstances:

    def test_access_token_is_left_out_by_default(self):
        parsed = parse_instances([INSTANCE])
        assert parsed == [{k: v for k, v in INSTANCE.items() if k != "access_token"}]

    def test_access_token_on_request(self):
        assert parse_instances([INSTANCE], include_access_token=True)[0]["access_token"] == INSTANCE["access_token"]

    @pytest.mark.parametrize(
        "body, words",
        [
            ({"data": []}, "expected a JSON array of instances, got an object"),
            ("oops", "got a str 'oops'"),
            ([INSTANCE, {"name": "x"}], "item 1 is not an instance with an id and a status: an object with keys name"),
            ([3], "item 0 is not an instance"),
        ],
    )
    def test_wrong_shapes(self, body, words):
        with pytest.raises(ResponseFormatError, match=words):
            parse_instances(body)

    @given(JSON, st.booleans())
    def test_any_json_gives_instances_or_a_format_error(self, body, with_token):
        try:
            parsed = parse_instances(body, include_access_token=with_token)
        except ResponseFormatError:
            return
        assert len(parsed) == len(body)
        for instance in parsed:
            assert ("access_token" in instance) is with_token


class TestApi:

    def test_404_names_the_instance_and_what_to_check(self, scripted_client):
        client, unused_session = scripted_client([make_response(404, {"message": "Resource not found."})])
        with pytest.raises(InstanceNotFoundError) as error:
            HypersenderApi(client).instance_health(UUID)
        assert str(error.value).startswith("instance %s not found" % UUID)
        assert "check the UUID" in str(error.value)

    def test_filters_map_to_query_parameters(self, scripted_client):
        client, session = scripted_client([make_response(200, [INSTANCE])])
        HypersenderApi(client).list_instances({"status": "WORKING", "name": "My", "phone": None})
        assert session.calls[0]["params"] == {"filter[status]": "WORKING", "filter[name]": "My"}


class TestNotReadyMessage:

    def test_timeout(self):
        message = not_ready_message(UUID, {"status": "STARTING"}, ["WORKING"], Outcome(50, 300.01))
        assert message.startswith(
            "instance %s not in [WORKING] after 300 s; last status STARTING after 50 polls" % UUID
        )
        assert "raise wait_timeout" in message

    def test_the_hints_name_no_option_the_module_names_its_own(self):
        """Lookups and roles reach the hints too (not_ready_details), with options of their own."""
        assert not any("wait_" in hint or "api_token" in hint for hint in STATUS_HINTS.values())
        message = not_ready_message(UUID, {"status": "PENDING"}, ["WORKING"], Outcome(5, 30))
        assert message.endswith(": %s (raise wait_timeout)" % STATUS_HINTS["PENDING"])
        fatal = not_ready_message(
            UUID, {"status": "STARTING"}, ["WORKING"], Outcome(1, 1), fatal=True, fail_on=["STARTING"]
        )
        assert "wait_timeout" not in fatal

    def test_fatal_status(self):
        message = not_ready_message(
            UUID, {"status": "FAILED"}, ["WORKING"], Outcome(2, 12), fatal=True, fail_on=["FAILED"]
        )
        assert message.startswith("instance %s reported FAILED, a status in fail_on [FAILED], after 2 polls" % UUID)

    def test_no_successful_poll_reports_the_last_error(self):
        message = not_ready_message(UUID, None, ["WORKING"], Outcome(3, 2.5, "GET x: server error (HTTP 503)"))
        assert (
            message == "instance %s not in [WORKING] after 2.5 s; no poll succeeded in 3 polls; "
            "last error: GET x: server error (HTTP 503)" % UUID
        )
