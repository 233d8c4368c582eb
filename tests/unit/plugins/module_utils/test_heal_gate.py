# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""fleet_heal's round: one deadline over all rounds, transient errors ride out, a missing UUID ends the gate, check
mode says what it would do, and a damaged heal_state is refused with a sentence."""

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils import _heal_gate
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    AuthenticationError,
    OptionError,
    ServerError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._heal import HealState
from ansible_collections.hypersender.whatsapp.plugins.module_utils._heal_gate import HealRound, validate_heal_options
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import FakeClock

EU = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
US = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"


def instance(uuid, status, name=None):
    return {"id": uuid, "name": name or uuid[:4], "status": status}


class FakeApi:
    """Answers list_instances from a script (an exception is raised)."""

    client = None

    def __init__(self, script):
        self.script = list(script)
        self.calls = 0

    def list_instances(self, filters=None, deadline=None):
        self.calls += 1
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return [dict(item) for item in step]


class FakeActions:
    def __init__(self):
        self.restarts = []
        self.qr_requests = []

    def restart(self, uuid, deadline=None):
        self.restarts.append(uuid)

    def request_new_qr_code(self, uuid, deadline=None):
        self.qr_requests.append(uuid)
        raise AssertionError("a QR code was requested")


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(_heal_gate.time, "time", fake)
    monkeypatch.setattr(_heal_gate.time, "monotonic", fake)
    monkeypatch.setattr(_heal_gate.time, "sleep", fake.sleep)
    return fake


def params(**values):
    base = {name: option.get("default") for name, option in _heal_gate.HEAL_ARGUMENT_SPEC.items()}
    base.update(values)
    return base


def gate(script, check_mode=False, state=None, **values):
    p = params(**values)
    wanted, parsed = validate_heal_options(dict(p, heal_state=state or {}))
    round_ = HealRound(p, FakeApi(script), wanted, parsed, check_mode=check_mode)
    round_.actions = FakeActions()
    return round_


def test_check_mode_says_what_it_would_do_and_does_nothing(clock):
    round_ = gate(
        [[instance(EU, "FAILED", "shop-eu"), instance(US, "SCAN_QR_CODE", "shop-us")]],
        check_mode=True,
        restart=["FAILED"],
        show_qr=True,
    )
    result = round_.result(round_.run())
    assert result["outcome"] == "check_mode" and result["changed"] is True and result["waited"] is False
    assert result[
        "msg"
    ] == "check mode: would restart 1 instance(s) (shop-eu %s) and show the QR code of shop-us (%s)" % (
        EU,
        US,
    )
    assert result["restarted"] == [EU] and result["qr"] == {"id": US, "name": "shop-us", "valid_for": 60}
    assert round_.actions.restarts == [] and result["actions"] == []


def test_check_mode_with_nothing_to_do_is_no_change(clock):
    round_ = gate([[instance(EU, "WORKING"), instance(US, "STARTING")]], check_mode=True, restart=["FAILED"])
    result = round_.result(round_.run())
    assert result["changed"] is False
    assert result["msg"] == "check mode: nothing to restart or show, 1 of 2 instances WORKING"


def test_a_missing_uuid_ends_the_gate_at_once(clock):
    round_ = gate([[instance(EU, "WORKING")]], instances=[EU, US], wait_timeout=600)
    result = round_.result(round_.run())
    assert result["outcome"] == "missing" and result["done"] is True and round_.api.calls == 1
    assert result["missing"] == [US] and result["not_ready_details"][0]["status"] == "not found"


def test_transient_errors_ride_out_and_the_last_one_is_kept_only_while_it_lasts(clock):
    round_ = gate([ServerError("GET x: server error (HTTP 503)"), [instance(EU, "WORKING")]], wait_sleep=5)
    result = round_.result(round_.run())
    assert result["outcome"] == "passed" and result["polls"] == 2 and result["last_error"] is None
    timed_out = gate([ServerError("GET x: server error (HTTP 503)")], wait_timeout=12, wait_sleep=5)
    result = timed_out.result(timed_out.run())
    assert result["outcome"] == "timed_out" and result["last_error"] == "GET x: server error (HTTP 503)"
    assert result["polls"] == 4 and result["total"] == 0  # at 0, 5, 10 and the deadline


def test_an_error_waiting_cannot_fix_ends_it(clock):
    with pytest.raises(AuthenticationError):
        gate([AuthenticationError("GET x: rejected (HTTP 401)")]).run()


def test_one_deadline_over_every_round(clock):
    first = gate([[instance(EU, "STARTING")]], wait_timeout=100, wait_sleep=30)
    clock.now += 40  # as if a QR round had ended here: the next round keeps the first round's deadline
    state = first.state.to_dict()
    again = gate([[instance(EU, "STARTING")]], state=state, wait_timeout=100, wait_sleep=30)
    result = again.result(again.run())
    assert result["outcome"] == "timed_out"
    assert clock.now == pytest.approx(1000.0 + 100), "the deadline is the first round's, not a new 100 s"
    assert result["wait_timeout"] == 100 and result["remaining"] == 0 and result["elapsed"] == 100


FLEET = [instance(EU, "FAILED", "shop-eu"), instance(US, "SCAN_QR_CODE", "shop-us")]


def test_a_round_that_begins_past_the_deadline_looks_once_and_acts_on_nothing(clock):
    """A loaded machine can start the next round (a new module process) after the gate's deadline."""
    first = gate([FLEET], wait_timeout=13, restart=["FAILED"], show_qr=True, max_restarts=5)
    clock.now += 20
    late = gate([FLEET], state=first.state.to_dict(), wait_timeout=13, restart=["FAILED"], show_qr=True)
    result = late.result(late.run())
    assert result["outcome"] == "timed_out" and result["done"] is True and result["changed"] is False
    assert late.api.calls == 1 and late.actions.restarts == [] and late.actions.qr_requests == []
    assert result["not_ready"] == [EU, US] and result["remaining"] == 0


