# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WhatsApp Cloud API messaging under /graph: ``POST /<version>/<PHONE_NUMBER_ID>/messages``, the signed ``statuses``
webhooks that follow a send, and Meta's verification handshake against a callback.

What Meta documents (Cloud API "Send messages" and "Template messages"; webhooks "Create a webhook endpoint", Graph
API "Webhooks: Getting Started", "Webhook overrides", the messages webhook's status and errors references; "Cloud API
error codes"), and how the simulator plays it:

- A send is a JSON body ``{messaging_product: "whatsapp", to, type: "template", template: {name, language: {code}}}``
  (or ``type: "text"``, ``text: {body}``); its answer ``{messaging_product, contacts: [{input, wa_id}], messages:
  [{id: "wamid...", message_status: "accepted"}]}``. A missing or wrong parameter is 400 code 100; a template the WABA
  does not have in that language is 404 code 132001 ("Template name does not exist in the translation"); the token
  rules are the reads' (190 with subcode 463 when expired); the number's throughput (``messages_rate_limit``) is 400
  code 130429 and a burst to one recipient (``pair_rate_limit``) 400 code 131056.
- What happened to a message arrives later as a ``messages`` webhook whose ``value.statuses[]`` holds ``{id (the
  wamid), status (sent, delivered, read, failed), timestamp, recipient_id, errors[] when failed}``, posted to the
  number's ``override_callback_uri``, else the WABA's, else the app's ``callback_url`` (none at all when the app is
  not subscribed to the WABA), signed ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body keyed with the
  app secret>``.
- The handshake: ``GET <callback>?hub.mode=subscribe&hub.challenge=<n>&hub.verify_token=<token>``; a callback that
  answers 200 with the challenge is verified.

