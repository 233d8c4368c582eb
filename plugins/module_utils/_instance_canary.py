# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Hypersender canary: send one message and follow it through its stages, each with its time; and what
instance_canary does around the run: its options checked before any request, the instance and its token found, and
the sentences of its plan and success.

queued (the send was accepted) -> sent (its queued request was processed: 201/200 and a message id) ->
delivered (an ack >= DEVICE came back) -> read (an ack >= READ). The queued request is polled once every
``wait_sleep`` until it is processed (at once when an ack arrives for a message not known yet); the acks come by
webhook, through an ack source (the receiver), without a single request. Without an ack after a share of the
deadline, the message is sent again (``resend`` times at most), as the engine's maintainers advise; acks of any
of the messages count. A failed send and an ERROR ack end the run at once, with the vendor's words and what to do.
The stage machine is _canary's.
"""

from __future__ import annotations

import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._canary import (
    DONE,
    FAILED_AT_ONCE,
    NOT_READ_HINT,
    SERVER_ONLY_HINT,
    TIMED_OUT,
    CanaryRun,
    receiver_address,
    since,
    validate_receiver,
    validate_webhook_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, OptionError, validate_number
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    READY_STATUS,
    STATUS_HINTS,
    TOKEN_ENV,
    UUID_PATTERN,
    build_client,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import (
    InstanceActions,
    validate_name,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_messages import (
    ACK_DEVICE,
    ACK_ERROR,
    ACK_NAMES,
    ACK_READ,
    ACK_SERVER,
    FAILED,
    INSTANCE_TOKEN_ENV,
    PROCESSING,
    SENT,
    v2_url,
    validate_recipient,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._recipient import shown_recipient
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    MAX_WAIT_SLEEP,
    MAX_WAIT_TIMEOUT,
    format_seconds,
)

MAX_RESEND = 5
MAX_TEXT_LENGTH = 4096
# An ack for a message not known yet polls the pending queued requests at once, but not more often than this.
EARLY_POLL_SPACING = 0.25

RECIPIENT_HINT = "the recipient is not on WhatsApp: send the canary to a number that has WhatsApp"
INSTANCE_GONE_HINT = "check the instance's UUID and that it still exists in the Hypersender dashboard"
INVALID_HINT = "check the recipient's number (country code and number, digits only) and the text"
SERVER_ERROR_HINT = (
    "the instance may have lost its phone: check its status, restart it, or scan a new QR code "
    "(hypersender.whatsapp.instance_qr), then run the canary again"
)
ACK_ERROR_HINT = (
    "WhatsApp did not deliver it: check that the instance's phone is online and still linked (restart the instance, "
    "or scan a new QR code) and that the recipient has not blocked the number"
)
STILL_QUEUED_HINT = (
    "Hypersender's queue did not process the send: check the instance in the dashboard, restart it, and run the "
    "canary again"
)
NO_ACK_HINT = (
    "the instance says it works but its messages do not leave (acks stay PENDING or never come): its phone is "
    "offline or no longer linked; restart the instance, or scan a new QR code (hypersender.whatsapp.instance_qr)"
)
NO_WEBHOOK_HINT = (
    "no webhook of this instance reached the receiver: check that the instance's webhook_url points at the "
    "receiver (host, port and path, through any proxy) and that the controller can be reached from Hypersender"
)
WRONG_AUTHORIZATION_HINT = (
    "%d webhook request(s) had another Authorization than the one expected and were refused: give the exact "
    "Authorization value the instance's webhooks send"
)


class Message:
    """One send: its queued request, then its message id and the acks that matched it."""

    def __init__(self, uuid, queued_at, next_poll):
        self.uuid = uuid
        self.queued_at = queued_at
        self.next_poll = next_poll
        self.last_poll = None
        self.state = PROCESSING
        self.message_id = None
        self.status = None
        self.sent_at = None
        self.failure = None  # the QueuedResult of a send that failed
        self.acks = []  # (at, ack)

    def as_result(self, start):
        return {
            "queued_request_uuid": self.uuid,
            "message_id": self.message_id,
            "response_status": self.status,
            "queued": since(self.queued_at, start),
            "sent": since(self.sent_at, start),
            "acks": [{"ack": ack, "name": ACK_NAMES[ack], "at": since(at, start)} for at, ack in self.acks],
        }


class InstanceCanary(CanaryRun):  # pylint: disable=too-many-instance-attributes
    """One canary run.

    ``api`` is a :class:`_hypersender_messages.MessagesApi`; ``acks`` an ack source with ``next_event(timeout)``
    returning ``(arrival time, AckEvent)`` or None (the receiver), or None when only ``sent`` is awaited;
    ``webhook_stats()`` the receiver's counts for the failure message. ``recipient`` is how to name the
    recipient in messages (masked).
    """

    STAGES = ("queued", "sent", "delivered", "read")

    def __init__(
        self,
        api,
        instance,
        chat_id,
        text,
        wait_for="sent",
        wait_timeout=60.0,
        wait_sleep=2.0,
        resend=1,
        acks=None,
        webhook_stats=None,
        recipient="the recipient",
        clock=time.monotonic,
        sleep=time.sleep,
    ):  # pylint: disable=too-many-arguments
        if wait_for != "sent" and acks is None:
            raise ValueError("waiting for %s needs an ack source" % wait_for)
        super().__init__(wait_for, wait_timeout, acks, webhook_stats, recipient, clock, sleep)
        self.api = api
        self.instance = instance
        self.chat_id = chat_id
        self.text = text
        self.wait_sleep = float(wait_sleep)
        self.resend = int(resend) if acks is not None else 0
        self.messages = []
        self.unmatched = []  # (at, AckEvent) for messages not known (yet)
        self.polls = 0
        self.last_error = None

    # -- the run -------------------------------------------------------------------------------------------------------

    def run(self):
        self._begin()
        resend_at = [self.start + self.wait_timeout * k / (self.resend + 1) for k in range(1, self.resend + 1)]
        try:
            self._send()
            while True:
                failure = self._failure()
                if failure is not None:
                    return self._outcome(FAILED_AT_ONCE, *failure)
                if self._reached(self.wait_for):
                    return self._outcome(DONE)
                now = self._clock()
                if now >= self.deadline:
                    return self._at_deadline(now)
                self._poll_due(now)
                failure = self._failure()
                if failure is not None:
                    return self._outcome(FAILED_AT_ONCE, *failure)
                if self._reached(self.wait_for):
                    return self._outcome(DONE)
                if resend_at and self._clock() >= resend_at[0]:
                    resend_at.pop(0)
                    if self._best_ack() < ACK_SERVER and self._clock() < self.deadline:
                        self._send()
                        continue
                self._wait_until(min([self.deadline] + resend_at[:1] + self._poll_times()))
        except ApiError as error:
            return self._outcome(FAILED_AT_ONCE, str(error), None, "api_error")

    def _at_deadline(self, now):
        """The last poll of a request still processing runs at the deadline (as :func:`_wait.poll`'s last probe)."""
        for message in self.messages:
            if message.state == PROCESSING and (message.last_poll is None or message.last_poll < now):
                self._poll(message)
        failure = self._failure()
        if failure is not None:
            return self._outcome(FAILED_AT_ONCE, *failure)
        if self._reached(self.wait_for):
            return self._outcome(DONE)
        return self._timed_out()

    def _send(self):
        uuid = self.api.send_text(self.instance, self.chat_id, self.text, self.deadline)
        now = self._clock()
        self.messages.append(Message(uuid, now, now + self.wait_sleep))
        if self.stages["queued"] is None:
            self.stages["queued"] = now

    def _poll_times(self):
        return [message.next_poll for message in self.messages if message.state == PROCESSING]

    def _poll_due(self, now, early=False):
        for message in self.messages:
            if message.state != PROCESSING:
                continue
            if early:
                if message.last_poll is not None and now - message.last_poll < EARLY_POLL_SPACING:
                    continue
            elif now < message.next_poll:
                continue
            self._poll(message)

    def _poll(self, message):
        self.polls += 1
        message.last_poll = self._clock()
        try:
            result = self.api.queued_request(self.instance, message.uuid, self.deadline)
        except ApiError as error:
            if not error.retryable:
                raise
            self.last_error = error
            wait = max(self.wait_sleep, error.retry_after or 0)
            message.next_poll = self._clock() + wait
            return
        self.last_error = None
        now = self._clock()
        message.next_poll = now + self.wait_sleep
        message.status = result.status
        if result.state == SENT:
            message.state, message.message_id, message.sent_at = SENT, result.message_id, now
            self._record("sent", now)
            self._match_unmatched()
        elif result.state == FAILED:
            message.state = FAILED
            message.failure = result

    # -- acks ----------------------------------------------------------------------------------------------------------

    def _take(self, arrived, event):
        for message in self.messages:
            if message.message_id is not None and message.message_id == event.message_id:
                self._apply(message, arrived, event.ack)
                return
        self.unmatched.append((arrived, event))
        if any(message.state == PROCESSING for message in self.messages):
            self._poll_due(self._clock(), early=True)

    def _match_unmatched(self):
        still = []
        for arrived, event in self.unmatched:
            message = next((m for m in self.messages if m.message_id == event.message_id), None)
            if message is None:
                still.append((arrived, event))
            else:
                self._apply(message, arrived, event.ack)
        self.unmatched = still

    def _apply(self, message, arrived, ack):
        message.acks.append((arrived, ack))
        if ack >= ACK_SERVER:
            self._record("sent", arrived)
        if ack >= ACK_DEVICE:
            self._record("delivered", arrived)
        if ack >= ACK_READ:
            self._record("read", arrived)

    def _best_ack(self):
        return max([ack for message in self.messages for dummy, ack in message.acks] or [ACK_ERROR - 1])

    def _last_ack(self):
        seen = sorted((at, ack, message) for message in self.messages for at, ack in message.acks)
        return seen[-1] if seen else None

    # -- outcomes ------------------------------------------------------------------------------------------------------

    def _failure(self):
        """(problem, hint, reason) of a send that failed or an ERROR ack, or None."""
        for message in self.messages:
            if message.state == FAILED:
                return self._send_failure(message.failure)
            for at, ack in message.acks:
                if ack == ACK_ERROR and not self._reached(self.wait_for):
                    return (
                        "WhatsApp reported ack ERROR for message %s after %s s"
                        % (message.message_id, format_seconds(at - self.start)),
                        ACK_ERROR_HINT,
                        "ack_error",
                    )
        return None

    def _send_failure(self, result):
        said = " (%s)" % result.said if result.said else ""
        problem = "Hypersender could not send to %s: its queued request ended with HTTP %s%s" % (
            self.recipient,
            result.status,
            said,
        )
        if result.status == 404 and result.not_on_whatsapp:
            return problem, RECIPIENT_HINT, "not_on_whatsapp"
        if result.status == 404:
            return problem, INSTANCE_GONE_HINT, "send_failed"
        if result.status == 422:
            return problem, INVALID_HINT, "send_failed"
        return problem, SERVER_ERROR_HINT, "send_failed"

    def _timed_out(self):
        stage = self.reached_stage()
        waited = format_seconds(self.wait_timeout)
        last = self._last_ack()
        sends = len(self.messages)
        resent = (
            ""
            if sends == 1
            else "; sent %d times (resent after %s s without an ack)"
            % (
                sends,
                format_seconds(self.messages[1].queued_at - self.start),
            )
        )
        if stage == "queued":
            problem = "the message to %s was still queued after %s s: its queued request was never processed%s" % (
                self.recipient,
                waited,
                resent,
            )
            if self.last_error is not None:
                problem += "; last error: %s" % self.last_error
            return self._outcome(TIMED_OUT, problem, STILL_QUEUED_HINT, "timed_out")
        message = next(m for m in self.messages if m.message_id is not None)
        problem = "the message to %s reached stage %s but not %s within %s s (message %s%s); last ack %s%s" % (
            self.recipient,
            stage,
            self.wait_for,
            waited,
            message.message_id,
            "" if sends == 1 else " and %d more" % (sends - 1),
            "none" if last is None else "%s after %s s" % (ACK_NAMES[last[1]], format_seconds(last[0] - self.start)),
            resent,
        )
        return self._outcome(TIMED_OUT, problem, self._timeout_hint(stage, last), "timed_out")

    def _timeout_hint(self, stage, last):
        if stage == "delivered":
            return NOT_READ_HINT
        if last is not None and last[1] >= ACK_SERVER:
            return SERVER_ONLY_HINT
        stats = self._stats()
        if stats.get("unauthorized"):
            return WRONG_AUTHORIZATION_HINT % stats["unauthorized"]
        if last is None and not stats.get("accepted") and not self.unmatched:
            return NO_WEBHOOK_HINT + "; or else " + NO_ACK_HINT
        return NO_ACK_HINT

    def report(self):
        """The run as the module returns it: times in seconds from the start of the run."""
        last = self._last_ack()
        delivered = next(
            (m for m in self.messages if any(ack >= ACK_DEVICE for dummy, ack in m.acks)),
            next((m for m in self.messages if m.message_id is not None), None),
        )
        return {
            "stage": self.reached_stage(),
            "stages": self.stage_times(),
            "message_id": delivered.message_id if delivered else None,
            "messages": [message.as_result(self.start) for message in self.messages],
            "sends": len(self.messages),
            "resent": len(self.messages) > 1,
            "polls": self.polls,
            "last_ack": (
                None if last is None else {"ack": last[1], "name": ACK_NAMES[last[1]], "at": since(last[0], self.start)}
            ),
            "other_message_acks": len(self.unmatched),
            "elapsed": since(self._clock(), self.start),
        }


class NotReady(Exception):
    """The canary cannot send through this instance; nothing was sent."""

    def __init__(self, problem, hint=None):
        super().__init__(problem if not hint else "%s: %s" % (problem, hint))
        self.problem = problem
        self.hint = hint


class CanaryOptions:  # pylint: disable=too-many-instance-attributes
    """The module's options, checked, and what follows from them."""

    def __init__(self, params, run_id):
        self.run_id = run_id
        name = params["instance"]
        text = "" if name is None else str(name).strip()
        self.instance_uuid = text if UUID_PATTERN.match(text) else None
        self.instance_name = None if self.instance_uuid else validate_name(name, "instance")
        self.digits, self.chat_id = validate_recipient(params["to"])
        self.v2_url = v2_url(params["api_url"], params["api_v2_url"])  # checked before any request
        self.recipient = shown_recipient(self.digits, params["show_recipient"])
        self.text = _text(params["text"], run_id)
        self.wait_timeout = validate_number(params["wait_timeout"], "wait_timeout", 0.0, MAX_WAIT_TIMEOUT)
        self.wait_sleep = validate_number(params["wait_sleep"], "wait_sleep", 0.0, MAX_WAIT_SLEEP, above_minimum=True)
        self.wait_for = params["wait_for"]
        self.receiver = self.wait_for != "sent"
        self.resend = validate_number(params["resend"], "resend", 0, MAX_RESEND, integer=True) if self.receiver else 0
        self.receiver_host = params["receiver_host"]
        self.receiver_port = params["receiver_port"]
        self.receiver_path = params["receiver_path"]
        self.receiver_authorization = params["receiver_authorization"]
        if self.receiver:
            self._check_receiver()

    def _check_receiver(self):
        self.receiver_host, self.receiver_port, self.receiver_path = validate_receiver(
            self.receiver_host, self.receiver_port, self.receiver_path
        )
        self.receiver_authorization = validate_webhook_secret(
            self.receiver_authorization,
            "receiver_authorization",
            missing="receiver_authorization is needed to wait for %s: set it (or the HYPERSENDER_WEBHOOK_AUTHORIZATION "
            "environment variable) to the Authorization value the instance's webhooks carry" % self.wait_for,
            header=True,
        )

    @property
    def receiver_address(self):
        return receiver_address(self.receiver_host, self.receiver_port, self.receiver_path)

    def plan(self, instance):
        plan = "check mode: would send %r to %s through instance %s, then wait up to %s s for %s" % (
            self.text,
            self.recipient,
            describe(instance),
            format_seconds(self.wait_timeout),
            self.wait_for,
        )
        if self.receiver:
            plan += ", listening for the instance's webhooks on %s" % self.receiver_address
        return plan

    def success(self, instance, report):
        stages = report["stages"]
        done = ", ".join(
            "%s after %s s" % (stage, format_seconds(stages[stage]))
            for stage in ("sent", "delivered", "read")
            if stages[stage] is not None
        )
        return "instance %s sent message %s to %s: %s%s" % (
            describe(instance),
            report["message_id"],
            self.recipient,
            done,
            "" if report["sends"] == 1 else " (sent %d times)" % report["sends"],
        )


def _text(value, run_id):
    text = "" if value is None else str(value)
    text = text.replace("{run_id}", run_id)
    if not text.strip():
        raise OptionError("text is empty: give the message to send (or leave text out for the default)")
    if len(text) > MAX_TEXT_LENGTH:
        raise OptionError("text is %d characters long; the canary sends at most %d" % (len(text), MAX_TEXT_LENGTH))
    return text


def validate_canary_options(params, run_id):
    return CanaryOptions(params, run_id)


def describe(instance):
    if instance.get("name"):
        return "%s (%s)" % (instance["name"], instance["id"])
    return instance["id"]


def resolve_instance(module, options):
    """(the instance as the result shows it, the token for its v2 endpoints).

    With ``instance_token`` and a UUID nothing is read; otherwise the instance list (``api_token``) names the
    instance, its status (which must be WORKING) and its access token. :class:`NotReady` when it cannot send.
    """
    params = module.params
    token = params.get("instance_token")
    if token and options.instance_uuid:
        return {"id": options.instance_uuid}, token
    if not params.get("api_token"):
        raise OptionError(
            "api_token is empty: set api_token or the %s environment variable to read the instance and its access "
            "token (or give instance_token, or %s, with the instance's UUID)" % (TOKEN_ENV, INSTANCE_TOKEN_ENV)
        )
    with build_client(params, **module.client_options) as client:
        actions = InstanceActions(client)
        if options.instance_uuid:
            listed = actions.find_by_id(options.instance_uuid, include_access_token=True)
        else:
            found = actions.find_by_name(options.instance_name, include_access_token=True)
            if len(found) != 1:
                raise OptionError(
                    "%s instance of this account is named %r (compared as the server does, without case): give "
                    "instance as the UUID" % ("no" if not found else "more than one", options.instance_name)
                )
            listed = found[0]
    access_token = listed.pop("access_token", None)
    if access_token:
        module.no_log_values.add(access_token)
    instance = {"id": listed["id"], "name": listed.get("name"), "status": listed.get("status")}
    if instance["status"] != READY_STATUS:
        raise NotReady(
            "instance %s is %s, not %s: no message was sent" % (describe(instance), instance["status"], READY_STATUS),
            STATUS_HINTS.get(instance["status"], "check the instance in the Hypersender dashboard"),
        )
    token = token or access_token
    if not token:
        raise NotReady(
            "instance %s has no access token in Hypersender's instance list (it gives one once a phone is linked): "
            "no message was sent" % describe(instance),
            "scan the instance's QR code in the Hypersender dashboard, or give instance_token",
        )
    return instance, token
