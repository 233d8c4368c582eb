# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Cloud API canary: send one template message from a business phone number and follow it by its status
webhooks; and what cloud_canary does around the run (its options checked before any request, its sentences).

accepted (``POST /<PHONE_NUMBER_ID>/messages`` answered with the message's wamid) -> sent -> delivered -> read, each
stage from a ``statuses`` webhook Meta posts, signed, to the number's callback (the receiver checks the signature).
One request in all, no polling. A send Meta refuses and a ``failed`` status end the run at once with Meta's code,
title and what to do; a ``sent`` that never becomes ``delivered`` (the recipient's phone is offline, or has blocked
the number) ends at the deadline, naming the stage reached. The stage machine is _canary's.

What Meta documents: Cloud API "Send messages" and "Template messages" (the send and its answer); the messages
webhook's status and errors references (``entry[].changes[].value.statuses[]``: ``id``, ``status`` sent, delivered,
read or failed, ``errors[]`` with ``code``, ``title``, ``message``, ``error_data.details``); "Cloud API error codes"
(:data:`_cloud_rules.MESSAGE_ERROR_HINTS`).
"""

from __future__ import annotations

import re
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
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiError,
    AuthenticationError,
    OptionError,
    RateLimitedError,
    ResponseFormatError,
    validate_number,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import _graph_id
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_rules import message_error_hint, text
from ansible_collections.hypersender.whatsapp.plugins.module_utils._recipient import recipient_digits, shown_recipient
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import MAX_WAIT_TIMEOUT, format_seconds

APP_SECRET_ENV = "WA_CLOUD_APP_SECRET"
VERIFY_TOKEN_ENV = "WA_CLOUD_VERIFY_TOKEN"
DEFAULT_RECEIVER_PATH = "/whatsapp/webhook"
STATUSES = ("sent", "delivered", "read", "failed")
# Template names are lowercase letters, digits and underscores; language codes as en, en_US, pt_BR, zh_CN.
TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
TEMPLATE_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(_[A-Za-z]{2,4})?$")
MAX_ID_LENGTH = 300

WRONG_SIGNATURE_HINT = (
    "%d webhook request(s) had a missing or wrong X-Hub-Signature-256 and were refused: give as app_secret the app "
    "secret (App Dashboard, App settings, Basic) of the app whose webhooks reach the receiver"
)
NO_WEBHOOK_HINT = (
    "no status webhook of this number reached the receiver: check that the number's callback (its "
    "override_callback_uri, else its WhatsApp Business Account's, else the app's callback URL) reaches the receiver "
    "(host, port and path, through any proxy), that the app is subscribed to the WhatsApp Business Account "
    "(POST /<WABA_ID>/subscribed_apps) and to the messages webhook field"
)
OTHER_STATUSES_HINT = (
    "statuses of this number's other messages arrive, but none of this one: Meta has not sent it on; check the "
    "number's health (hypersender.whatsapp.cloud_health) and its quality in WhatsApp Manager, or wait longer"
)


class StatusEvent:
    """One status of a message a number sent: the wamid, ``sent``/``delivered``/``read``/``failed``, Meta's errors."""

    def __init__(self, message_id, status, errors=()):
        self.message_id = message_id
        self.status = status
        self.errors = list(errors)

    def __eq__(self, other):
        return isinstance(other, StatusEvent) and (self.message_id, self.status, self.errors) == (
            other.message_id,
            other.status,
            other.errors,
        )

    def __repr__(self):
        return "StatusEvent(%r, %s)" % (self.message_id, self.status)


def _errors(raw):
    """A status's ``errors[]`` as ``{code, title, message, details, href}`` (bounded text; nulls where absent)."""
    found = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        code = item.get("code")
        data = item.get("error_data") if isinstance(item.get("error_data"), dict) else {}
        found.append(
            {
                "code": code if isinstance(code, int) and not isinstance(code, bool) else None,
                "title": text(item["title"], 200) if isinstance(item.get("title"), str) else None,
                "message": text(item["message"], 200) if isinstance(item.get("message"), str) else None,
                "details": text(data["details"]) if isinstance(data.get("details"), str) else None,
                "href": text(item["href"], 200) if isinstance(item.get("href"), str) else None,
            }
        )
    return found