Scenario keys (section ``cloud``): ``app_secret``, ``callback_url``, ``verify_token``, ``templates``,
``messages_rate_limit``, ``pair_rate_limit``; per WABA ``override_callback_uri``, ``subscribed``; per phone number
``override_callback_uri``, ``override_verify_token`` and ``sends`` (the statuses of each send in turn, the last entry
repeating; every ``after`` counts from that send's arrival).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from urllib.parse import urlencode, urlsplit, urlunsplit

from .cloud_api import error
from .ratelimit import FixedWindowLimiter
from .response import Response
from .scenario import RateLimit, ScenarioError, _check_keys, _number, _string_list
from .webhooks import encode, get

DEFAULT_APP_SECRET = "sim-cloud-app-secret"
DEFAULT_TEMPLATES = [{"name": "hello_world", "language": "en_US"}]
DEFAULT_SEND = {"statuses": [{"after": 0.3, "status": "sent"}, {"after": 0.6, "status": "delivered"}]}
STATUSES = ("sent", "delivered", "read", "failed")
SIGNATURES = ("valid", "bad", "missing")
SIGNATURE_HEADER = "X-Hub-Signature-256"
WRONG_KEY = b"not-the-app-secret"
ERRORS_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
# Titles and details of the codes a status's errors[] carries, from Meta's "Cloud API error codes".
ERROR_TEXTS = {
    131026: (
        "Message undeliverable",
        "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number; "
        "the recipient has not accepted our new Terms of Service and Privacy Policy; the recipient is using an old "
        "WhatsApp version.",
    ),
    131047: (
        "Re-engagement message",
        "More than 24 hours have passed since the recipient last replied to the sender number.",
    ),
    131049: (
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    131050: (
        "User has stopped marketing messages",
        "Unable to deliver the message; the user stopped marketing messages.",
    ),
    131000: ("Something went wrong", "Message failed to send due to an unknown error."),
    130472: (
        "User's number is part of an experiment",
        "Failed to send message because this user's number is part of an experiment.",
    ),
}
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")

_SEND_KEYS = ("statuses",)
_STATUS_KEYS = ("after", "status", "errors", "id", "phone_number_id", "signature")


def _url(value, where):
    if value is None:
        return None
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
        raise ScenarioError("%s must be an http(s) URL or null" % where)
    return value


def _optional_string(raw, key, where):
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise ScenarioError("%s.%s must be a string or null" % (where, key))
    return value


def _error(raw, where):
    code = (
        raw
        if isinstance(raw, int) and not isinstance(raw, bool)
        else raw.get("code") if isinstance(raw, dict) else None
    )
    if isinstance(code, bool) or not isinstance(code, int):
        raise ScenarioError("%s must be an error code or an object with an integer code" % where)
    title, details = ERROR_TEXTS.get(code, ("Error %d" % code, "Error %d." % code))
    error_object = {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details},
        "href": ERRORS_HREF,
    }
    if isinstance(raw, dict):
        _check_keys(raw, ("code", "title", "message", "details"), where)
        error_object["title"] = raw.get("title", title)
        error_object["message"] = raw.get("message", error_object["title"])
        error_object["error_data"]["details"] = raw.get("details", details)
    return error_object


class StatusStep:
    """One status webhook of a send's timeline, ``after`` seconds from the send; optionally about another message
    (``id``) or number (``phone_number_id``), or with a ``bad`` or ``missing`` signature."""

    def __init__(self, raw, where):
        _check_keys(raw, _STATUS_KEYS, where)
        if "after" not in raw or "status" not in raw:
            raise ScenarioError("%s needs 'after' and 'status'" % where)
        self.after = _number(raw["after"], where + ".after")
        self.status = raw["status"]
        if self.status not in STATUSES:
            raise ScenarioError("%s.status must be one of %s" % (where, ", ".join(STATUSES)))
        errors = raw.get("errors", [131026] if self.status == "failed" else [])
        if not isinstance(errors, list):
            raise ScenarioError("%s.errors must be a list" % where)
        self.errors = [_error(item, "%s.errors[%d]" % (where, index)) for index, item in enumerate(errors)]
        self.message_id = _optional_string(raw, "id", where)
        self.phone_number_id = _optional_string(raw, "phone_number_id", where)
        self.signature = raw.get("signature", "valid")
        if self.signature not in SIGNATURES:
            raise ScenarioError("%s.signature must be one of %s" % (where, ", ".join(SIGNATURES)))


class CloudSendSpec:
    def __init__(self, raw, where):
        _check_keys(raw, _SEND_KEYS, where)
        statuses = raw.get("statuses", [])
        if not isinstance(statuses, list):
            raise ScenarioError("%s.statuses must be a list" % where)
        self.statuses = [StatusStep(item, "%s.statuses[%d]" % (where, index)) for index, item in enumerate(statuses)]


class CloudMessagingSettings:
    """The messaging keys of the ``cloud`` section and of its WABAs and phone numbers."""

    def __init__(self, raw, cloud):
        self.app_secret = raw.get("app_secret", DEFAULT_APP_SECRET)
        if not isinstance(self.app_secret, str) or not self.app_secret:
            raise ScenarioError("cloud.app_secret must be a non-empty string")
        self.callback_url = _url(raw.get("callback_url"), "cloud.callback_url")
        self.verify_token = _optional_string(raw, "verify_token", "cloud")
        templates = raw.get("templates", DEFAULT_TEMPLATES)
        if not isinstance(templates, list):
            raise ScenarioError("cloud.templates must be a list")
        self.templates = set()
        for index, item in enumerate(templates):
            where = "cloud.templates[%d]" % index
            _check_keys(item, ("name", "language"), where)
            _string_list([item.get("name"), item.get("language")], where)
            self.templates.add((item["name"], item["language"]))
        self.messages_rate_limit = RateLimit.parse(raw.get("messages_rate_limit"), "cloud.messages_rate_limit")
        self.pair_rate_limit = RateLimit.parse(raw.get("pair_rate_limit"), "cloud.pair_rate_limit")
        self.sends = {}
        for number in cloud.numbers.values():
            where = "phone number %s" % number.id
            number.override_callback_uri = _url(
                number.raw.get("override_callback_uri"), where + ".override_callback_uri"
            )
            number.override_verify_token = _optional_string(number.raw, "override_verify_token", where)
            raw_sends = number.raw.get("sends", [DEFAULT_SEND])
            if not isinstance(raw_sends, list) or not raw_sends:
                raise ScenarioError("%s.sends must be a non-empty list" % where)
            self.sends[number.id] = [
                CloudSendSpec(item, "%s.sends[%d]" % (where, index)) for index, item in enumerate(raw_sends)
            ]
        for waba in cloud.wabas.values():
            where = "WABA %s" % waba.id
            waba.override_callback_uri = _url(waba.raw.get("override_callback_uri"), where + ".override_callback_uri")
            # Default: whether the scenario's app is among the WABA's subscribed_apps (what the preflight reads).
            subscribed_ids = [app["id"] for app in getattr(waba, "subscribed_apps", [])]
            waba.subscribed = waba.raw.get("subscribed", cloud.app_id in subscribed_ids)
            if not isinstance(waba.subscribed, bool):
                raise ScenarioError("%s.subscribed must be true or false" % where)

    def callback(self, number):
        """(url, verify token) where the number's messages webhooks go: the number's override, the WABA's, the app's.
        (None, None) when the app is not subscribed to the number's WABA."""
        if not number.waba.subscribed:
            return None, None
        if number.override_callback_uri:
            return number.override_callback_uri, number.override_verify_token
        if number.waba.override_callback_uri:
            return number.waba.override_callback_uri, None
        return self.callback_url, self.verify_token


def new_wamid():
    """A message id shaped like Meta's: ``wamid.`` and base64 (Meta's begin with ``HBgL``)."""
    return "wamid.HBgL" + base64.b64encode(secrets.token_bytes(30)).decode("ascii")


def signature(secret, body):
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _digits(value):
    return re.sub(r"[^0-9]", "", value)


def _bad_parameter(details, message="(#100) Invalid parameter"):
    response = error(400, 100, message)
    body = json.loads(response.body)
    body["error"]["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return Response.json(400, body)


def _graph_error(status, code, message, details):
    response = error(status, code, message)
    body = json.loads(response.body)
    body["error"]["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return Response.json(status, body)


def validate_send(body):
    """(to, template or None, None) for a valid send body, or (None, None, error response)."""
    try:
        data = json.loads(body.decode("utf-8") or "null")
    except (ValueError, UnicodeDecodeError):
        return None, None, _bad_parameter("The request body is not JSON.")
    if not isinstance(data, dict):
        return None, None, _bad_parameter("The request body must be a JSON object.")
    if data.get("messaging_product") != "whatsapp":
        return (
            None,
            None,
            _bad_parameter(
                "The parameter messaging_product is required and must be whatsapp.",
                "(#100) The parameter messaging_product is required.",
            ),
        )
    to = data.get("to")
    if not isinstance(to, str) or not PHONE.match(to.strip()):
        return None, None, _bad_parameter("The parameter to must be a phone number.", "(#100) Param to is invalid.")
    kind = data.get("type", "text")
    if kind == "text":
        text = data.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"]:
            return None, None, _bad_parameter("The parameter text['body'] is required.")
        return _digits(to), None, None
    if kind != "template":
        return None, None, _bad_parameter("The simulator sends templates and text only; type %r is not one." % kind)
    template = data.get("template")
    language = template.get("language") if isinstance(template, dict) else None
    if not isinstance(template, dict) or not isinstance(template.get("name"), str) or not template["name"]:
        return (
            None,
            None,
            _bad_parameter(
                "The parameter template['name'] is required.", "(#100) The parameter template['name'] is required."
            ),
        )
    if not isinstance(language, dict) or not isinstance(language.get("code"), str) or not language["code"]:
        return (
            None,
            None,
            _bad_parameter(
                "The parameter template['language']['code'] is required.",
                "(#100) The parameter template['language'] is required.",
            ),
        )
    return _digits(to), (template["name"], language["code"]), None


class CloudMessaging:
    """Run-time state of the messages endpoint; a new object on every simulator reset."""

    def __init__(self, cloud, dispatcher):
        self._cloud = cloud
        self._settings = cloud.messaging
        self._dispatcher = dispatcher
        self._lock = threading.Lock()
        self._sends = {}  # phone number id -> sends so far
        rate, pair = self._settings.messages_rate_limit, self._settings.pair_rate_limit
        self._throughput = FixedWindowLimiter(rate) if rate else None
        self._pair = FixedWindowLimiter(pair) if pair else None

    def send(self, number_id, body, elapsed):
        number = self._cloud.numbers.get(number_id)
        if number is None:
            return error(
                400,
                100,
                "Unsupported post request. Object with ID '%s' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation." % number_id,
                "GraphMethodException",
                33,
            )
        to, template, failure = validate_send(body)
        if failure:
            return failure
        if template is not None and template not in self._settings.templates:
            return _graph_error(
                404,
                132001,
                "(#132001) Template name does not exist in the translation",
                "template name (%s) does not exist in %s" % template,
            )
        throttled = self._throttle(number.id, to, elapsed)
        if throttled:
            return throttled
        with self._lock:
            position = self._sends.get(number.id, 0)
            self._sends[number.id] = position + 1
        specs = self._settings.sends[number.id]
        wamid = new_wamid()
        self._schedule(number, wamid, to, specs[min(position, len(specs) - 1)], elapsed)
        return Response.json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid, "message_status": "accepted"}],
            },
        )

    def _throttle(self, number_id, to, elapsed):
        with self._lock:
            if self._throughput is not None and not self._throughput.hit(number_id, elapsed).allowed:
                return _graph_error(
                    400,
                    130429,
                    "(#130429) Rate limit hit",
                    "Cloud API message throughput has been reached.",
                )
            if self._pair is not None and not self._pair.hit((number_id, to), elapsed).allowed:
                return _graph_error(
                    400,
                    131056,
                    "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                    "Message failed to send because there were too many messages sent from this phone number to the "
                    "same phone number in a short period of time.",
                )
        return None

    def _schedule(self, number, wamid, to, spec, arrived):
        url, dummy = self._settings.callback(number)
        for step in spec.statuses:
            payload = status_payload(number, step.phone_number_id or number.id, step.message_id or wamid, step, to)
            body = encode(payload)
            headers = {}
            if step.signature != "missing":
                key = self._settings.app_secret.encode("utf-8") if step.signature == "valid" else WRONG_KEY
                headers[SIGNATURE_HEADER] = signature(key, body)
            record = {
                "kind": "statuses",
                "phone_number_id": number.id,
                "message_id": step.message_id or wamid,
                "message_status": step.status,
                "about_phone_number_id": step.phone_number_id or number.id,
                "signature": step.signature,
                "errors": [item["code"] for item in step.errors],
                "due": round(arrived + step.after, 6),
            }
            if url is None:
                record["skipped"] = "not subscribed" if not number.waba.subscribed else "no callback URL"
            self._dispatcher.schedule(arrived + step.after, url, headers, body, record)

    def verify(self, url=None, number_id=None, verify_token=None, challenge=None):
        """Meta's verification request to ``url`` (or the callback of ``number_id``, else the app's), with
        ``verify_token`` (or the one set with that callback): what the callback answered."""
        expected = None
        if url is None:
            number = self._cloud.numbers.get(number_id) if number_id else None
            if number_id and number is None:
                raise ScenarioError("no phone number %s in the scenario" % number_id)
            url, expected = (
                self._settings.callback(number)
                if number
                else (
                    self._settings.callback_url,
                    self._settings.verify_token,
                )
            )
        if not url:
            raise ScenarioError("no callback URL to verify: give url, or set a callback in the scenario")
        token = verify_token if verify_token is not None else expected
        if token is None:
            raise ScenarioError("no verify token: give verify_token, or set one with the callback in the scenario")
        challenge = str(challenge if challenge is not None else secrets.randbelow(10**10))
        parts = urlsplit(url)
        query = urlencode({"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": token})
        target = urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(filter(None, (parts.query, query))), ""))
        status, text = get(target)
        return {
            "url": url,
            "status": status,
            "challenge": challenge,
            "body": text,
            "verified": status == 200 and text == challenge,
        }


def status_payload(number, about_number_id, wamid, step, recipient):
    """A ``messages`` webhook with one status, as Meta posts it."""
    status = {"id": wamid, "status": step.status, "timestamp": str(int(time.time())), "recipient_id": recipient}
    if step.status in ("sent", "delivered"):
        status["conversation"] = {"id": secrets.token_hex(16), "origin": {"type": "utility"}}
        status["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "utility", "type": "regular"}
    if step.status == "failed":
        status["errors"] = step.errors
    display = re.sub(r"[^0-9]", "", str(number.fields.get("display_phone_number") or ""))
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": number.waba.id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": display, "phone_number_id": about_number_id},
                            "statuses": [status],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
