# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The canary's stages, polls, resend and failures, on a fake clock: no real time, no real I/O."""

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils import _canary, _instance_canary
from ansible_collections.hypersender.whatsapp.plugins.module_utils._canary import DONE, FAILED_AT_ONCE, TIMED_OUT
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, ServerError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_messages import (
    FAILED,
    PROCESSING,
    SENT,
    AckEvent,
    QueuedResult,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._instance_canary import InstanceCanary
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import FakeClock

INSTANCE = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
CHAT = "201234567890@c.us"


class FakeApi:
    """Each send's queued request is processed ``processed_after`` seconds after the send, with ``result``."""

    def __init__(self, clock, sends):
        self.clock = clock
        self.sends = list(sends)
        self.calls = []
        self.queued = {}

    def send_text(self, instance, chat_id, text, deadline):
        self.calls.append(("send", self.clock.now))
        spec = self.sends[min(len(self.queued), len(self.sends) - 1)]
        uuid = "q%d" % (len(self.queued) + 1)
        self.queued[uuid] = (self.clock.now, spec)
        return uuid

    def queued_request(self, instance, uuid, deadline):
        self.calls.append(("poll", self.clock.now, uuid))
        sent_at, spec = self.queued[uuid]
        errors = spec.get("errors")
        if errors:
            raise errors.pop(0)
        if spec.get("processed_after") is None or self.clock.now < sent_at + spec["processed_after"]:
            return QueuedResult(PROCESSING)
        return spec.get("result") or QueuedResult(SENT, 201, "MSG-" + uuid)

    def count(self, kind):
        return sum(1 for call in self.calls if call[0] == kind)


class FakeAcks:
    """Events at fixed times of the fake clock; waiting advances the clock."""

    def __init__(self, clock, events=()):
        self.clock = clock
        self.events = sorted(events, key=lambda item: item[0])
        self.waits = []

    def next_event(self, timeout):
        self.waits.append(timeout)
        if self.events and self.events[0][0] <= self.clock.now + timeout:
            at, event = self.events.pop(0)
            self.clock.now = max(self.clock.now, at)
            return self.clock.now, event
        self.clock.now += timeout
        return None


@pytest.fixture
def clock():
    return FakeClock()


def canary(clock, api, acks=None, **options):
    options.setdefault("wait_timeout", 60)
    options.setdefault("wait_sleep", 2)
    options.setdefault("wait_for", "sent" if acks is None else "delivered")
    return InstanceCanary(
        api,
        INSTANCE,
        CHAT,
        "deploy check",
        acks=acks,
        recipient="********7890",
        clock=clock,
        sleep=clock.sleep,
        **options,
    )


def at(clock, seconds):
    return clock.now + seconds


def test_sent_polls_once_per_interval_until_processed(clock):
    api = FakeApi(clock, [{"processed_after": 5}])
    outcome = canary(clock, api).run()
    assert outcome.state == DONE and outcome.ok
    report = outcome.report
    assert report["stage"] == "sent" and report["message_id"] == "MSG-q1"
    assert report["stages"] == {"queued": 0.0, "sent": 6.0, "delivered": None, "read": None}
    # the floor: one send, one poll per interval until processed (at 2, 4, 6 s)
    assert [call[0] for call in api.calls] == ["send", "poll", "poll", "poll"]
    assert [call[1] - api.calls[0][1] for call in api.calls[1:]] == [2, 4, 6]
    assert report["polls"] == 3 and report["sends"] == 1 and report["resent"] is False


def test_delivered_polls_at_once_when_an_ack_arrives_before_the_message_id_is_known(clock):
    api = FakeApi(clock, [{"processed_after": 0.3}])
    acks = FakeAcks(clock, [(at(clock, 0.5), AckEvent("MSG-q1", 1)), (at(clock, 0.8), AckEvent("MSG-q1", 2))])
    outcome = canary(clock, api, acks).run()
    assert outcome.state == DONE
    report = outcome.report
    assert report["stages"] == {"queued": 0.0, "sent": 0.5, "delivered": 0.8, "read": None}
    # the SERVER ack polled early (0.5 s instead of 2 s); the DEVICE ack needed no request at all
    assert [call[0] for call in api.calls] == ["send", "poll"]
    assert report["last_ack"] == {"ack": 2, "name": "DEVICE", "at": 0.8}
    assert report["elapsed"] == 0.8  # the run ends with the ack that completes it
    assert [ack["name"] for ack in report["messages"][0]["acks"]] == ["SERVER", "DEVICE"]


def test_read_implies_delivered_and_sent(clock):
    api = FakeApi(clock, [{"processed_after": 0}])
    acks = FakeAcks(clock, [(at(clock, 3), AckEvent("MSG-q1", 3))])
    outcome = canary(clock, api, acks, wait_for="read").run()
    assert outcome.state == DONE
    assert outcome.report["stages"] == {"queued": 0.0, "sent": 2.0, "delivered": 3.0, "read": 3.0}


def test_a_buffered_ack_counts_from_its_arrival(clock):
    """A DEVICE ack that came before the poll which names the message dates delivered, and sent, at its arrival."""
    api = FakeApi(clock, [{"processed_after": 0.5}])
    acks = FakeAcks(clock, [(at(clock, 0.1), AckEvent("MSG-q1", 2))])
    outcome = canary(clock, api, acks).run()
    assert outcome.state == DONE
    assert outcome.report["stages"]["delivered"] == 0.1 and outcome.report["stages"]["sent"] == 0.1


def test_acks_of_other_messages_are_ignored_and_counted(clock):
    api = FakeApi(clock, [{"processed_after": 0}])
    acks = FakeAcks(
        clock,
        [
            (at(clock, 1), AckEvent("SOMEONE-ELSE", 2)),
            (at(clock, 3), AckEvent("MSG-q1", 1)),
            (at(clock, 4), AckEvent("MSG-q1", 2)),
        ],
    )
    outcome = canary(clock, api, acks).run()
    assert outcome.state == DONE
    assert outcome.report["stages"]["delivered"] == 4.0
    assert outcome.report["other_message_acks"] == 1


def test_an_error_ack_fails_at_once(clock):
    api = FakeApi(clock, [{"processed_after": 0}])
    acks = FakeAcks(clock, [(at(clock, 2.5), AckEvent("MSG-q1", -1))])
    outcome = canary(clock, api, acks).run()
    assert outcome.state == FAILED_AT_ONCE
    assert outcome.problem == "WhatsApp reported ack ERROR for message MSG-q1 after 2.5 s"
    assert outcome.hint == _instance_canary.ACK_ERROR_HINT and outcome.reason == "ack_error"
    assert clock.now - api.calls[0][1] == 2.5  # not a second later


@pytest.mark.parametrize(
    "result, hint",
    [
        (
            QueuedResult(
                FAILED, 404, said="The number you want to send the message to is not on whatsapp.", not_on_whatsapp=True
            ),
            _instance_canary.RECIPIENT_HINT,
        ),
        (QueuedResult(FAILED, 404, said="Instance not found."), _instance_canary.INSTANCE_GONE_HINT),
        (QueuedResult(FAILED, 422, said="chatId: The chat id field is invalid."), _instance_canary.INVALID_HINT),
        (QueuedResult(FAILED, 500, said="Server Error"), _instance_canary.SERVER_ERROR_HINT),
    ],
)
def test_a_failed_send_fails_at_once_with_the_vendors_words(clock, result, hint):
    api = FakeApi(clock, [{"processed_after": 0, "result": result}])
    outcome = canary(clock, api, FakeAcks(clock)).run()
    assert outcome.state == FAILED_AT_ONCE
    assert (
        outcome.problem
        == "Hypersender could not send to ********7890: its queued request ended with HTTP %d (%s)"
        % (
            result.status,
            result.said,
        )
    )
    assert outcome.hint == hint
    assert outcome.reason == ("not_on_whatsapp" if hint == _instance_canary.RECIPIENT_HINT else "send_failed")
    assert outcome.message == outcome.problem + ": " + hint
    assert [call[0] for call in api.calls] == ["send", "poll"]
    assert outcome.report["stage"] == "queued"


def test_no_ack_resends_once_at_half_the_deadline_then_fails_on_time(clock):
    api = FakeApi(clock, [{"processed_after": 0}])
    acks = FakeAcks(clock, [(at(clock, 1), AckEvent("MSG-q1", 0))])  # PENDING, and nothing more
    start = clock.now
    outcome = canary(clock, api, acks, wait_timeout=60).run()
    assert outcome.state == TIMED_OUT
    sends = [call[1] - start for call in api.calls if call[0] == "send"]
    assert sends == [0, 30]
    assert clock.now - start == 60  # on time: not before, not after
    report = outcome.report
    assert report["stage"] == "sent" and report["sends"] == 2 and report["resent"] is True
    assert report["last_ack"] == {"ack": 0, "name": "PENDING", "at": 1.0}
    assert outcome.problem == (
        "the message to ********7890 reached stage sent but not delivered within 60 s (message MSG-q1 and 1 more); "
        "last ack PENDING after 1 s; sent 2 times (resent after 30 s without an ack)"
    )
    assert outcome.hint == _instance_canary.NO_ACK_HINT and outcome.reason == "timed_out"
    assert api.count("poll") == 2  # each queued request once, when it was processed


def test_a_resend_that_then_gets_its_ack(clock):
    api = FakeApi(clock, [{"processed_after": 0}])
    acks = FakeAcks(clock, [(at(clock, 35), AckEvent("MSG-q2", 2))])
    outcome = canary(clock, api, acks, wait_timeout=60).run()
    assert outcome.state == DONE
    assert outcome.report["message_id"] == "MSG-q2" and outcome.report["sends"] == 2
    assert outcome.report["stages"]["delivered"] == 35.0
    assert [message["message_id"] for message in outcome.report["messages"]] == ["MSG-q1", "MSG-q2"]


def test_no_resend_once_the_server_acked(clock):
    api = FakeApi(clock, [{"processed_after": 0}])
    acks = FakeAcks(clock, [(at(clock, 5), AckEvent("MSG-q1", 1))])
    outcome = canary(clock, api, acks, wait_timeout=20).run()
    assert outcome.state == TIMED_OUT
    assert api.count("send") == 1
    assert outcome.hint == _canary.SERVER_ONLY_HINT
    assert "last ack SERVER after 5 s" in outcome.problem


@pytest.mark.parametrize("resend, sends", [(0, [0]), (1, [0, 30]), (2, [0, 20, 40])])
def test_resend_spreads_over_the_deadline(clock, resend, sends):
    api = FakeApi(clock, [{"processed_after": 0}])
    start = clock.now
    outcome = canary(clock, api, FakeAcks(clock), wait_timeout=60, resend=resend).run()
    assert outcome.state == TIMED_OUT
    assert [call[1] - start for call in api.calls if call[0] == "send"] == sends


def test_sent_only_never_resends(clock):
    api = FakeApi(clock, [{"processed_after": None}])
    outcome = canary(clock, api, wait_timeout=10, resend=3).run()
    assert outcome.state == TIMED_OUT and api.count("send") == 1


def test_a_send_that_stays_queued(clock):
    api = FakeApi(clock, [{"processed_after": None}])
    outcome = canary(clock, api, wait_timeout=9).run()
    assert outcome.state == TIMED_OUT
    assert outcome.report["stage"] == "queued"
    assert outcome.problem == (
        "the message to ********7890 was still queued after 9 s: its queued request was never processed"
    )
    assert outcome.hint == _instance_canary.STILL_QUEUED_HINT
    assert api.count("poll") == 5  # at 2, 4, 6, 8 and at the deadline


def test_transient_poll_errors_keep_polling_and_are_reported(clock):
    error = ServerError("GET /x: server error (HTTP 503)", status=503, retry_after=5)
    api = FakeApi(clock, [{"processed_after": None, "errors": [error]}])
    outcome = canary(clock, api, wait_timeout=10).run()
    assert outcome.state == TIMED_OUT
    polls = [call[1] - api.calls[0][1] for call in api.calls if call[0] == "poll"]
    assert polls[:2] == [2, 7]  # the second poll waits for Retry-After (5 s), not wait_sleep (2 s)


def test_a_permanent_poll_error_fails_at_once(clock):
    error = ApiError("Hypersender does not know the queued request q1 of instance x (HTTP 404)", status=404)
    api = FakeApi(clock, [{"processed_after": None, "errors": [error]}])
    outcome = canary(clock, api, wait_timeout=30).run()
    assert outcome.state == FAILED_AT_ONCE
    assert outcome.problem == str(error) and clock.now - api.calls[0][1] == 2
    assert outcome.reason == "api_error"


@pytest.mark.parametrize(
    "stats, events, hint",
    [
        ({"unauthorized": 3, "accepted": 0}, [], _instance_canary.WRONG_AUTHORIZATION_HINT % 3),
        (
            {"unauthorized": 0, "accepted": 0},
            [],
            _instance_canary.NO_WEBHOOK_HINT + "; or else " + _instance_canary.NO_ACK_HINT,
        ),
        ({"unauthorized": 0, "accepted": 1}, [(1, AckEvent("MSG-q1", 0))], _instance_canary.NO_ACK_HINT),
    ],
)
def test_the_no_ack_hint_says_what_the_receiver_saw(clock, stats, events, hint):
    api = FakeApi(clock, [{"processed_after": 0}])
    acks = FakeAcks(clock, [(at(clock, offset), event) for offset, event in events])
    outcome = canary(clock, api, acks, wait_timeout=10, resend=0, webhook_stats=lambda: stats).run()
    assert outcome.state == TIMED_OUT and outcome.hint == hint


def test_delivered_but_not_read(clock):
    api = FakeApi(clock, [{"processed_after": 0}])
    acks = FakeAcks(clock, [(at(clock, 1), AckEvent("MSG-q1", 2))])
    outcome = canary(clock, api, acks, wait_for="read", wait_timeout=10).run()
    assert outcome.state == TIMED_OUT
    assert outcome.report["stage"] == "delivered" and outcome.hint == _canary.NOT_READ_HINT


def test_a_send_error_fails_at_once(clock):
    class Refusing(FakeApi):
        def send_text(self, instance, chat_id, text, deadline):
            raise ApiError("POST /x/send-text: the Hypersender API rejected the credentials (HTTP 401)", status=401)

    outcome = canary(clock, Refusing(clock, [{}]), FakeAcks(clock)).run()
    assert outcome.state == FAILED_AT_ONCE and "HTTP 401" in outcome.problem
    assert outcome.report["stage"] is None and outcome.report["sends"] == 0


def test_waiting_for_acks_needs_an_ack_source(clock):
    with pytest.raises(ValueError):
        InstanceCanary(FakeApi(clock, [{}]), INSTANCE, CHAT, "x", wait_for="delivered")