class SlowApi(FakeApi):
    """A list request that ends past the deadline (a slow server, a loaded machine)."""

    def __init__(self, script, clock, seconds):
        super().__init__(script)
        self.clock, self.seconds = clock, seconds

    def list_instances(self, filters=None, deadline=None):
        self.clock.now += self.seconds
        return super().list_instances(filters, deadline)


def test_a_poll_that_ends_past_the_deadline_acts_on_nothing(clock):
    p = params(wait_timeout=10, restart=["FAILED"], show_qr=True)
    wanted, parsed = validate_heal_options(dict(p, heal_state={}))
    round_ = HealRound(p, SlowApi([FLEET], clock, 11), wanted, parsed)
    round_.actions = FakeActions()
    result = round_.result(round_.run())
    assert result["outcome"] == "timed_out" and round_.api.calls == 1
    assert round_.actions.restarts == [] and round_.actions.qr_requests == []


def test_a_late_look_at_a_fleet_beyond_help_still_says_failed(clock):
    first = gate([[instance(EU, "FAILED")]], wait_timeout=5)
    clock.now += 6
    late = gate([[instance(EU, "FAILED")]], state=first.state.to_dict(), wait_timeout=5)
    result = late.result(late.run())
    assert result["outcome"] == "failed" and result["beyond_help"] == [EU]


@pytest.mark.parametrize(
    "state, words",
    [
        ({"restart_times": "abc"}, "heal_state.restart_times must be a list of clock times, as the previous round"),
        ({"deadline": "soon"}, "heal_state.deadline must be a clock time (a number), as the previous round"),
        ({"restarts": {EU: -1}}, "heal_state.restarts must be a mapping of instance UUIDs to counts"),
        ({"deadline": float("nan")}, "heal_state.deadline must be a clock time"),
        ({"when": 1}, "heal_state has keys no round returns (when)"),
    ],
)
def test_a_damaged_heal_state_is_refused_with_a_sentence(state, words):
    with pytest.raises(OptionError, match=words.replace("(", r"\(").replace(")", r"\)")):
        validate_heal_options(params(heal_state=state))


def test_a_returned_heal_state_is_accepted_as_it_is(clock):
    first = gate([[instance(EU, "FAILED")]], restart=["FAILED"], wait_timeout=1, wait_sleep=5)
    first.result(first.run())
    again = HealState.from_dict(first.state.to_dict())
    assert again.to_dict() == first.state.to_dict() and again.restarts == {EU: 1}


@pytest.mark.parametrize("name, value", [("wait_sleep", float("nan")), ("wait_timeout", -1), ("max_restarts", -1)])
def test_numbers_are_checked_before_any_request(name, value):
    with pytest.raises(OptionError, match="^%s must be" % name):
        validate_heal_options(params(**{name: value}))
