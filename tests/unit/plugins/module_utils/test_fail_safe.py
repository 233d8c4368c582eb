# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the fail-safe rules: bounded numbers, clean server text, redaction, the request deadline,
the Retry-After pacing of the poll loop, duplicate ids."""

from __future__ import annotations

import io
import math

import pytest
import requests
from ansible_collections.hypersender.whatsapp.plugins.module_utils import _client
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiClient,
    OptionError,
    RateLimitedError,
    ResponseFormatError,
    TlsError,
    TransportError,
    basic_credential,
    clean_text,
    validate_base_url,
    validate_number,
    validate_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._fleet import (
    judge,
    merge_duplicates,
    not_ready_message,
    unknown_statuses,
    wanted_ids,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import STATUSES
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem import parse_health
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem_rules import verdict
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    FAILED,
    TIMED_OUT,
    poll,
    validate_wait_options,
)
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import (
    FakeClock,
    Outcome,
    make_response,
)
from hypothesis import given
from hypothesis import strategies as st

A = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"


# --- numbers --------------------------------------------------------------------------------------------------------


@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.text(max_size=8),
    )
)
def test_a_number_option_is_finite_and_in_range_or_an_option_error(value):
    try:
        number = validate_number(value, "timeout", 0.0, 3600.0, above_minimum=True)
    except OptionError as error:
        assert str(error).startswith("timeout must be a number of seconds")
    else:
        assert math.isfinite(number) and 0 < number <= 3600


@pytest.mark.parametrize(
    "timeout, sleep",
    [(float("nan"), 1), (1, float("nan")), (float("inf"), 1), (1e300, 1), (10, 0), (10, float("inf")), (-1, 1)],
)
def test_wait_options_refuse_nan_inf_and_huge(timeout, sleep):
    with pytest.raises(OptionError):
        validate_wait_options(timeout, sleep)


def test_retries_are_bounded():
    assert validate_number(10, "retries", 0, _client.MAX_RETRIES, integer=True) == 10
    with pytest.raises(OptionError, match="retries must be a whole number, at least 0 and at most 10; got 11"):
        validate_number(11, "retries", 0, _client.MAX_RETRIES, integer=True)


# --- input that used to raise raw exceptions ------------------------------------------------------------------------


def test_a_secret_outside_latin_1_is_an_option_error_without_echo():
    with pytest.raises(OptionError, match="outside latin-1") as error:
        validate_secret("tok\u20acen-secret", "api_token", "HYPERSENDER_API_TOKEN")
    assert "secret" not in str(error.value)


@pytest.mark.parametrize(
    "url, words", [("http://[::1", "cannot be parsed"), ("https://u:p4ss@host/x", "user name or password")]
)
def test_unparsable_urls_and_userinfo_are_refused(url, words):
    with pytest.raises(OptionError, match=words) as error:
        validate_base_url(url)
    assert "p4ss" not in str(error.value)


def test_missing_ca_path_is_refused():
    with pytest.raises(OptionError, match="does not exist"):
        _client.validate_ca_path("/nonexistent/ca.pem")


# --- server text ----------------------------------------------------------------------------------------------------


@given(st.text(max_size=2000))
def test_clean_text_has_no_control_characters_and_is_capped(text):
    cleaned = clean_text(text, limit=100)
    assert len(cleaned) <= 103
    assert all(char.isprintable() for char in cleaned)


def test_clean_text_removes_terminal_escapes():
    assert clean_text("\x1b[31mred\x1b[0m \x1b]0;title\x07ok\r\n") == "red ok??"


def test_a_huge_message_is_quoted_capped(scripted_client):
    client, unused_session = scripted_client([make_response(422, {"message": "\x1b[1mX" * 100000})])
    with pytest.raises(_client.ApiError) as error:
        client.get_json("/instances")
    assert len(str(error.value)) < 500 and "\x1b" not in str(error.value)


# --- credentials ----------------------------------------------------------------------------------------------------


def test_the_basic_forms_of_a_login_are_redacted(scripted_client):
    echoed = "Access denied for Basic " + basic_credential("admin", "pa55word")
    client, unused_session = scripted_client([make_response(401, {"message": echoed})])
    with pytest.raises(_client.AuthenticationError) as error:
        client.request_json("POST", "/v1/users/login", auth=("admin", "pa55word"))
    assert basic_credential("admin", "pa55word") not in str(error.value)
    assert "Basic ********" in str(error.value)


def test_netrc_and_url_userinfo_never_replace_the_authorization_header(tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine api.example.test login n password netrc-pass\n")
    monkeypatch.setenv("NETRC", str(netrc))
    client = ApiClient("https://api.example.test/v1", "Bearer tok", "x", "y")
    for url in ("https://api.example.test/v1/instances", "https://u:p@api.example.test/v1/instances"):
        prepared = client._session.prepare_request(requests.Request("GET", url))
        assert prepared.headers["Authorization"] == "Bearer tok"
    client.set_auth_header("Bearer other")
    prepared = client._session.prepare_request(requests.Request("GET", "https://api.example.test/v1/x"))
    assert prepared.headers["Authorization"] == "Bearer other"


def test_a_login_request_carries_basic_only_on_that_request(tmp_path, monkeypatch):
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    client = ApiClient("https://wa.example.test", None, "x", "y")
    prepared = client._session.prepare_request(requests.Request("GET", "https://wa.example.test/v1/health"))
    assert "Authorization" not in prepared.headers


# --- the request's own deadline -------------------------------------------------------------------------------------


class TrickledBody(io.RawIOBase):
    """One byte per read, each read moving the fake clock by ``step`` seconds."""

    def __init__(self, data, clock, step):
        super().__init__()
        self.data, self.clock, self.step = data, clock, step

    def readable(self):
        return True

    def read1(self, size=-1):
        self.clock.now += self.step
        chunk, self.data = self.data[:1], self.data[1:]
        return chunk


def test_a_trickled_body_fails_at_the_request_deadline(scripted_client, clock):
    response = make_response(200, {"status": "WORKING", "padding": "x" * 100})
    client, session = scripted_client([response], timeout=5)
    session.script = []

    def answer(*args, **kwargs):
        response.raw = TrickledBody(response._content, clock, 0.5)
        return response

    client._session.request = answer
    started = clock.now
    with pytest.raises(TransportError, match="no complete response within 5 s"):
        client.get_json("/x/health", deadline=clock.now + 60)
    assert clock.now - started <= 5.5


def test_a_too_large_body_is_refused(scripted_client, monkeypatch):
    monkeypatch.setattr(_client, "MAX_BODY_BYTES", 1000)
    client, unused_session = scripted_client([make_response(200, raw="[" + "1," * 1000 + "1]")])
    with pytest.raises(ResponseFormatError, match="larger than"):
        client.get_json("/instances")


def test_a_wrong_scheme_is_named_as_such(scripted_client):
    error = requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")
    client, unused_session = scripted_client([error])
    with pytest.raises(TlsError, match="seems to serve plain HTTP") as raised:
        client.get_json("/instances")
    assert "validate_certs: false" not in str(raised.value)


def test_redirects_are_not_followed_and_say_where(scripted_client):
    client, session = scripted_client([make_response(301, raw="", headers={"Location": "https://elsewhere/api"})])
    with pytest.raises(_client.ApiError, match="redirects \\(HTTP 301\\) to https://elsewhere/api"):
        client.get_json("/instances")
    assert session.calls[0]["options"]["allow_redirects"] is False


# --- the poll loop paces ---------------------------------------------------------------------------------------------


def test_a_rate_limit_past_the_deadline_ends_the_wait_at_once_without_a_request():
    clock = FakeClock()
    calls = []

    def probe(deadline):
        calls.append(clock.now)
        raise RateLimitedError("429", status=429, retry_after=30)

    outcome = poll(probe, lambda value: None, 10, 1, clock=clock, sleep=clock.sleep)
    assert outcome.state == TIMED_OUT and len(calls) == 1
    assert clock.sleeps == [] and outcome.elapsed == 0
    assert "allows the next request only in 30 s, after the deadline" in outcome.note()


@given(
    st.lists(st.floats(min_value=0, max_value=20), min_size=1, max_size=8),
    st.floats(min_value=0.1, max_value=5),
    st.floats(min_value=1, max_value=60),
)
def test_no_request_is_sent_before_a_retry_after_has_passed(asks, wait_sleep, wait_timeout):
    clock = FakeClock()
    allowed_from = [clock.now]
    answers = list(asks)

    def probe(deadline):
        assert clock.now >= allowed_from[0] - 1e-9
        assert clock.now <= deadline + 1e-9
        if answers:
            ask = answers.pop(0)
            allowed_from[0] = clock.now + ask
            raise RateLimitedError("429", status=429, retry_after=ask)
        return "ok"

    poll(
        probe, lambda value: "done" if value == "ok" else None, wait_timeout, wait_sleep, clock=clock, sleep=clock.sleep
    )
    assert clock.now - 1000.0 <= wait_timeout + 1e-6


def test_a_non_retryable_error_carries_the_polls_made():
    clock = FakeClock()
    count = [0]

    def probe(deadline):
        count[0] += 1
        if count[0] == 3:
            raise _client.AuthenticationError("401", status=401)

    with pytest.raises(_client.AuthenticationError) as error:
        poll(probe, lambda value: None, 60, 1, clock=clock, sleep=clock.sleep)
    assert error.value.polls == 3


# --- fleets ---------------------------------------------------------------------------------------------------------


@given(
    st.lists(
        st.tuples(
            st.sampled_from([A, A.upper(), "c9a1dd76-5678-4f9d-9012-a5b78de100c3"]),
            st.sampled_from(STATUSES + ("NEW",)),
        ),
        max_size=8,
    )
)
def test_an_id_listed_twice_is_never_readier_than_its_worst_row(pairs):
    instances = [{"id": uuid, "status": status} for uuid, status in pairs]
    view = judge(instances, [A], ["WORKING"], ["FAILED"])
    statuses = {status for uuid, status in pairs if uuid.lower() == A}
    if not statuses:
        assert view.missing == [A] and view.state() == FAILED
    elif statuses != {"WORKING"}:
        assert view.ready == []
        if "FAILED" in statuses:
            assert view.state() == FAILED
    else:
        assert view.state() == "done"


def test_duplicates_are_warned_and_wanted_ids_count_once():
    merged, conflicts = merge_duplicates(
        [{"id": A, "status": "FAILED"}, {"id": A, "status": "WORKING"}], ["WORKING"], ["FAILED"]
    )
    assert merged == [{"id": A, "status": "FAILED"}] and conflicts == {A: (["FAILED", "WORKING"], "FAILED")}
    assert wanted_ids([A.upper(), A, " %s " % A]) == [A]
    view = judge([{"id": A, "status": "FAILED"}, {"id": A, "status": "WORKING"}], [], ["WORKING"], ["FAILED"])
    assert "lists instance %s 2 times" % A in view.warnings()[0]


def test_unknown_statuses_are_warned():
    assert "'NEW'" in unknown_statuses([{"id": A, "status": "NEW"}])[0]
    assert unknown_statuses([{"id": A, "status": "WORKING"}]) == []


def test_messages_say_the_time_actually_spent():
    view = judge([{"id": A, "status": "STARTING"}], [A], ["WORKING"], [])
    assert "after 202 s" in not_ready_message(view, ["WORKING"], Outcome(3, 202.0))
    assert "over 202 s" in not_ready_message(None, ["WORKING"], Outcome(3, 202.0))


# --- on-premises ----------------------------------------------------------------------------------------------------


def test_errors_beside_a_healthy_gateway_make_it_unhealthy():
    health = parse_health(
        {
            "health": {"gateway_status": "connected"},
            "errors": [{"code": 1014, "title": "Internal error", "details": "\x1b[31mdb down"}],
        }
    )
    report = verdict(health)
    assert report["healthy"] is False
    assert report["problems"] == ["GET /v1/health also returned an error: 1014 Internal error db down."]


def test_not_ready_details_give_each_instance_its_hint():
    other, unknown = "c9a1dd76-5678-4f9d-9012-a5b78de100c3", "00000000-0000-4000-8000-000000000000"
    listed = [{"id": A, "name": "shop", "status": "SCAN_QR_CODE"}, {"id": other, "name": "", "status": "NEW"}]
    view = judge(listed, [A, other, unknown], ["WORKING"], [])
    details = view.result()["not_ready_details"]
    assert [(d["id"][:8], d["name"], d["status"]) for d in details] == [
        ("fa3d01c4", "shop", "SCAN_QR_CODE"),
        ("c9a1dd76", "", "NEW"),
        ("00000000", "", "not found"),
    ]
    assert details[0]["hint"].startswith("scan the QR code")
    assert "does not know" in details[1]["hint"] and "no instance with this UUID" in details[2]["hint"]
