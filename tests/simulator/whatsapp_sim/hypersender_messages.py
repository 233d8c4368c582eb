# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypersender's v2 messaging API: POST /{instance}/send-text, GET /{instance}/queued-requests/{uuid}, and the
``message.ack`` webhooks an instance posts to its ``webhook_url``.

What the documentation says (docs.hypersender.com v2: send-text, queued-requests, webhooks / messages-ack; the
official Laravel SDK hypersender/hypersender-laravel), and how the simulator plays it:

- Base ``/api/whatsapp/v2``; the Bearer token of an instance endpoint is the instance's ``access_token`` (returned
  by create-instance and listed by ``/instances``): the simulator accepts that instance's token only.
- ``POST /{instance}/send-text`` with ``chatId`` and ``text`` is validated at once (422) and queued: 200
  ``{"queued": true, "message": "Processing your request...", "queued_request_uuid", "queued_request_link"}``.
- ``GET /{instance}/queued-requests/{uuid}``: ``response_status``, ``response_body`` and ``response_header`` are null
  while processing; then 201 (or 200) with ``response_body.key.id`` (or ``response_body.message_id``), 404 (instance
  not found, or the recipient is not on WhatsApp), 422 (validation) or 500.
- ``message.ack`` webhooks carry the instance's static ``Authorization`` header and
  ``{"event": "message.ack", "data": {"payload": {"id": "true_<chatId>_<key.id>", "fromMe": true, "ack", "ackName"},
  "instanceId", ...}}``; acks: ERROR -1, PENDING 0, SERVER 1, DEVICE 2, READ 3, PLAYED 4.

