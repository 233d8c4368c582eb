# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    OptionError,
    RateLimitedError,
    ResponseFormatError,
    ServerError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import (
    MAX_PAGES,
    PermissionDeniedError,
    TokenRejectedError,
    budget_warning,
    connect,
    failure_outcome,
    not_ready_message,
    observed_budget_warning,
    read_graph_error,
    read_pages,
    validate_selection,
    wait_interval,
)
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import (
    FakeClock,
    Outcome,
    ScriptedSession,
    make_response,
)
from hypothesis import given
from hypothesis import strategies as st

URL = "https://graph.example.test/proxy"
TOKEN = "EAAG-unit-test-system-user-token"
WHERE = "GET https://graph.example.test/proxy/v23.0/1"


def graph_error(code, status=400, subcode=None, message="(#%d) something", headers=None):
    body = {
        "error": {
            "message": message % code if "%d" in message else message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbC123",
        }
    }
    if subcode is not None:
        body["error"]["error_subcode"] = subcode
    return make_response(status, body, headers=dict({"Content-Type": "application/json"}, **(headers or {})))


def number(number_id="106540352242922", overall="AVAILABLE"):
    return {
        "id": number_id,
        "health_status": {
            "can_send_message": overall,
            "entities": [{"entity_type": "PHONE_NUMBER", "id": number_id, "can_send_message": overall}],
        },
    }


@pytest.fixture
def cloud(clock, monkeypatch):
    """``cloud(script, **options)`` -> (CloudApi, session) with no real I/O and no real sleeping."""

    def build(script, **options):
        options = dict({"api_url": URL, "api_token": TOKEN}, **options)
        api = connect(options, clock=clock, sleep=clock.sleep, rand=lambda: 0.5)
        session = ScriptedSession(clock, script)
        monkeypatch.setattr(api.client._session, "request", session)
        return api, session

    return build


class TestReadGraphError:
    @pytest.mark.parametrize("code", [4, 17, 32, 613, 80007, 80008, 130429])
    def test_rate_limit_codes_are_retryable_whatever_the_status(self, code):
        error = read_graph_error(400, graph_error(code).json(), WHERE)
        assert isinstance(error, RateLimitedError) and error.retryable
        assert "rate limited by the WhatsApp Cloud API" in str(error) and "code %d" % code in str(error)

    def test_regain_access_minutes_become_retry_after(self):
        usage = json.dumps({"1": [{"type": "whatsapp_business_management", "estimated_time_to_regain_access": 3}]})
        error = read_graph_error(400, graph_error(80007).json(), WHERE, {"X-Business-Use-Case-Usage": usage})
        assert error.retry_after == 180.0 and "Meta asks to wait 180 s" in str(error)

    @pytest.mark.parametrize("raw", ["not json", "[]", '{"1": 5}', '{"1": [{"estimated_time_to_regain_access": "x"}]}'])
    def test_a_bad_usage_header_is_ignored(self, raw):
        assert (
            read_graph_error(400, graph_error(4).json(), WHERE, {"X-Business-Use-Case-Usage": raw}).retry_after is None
        )

    @pytest.mark.parametrize("status", [400, 401])
    def test_190_is_an_authentication_failure_with_what_to_do(self, status):
        error = read_graph_error(status, graph_error(190, status, 463, "Session has expired").json(), WHERE)
        assert isinstance(error, TokenRejectedError) and not error.retryable
        text = str(error)
        assert "Meta says: Session has expired (code 190, subcode 463, OAuthException, fbtrace_id AbC123)" in text
        assert (
            "the access token was rejected: it has expired (subcode 463): create a new token for a system user" in text
        )
        assert "WA_CLOUD_TOKEN" in text

    @pytest.mark.parametrize("status, code", [(400, 102), (401, 0), (401, 368)])
    def test_other_rejected_tokens(self, status, code):
        error = read_graph_error(status, graph_error(code, status).json(), WHERE)
        assert isinstance(error, TokenRejectedError) and failure_outcome(error) == "auth_failed"
        assert "the access token was rejected (invalid, expired or revoked): create a new token" in str(error)

    def test_104_says_the_header_was_dropped_on_the_way(self):
        error = read_graph_error(400, graph_error(104, message="An access token is required").json(), WHERE)
        assert isinstance(error, TokenRejectedError) and failure_outcome(error) == "auth_failed"
        assert "a proxy or gateway on the way drops the Authorization header" in str(error)
        assert "create a new token" not in str(error)

    @pytest.mark.parametrize("code", [10, 200, 299])
    def test_permission_codes(self, code):
        error = read_graph_error(403, graph_error(code, 403).json(), WHERE)
        assert isinstance(error, PermissionDeniedError) and "whatsapp_business_management permission" in str(error)
        assert failure_outcome(error) == "permission_denied"

    def test_100_is_unknown_id_or_field_and_names_the_version(self):
        error = read_graph_error(400, graph_error(100, subcode=33).json(), WHERE)
        assert isinstance(error, NotFoundError) and not error.retryable
        assert "api_version (v23.0)" in str(error) and "not the phone number itself" in str(error)

    @pytest.mark.parametrize("code, status", [(1, 400), (2, 503), (131000, 500)])
    def test_temporary_errors_are_retryable(self, code, status):
        assert isinstance(read_graph_error(status, graph_error(code, status).json(), WHERE), ServerError)

    def test_other_codes_keep_metas_words(self):
        error = read_graph_error(
            400, graph_error(368, message="Temporarily blocked for policies violations").json(), WHERE
        )
        assert isinstance(error, ApiError) and not error.retryable
        assert not isinstance(error, (AuthenticationError, NotFoundError, RateLimitedError, ServerError))
        assert "Temporarily blocked for policies violations (code 368" in str(error)

    @given(
        st.one_of(
            st.none(),
            st.integers(),
            st.text(max_size=10),
            st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
            st.fixed_dictionaries(
                {
                    "error": st.dictionaries(
                        st.text(max_size=8), st.one_of(st.none(), st.text(max_size=8), st.integers()), max_size=5
                    )
                }
            ),
        )
    )
    def test_any_body_is_classified_or_left_to_the_generic_mapping(self, body):
        error = read_graph_error(400, body, WHERE)
        assert error is None or isinstance(error, ApiError)