def _objects(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def status_parser(phone_number_id):
    """A receiver parser: the statuses of messages ``phone_number_id`` sent; every other payload (another number,
    another webhook field, an incoming message) gives none."""

    def parse(payload):
        if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
            return []
        events = []
        for entry in _objects(payload.get("entry")):
            for change in _objects(entry.get("changes")):
                value = change.get("value")
                if change.get("field") != "messages" or not isinstance(value, dict):
                    continue
                metadata = value.get("metadata")
                if not isinstance(metadata, dict) or metadata.get("phone_number_id") != phone_number_id:
                    continue
                for status in _objects(value.get("statuses")):
                    identifier = status.get("id")
                    if status.get("status") not in STATUSES or not isinstance(identifier, str):
                        continue
                    if not identifier.strip() or len(identifier) > MAX_ID_LENGTH:
                        continue
                    events.append(StatusEvent(identifier.strip(), status["status"], _errors(status.get("errors"))))
        return events

    return parse


class CloudMessages:
    """The canary's one call, on the Graph API client: send a template."""

    def __init__(self, client, version):
        self.client = client
        self.version = version

    def send_template(self, phone_number_id, to, name, language, deadline):
        """The wamid of a template sent to ``to`` (digits). A rate limit (refused before anything was sent) is sent
        again after its Retry-After or the client's backoff while that fits before ``deadline``; nothing else is."""
        path = "/%s/%s/messages" % (self.version, phone_number_id)
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": {"name": name, "language": {"code": language}},
        }
        attempt = 0
        while True:
            try:
                answer = self.client.request_json("POST", path, deadline=deadline, json_body=body)
                break
            except RateLimitedError as error:
                if not self.client.sleep_out_retry_after(error, deadline, attempt):
                    raise
                attempt += 1
        messages = answer.get("messages") if isinstance(answer, dict) else None
        first = messages[0] if isinstance(messages, list) and messages and isinstance(messages[0], dict) else {}
        wamid = first.get("id")
        if not isinstance(wamid, str) or not wamid.strip() or len(wamid) > MAX_ID_LENGTH:
            raise ResponseFormatError("POST %s: expected an answer with messages[0].id (a wamid); got none" % path)
        return wamid.strip()


class CloudCanary(CanaryRun):  # pylint: disable=too-many-instance-attributes
    """One Cloud API canary run.

    ``api`` is a :class:`CloudMessages`; ``statuses`` the status source (the receiver, with :func:`status_parser`);
    ``recipient`` how messages name the recipient (masked). Failure reasons: ``auth_failed`` (the token was refused),
    ``rate_limited``, ``send_refused`` (Meta refused the send with an error code), ``api_error`` (no answer, or not
    Meta's), ``failed`` (a failed status) and ``timed_out``.
    """

    STAGES = ("accepted", "sent", "delivered", "read")

    def __init__(
        self,
        api,
        phone_number_id,
        to,
        template_name,
        template_language,
        statuses,
        wait_for="sent",
        wait_timeout=120.0,
        webhook_stats=None,
        recipient="the recipient",
        clock=time.monotonic,
        sleep=time.sleep,
    ):  # pylint: disable=too-many-arguments
        if statuses is None:
            raise ValueError("the Cloud API canary needs a status source: statuses come by webhook only")
        super().__init__(wait_for, wait_timeout, statuses, webhook_stats, recipient, clock, sleep)
        self.api = api
        self.phone_number_id = phone_number_id
        self.to = to
        self.template = (template_name, template_language)
        self.message_id = None
        self.statuses = []  # (arrival, StatusEvent) of this message
        self.other_statuses = 0
        self.error = None  # Meta's error of a refused send or a failed status

    def run(self):
        self._begin()
        try:
            self.message_id = self.api.send_template(self.phone_number_id, self.to, *self.template, self.deadline)
        except ApiError as error:
            return self._outcome(FAILED_AT_ONCE, *self._refusal(error))
        self.stages["accepted"] = self._clock()
        while True:
            failure = self._failure()
            if failure is not None:
                return self._outcome(FAILED_AT_ONCE, *failure)
            if self._reached(self.wait_for):
                return self._outcome(DONE)
            if self._clock() >= self.deadline:
                return self._timed_out()
            self._wait_until(self.deadline)

    def _take(self, arrived, event):
        if event.message_id != self.message_id:
            self.other_statuses += 1
            return
        self.statuses.append((arrived, event))
        if event.status != "failed":
            self._record(event.status, arrived)

    # -- outcomes ------------------------------------------------------------------------------------------------------

    def _describe_send(self):
        return "template %s (%s) from phone number %s to %s" % (
            self.template[0],
            self.template[1],
            self.phone_number_id,
            self.recipient,
        )

    def _refusal(self, error):
        """(problem, hint, reason) of a send that failed with ``error``."""
        code = getattr(error, "code", None)
        if code is not None:
            title = getattr(error, "title", None)
            self.error = {"code": code, "title": title, "message": title, "details": getattr(error, "details", None)}
            self.error["href"] = None
        if isinstance(error, AuthenticationError) or code is None:
            # A refused token's message says what to do (a new token, with the permission to send).
            return str(error), None, "auth_failed" if isinstance(error, AuthenticationError) else "api_error"
        problem = "Meta refused to send %s: %s" % (self._describe_send(), _said(self.error))
        reason = "rate_limited" if isinstance(error, RateLimitedError) else "send_refused"
        return problem, message_error_hint(code), reason

    def _failure(self):
        for at, event in self.statuses:
            if event.status == "failed" and not self._reached(self.wait_for):
                self.error = event.errors[0] if event.errors else None
                said = _said(self.error) if self.error else "Meta gave no error"
                problem = "Meta reported the message to %s (%s) failed after %s s: %s" % (
                    self.recipient,
                    self.message_id,
                    format_seconds(at - self.start),
                    said,
                )
                code = self.error["code"] if self.error else None
                return problem, message_error_hint(code), "failed"
        return None

    def _timed_out(self):
        stage = self.reached_stage()
        waited = format_seconds(self.wait_timeout)
        if stage == "accepted":
            problem = "Meta accepted the message to %s (%s) but no status of it came within %s s" % (
                self.recipient,
                self.message_id,
                waited,
            )
            return self._outcome(TIMED_OUT, problem, self._silence_hint(), "timed_out")
        last = self._last_status()
        problem = "the message to %s (%s) reached stage %s but not %s within %s s; last status %s after %s s" % (
            self.recipient,
            self.message_id,
            stage,
            self.wait_for,
            waited,
            last[1].status,
            format_seconds(last[0] - self.start),
        )
        return self._outcome(
            TIMED_OUT, problem, NOT_READ_HINT if stage == "delivered" else SERVER_ONLY_HINT, "timed_out"
        )

    def _silence_hint(self):
        stats = self._stats()
        if stats.get("unauthorized"):
            return WRONG_SIGNATURE_HINT % stats["unauthorized"]
        if self.other_statuses or stats.get("accepted"):
            return OTHER_STATUSES_HINT
        return NO_WEBHOOK_HINT

    def _last_status(self):
        return max(self.statuses, key=lambda item: item[0]) if self.statuses else None

    def report(self):
        """The run as the module returns it: times in seconds from the start of the run."""
        last = self._last_status()
        report = {
            "stage": self.reached_stage(),
            "stages": self.stage_times(),
            "message_id": self.message_id,
            "sends": 1 if self.message_id else 0,
            "statuses": [_status(event, at, self.start) for at, event in self.statuses],
            "last_status": None if last is None else _status(last[1], last[0], self.start),
            "other_message_statuses": self.other_statuses,
            "elapsed": since(self._clock(), self.start),
        }
        if self.error is not None:
            report["error"] = dict(self.error)
        return report