Each instance's sends follow its ``sends`` list in order (the last entry repeats); a send's timeline (when it is
processed, when each webhook is posted) counts from that send's arrival.
"""

from __future__ import annotations

import re
import secrets
import threading
import uuid
from urllib.parse import unquote, urlsplit

from .hypersender_actions import _request_fields
from .ratelimit import FixedWindowLimiter
from .response import Response
from .scenario import RateLimit, ScenarioError, _check_keys, _number
from .webhooks import encode

PREFIX = "/api/whatsapp/v2"
_SEND = re.compile(r"^/api/whatsapp/v2/([^/]+)/send-text$")
_QUEUED = re.compile(r"^/api/whatsapp/v2/([^/]+)/queued-requests/([^/]+)$")

ACKS = {"ERROR": -1, "PENDING": 0, "SERVER": 1, "DEVICE": 2, "READ": 3, "PLAYED": 4}
RESULTS = ("sent", "not_on_whatsapp", "instance_not_found", "invalid", "error", "processing")
CHAT_ID = re.compile(r"^[0-9]{5,20}@(c\.us|s\.whatsapp\.net|g\.us)$")
USER_ID = "9cbff1d0-6c37-4612-a8bb-6db042991361"
QUEUED_MESSAGE = "Processing your request..."
NOT_ON_WHATSAPP = "The number you want to send the message to is not on whatsapp."
DEFAULT_PROCESSING_FOR = 0.2
DEFAULT_SEND = {"result": "sent", "acks": [{"after": 0.4, "ack": "SERVER"}, {"after": 0.6, "ack": "DEVICE"}]}

_SEND_KEYS = ("result", "processing_for", "response_status", "id_field", "body", "acks")
_ACK_KEYS = ("after", "ack", "event", "message_id", "instance_id", "authorization", "chat_id")
_MESSAGING_KEYS = ("rate_limit", "processing_for")


def route(path):
    """(route name, allowed methods, (instance, uuid)) for a v2 path, or None."""
    path = path.rstrip("/")
    match = _SEND.match(path)
    if match:
        return "hs2_send", ("POST",), (unquote(match.group(1)), None)
    match = _QUEUED.match(path)
    if match:
        return "hs2_queued", ("GET", "HEAD"), (unquote(match.group(1)), unquote(match.group(2)))
    return None


class AckStep:
    """One webhook of a send's timeline: ``after`` seconds from the send, the ack, and what to change about it
    (another ``message_id`` or ``instance_id``, a wrong ``authorization``, another ``event``)."""

    def __init__(self, raw, where):
        _check_keys(raw, _ACK_KEYS, where)
        if "after" not in raw or "ack" not in raw:
            raise ScenarioError("%s needs 'after' and 'ack'" % where)
        self.after = _number(raw["after"], where + ".after")
        ack = raw["ack"]
        if isinstance(ack, str) and ack in ACKS:
            self.ack, self.ack_name = ACKS[ack], ack
        elif isinstance(ack, int) and not isinstance(ack, bool) and ack in ACKS.values():
            self.ack, self.ack_name = ack, next(name for name, value in ACKS.items() if value == ack)
        else:
            raise ScenarioError("%s.ack must be one of %s or its number" % (where, ", ".join(ACKS)))
        self.event = raw.get("event", "message.ack")
        for key in ("message_id", "instance_id", "authorization", "chat_id"):
            if key in raw and not isinstance(raw[key], str):
                raise ScenarioError("%s.%s must be a string" % (where, key))
        self.message_id = raw.get("message_id")
        self.instance_id = raw.get("instance_id")
        self.authorization = raw.get("authorization")
        self.chat_id = raw.get("chat_id")


class SendSpec:
    """What happens to one send: when it is processed, its answer, and the webhooks that follow it."""

    def __init__(self, raw, where, processing_for):
        _check_keys(raw, _SEND_KEYS, where)
        self.result = raw.get("result", "sent")
        if self.result not in RESULTS:
            raise ScenarioError("%s.result must be one of %s" % (where, ", ".join(RESULTS)))
        self.processing_for = _number(raw.get("processing_for", processing_for), where + ".processing_for")
        self.response_status = raw.get("response_status")
        if self.response_status is not None and (
            isinstance(self.response_status, bool) or not isinstance(self.response_status, int)
        ):
            raise ScenarioError("%s.response_status must be an HTTP status code" % where)
        self.id_field = raw.get("id_field", "key")
        if self.id_field not in ("key", "message_id"):
            raise ScenarioError("%s.id_field must be 'key' (response_body.key.id) or 'message_id'" % where)
        self.body = raw.get("body")
        acks = raw.get("acks", [])
        if not isinstance(acks, list):
            raise ScenarioError("%s.acks must be a list" % where)
        self.acks = [AckStep(item, "%s.acks[%d]" % (where, index)) for index, item in enumerate(acks)]


class MessagingSettings:
    """``hypersender.messaging`` (the send-text rate limit, the default processing time) and each instance's
    ``sends``, ``webhook_url`` and ``webhook_authorization``."""

    def __init__(self, raw, instances):
        where = "hypersender.messaging"
        _check_keys(raw, _MESSAGING_KEYS, where)
        self.rate_limit = RateLimit.parse(raw.get("rate_limit"), where + ".rate_limit")
        self.processing_for = _number(raw.get("processing_for", DEFAULT_PROCESSING_FOR), where + ".processing_for")
        self.sends = {}
        for index, instance in enumerate(instances):
            raw_sends = instance.raw_sends if instance.raw_sends is not None else [DEFAULT_SEND]
            instance_where = "hypersender.instances[%d].sends" % index
            if not isinstance(raw_sends, list) or not raw_sends:
                raise ScenarioError("%s must be a non-empty list" % instance_where)
            self.sends[instance.id] = [
                SendSpec(item, "%s[%d]" % (instance_where, position), self.processing_for)
                for position, item in enumerate(raw_sends)
            ]

    def spec_for(self, instance, position):
        specs = self.sends.get(instance.id) or [SendSpec(DEFAULT_SEND, "default", self.processing_for)]
        return specs[min(position, len(specs) - 1)]


def _validation_error(errors):
    messages = [message for field_messages in errors.values() for message in field_messages]
    first = messages[0]
    if len(messages) > 1:
        first += " (and %d more error%s)" % (len(messages) - 1, "" if len(messages) == 2 else "s")
    return Response.json(422, {"message": first, "errors": errors})


class QueuedRequest:
    def __init__(self, instance, request, arrived, spec, message_id):
        self.uuid = str(uuid.uuid4())
        self.instance = instance
        self.request = request
        self.arrived = arrived
        self.spec = spec
        self.message_id = message_id

    def as_json(self, elapsed):
        done = self.spec.result != "processing" and elapsed >= self.arrived + self.spec.processing_for
        if not done:
            return {
                "uuid": self.uuid,
                "request": self.request,
                "response_status": None,
                "response_body": None,
                "response_header": None,
            }
        status, body = self._outcome()
        return {
            "uuid": self.uuid,
            "request": self.request,
            "response_status": status,
            "response_body": body,
            "response_header": {"content-type": ["application/json"]},
        }

    def _outcome(self):
        spec, chat_id = self.spec, self.request["chatId"]
        jid = chat_id.split("@", 1)[0] + "@s.whatsapp.net"
        defaults = {
            "sent": (201, None),
            "not_on_whatsapp": (
                404,
                {"message": NOT_ON_WHATSAPP, "errors": {"messages": [NOT_ON_WHATSAPP], "jid": jid, "exists": False}},
            ),
            "instance_not_found": (404, {"message": "Instance not found."}),
            "invalid": (
                422,
                {"message": "The chat id field is invalid.", "errors": {"chatId": ["The chat id field is invalid."]}},
            ),
            "error": (500, {"message": "Server Error"}),
        }
        status, body = defaults[spec.result]
        if spec.response_status is not None:
            status = spec.response_status
        if spec.result == "sent" and body is None:
            if spec.id_field == "message_id":
                body = {"message_id": self.message_id}
            else:
                body = {
                    "key": {"id": self.message_id, "fromMe": True, "remoteJid": jid},
                    "status": "PENDING",
                    "message": {"extendedTextMessage": {"text": self.request["text"]}},
                    "messageTimestamp": "1764859906",
                }
        return status, spec.body if spec.body is not None else body


class HypersenderMessaging:
    """Run-time state of the v2 messaging API; a new object on every simulator reset."""

    def __init__(self, hypersender, dispatcher):
        self._hs = hypersender
        self._settings = hypersender.messaging
        self._dispatcher = dispatcher
        self._lock = threading.Lock()
        self._queued = {}  # uuid -> QueuedRequest
        self._sends = {}  # instance id -> sends so far
        self.limiter = FixedWindowLimiter(self._settings.rate_limit) if self._settings.rate_limit else None

    def authenticate(self, instance_id, credential):
        """True when ``credential`` is the instance's own access token."""
        instance = self._hs.by_id.get(instance_id)
        token = getattr(instance, "access_token", None)
        return bool(token and credential) and secrets.compare_digest(credential.encode("utf-8"), token.encode("utf-8"))

    def send_text(self, instance_id, body, elapsed, base_url):
        instance = self._hs.by_id.get(instance_id)
        if instance is None:
            return Response.json(404, {"message": "Resource not found."})
        fields = _request_fields(body)  # as Laravel gives it: strings trimmed, empty ones null
        errors = {}
        chat_id, text = fields.get("chatId"), fields.get("text")
        if chat_id in (None, ""):
            errors["chatId"] = ["The chat id field is required."]
        elif not isinstance(chat_id, str) or not CHAT_ID.match(chat_id):
            errors["chatId"] = ["The chat id field format is invalid."]
        if text in (None, ""):
            errors["text"] = ["The text field is required."]
        elif not isinstance(text, str):
            errors["text"] = ["The text field must be a string."]
        if errors:
            return _validation_error(errors)
        with self._lock:
            position = self._sends.get(instance_id, 0)
            self._sends[instance_id] = position + 1
        spec = self._settings.spec_for(instance, position)
        request = {
            "chatId": chat_id,
            "text": text,
            "session": "sim-" + instance_id[:8],
            "reply_to": fields.get("reply_to"),
        }
        queued = QueuedRequest(instance, request, elapsed, spec, "3EB0" + secrets.token_hex(9).upper())
        with self._lock:
            self._queued[queued.uuid] = queued
        self._schedule_webhooks(queued)
        return Response.json(
            200,
            {
                "queued": True,
                "message": QUEUED_MESSAGE,
                "queued_request_uuid": queued.uuid,
                "queued_request_link": "%s%s/%s/queued-requests/%s" % (base_url, PREFIX, instance_id, queued.uuid),
            },
        )

    def queued_request(self, instance_id, request_uuid, elapsed):
        with self._lock:
            queued = self._queued.get(request_uuid)
        if queued is None or queued.instance.id != instance_id:
            return Response.json(404, {"message": "Resource not found."})
        return Response.json(200, queued.as_json(elapsed))

    def _schedule_webhooks(self, queued):
        instance = queued.instance
        url = getattr(instance, "webhook_url", None)
        if not url or urlsplit(url).scheme not in ("http", "https"):
            return
        for step in queued.spec.acks:
            chat_id = step.chat_id or queued.request["chatId"]
            message_id = step.message_id or queued.message_id
            instance_id = step.instance_id or instance.id
            payload = {
                "event": step.event,
                "data": {
                    "id": "evt_" + secrets.token_hex(12),
                    "event": step.event,
                    "metadata": [],
                    "me": {"id": instance.phone.lstrip("+") + "@c.us", "pushName": instance.name},
                    "payload": {
                        "id": "true_%s_%s" % (chat_id, message_id),
                        "from": chat_id,
                        "fromMe": True,
                        "ack": step.ack,
                        "ackName": step.ack_name,
                    },
                    "instanceId": instance_id,
                    "userId": USER_ID,
                },
            }
            authorization = step.authorization if step.authorization is not None else instance.webhook_authorization
            headers = {} if authorization is None else {"Authorization": authorization}
            record = {
                "kind": "message.ack",
                "instance": instance.id,
                "queued_request_uuid": queued.uuid,
                "event": step.event,
                "ack": step.ack,
                "ack_name": step.ack_name,
                "message_id": message_id,
                "instance_id": instance_id,
                "authorization": "scenario" if step.authorization is not None else "instance",
                "due": round(queued.arrived + step.after, 6),
            }
            self._dispatcher.schedule(queued.arrived + step.after, url, headers, encode(payload), record)