class TestFailureOutcome:
    @pytest.mark.parametrize(
        "error, outcome",
        [
            (TokenRejectedError("x", status=400), "auth_failed"),
            (AuthenticationError("a 401 from a proxy", status=401), "auth_failed"),
            (PermissionDeniedError("x", status=403), "permission_denied"),
            (AuthenticationError("a 403 from a proxy", status=403), "permission_denied"),
            (TokenRejectedError("HTTP 403 with code 190", status=403), "auth_failed"),
            (RateLimitedError("x", status=400), "rate_limited"),
            (NotFoundError("x", status=400), "error"),
            (ServerError("x", status=503), "error"),
            (ResponseFormatError("x"), "error"),
        ],
    )
    def test_each_failure_has_its_outcome(self, error, outcome):
        assert failure_outcome(error) == outcome

    def test_a_wait_where_no_read_succeeded_does_not_say_the_numbers_cannot_send(self):
        message = not_ready_message(None, 120, Outcome(4, 121.5, RateLimitedError("GET x: rate limited")))
        assert message == (
            "no read of the WhatsApp Cloud API numbers succeeded in 120 s (4 polls); last error: GET x: rate limited"
        )


class TestClient:
    def test_bearer_header_fields_and_version(self, cloud):
        api, session = cloud([make_response(200, number())])
        result = api.phone_number("106540352242922")
        assert result["id"] == "106540352242922"
        call = session.calls[0]
        assert call["url"] == URL + "/v23.0/106540352242922"
        assert call["params"]["fields"].split(",")[0] == "id" and "health_status" in call["params"]["fields"]
        assert api.client.auth_header == "Bearer " + TOKEN

    def test_rate_limit_400_is_retried_after_the_graph_floor(self, cloud, clock):
        api, session = cloud([graph_error(80007), graph_error(4), make_response(200, number())])
        assert api.phone_number("106540352242922")["id"] == "106540352242922"
        # no estimated_time_to_regain_access: the hourly budget's share of one call, 3600 / 200 s (plus jitter)
        assert len(session.calls) == 3 and clock.sleeps == [18.25, 18.25]

    def test_rate_limit_is_not_retried_past_the_deadline(self, cloud, clock):
        api, session = cloud([graph_error(80007), make_response(200, number())])
        with pytest.raises(RateLimitedError):
            api.phone_number("106540352242922", deadline=clock.now + 0.5)
        assert len(session.calls) == 1

    def test_190_fails_at_once(self, cloud):
        api, session = cloud([graph_error(190, 401, 463), make_response(200, number())])
        with pytest.raises(AuthenticationError, match="code 190"):
            api.phone_number("1")
        assert len(session.calls) == 1

    def test_the_token_is_redacted_from_metas_words(self, cloud):
        api, dummy = cloud([graph_error(368, message="token %s refused" % TOKEN)])
        with pytest.raises(ApiError) as caught:
            api.phone_number("1")
        assert TOKEN not in str(caught.value) and "token ******** refused" in str(caught.value)

    def test_unknown_number_names_the_option(self, cloud):
        api, dummy = cloud([graph_error(100, subcode=33)])
        with pytest.raises(NotFoundError, match="^phone_number_id 1: GET "):
            api.phone_number("1")

    def test_pagination_follows_next_on_the_same_host_without_the_token_parameter(self, cloud):
        next_url = URL + "/v23.0/9/phone_numbers?access_token=%s&fields=id&limit=1&after=QVFI" % TOKEN
        api, session = cloud(
            [
                make_response(200, {"data": [number("1")], "paging": {"next": next_url}}),
                make_response(200, {"data": [number("2")], "paging": {"cursors": {}}}),
            ]
        )
        assert [n["id"] for n in api.waba_phone_numbers("9")] == ["1", "2"]
        assert session.calls[1]["url"] == URL + "/v23.0/9/phone_numbers"
        assert session.calls[1]["params"] == {"fields": "id", "limit": "1", "after": "QVFI"}

    @pytest.mark.parametrize(
        "next_url",
        [
            "https://evil.example.test/proxy/v23.0/9/phone_numbers?after=x",
            "http://graph.example.test/proxy/v23.0/9/phone_numbers?after=x",
            "https://graph.example.test/other/v23.0/9/phone_numbers?after=x",
            "/proxy/v23.0/9/phone_numbers?after=x",
        ],
    )
    def test_a_next_link_elsewhere_is_refused(self, cloud, next_url):
        api, session = cloud([make_response(200, {"data": [number("1")], "paging": {"next": next_url}})])
        with pytest.raises(ResponseFormatError, match="not followed, so that the token is sent nowhere else"):
            api.waba_phone_numbers("9")
        assert len(session.calls) == 1

    def test_a_repeating_next_link_stops(self, cloud):
        page = {"data": [number("1")], "paging": {"next": URL + "/v23.0/9/phone_numbers?after=A"}}
        api, dummy = cloud([make_response(200, page)] * 3)
        with pytest.raises(ResponseFormatError, match="repeats a page"):
            api.waba_phone_numbers("9")

    def test_cursor_paging_asks_api_url_with_the_after_cursor_wherever_next_points(self, cloud):
        elsewhere = "https://graph.facebook.com/v23.0/9/phone_numbers?access_token=%s&after=QUZU" % TOKEN
        api, session = cloud(
            [
                make_response(
                    200, {"data": [number("1")], "paging": {"cursors": {"after": "QUZU"}, "next": elsewhere}}
                ),
                make_response(200, {"data": [number("2")], "paging": {"cursors": {"after": "QjI"}}}),
            ]
        )
        assert [n["id"] for n in api.waba_phone_numbers("9")] == ["1", "2"]
        assert [call["url"] for call in session.calls] == [URL + "/v23.0/9/phone_numbers"] * 2
        assert session.calls[1]["params"] == {"fields": api.fields, "after": "QUZU"}

    def test_empty_pages_do_not_end_the_list(self, cloud):
        page = URL + "/v23.0/9/phone_numbers?access_token=%s&after=%s" % (TOKEN, "%s")
        api, session = cloud(
            [
                make_response(200, {"data": [number("1")], "paging": {"cursors": {"after": "A"}, "next": page % "A"}}),
                make_response(200, {"data": [], "paging": {"next": page % "B"}}),
                make_response(200, {"data": [], "paging": {"cursors": {"after": "C"}, "next": page % "C"}}),
                make_response(200, {"data": [number("2", "BLOCKED")]}),
            ]
        )
        numbers = api.waba_phone_numbers("9")
        assert [(n["id"], n["health"]["can_send_message"]) for n in numbers] == [("1", "AVAILABLE"), ("2", "BLOCKED")]
        assert [call["params"].get("after") for call in session.calls] == [None, "A", "B", "C"]

    def test_the_pager_reads_any_edge(self, cloud):
        """The next paged reads (message templates, subscribed apps) use the same pager: raw items, in order."""
        api, session = cloud(
            [
                make_response(200, {"data": [], "paging": {"cursors": {"after": "T1"}, "next": URL + "/x"}}),
                make_response(200, {"data": [{"name": "hello", "status": "APPROVED"}]}),
            ]
        )
        items = read_pages(api.client, "/v23.0/9/message_templates", {"fields": "name,status"})
        assert items == [{"name": "hello", "status": "APPROVED"}]
        assert session.calls[1]["url"] == URL + "/v23.0/9/message_templates"
        assert session.calls[1]["params"] == {"fields": "name,status", "after": "T1"}

    def test_a_repeating_after_cursor_stops(self, cloud):
        page = {"data": [], "paging": {"cursors": {"after": "SAME"}, "next": URL + "/v23.0/9/phone_numbers"}}
        api, session = cloud([make_response(200, page)] * 3)
        with pytest.raises(ResponseFormatError, match="the paging repeats a page already read"):
            api.waba_phone_numbers("9")
        assert len(session.calls) == 2

    def test_the_loop_guard_stops_an_endless_paging(self, cloud):
        pages = [
            make_response(200, {"data": [], "paging": {"cursors": {"after": "P%d" % i}, "next": URL + "/n"}})
            for i in range(5)
        ]
        api, session = cloud(pages)
        with pytest.raises(ResponseFormatError, match="more than 3 pages; stopped following paging.next"):
            read_pages(api.client, "/v23.0/9/phone_numbers", max_pages=3)
        assert len(session.calls) == 3 and MAX_PAGES == 100

    @given(
        st.lists(
            st.tuples(st.integers(0, 3), st.sampled_from(["cursor", "next", "both"])),
            min_size=1,
            max_size=8,
        )
    )
    def test_every_item_of_every_page_is_read_in_order_one_request_a_page(self, layout):
        clock = FakeClock()
        api = connect({"api_url": URL, "api_token": TOKEN}, clock=clock, sleep=clock.sleep, rand=lambda: 0.5)
        script, expected, start = [], [], 0
        for index, (size, style) in enumerate(layout):
            items = [{"n": start + offset} for offset in range(size)]
            start += size
            expected += items
            body = {"data": items}
            if index < len(layout) - 1:
                paging = {"next": URL + "/v23.0/9/edge?access_token=%s&after=N%d" % (TOKEN, index)}
                if style != "next":
                    paging["cursors"] = {"after": "C%d" % index}
                body["paging"] = paging
            elif style != "next":
                body["paging"] = {"cursors": {"after": "C%d" % index}}
            script.append(make_response(200, body))
        session = ScriptedSession(clock, script)
        api.client._session.request = session
        assert read_pages(api.client, "/v23.0/9/edge", {"fields": "n"}) == expected
        assert len(session.calls) == len(layout)
        assert all(
            call["url"] == URL + "/v23.0/9/edge" and "access_token" not in call["params"] for call in session.calls
        )

    def test_read_selects_from_the_waba_and_names_missing_ids(self, cloud):
        api, session = cloud([make_response(200, {"data": [number("1"), number("2"), number("3")]})])
        numbers, missing = api.read(["3", "1", "4"], "9")
        assert [n["id"] for n in numbers] == ["3", "1"] and missing == ["4"] and len(session.calls) == 1


