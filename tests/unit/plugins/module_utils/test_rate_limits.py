# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A 429 always waits at least the endpoint's floor, and never past the deadline; NaN never passes an option."""

from __future__ import annotations

import math

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    DEFAULT_RATE_LIMIT_FLOOR,
    OptionError,
    RateLimitedError,
    RateLimitWindow,
    check_finite_floats,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import RATE_LIMIT_WINDOWS as GRAPH_WINDOWS
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import RATE_LIMIT_WINDOWS
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import InstanceActions
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import TIMED_OUT, poll
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import make_response
from hypothesis import given
from hypothesis import strategies as st

UUID = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
PAST = "Wed, 21 Oct 2015 07:28:00 GMT"


def limited(retry_after=None):
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return make_response(429, {"message": "Too Many Attempts."}, headers=headers)


@pytest.mark.parametrize(
    "method, path, floor",
    [
        ("POST", "/%s/request-new-qr-code" % UUID, 60),
        ("POST", "/%s/restart" % UUID, 12),
        ("POST", "/create-instance", 12),
        ("GET", "/%s/health" % UUID, 6),
        ("GET", "/instances", 6),
        ("GET", "/elsewhere", DEFAULT_RATE_LIMIT_FLOOR),
    ],
)
def test_each_hypersender_endpoint_has_its_documented_floor(scripted_client, method, path, floor):
    client, dummy = scripted_client([], rate_limit_windows=RATE_LIMIT_WINDOWS)
    assert client.rate_limit_floor(method, path)[0] == floor


def test_every_graph_call_waits_the_hourly_budgets_share():
    assert [window.floor for window in GRAPH_WINDOWS] == [18.0]
    assert GRAPH_WINDOWS[0].matches("GET", "/v23.0/102290129340398/phone_numbers")


@pytest.mark.parametrize("retry_after", ["0", PAST, None, "garbage", "1"])
def test_a_429_asking_less_than_the_floor_waits_the_floor(scripted_client, retry_after):
    client, session = scripted_client([limited(retry_after)], rate_limit_windows=RATE_LIMIT_WINDOWS)
    with pytest.raises(RateLimitedError) as caught:
        client.request_json("POST", "/%s/request-new-qr-code" % UUID, deadline=client._clock() + 5)
    assert caught.value.retry_after == 60
    assert "this endpoint allows 1 request per 60 s, so the next request waits at least 60 s" in str(caught.value)
    assert len(session.calls) == 1


def test_a_429_asking_more_than_the_floor_waits_what_it_asks(scripted_client):
    client, dummy = scripted_client([limited("90")], rate_limit_windows=RATE_LIMIT_WINDOWS)
    with pytest.raises(RateLimitedError) as caught:
        client.get_json("/%s/health" % UUID, deadline=client._clock() + 5)
    assert (caught.value.retry_after, caught.value.asked) == (90, 90)
    assert "it asks to retry after 90 s:" in str(caught.value)


def test_an_action_waits_the_floor_then_sends_again_inside_its_deadline(scripted_client, clock):
    client, session = scripted_client(
        [limited("0"), limited(PAST), make_response(200, {"id": UUID, "status": "WORKING"})],
        rate_limit_windows=RATE_LIMIT_WINDOWS,
    )
    InstanceActions(client).restart(UUID, deadline=clock.now + 30)
    assert [call["at"] - 1000.0 for call in session.calls] == [0, 12, 24]


def test_an_action_whose_floor_passes_the_deadline_fails_at_once_saying_when_to_retry(scripted_client, clock):
    client, session = scripted_client([limited("0")] * 5000, rate_limit_windows=RATE_LIMIT_WINDOWS)
    with pytest.raises(RateLimitedError) as caught:
        InstanceActions(client).request_new_qr_code(UUID, deadline=clock.now + 30)
    assert len(session.calls) == 1 and clock.sleeps == []
    assert "1 new QR code a minute" in str(caught.value) and "retry after 60 s" in str(caught.value)


def test_the_deadline_message_says_what_is_left_and_when_to_retry(scripted_client, clock):
    client, dummy = scripted_client([limited("0")], rate_limit_windows=RATE_LIMIT_WINDOWS)
    with pytest.raises(RateLimitedError) as caught:
        client.get_json("/%s/health" % UUID, deadline=clock.now + 4)
    assert client.sleep_out_retry_after(caught.value, clock.now + 4) is False
    assert str(caught.value).endswith(
        "; the deadline leaves 4 s, less than that, so it was not sent again: retry in 6 s"
    )


def test_without_a_deadline_the_client_retries_after_the_floor(scripted_client, clock):
    client, session = scripted_client([limited("0")] * 4, rate_limit_windows=RATE_LIMIT_WINDOWS, retries=3)
    with pytest.raises(RateLimitedError):
        client.get_json("/instances")
    assert len(session.calls) == 4 and clock.sleeps == [6.25] * 3


def test_a_poll_on_a_floored_429_paces_at_the_floor_and_ends_when_it_passes_the_deadline(scripted_client, clock):
    client, session = scripted_client([limited("0")] * 100, rate_limit_windows=RATE_LIMIT_WINDOWS)

    def probe(deadline):
        return client.get_json("/%s/health" % UUID, deadline=deadline)

    outcome = poll(probe, lambda value: None, 20, 0.1, clock=clock, sleep=clock.sleep)
    assert outcome.state == TIMED_OUT
    assert [call["at"] - 1000.0 for call in session.calls] == [0, 6, 12, 18]
    assert outcome.held_back == 6 and "allows the next request only in 6 s" in outcome.note()


@given(asked=st.one_of(st.none(), st.floats(min_value=0, max_value=600)), floor=st.floats(min_value=0.5, max_value=120))
def test_the_wait_after_a_429_is_never_below_the_floor(asked, floor):
    window = RateLimitWindow("GET", "/x$", 1, floor)
    assert window.floor == floor
    error = RateLimitedError("429", status=429, retry_after=max(window.floor, asked or 0.0))
    assert error.retry_after >= floor and (asked is None or error.retry_after >= asked)


# --- NaN and infinities ---------------------------------------------------------------------------------------------


SPEC = {
    "wait_timeout": {"type": "float"},
    "retries": {"type": "int"},
    "name": {"type": "str"},
    "nested": {"type": "dict", "options": {"pause": {"type": "float"}}},
    "items": {"type": "list", "elements": "dict", "options": {"pause": {"type": "float"}}},
}


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "values, option",
    [
        (lambda bad: {"wait_timeout": bad}, "wait_timeout"),
        (lambda bad: {"nested": {"pause": bad}}, "pause"),
        (lambda bad: {"items": [{"pause": 1.0}, {"pause": bad}]}, "pause"),
    ],
)
def test_a_float_option_that_is_not_finite_is_an_option_error_naming_it(values, option, bad):
    with pytest.raises(OptionError, match="^%s must be a finite number, got %s$" % (option, bad)):
        check_finite_floats(SPEC, values(bad))


def test_finite_floats_and_other_types_pass():
    check_finite_floats(SPEC, {"wait_timeout": 1e308, "retries": 3, "name": "nan", "nested": None, "items": None})
