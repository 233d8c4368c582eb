# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The self-healing gate's rules, with property tests for the pacing."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._heal import (
    HealState,
    actions_summary,
    beyond_help,
    next_qr_time,
    qr_choice,
    restart_budget,
    restart_candidates,
)
from hypothesis import given
from hypothesis import strategies as st


def item(uuid, status, name=None):
    return {"id": uuid, "status": status, "name": name or uuid}


def test_state_round_trips_through_a_dict():
    state = HealState(deadline=5.0)
    state.record_restart("a", "FAILED", 1.0)
    state.record_restart("b", "FAILED", 2.0, error="HTTP 500")
    state.record_qr("c", 3.0)
    again = HealState.from_dict(state.to_dict())
    assert again.to_dict() == state.to_dict()
    assert again.restarting == {"a": "FAILED"} and again.restart_failures == {"b": "HTTP 500"}


def test_restart_budget_is_five_a_window():
    state = HealState(restart_times=[0, 1, 2, 3, 4])
    assert restart_budget(state, 10) == (0, 60)
    assert restart_budget(state, 60.5) == (1, None)
    assert restart_budget(HealState(), 0) == (5, None)


@given(arrivals=st.lists(st.floats(min_value=0, max_value=600, allow_nan=False), min_size=1, max_size=60))
def test_sending_only_what_the_budget_allows_never_exceeds_five_a_window(arrivals):
    state = HealState()
    for now in sorted(arrivals):
        free, dummy = restart_budget(state, now)
        if free:
            state.record_restart("x%s" % now, "FAILED", now)
    times = sorted(state.restart_times)
    for index in range(5, len(times)):
        assert times[index] - times[index - 5] >= 60


def test_restart_candidates_skip_restarting_and_exhausted_instances():
    instances = [item("a", "FAILED"), item("b", "FAILED"), item("c", "STOPPED"), item("d", "WORKING")]
    state = HealState(restarts={"b": 1}, restarting={"a": "FAILED"})
    assert [i["id"] for i in restart_candidates(instances, state, ["FAILED", "STOPPED"], 1)] == ["c"]
    assert [i["id"] for i in restart_candidates(instances, state, ["FAILED", "STOPPED"], 2)] == ["b", "c"]
    state.observe([item("a", "STOPPED")])
    assert state.restarting == {}


def test_beyond_help_only_once_no_restart_is_left():
    instances = [item("a", "FAILED"), item("b", "FAILED"), item("c", "FAILED")]
    state = HealState(restarts={"a": 1, "b": 1}, restarting={"b": "FAILED"})
    assert beyond_help(instances, state, ["FAILED"], ["FAILED"], 1) == [("a", "FAILED")]
    assert beyond_help(instances, state, ["FAILED"], [], 1) == [("a", "FAILED"), ("c", "FAILED")]


def test_qr_one_a_window_for_the_account_least_recently_shown_first():
    instances = [item("a", "SCAN_QR_CODE"), item("b", "SCAN_QR_CODE"), item("c", "WORKING")]
    state = HealState()
    assert qr_choice(instances, state, 0)["id"] == "a"
    state.record_qr("a", 0)
    assert qr_choice(instances, state, 30) is None
    assert next_qr_time(instances, state) == 60
    assert qr_choice(instances, state, 60)["id"] == "b"
    state.record_qr("b", 60)
    assert qr_choice(instances, state, 120)["id"] == "a"
    assert next_qr_time([item("c", "WORKING")], state) is None


@given(times=st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), min_size=1, max_size=50))
def test_never_two_codes_inside_a_window(times):
    instances = [item("a", "SCAN_QR_CODE"), item("b", "SCAN_QR_CODE")]
    state = HealState()
    shown = []
    for now in sorted(times):
        chosen = qr_choice(instances, state, now, window=60)
        if chosen:
            state.record_qr(chosen["id"], now)
            shown.append(now)
    assert all(later - earlier >= 60 for earlier, later in zip(shown, shown[1:]))


def test_actions_summary_names_what_was_done():
    state = HealState()
    state.record_restart("a", "FAILED", 1.0)
    state.record_qr("b", 2.0)
    rows = actions_summary(
        [item("a", "WORKING", "alpha"), item("b", "SCAN_QR_CODE", "beta"), item("c", "WORKING")], state
    )
    assert rows == [
        dict(id="a", name="alpha", restarts=1, qr_shown=0, restart_error=None),
        dict(id="b", name="beta", restarts=0, qr_shown=1, restart_error=None),
    ]


def test_a_refused_restart_is_not_a_restart_and_holds_the_next_until_its_retry_after():
    state = HealState()
    state.record_refused_restart("a", "the API refused the restart of instance a", until=20.0)
    assert (state.restarts, state.restart_times, state.restarting) == ({}, [], {})
    assert restart_budget(state, 5.0) == (0, 20.0), "nothing before the Retry-After has passed"
    assert restart_budget(state, 20.0) == (5, None)
    instances = [item("a", "FAILED", "alpha")]
    assert [i["id"] for i in restart_candidates(instances, state, ["FAILED"], 1)] == ["a"], "still to be restarted"
    assert beyond_help(instances, state, ["FAILED"], ["FAILED"], 1) == [], "not beyond help: never restarted"
    assert actions_summary(instances, state) == [
        dict(id="a", name="alpha", restarts=0, qr_shown=0, restart_error="the API refused the restart of instance a")
    ]
    again = HealState.from_dict(state.to_dict())
    assert again.to_dict() == state.to_dict() and again.restarts_refused_until == 20.0
    state.record_restart("a", "FAILED", 21.0)
    assert state.restart_failures == {} and state.restarts == {"a": 1}


def test_a_refusal_never_shortens_an_earlier_one_and_one_without_retry_after_holds_nothing():
    state = HealState()
    state.record_refused_restart("a", "refused", until=30.0)
    state.record_refused_restart("b", "refused", until=10.0)
    assert state.restarts_refused_until == 30.0
    state = HealState()
    state.record_refused_restart("a", "not found (HTTP 404)")
    assert restart_budget(state, 0.0) == (5, None)


@given(
    events=st.lists(
        st.tuples(st.floats(min_value=0, max_value=600, allow_nan=False), st.one_of(st.none(), st.floats(0, 120))),
        min_size=1,
        max_size=40,
    )
)
def test_no_restart_is_sent_before_a_refusal_s_retry_after_has_passed(events):
    """Each event: at ``now``, send what the budget allows; the API refuses with ``retry_after`` (None: accepts)."""
    state = HealState()
    refused_until = []
    for now, retry_after in sorted(events, key=lambda event: event[0]):
        free, dummy = restart_budget(state, now)
        if not free:
            continue
        assert all(now >= until for until in refused_until)
        if retry_after is None:
            state.record_restart("x%s" % now, "FAILED", now)
        else:
            state.record_refused_restart("x%s" % now, "refused", until=now + retry_after)
            refused_until.append(now + retry_after)