def _status(event, at, start):
    item = {"status": event.status, "at": since(at, start)}
    if event.errors:
        item["errors"] = [dict(error) for error in event.errors]
    return item


def _said(error):
    """Meta's words for an error: its code, title and details."""
    said = "error %s" % error["code"] if error.get("code") is not None else "an error without a code"
    title = error.get("title") or error.get("message")
    if title:
        said += " (%s)" % title.rstrip(".")
    if error.get("details") and error["details"].rstrip(". ").lower() != (title or "").rstrip(". ").lower():
        said += ": %s" % error["details"].rstrip(".")
    return said


class CloudCanaryOptions:  # pylint: disable=too-many-instance-attributes
    """cloud_canary's options, checked before any request, and the sentences of its plan and success."""

    def __init__(self, params):
        self.phone_number_id = _graph_id(params["phone_number_id"], "phone_number_id")
        self.digits = recipient_digits(params["to"])
        self.recipient = shown_recipient(self.digits, params["show_recipient"])
        self.template_name = _checked(params["template_name"], TEMPLATE_NAME, "template_name", "hello_world")
        self.template_language = _checked(params["template_language"], TEMPLATE_LANGUAGE, "template_language", "en_US")
        self.wait_for = params["wait_for"]
        self.wait_timeout = validate_number(params["wait_timeout"], "wait_timeout", 0.0, MAX_WAIT_TIMEOUT)
        self.receiver_host, self.receiver_port, self.receiver_path = validate_receiver(
            params["receiver_host"], params["receiver_port"], params["receiver_path"]
        )
        self.app_secret = validate_webhook_secret(
            params["app_secret"],
            "app_secret",
            missing="app_secret is empty: set it (or the %s environment variable) to the app secret of the app whose "
            "webhooks reach the receiver (App Dashboard, App settings, Basic): statuses are trusted only when signed "
            "with it" % APP_SECRET_ENV,
        )
        self.verify_token = validate_webhook_secret(params["verify_token"], "verify_token")

    @property
    def template(self):
        return {"name": self.template_name, "language": self.template_language}

    @property
    def receiver_address(self):
        return receiver_address(self.receiver_host, self.receiver_port, self.receiver_path)

    def _send(self):
        return "template %s (%s) from phone number %s to %s" % (
            self.template_name,
            self.template_language,
            self.phone_number_id,
            self.recipient,
        )

    def plan(self):
        return (
            "check mode: would send %s, then wait up to %s s for %s, listening for the number's status webhooks on %s"
            % (self._send(), format_seconds(self.wait_timeout), self.wait_for, self.receiver_address)
        )

    def success(self, report):
        stages = report["stages"]
        done = ", ".join(
            "%s after %s s" % (stage, format_seconds(stages[stage]))
            for stage in CloudCanary.STAGES
            if stages[stage] is not None
        )
        return "phone number %s sent template %s (%s) to %s as message %s: %s" % (
            self.phone_number_id,
            self.template_name,
            self.template_language,
            self.recipient,
            report["message_id"],
            done,
        )


def _checked(value, pattern, option, example):
    value = "" if value is None else str(value).strip()
    if not pattern.match(value):
        raise OptionError(
            "%s %r is not valid: give it as WhatsApp Manager shows it, e.g. %s" % (option, text(value, 40), example)
        )
    return value
