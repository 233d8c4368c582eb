# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    AuthenticationError,
    OptionError,
    ServerError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    DONE,
    FAILED,
    TIMED_OUT,
    WaitOutcome,
    check_number,
    check_numbers,
    explain_not_ready,
    format_seconds,
    once,
    poll,
    validate_wait_options,
)


def scripted_probe(clock, values):
    """A probe answering from ``values`` (an exception is raised); it records the deadline it got."""
    seen = []

    def probe(deadline):
        seen.append((clock.now, deadline))
        value = values.pop(0) if len(values) > 1 else values[0]
        if isinstance(value, Exception):
            raise value
        return value

    probe.seen = seen
    return probe


def classify(value):
    return {"WORKING": DONE, "FAILED": FAILED}.get(value)


def run(clock, values, timeout=30, sleep=6):
    probe = scripted_probe(clock, list(values))
    outcome = poll(probe, classify, timeout, sleep, clock=clock, sleep=clock.sleep)
    return outcome, probe


def test_done_at_once_makes_one_probe_and_no_sleep(clock):
    outcome, unused_probe = run(clock, ["WORKING"])
    assert (outcome.state, outcome.polls, outcome.elapsed, clock.sleeps) == (DONE, 1, 0, [])


def test_waits_through_other_states(clock):
    outcome, probe = run(clock, ["PENDING", "STARTING", "WORKING"])
    assert (outcome.state, outcome.value, outcome.polls) == (DONE, "WORKING", 3)
    assert clock.sleeps == [6, 6]
    assert all(deadline == 1030.0 for unused_time, deadline in probe.seen)


def test_fatal_state_ends_at_once(clock):
    outcome, unused_probe = run(clock, ["STARTING", "FAILED", "WORKING"])
    assert (outcome.state, outcome.value, outcome.polls) == (FAILED, "FAILED", 2)


def test_timeout_keeps_the_last_value_and_probes_at_the_deadline(clock):
    outcome, probe = run(clock, ["STARTING"], timeout=20, sleep=6)
    assert outcome.state == TIMED_OUT
    assert outcome.value == "STARTING"
    assert clock.sleeps == [6, 6, 6, 2]
    assert outcome.polls == 5
    assert probe.seen[-1][0] == 1020.0
    assert outcome.elapsed == 20


def test_zero_timeout_probes_once(clock):
    outcome, unused_probe = run(clock, ["STARTING"], timeout=0)
    assert (outcome.state, outcome.polls, clock.sleeps) == (TIMED_OUT, 1, [])


def test_transient_errors_are_kept_not_fatal(clock):
    outcome, unused_probe = run(clock, [ServerError("503"), "STARTING", ServerError("502 again"), "WORKING"])
    assert (outcome.state, outcome.polls, outcome.last_error) == (DONE, 4, None)


def test_transient_error_at_the_deadline_is_reported(clock):
    error = ServerError("GET /x/health: server error (HTTP 503)")
    outcome, unused_probe = run(clock, ["STARTING", error], timeout=10, sleep=6)
    assert outcome.state == TIMED_OUT
    assert outcome.value == "STARTING"
    assert outcome.last_error is error


def test_permanent_errors_end_the_wait_at_once(clock):
    with pytest.raises(AuthenticationError):
        run(clock, ["STARTING", AuthenticationError("401")])
    assert clock.sleeps == [6]


@pytest.mark.parametrize("timeout, sleep", [(-1, 6), (None, 6), (10, 0), (10, -2)])
def test_bad_wait_options(timeout, sleep):
    with pytest.raises(OptionError):
        validate_wait_options(timeout, sleep)


def test_format_seconds():
    assert format_seconds(300.0) == "300"
    assert format_seconds(2.54) == "2.5"


def test_once_is_one_judged_probe(clock):
    probe = scripted_probe(clock, ["STARTING"])
    outcome = once(probe, classify, clock=clock)
    assert (outcome.state, outcome.value, outcome.polls, outcome.last_error) == (None, "STARTING", 1, None)
    assert probe.seen == [(1000.0, None)]
    assert once(scripted_probe(clock, ["FAILED"]), classify, clock=clock).state == FAILED


class TestExplainNotReady:
    """The one builder of every module's "not ready" message: head, problems, last error, held-back note, hint."""

    def test_head_alone(self):
        assert explain_not_ready("x not ready after 3 s", WaitOutcome(TIMED_OUT, None, 2, 3.0, None)) == (
            "x not ready after 3 s"
        )

    def test_the_last_error_after_a_head(self):
        outcome = WaitOutcome(TIMED_OUT, None, 2, 3.0, ServerError("GET x: server error (HTTP 503)"))
        assert explain_not_ready("x", outcome, hint="wait") == "x; last error: GET x: server error (HTTP 503): wait"

    def test_problems_then_the_last_error_as_a_sentence(self):
        outcome = WaitOutcome(TIMED_OUT, "v", 2, 3.0, ServerError("GET x: boom"))
        assert explain_not_ready("x", outcome, problems=["A is down.", "B too."]) == (
            "x: A is down. B too. The last poll failed: GET x: boom"
        )

    def test_a_retry_after_past_the_deadline_is_said_for_every_service(self):
        outcome = WaitOutcome(TIMED_OUT, "v", 2, 3.0, None, held_back=20.0)
        message = explain_not_ready("x", outcome, problems=["A is down."])
        assert message.startswith("x: A is down.; the API's rate limit (HTTP 429, Retry-After) allows the next request")


class TestCheckNumber:
    """Every number option of the modules, checked with its bounds (the action plugins check them before the module
    runs, so a role's variable that is no number gets these facts, never Ansible's type conversion error)."""

    @pytest.mark.parametrize("value", [0, 86400, "600", 0.5, " 12 "])
    def test_numbers_in_range_pass(self, value):
        assert check_number("wait_timeout", value) == float(value)

    @pytest.mark.parametrize("value", [-1, 86401, "soon", "10m", None, True, "nan", "inf", float("nan"), [1]])
    def test_anything_else_is_refused_with_the_facts(self, value):
        with pytest.raises(OptionError) as raised:
            check_number("wait_timeout", value)
        error = raised.value
        assert str(error).startswith("wait_timeout must be a number of seconds, at least 0 and at most 86400; got ")
        assert (error.option, error.expected) == ("wait_timeout", "a number of seconds, at least 0 and at most 86400")
        assert error.value == str(value).strip() or error.value == str(value)

    def test_whole_numbers_and_lower_bounds_above_the_minimum(self):
        assert check_number("retries", "3") == 3
        with pytest.raises(OptionError, match=r"retries must be a whole number, at least 0 and at most 10; got 1.5"):
            check_number("retries", 1.5)
        with pytest.raises(OptionError, match=r"wait_sleep must be a number of seconds, above 0 and at most 3600"):
            check_number("wait_sleep", 0)

    def test_only_the_number_options_that_are_set(self):
        assert check_numbers({"wait_timeout": "60", "wait_sleep": None, "name": "shop", "retries": 2}) == {
            "wait_timeout": 60.0,
            "retries": 2,
        }
