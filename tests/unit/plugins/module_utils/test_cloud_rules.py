# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ResponseFormatError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_rules import (
    AVAILABLE,
    BLOCKED,
    HEALTHY,
    LIMITED,
    NOT_HEALTHY,
    OTHER,
    PERMISSION_DENIED,
    RATE_LIMITED,
    TEMPORARY,
    TOKEN_REJECTED,
    UNKNOWN_OBJECT,
    graph_error_kind,
    number_verdict,
    parse_health_status,
    parse_page,
    parse_phone_number,
    report,
    token_rejection,
    worst,
)
from hypothesis import given
from hypothesis import strategies as st

PAYMENT = {
    "error_code": 141006,
    "error_description": "There is an error with the payment method.",
    "possible_solution": "Please add a new payment method to the account.",
}
VALUES = st.sampled_from([AVAILABLE, LIMITED, BLOCKED])
ANY_VALUE = st.one_of(VALUES, st.text(max_size=12))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def node(number_id="106540352242922", overall=AVAILABLE, entities=None, **fields):
    entities = (
        entities
        if entities is not None
        else [
            {"entity_type": "PHONE_NUMBER", "id": number_id, "can_send_message": overall},
            {"entity_type": "WABA", "id": "102290129340398", "can_send_message": AVAILABLE},
        ]
    )
    body = {
        "id": number_id,
        "display_phone_number": "+1 555-078-3881",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "health_status": {"can_send_message": overall, "entities": entities},
    }
    body.update(fields)
    return body


def parsed(**kwargs):
    return parse_phone_number(node(**kwargs), "GET /v23.0/x")


class TestWorst:
    def test_metas_rule(self):
        assert worst([AVAILABLE, AVAILABLE]) == AVAILABLE
        assert worst([AVAILABLE, LIMITED]) == LIMITED
        assert worst([LIMITED, BLOCKED, AVAILABLE]) == BLOCKED
        assert worst([]) == AVAILABLE

    def test_an_unknown_value_counts_as_blocked(self):
        assert worst([AVAILABLE, "PAUSED"]) == BLOCKED

    @given(st.lists(ANY_VALUE, max_size=8))
    def test_is_never_better_than_any_value(self, values):
        rank = {AVAILABLE: 0, LIMITED: 1, BLOCKED: 2}
        result = worst(values)
        assert all(rank[result] >= rank.get(value, 2) for value in values)


class TestParsers:
    def test_phone_number_fields(self):
        number = parsed(quality_rating="GREEN", status="CONNECTED", account_mode="LIVE")
        assert number["id"] == "106540352242922" and number["throughput_level"] == "STANDARD"
        assert number["quality_rating"] == "GREEN" and number["verified_name"] is None
        assert number["health"]["entities"][1] == {
            "entity_type": "WABA",
            "id": "102290129340398",
            "can_send_message": AVAILABLE,
            "additional_info": [],
            "errors": [],
        }

    def test_missing_health_status_says_what_to_check(self):
        body = node()
        del body["health_status"]
        with pytest.raises(ResponseFormatError, match="has no health_status field; is api_url the Graph API"):
            parse_phone_number(body, "GET /v23.0/x")

    @pytest.mark.parametrize(
        "body",
        [
            None,
            [],
            {"id": 5},
            {"id": "1", "health_status": {"entities": []}},
            {"id": "1", "health_status": {"can_send_message": "AVAILABLE", "entities": {}}},
            {"id": "1", "health_status": {"can_send_message": "AVAILABLE", "entities": [7]}},
        ],
    )
    def test_malformed_numbers_are_format_errors(self, body):
        with pytest.raises(ResponseFormatError):
            parse_phone_number(body, "GET /v23.0/x")

    def test_page_data_cursor_and_next(self):
        page = {"data": [node()], "paging": {"cursors": {"before": "B", "after": "A"}, "next": "https://g/next"}}
        assert parse_page(page, "GET p") == ([node()], "A", "https://g/next")
        assert parse_page({"data": []}, "GET p") == ([], None, None)
        assert parse_page({"data": [], "paging": {"cursors": {"after": ""}}}, "GET p") == ([], None, None)

    def test_an_empty_page_with_a_next_is_not_the_last(self):
        assert parse_page({"data": [], "paging": {"next": "https://g/next"}}, "GET p") == ([], None, "https://g/next")

    @pytest.mark.parametrize(
        "body, message",
        [
            ({"error": {}}, "expected an object with a data array"),
            ({"data": {}}, "expected an object with a data array"),
            ({"data": [], "paging": []}, "paging is not an object"),
            ({"data": [], "paging": {"cursors": "A"}}, "paging.cursors is not an object"),
            ({"data": [], "paging": {"next": 5}}, "paging.next is not a string"),
            ({"data": [], "paging": {"cursors": {"after": 5}}}, "paging.cursors.after is not a string"),
        ],
    )
    def test_a_malformed_page_is_a_format_error(self, body, message):
        with pytest.raises(ResponseFormatError, match=message):
            parse_page(body, "GET p")

    @given(JSON)
    def test_any_json_is_a_page_or_a_format_error(self, body):
        try:
            data, after, next_url = parse_page(body, "GET p")
        except ResponseFormatError:
            return
        assert isinstance(data, list) and data is body["data"]
        assert after is None or (isinstance(after, str) and after)
        assert next_url is None or (isinstance(next_url, str) and next_url)

    @given(JSON)
    def test_any_json_is_parsed_or_refused_as_a_format_error(self, body):
        try:
            parse_phone_number(body, "GET /v23.0/x")
            parse_health_status(body, "GET /v23.0/x")
        except ResponseFormatError:
            pass

    @given(st.text(max_size=600))
    def test_strings_from_meta_are_printable_and_bounded(self, description):
        entity = {
            "entity_type": "WABA",
            "id": "1",
            "can_send_message": BLOCKED,
            "errors": [{"error_code": 1, "error_description": description, "possible_solution": description}],
        }
        error = parse_health_status({"can_send_message": BLOCKED, "entities": [entity]}, "w")["entities"][0]["errors"][
            0
        ]
        assert len(error["error_description"]) <= 403
        assert not any(ord(char) < 32 or ord(char) == 127 for char in error["error_description"])