class TestOptions:
    @pytest.mark.parametrize(
        "options, message",
        [
            ({}, "nothing to check"),
            ({"phone_number_id": ["+15550783881"]}, "that looks like a phone number"),
            ({"waba_id": "12a"}, "waba_id '12a' is not a Graph API ID"),
        ],
    )
    def test_selection_errors(self, options, message):
        with pytest.raises(OptionError, match=message):
            validate_selection(options)

    def test_selection_dedupes_and_accepts_one_id(self):
        assert validate_selection({"phone_number_id": ["1", "1", " 2 "], "allow_limited": False}) == (
            ["1", "2"],
            None,
            False,
        )
        assert validate_selection({"phone_number_id": "5", "waba_id": "9"}) == (["5"], "9", True)

    @pytest.mark.parametrize(
        "options, message",
        [
            ({"api_token": ""}, "api_token is empty: set api_token or the WA_CLOUD_TOKEN"),
            ({"api_token": "a b"}, "white space"),
            ({"api_token": TOKEN, "api_version": "23.0"}, "not a Graph API version"),
            ({"api_token": TOKEN, "api_url": "ftp://x"}, "must start with https://"),
        ],
    )
    def test_connection_errors_before_any_request(self, options, message):
        with pytest.raises(OptionError, match=message):
            connect(options)

    def test_the_default_interval_keeps_within_the_budget(self):
        assert wait_interval(None, ["1"], None) == 30.0
        assert wait_interval(None, ["1", "2", "3"], None) == 54.0
        assert wait_interval(None, ["1", "2", "3"], "9") == 30.0
        assert wait_interval(5, ["1"], None) == 5.0

    @given(st.lists(st.just("1"), min_size=1, max_size=30), st.booleans())
    def test_the_default_interval_never_exceeds_200_calls_an_hour(self, ids, with_waba):
        waba = "9" if with_waba else None
        interval = wait_interval(None, ids, waba)
        assert (1 if waba else len(ids)) * 3600 / interval <= 200
        assert budget_warning(interval, ids, waba) is None

    def test_a_fast_explicit_interval_warns(self):
        assert "3600 Graph API calls an hour, more than the 200" in budget_warning(1, ["1"], None)

    def test_reads_of_several_pages_warn_when_they_pass_the_budget(self):
        assert observed_budget_warning(10, 10, 30.0) is None
        assert observed_budget_warning(3, 1, 30.0) is None  # one read: nothing waited for
        warning = observed_budget_warning(20, 10, 30.0)
        assert warning.startswith("each read took 2 Graph API calls") and "poll every 37 s or more" in warning
