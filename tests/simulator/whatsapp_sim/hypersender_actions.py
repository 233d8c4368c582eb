# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Hypersender actions: POST /create-instance, /{instance}/restart, /{instance}/request-new-qr-code,
and the admin call that plays a phone scanning a QR code (POST /_sim/scan/{instance}).

What the documentation says, and how the simulator plays it:

- create-instance: JSON body ``phone`` (required, E.164), ``name`` (required, at most 50 characters, unique per
  account), ``webhook_url`` (optional, https). Answers the instance in ``SCAN_QR_CODE`` with ``qr_code`` (a base64
  PNG, no data-URI prefix) and ``access_token``. Validation errors: 422 ``{"message", "errors": {field: [..]}}``.
  As a Laravel application does by default, every input string is trimmed first (the TrimStrings middleware;
  an empty one becomes null) and ``unique`` compares names without case (MySQL's default ``_ci`` collations).
- restart: ``{"message": "WhatsApp instance restarted successfully."}``, then (after ``actions.restart_lag``
  seconds in which the API still reports the status from before, as an asynchronous restart may) ``STOPPED`` ->
  ``STARTING`` -> back to ``WORKING`` (or to ``SCAN_QR_CODE`` when the instance was not linked to a phone). 404 for an unknown instance;
  a scripted 500 for instances listed in ``actions.restart_fails``.
- request-new-qr-code: the instance with a fresh ``qr_code``; the code is valid ``actions.qr_valid`` seconds.
- each has its own rate limit per token: 5, 5 and 1 requests a minute.

QR codes are real QR PNGs (segno) of a random payload; scanning with the payload turns the instance WORKING.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
import re
import secrets
import string
import threading
import uuid
from urllib.parse import parse_qs, unquote

from .ratelimit import FixedWindowLimiter
from .response import Response
from .scenario import Instance, RateLimit, ScenarioError, Timeline, _check_keys, _number

PREFIX = "/api/whatsapp/v1"
_RESTART = re.compile(r"^/api/whatsapp/v1/([^/]+)/restart$")
_QR = re.compile(r"^/api/whatsapp/v1/([^/]+)/request-new-qr-code$")
SCAN_PREFIX = "/_sim/scan/"
QR_PAYLOADS_PATH = "/_sim/qr"

DEFAULT_LIMITS = {
    "create": {"requests": 5, "window": 60},
    "restart": {"requests": 5, "window": 60},
    "qr": {"requests": 1, "window": 60},
}
RESTARTED = {"message": "WhatsApp instance restarted successfully."}
RESTART_FAILED = {"message": "Failed to restart WhatsApp instance."}
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SETTINGS_KEYS = (
    "rate_limits",
    "stopped_for",
    "starting_for",
    "qr_valid",
    "restart_fails",
    "restart_to",
    "scan_delay",
    "restart_lag",
)
# Laravel's TrimStrings middleware: surrounding white space, including the zero-width characters it strips too.
_TRIMMED = " \t\n\r\x0b\x0c\x00\ufeff\u200b"


def route(path):
    """(route name, allowed methods, instance argument) for an action path, or None."""
    path = path.rstrip("/")
    if path == PREFIX + "/create-instance":
        return "hs_create", ("POST",), None
    for name, pattern in (("hs_restart", _RESTART), ("hs_qr", _QR)):
        match = pattern.match(path)
        if match:
            return name, ("POST",), unquote(match.group(1))
    return None


class ActionSettings:
    """``hypersender.actions`` of a scenario: rate limits and how long each step of a restart takes."""

    def __init__(self, raw, by_id):
        where = "hypersender.actions"
        _check_keys(raw, _SETTINGS_KEYS, where)
        limits = raw.get("rate_limits", {})
        _check_keys(limits, tuple(DEFAULT_LIMITS), where + ".rate_limits")
        self.rate_limits = {
            name: RateLimit.parse(limits.get(name, default), "%s.rate_limits.%s" % (where, name))
            for name, default in DEFAULT_LIMITS.items()
        }
        self.stopped_for = _number(raw.get("stopped_for", 1.0), where + ".stopped_for")
        self.starting_for = _number(raw.get("starting_for", 2.0), where + ".starting_for")
        self.qr_valid = _number(raw.get("qr_valid", 60), where + ".qr_valid", minimum=0.001)
        self.scan_delay = _number(raw.get("scan_delay", 0.0), where + ".scan_delay")
        self.restart_lag = _number(raw.get("restart_lag", 0.0), where + ".restart_lag")
        fails = raw.get("restart_fails", [])
        if not isinstance(fails, list) or not all(isinstance(item, str) for item in fails):
            raise ScenarioError(where + ".restart_fails must be a list of instance ids")
        restart_to = raw.get("restart_to", {})
        if not isinstance(restart_to, dict) or not all(isinstance(v, str) for v in restart_to.values()):
            raise ScenarioError(where + ".restart_to must map instance ids to a status")
        unknown = sorted((set(fails) | set(restart_to)) - set(by_id))
        if unknown:
            raise ScenarioError("%s names unknown instance(s) %s" % (where, ", ".join(unknown)))
        self.restart_fails = set(fails)
        self.restart_to = dict(restart_to)


def _now_stamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _access_token():
    alphabet = string.ascii_letters + string.digits
    return "%d|%s" % (100 + secrets.randbelow(900), "".join(secrets.choice(alphabet) for dummy in range(48)))


def qr_png(payload):
    """A real QR code of ``payload`` as PNG bytes (segno, imported here so the rest runs without it)."""
    import segno  # pylint: disable=import-outside-toplevel

    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


def new_payload():
    """Shaped like what WhatsApp Web shows (a ref and keys, comma separated), random every time."""
    return "2@%s,%s,%s" % (secrets.token_urlsafe(24), secrets.token_urlsafe(32), secrets.token_urlsafe(32))


def _request_fields(body):
    """A Laravel request's input: a JSON object, or form fields; anything else is no input.

    Strings are trimmed and an empty one becomes None, as Laravel's default middleware (TrimStrings,
    ConvertEmptyStringsToNull) does before validation.
    """
    text = body.decode("utf-8", "replace") if body else ""
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError:
        data = {key: values[-1] for key, values in parse_qs(text).items()}
    if not isinstance(data, dict):
        return {}
    return {key: (trim(value) or None) if isinstance(value, str) else value for key, value in data.items()}


def trim(text):
    """``text`` as Laravel's TrimStrings middleware leaves it."""
    return text.strip(_TRIMMED)


def same_name(first, second):
    """Whether the ``unique`` rule sees two names as one: compared without case, as MySQL's ``_ci`` collations do."""
    return first.casefold() == second.casefold()


def _validation_error(errors):
    """Laravel's 422: the first message, "(and N more errors)", and every message by field."""
    messages = [message for field_messages in errors.values() for message in field_messages]
    first = messages[0]
    if len(messages) > 1:
        more = len(messages) - 1
        first += " (and %d more error%s)" % (more, "" if more == 1 else "s")
    return Response.json(422, {"message": first, "errors": errors})


class HypersenderActions:
    """Run-time state of the actions; a new object on every simulator reset (which undoes the previous run)."""

    def __init__(self, hypersender):
        self._hs = hypersender
        self._settings = hypersender.actions
        self._lock = threading.Lock()
        for instance in list(hypersender.instances):
            if getattr(instance, "created_by_simulator", False):
                hypersender.instances.remove(instance)
                hypersender.by_id.pop(instance.id, None)
            instance.overrides = []
        self._limiters = {
            name: FixedWindowLimiter(limit) for name, limit in self._settings.rate_limits.items() if limit
        }
        self._qr = {}  # instance id -> (payload, issued at)

    # -- the API -------------------------------------------------------------------------------------------------------

    def limiter(self, route_name):
        return self._limiters.get({"hs_create": "create", "hs_restart": "restart", "hs_qr": "qr"}[route_name])

    def handle(self, route_name, argument, body, elapsed):
        if route_name == "hs_create":
            return self._create(_request_fields(body), elapsed)
        instance = self._hs.by_id.get(argument)
        if instance is None:
            return Response.json(404, {"message": "Resource not found."})
        if route_name == "hs_restart":
            return self._restart(instance, elapsed)
        return Response.json(200, self._with_qr(instance, elapsed))

    def _create(self, fields, elapsed):
        errors = {}
        phone, name, webhook = fields.get("phone"), fields.get("name"), fields.get("webhook_url")
        if phone in (None, ""):
            errors["phone"] = ["The phone field is required."]
        elif not isinstance(phone, str) or not E164.match(phone):
            errors["phone"] = ["The phone field format is invalid."]
        if name in (None, ""):
            errors["name"] = ["The name field is required."]
        elif not isinstance(name, str):
            errors["name"] = ["The name field must be a string."]
        elif len(name) > 50:
            errors["name"] = ["The name field must not be greater than 50 characters."]
        elif any(same_name(existing.name, name) for existing in self._hs.instances):
            errors["name"] = ["The name has already been taken."]
        if webhook not in (None, ""):
            if not isinstance(webhook, str) or not re.match(r"^[a-z][a-z0-9+.-]*://[^\s/]+", webhook):
                errors["webhook_url"] = ["The webhook url field must be a valid URL."]
            elif not webhook.startswith("https://"):
                errors["webhook_url"] = ["The webhook url field must start with one of the following: https://."]
        if errors:
            return _validation_error(errors)
        created = _now_stamp()
        instance = Instance(
            str(uuid.uuid4()),
            name,
            phone,
            _access_token(),
            created,
            None,
            Timeline.constant("SCAN_QR_CODE", "status"),
            webhook_url=webhook or None,
        )
        instance.created_by_simulator = True
        with self._lock:
            if any(same_name(existing.name, name) for existing in self._hs.instances):  # a concurrent create won
                return _validation_error({"name": ["The name has already been taken."]})
            self._hs.instances.append(instance)
            self._hs.by_id[instance.id] = instance
        return Response.json(200, self._with_qr(instance, elapsed))

    def _restart(self, instance, elapsed):
        if instance.id in self._settings.restart_fails:
            return Response.json(500, RESTART_FAILED)
        before = instance.status_at(elapsed)
        linked = before != "SCAN_QR_CODE"
        final = self._settings.restart_to.get(instance.id, "WORKING" if linked else "SCAN_QR_CODE")
        stopped = elapsed + self._settings.restart_lag
        started = stopped + self._settings.stopped_for
        with self._lock:
            instance.overrides = [step for step in instance.overrides if step[0] <= elapsed] + [
                (stopped, "STOPPED"),
                (started, "STARTING"),
                (started + self._settings.starting_for, final),
            ]
        return Response.json(200, RESTARTED)

    def _with_qr(self, instance, elapsed):
        payload = new_payload()
        with self._lock:
            self._qr[instance.id] = (payload, elapsed)
        answer = instance.as_listing(elapsed)
        answer["qr_code"] = base64.b64encode(qr_png(payload)).decode("ascii")
        return answer

    # -- admin ---------------------------------------------------------------------------------------------------------

    def scan(self, instance_id, body, elapsed):
        """POST /_sim/scan/{instance} with ``{"payload": "..."}``: what a phone does when it scans the code."""
        instance = self._hs.by_id.get(instance_id)
        if instance is None:
            return Response.json(404, {"scanned": False, "message": "no instance %s" % instance_id})
        payload = _request_fields(body).get("payload")
        with self._lock:
            issued = self._qr.get(instance_id)
            if issued is None or not isinstance(payload, str) or not secrets.compare_digest(payload, issued[0]):
                return Response.json(409, {"scanned": False, "message": "this is not the instance's current QR code"})
            age = elapsed - issued[1]
            if age > self._settings.qr_valid:
                return Response.json(
                    410,
                    {"scanned": False, "message": "the QR code expired %.1f s ago" % (age - self._settings.qr_valid)},
                )
            status = instance.status_at(elapsed)
            if status != "SCAN_QR_CODE":
                return Response.json(
                    409, {"scanned": False, "message": "the instance is %s, not SCAN_QR_CODE" % status}
                )
            del self._qr[instance_id]
            working_at = elapsed + self._settings.scan_delay
            instance.overrides = [step for step in instance.overrides if step[0] <= elapsed] + [(working_at, "WORKING")]
            instance.connected_at = _now_stamp()
        return Response.json(200, {"scanned": True, "instance": instance_id, "working_at": round(working_at, 6)})

    def qr_payloads(self):
        """The current payload of every instance with a QR code (tests look for them in outputs)."""
        with self._lock:
            return {key: {"payload": value[0], "issued_at": round(value[1], 6)} for key, value in self._qr.items()}