class TestGraphErrorKind:
    @pytest.mark.parametrize("code", [4, 17, 32, 613, 80007, 80008, 130429])
    def test_every_rate_limit_code(self, code):
        assert graph_error_kind(400, code) == RATE_LIMITED

    @pytest.mark.parametrize("status, code", [(401, 190), (400, 190), (400, 102), (400, 104), (401, 0), (401, 1)])
    def test_a_rejected_token(self, status, code):
        assert graph_error_kind(status, code) == TOKEN_REJECTED

    @pytest.mark.parametrize(
        "status, code, kind",
        [
            (403, 10, PERMISSION_DENIED),
            (403, 200, PERMISSION_DENIED),
            (400, 299, PERMISSION_DENIED),
            (400, 100, UNKNOWN_OBJECT),
            (429, 131000, RATE_LIMITED),
            (400, 1, TEMPORARY),
            (500, 131000, TEMPORARY),
            (400, 368, OTHER),
            (403, 368, OTHER),
        ],
    )
    def test_other_kinds(self, status, code, kind):
        assert graph_error_kind(status, code) == kind

    @given(st.integers(100, 599), st.integers(-(2**40), 2**40))
    def test_the_code_decides_before_the_status(self, status, code):
        kind = graph_error_kind(status, code)
        if code in (4, 17, 32, 613, 80007, 80008, 130429):
            assert kind == RATE_LIMITED
        elif code in (190, 102, 104) or status == 401:
            assert kind == TOKEN_REJECTED
        else:
            assert kind in (PERMISSION_DENIED, UNKNOWN_OBJECT, RATE_LIMITED, TEMPORARY, OTHER)

    @pytest.mark.parametrize(
        "code, subcode, said",
        [
            (190, 463, "the access token was rejected: it has expired (subcode 463)"),
            (190, 460, "its user changed the password (subcode 460)"),
            (190, 467, "it is invalid (revoked, or not a token of this app) (subcode 467)"),
            (190, None, "the access token was rejected (invalid, expired or revoked)"),
            (190, 99999, "the access token was rejected (invalid, expired or revoked)"),
            (102, 463, "the access token was rejected (invalid, expired or revoked)"),
            (0, None, "the access token was rejected (invalid, expired or revoked)"),
            (104, None, "a proxy or gateway on the way drops the Authorization header"),
        ],
    )
    def test_why_a_token_was_rejected(self, code, subcode, said):
        assert said in token_rejection(code, subcode)


class TestVerdict:
    def test_available_is_healthy(self):
        result = number_verdict(parsed())
        assert result["healthy"] is True and result["problems"] == [] and result["can_send_message"] == AVAILABLE
        assert "health" not in result

    def test_limited_passes_only_when_allowed(self):
        entities = [{"entity_type": "WABA", "id": "9", "can_send_message": LIMITED, "additional_info": ["Tier 250"]}]
        assert number_verdict(parsed(overall=LIMITED, entities=entities))["healthy"] is True
        refused = number_verdict(parsed(overall=LIMITED, entities=entities), allow_limited=False)
        assert refused["problems"] == [
            "Phone number 106540352242922 (+1 555-078-3881) can send only with limits: its "
            "WhatsApp Business Account 9 is LIMITED: Tier 250. allow_limited is false, so LIMITED "
            "does not pass."
        ]

    def test_blocked_names_each_error_and_its_solution(self):
        entities = [
            {"entity_type": "PHONE_NUMBER", "id": "106540352242922", "can_send_message": AVAILABLE},
            {
                "entity_type": "BUSINESS",
                "id": "5",
                "can_send_message": BLOCKED,
                "errors": [PAYMENT, {"error_code": 141000, "error_description": "Business not verified"}],
            },
        ]
        result = number_verdict(parsed(overall=BLOCKED, entities=entities))
        assert result["problems"] == [
            "Phone number 106540352242922 (+1 555-078-3881) cannot send messages: its business portfolio 5 is BLOCKED: "
            "There is an error with the payment method (error 141006). Possible solution: Please add a new payment method "
            "to the account.",
            "Phone number 106540352242922 (+1 555-078-3881) cannot send messages: its business portfolio 5 is BLOCKED: "
            "Business not verified (error 141000); Meta gave no possible solution.",
        ]

    def test_an_entity_worse_than_the_overall_value_wins(self):
        entities = [{"entity_type": "APP", "id": "7", "can_send_message": BLOCKED}]
        result = number_verdict(parsed(overall=AVAILABLE, entities=entities))
        assert result["can_send_message"] == BLOCKED and result["healthy"] is False
        assert "the app 7 is BLOCKED, and Meta gave no reason" in result["problems"][0]

    def test_a_blocked_overall_without_entities_is_a_problem(self):
        result = number_verdict(parsed(overall=BLOCKED, entities=[]))
        assert result["healthy"] is False and "no entity says why" in result["problems"][0]

    def test_on_premise_is_a_problem_even_when_available(self):
        result = number_verdict(parsed(platform_type="ON_PREMISE"))
        assert result["healthy"] is False
        assert "final client version expired on 23 October 2025" in result["problems"][0]

    @given(
        st.lists(st.tuples(st.sampled_from(["PHONE_NUMBER", "WABA", "BUSINESS", "APP"]), ANY_VALUE), max_size=5),
        ANY_VALUE,
        st.booleans(),
    )
    def test_healthy_exactly_when_no_problem_and_never_when_blocked(self, pairs, overall, allow_limited):
        entities = [
            {"entity_type": kind, "id": str(index), "can_send_message": value}
            for index, (kind, value) in enumerate(pairs)
        ]
        result = number_verdict(parsed(overall=overall, entities=entities), allow_limited)
        values = [overall] + [value for dummy, value in pairs]
        assert result["healthy"] is (not result["problems"])
        assert result["can_send_message"] == worst(values)
        expected = worst(values) == AVAILABLE or (allow_limited and worst(values) == LIMITED)
        assert result["healthy"] is expected


class TestReport:
    def test_every_number_must_pass(self):
        good, bad = parsed(), parsed(number_id="2", overall=BLOCKED)
        result = report([good, bad])
        assert result["healthy"] is False and result["can_send_message"] == BLOCKED
        assert [n["healthy"] for n in result["numbers"]] == [True, False] and len(result["problems"]) == 1

    def test_an_empty_waba_is_not_healthy(self):
        result = report([], waba_id="77")
        assert result["healthy"] is False and result["can_send_message"] == BLOCKED
        assert result["problems"] == [
            "WhatsApp Business Account 77 has no phone numbers, so nothing can send: add or "
            "migrate a number in WhatsApp Manager, or check waba_id."
        ]

    def test_missing_ids_are_problems(self):
        result = report([parsed()], missing=["42"], waba_id="77")
        assert result["healthy"] is False and result["missing"] == ["42"]
        assert result["problems"][0].startswith(
            "Phone number 42 is not among the phone numbers of WhatsApp Business Account 77"
        )

    @given(st.lists(VALUES, max_size=5), st.booleans(), st.lists(st.just("9"), max_size=1))
    def test_the_outcome_is_healthy_exactly_when_healthy(self, values, allow_limited, missing):
        numbers = [parsed(number_id=str(index + 1), overall=value) for index, value in enumerate(values)]
        result = report(numbers, allow_limited, missing, waba_id="77")
        assert result["outcome"] == (HEALTHY if result["healthy"] else NOT_HEALTHY)
