# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WhatsApp Cloud API (Graph API) under /graph: phone number and WABA nodes, the phone_numbers edge, Meta's errors.

Scenario section ``cloud``::

    {"tokens": [...], "expired_tokens": [...], "tokens_without_permission": [...],
     "page_size": 25, "rate_limit": {"requests": N, "window": seconds},
     "business_id": "...", "app_id": "...",
     "wabas": [{"id": "...", "name": "...", "health": <health> | "timeline": [{"at": s, "health": <health>}],
                "page_sizes": [2, 0, 1],
                "phone_numbers": [{"id": "...", "display_phone_number": "...", ..., "health" | "timeline"}]}]}

A WABA's ``page_sizes`` sets how many numbers each page of its phone_numbers edge holds, page by page (0: an empty
page that still has a ``paging.next``, as Graph gives when it filters a page empty); the pages after the list hold
``page_size`` each. An empty page carries only ``paging.next``, no cursors.

A ``<health>`` is "AVAILABLE", "LIMITED" or "BLOCKED" (every entity has it), or an object mapping entity types
(PHONE_NUMBER, WABA, BUSINESS, APP) to ``{"can_send_message", "errors", "additional_info"}``; types left out are
AVAILABLE. The overall value follows Meta's rule (any BLOCKED, else any LIMITED, else AVAILABLE).

Messaging (``POST /<PHONE_NUMBER_ID>/messages``, the signed status webhooks, the verification handshake) and its keys:
cloud_messages.
"""

from __future__ import annotations

import base64
import re
import secrets
from urllib.parse import urlencode

from . import cloud_account
from .response import Response
from .scenario import RateLimit, ScenarioError, Timeline, _check_keys, _string_list

PREFIX = "/graph"
CLOUD_MESSAGING_KEYS = (
    "app_secret",
    "callback_url",
    "verify_token",
    "templates",
    "messages_rate_limit",
    "pair_rate_limit",
)
DEFAULT_TOKENS = ["sim-cloud-token-0123456789"]
DEFAULT_APP_TOKENS = ["634974688087057|sim-app-secret-0123"]
DEFAULT_PAGE_SIZE = 25
CAN_SEND = ("AVAILABLE", "LIMITED", "BLOCKED")
ENTITY_ORDER = ("PHONE_NUMBER", "WABA", "BUSINESS", "APP")
_NODE = re.compile(r"^/graph/(v[0-9]+\.[0-9]+)/([^/]+)$")
_EDGE = re.compile(r"^/graph/(v[0-9]+\.[0-9]+)/([^/]+)/(phone_numbers|subscribed_apps|message_templates)$")
_DEBUG_TOKEN = re.compile(r"^/graph(?:/(v[0-9]+\.[0-9]+))?/debug_token$")
_MESSAGES = re.compile(r"^/graph/(v[0-9]+\.[0-9]+)/([^/]+)/messages$")
# Messaging keys a phone number and a WABA may carry (cloud_messages reads them).
NUMBER_MESSAGING_KEYS = ("override_callback_uri", "override_verify_token", "sends")
WABA_MESSAGING_KEYS = ("override_callback_uri", "subscribed")

PHONE_FIELDS = (
    "id",
    "display_phone_number",
    "verified_name",
    "status",
    "quality_rating",
    "code_verification_status",
    "name_status",
    "platform_type",
    "throughput",
    "account_mode",
    "messaging_limit_tier",
    "whatsapp_business_manager_messaging_limit",
    "health_status",
)
PHONE_DEFAULT_FIELDS = (
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "id",
)
WABA_FIELDS = (
    "id",
    "name",
    "currency",
    "timezone_id",
    "message_template_namespace",
    "account_review_status",
    "business_verification_status",
    "health_status",
)
WABA_DEFAULT_FIELDS = ("id", "name", "timezone_id", "message_template_namespace")
_PHONE_DEFAULTS = {
    "verified_name": "Sim Business",
    "status": "CONNECTED",
    "quality_rating": "GREEN",
    "code_verification_status": "VERIFIED",
    "name_status": "APPROVED",
    "platform_type": "CLOUD_API",
    "throughput": {"level": "STANDARD"},
    "account_mode": "LIVE",
    "messaging_limit_tier": "TIER_1K",
    "whatsapp_business_manager_messaging_limit": "TIER_2K",
}


def _health_value(value, where):
    if isinstance(value, str):
        if value not in CAN_SEND:
            raise ScenarioError("%s must be one of %s or an object" % (where, ", ".join(CAN_SEND)))
        return {kind: {"can_send_message": value} for kind in ENTITY_ORDER}
    if not isinstance(value, dict):
        raise ScenarioError("%s must be a string or an object of entity types" % where)
    _check_keys(value, ENTITY_ORDER, where)
    health = {}
    for kind in ENTITY_ORDER:
        entity = value.get(kind, {"can_send_message": "AVAILABLE"})
        _check_keys(entity, ("can_send_message", "errors", "additional_info"), "%s.%s" % (where, kind))
        if not isinstance(entity.get("can_send_message"), str):
            raise ScenarioError("%s.%s needs a can_send_message string" % (where, kind))
        health[kind] = entity
    return health


def _timeline(raw, where):
    if "health" in raw and "timeline" in raw:
        raise ScenarioError("%s needs at most one of 'health' or 'timeline'" % where)
    timeline = (
        Timeline(raw["timeline"], "health", where + ".timeline")
        if "timeline" in raw
        else Timeline.constant(raw.get("health", "AVAILABLE"), "health")
    )
    timeline.values = [_health_value(value, where) for value in timeline.values]
    return timeline


class PhoneNumber:
    def __init__(self, raw, waba, where):
        _check_keys(raw, tuple(PHONE_FIELDS) + ("health", "timeline") + NUMBER_MESSAGING_KEYS, where)
        if not isinstance(raw.get("id"), str) or not raw["id"].isdigit():
            raise ScenarioError("%s.id must be a string of digits" % where)
        self.id = raw["id"]
        self.raw = raw
        self.waba = waba
        self.fields = dict(_PHONE_DEFAULTS, display_phone_number="+1 555-01%s" % self.id[-2:].rjust(2, "0"))
        self.fields.update({key: value for key, value in raw.items() if key in PHONE_FIELDS and key != "health_status"})
        self.health = _timeline(raw, where)


class Waba:
    def __init__(self, raw, where, app_id=None):
        _check_keys(
            raw,
            (
                "id",
                "name",
                "health",
                "timeline",
                "page_sizes",
                "phone_numbers",
                "business_verification_status",
                "account_review_status",
                "subscribed_apps",
                "message_templates",
            )
            + WABA_MESSAGING_KEYS,
            where,
        )
        if not isinstance(raw.get("id"), str) or not raw["id"].isdigit():
            raise ScenarioError("%s.id must be a string of digits" % where)
        self.id = raw["id"]
        self.raw = raw
        self.name = raw.get("name", "Sim WABA %s" % self.id)
        self.health = _timeline(raw, where)
        numbers = raw.get("phone_numbers", [])
        if not isinstance(numbers, list):
            raise ScenarioError("%s.phone_numbers must be a list" % where)
        self.phone_numbers = [
            PhoneNumber(item, self, "%s.phone_numbers[%d]" % (where, index)) for index, item in enumerate(numbers)
        ]
        sizes = raw.get("page_sizes", [])
        if not isinstance(sizes, list) or any(
            isinstance(size, bool) or not isinstance(size, int) or size < 0 for size in sizes
        ):
            raise ScenarioError("%s.page_sizes must be a list of integers >= 0" % where)
        self.page_sizes = sizes
        cloud_account.parse_waba_extras(raw, self, app_id, where)


class Cloud:
    """The parsed ``cloud`` section."""

    def __init__(self, raw):
        _check_keys(
            raw,
            (
                "tokens",
                "expired_tokens",
                "tokens_without_permission",
                "page_size",
                "rate_limit",
                "wabas",
                "business_id",
                "app_id",
                "next_base",
                "app_tokens",
                "token_info",
                "rate_limit_code",
            )
            + CLOUD_MESSAGING_KEYS,
            "cloud",
        )
        self.tokens = set(_string_list(raw.get("tokens", DEFAULT_TOKENS), "cloud.tokens"))
        self.expired_tokens = set(_string_list(raw.get("expired_tokens", []), "cloud.expired_tokens"))
        self.tokens_without_permission = set(
            _string_list(raw.get("tokens_without_permission", []), "cloud.tokens_without_permission")
        )
        page_size = raw.get("page_size", DEFAULT_PAGE_SIZE)
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ScenarioError("cloud.page_size must be an integer >= 1")
        self.page_size = page_size
        self.rate_limit = RateLimit.parse(raw.get("rate_limit"), "cloud.rate_limit")
        self.business_id = str(raw.get("business_id", "506914307656634"))
        self.app_id = str(raw.get("app_id", "634974688087057"))
        self.next_base = raw.get("next_base")  # to test a paging.next on another host
        self.app_tokens = set(_string_list(raw.get("app_tokens", DEFAULT_APP_TOKENS), "cloud.app_tokens"))
        self.rate_limit_code = cloud_account.parse_rate_limit_code(raw.get("rate_limit_code", 80007))
        wabas = raw.get("wabas", [])
        if not isinstance(wabas, list):
            raise ScenarioError("cloud.wabas must be a list")
        self.wabas = {}
        self.numbers = {}
        for index, item in enumerate(wabas):
            waba = Waba(item, "cloud.wabas[%d]" % index, self.app_id)
            if waba.id in self.wabas or waba.id in self.numbers:
                raise ScenarioError("cloud: duplicate id %r" % waba.id)
            self.wabas[waba.id] = waba
            for number in waba.phone_numbers:
                if number.id in self.numbers or number.id in self.wabas:
                    raise ScenarioError("cloud: duplicate id %r" % number.id)
                self.numbers[number.id] = number
        self.token_info = cloud_account.parse_token_infos(raw.get("token_info", {}), self)
        # A token described in token_info is a token of the scenario (unless listed as expired or without permission).
        self.tokens |= set(self.token_info) - self.expired_tokens - self.tokens_without_permission
        # Imported here: cloud_messages imports this module.
        from .cloud_messages import CloudMessagingSettings  # pylint: disable=import-outside-toplevel

        self.messaging = CloudMessagingSettings(raw, self)

    def token_info_of(self, token):
        """What debug_token says of ``token``: its own token_info, else the defaults for a token of the scenario
        (tokens_without_permission have whatsapp_business_messaging only); None for a token it does not know."""
        if token in self.token_info:
            return self.token_info[token]
        if token in self.tokens or token in self.expired_tokens:
            return cloud_account.TokenInfo({}, self, "cloud.tokens")
        if token in self.tokens_without_permission:
            return cloud_account.TokenInfo(
                {"scopes": [cloud_account.MESSAGING]}, self, "cloud.tokens_without_permission"
            )
        return None


# -- routing and errors ----------------------------------------------------------------------------------------------------


def route(path):
    """("cloud_node" | "cloud_edge" | "cloud_subscribed_apps" | "cloud_message_templates" | "cloud_debug_token" |
    "cloud_messages", version, id) for a Graph path, ("cloud_unknown", None, None) for another one
    under /graph, None outside it."""
    if path != PREFIX and not path.startswith(PREFIX + "/"):
        return None
    match = _DEBUG_TOKEN.match(path)
    if match:
        return "cloud_debug_token", match.group(1), None
    match = _EDGE.match(path)
    if match:
        name = "cloud_edge" if match.group(3) == "phone_numbers" else "cloud_" + match.group(3)
        return name, match.group(1), match.group(2)
    match = _MESSAGES.match(path)
    if match:
        return "cloud_messages", match.group(1), match.group(2)
    match = _NODE.match(path)
    if match:
        return "cloud_node", match.group(1), match.group(2)
    return "cloud_unknown", None, None


def error(status, code, message, error_type="OAuthException", subcode=None, headers=None):
    """Meta's Graph API error shape."""
    body = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    body["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return Response.json(status, {"error": body}, headers)


def unknown_path():
    return error(400, 100, "Unknown path components: check the Graph API reference", "OAuthException")


def unsupported_method(method, object_id):
    return error(
        400,
        100,
        "Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation." % (method.lower(), object_id),
        "GraphMethodException",
        33,
    )


def unknown_object(object_id):
    return error(
        400,
        100,
        "Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api" % object_id,
        "GraphMethodException",
        33,
    )


def authenticate(cloud, token):
    """None when the token may read, else Meta's error (104 no token, 190 invalid or expired, 200 no permission)."""
    if not token:
        return error(400, 104, "An access token is required to request this resource.")
    if token in cloud.expired_tokens or (token in cloud.token_info and cloud.token_info[token].expired()):
        return error(
            401,
            190,
            "Error validating access token: Session has expired on Sunday, 23-Nov-25 03:00:00 PST. "
            "The current time is Monday, 24-Nov-25 03:00:00 PST.",
            subcode=463,
        )
    if token in cloud.tokens_without_permission:
        return error(403, 200, "(#200) Requires whatsapp_business_management permission to manage the object")
    if token not in cloud.tokens:
        return error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    return None


def rate_limited(regain_minutes, code=80007):
    """Meta's rate-limit answer (HTTP 400, ``code``) with X-Business-Use-Case-Usage; see cloud_account.rate_limited."""
    return cloud_account.rate_limited(regain_minutes, code, error)


def waba_of(cloud, object_id):
    """The WABA whose management-call budget a request to ``object_id`` uses, or None."""
    if object_id in cloud.wabas:
        return cloud.wabas[object_id].id
    number = cloud.numbers.get(object_id)
    return number.waba.id if number else None


# -- nodes -----------------------------------------------------------------------------------------------------------------


def _entities(number, waba, cloud, health):
    ids = {
        "PHONE_NUMBER": number.id if number else None,
        "WABA": waba.id,
        "BUSINESS": cloud.business_id,
        "APP": cloud.app_id,
    }
    entities = []
    for kind in ENTITY_ORDER:
        if ids[kind] is None:
            continue
        entity = {"entity_type": kind, "id": ids[kind], "can_send_message": health[kind]["can_send_message"]}
        for key in ("additional_info", "errors"):
            if health[kind].get(key):
                entity[key] = health[kind][key]
        entities.append(entity)
    return entities


def health_status(cloud, waba, number, elapsed):
    """A node's health_status. A number's WABA, BUSINESS and APP entities are the WABA's own unless the number's
    timeline says otherwise (not AVAILABLE), so a WABA-wide block reaches every number of it."""
    health = dict((number or waba).health.at(elapsed))
    if number is not None:
        shared = waba.health.at(elapsed)
        for kind in ("WABA", "BUSINESS", "APP"):
            if health[kind]["can_send_message"] == "AVAILABLE":
                health[kind] = shared[kind]
    entities = _entities(number, waba, cloud, health)
    values = [entity["can_send_message"] for entity in entities]
    overall = "BLOCKED" if "BLOCKED" in values else "LIMITED" if "LIMITED" in values else "AVAILABLE"
    return {"can_send_message": overall, "entities": entities}


def _fields(query, allowed, defaults, node_type):
    """(list of fields, None) or (None, error response) from the ``fields`` parameter."""
    raw = query.get("fields", [""])[-1]
    fields = [field.strip() for field in raw.split(",") if field.strip()] or list(defaults)
    unknown = [field for field in fields if field not in allowed]
    if unknown:
        return None, error(
            400, 100, "(#100) Tried accessing nonexisting field (%s) on node type (%s)" % (unknown[0], node_type)
        )
    return list(dict.fromkeys(["id"] + fields)), None


def phone_number_node(cloud, number, fields, elapsed):
    node = {}
    for field in fields:
        if field == "health_status":
            node[field] = health_status(cloud, number.waba, number, elapsed)
        elif field == "id":
            node[field] = number.id
        elif field in number.fields:
            node[field] = number.fields[field]
    return node


def node(cloud, object_id, query, elapsed, version=None, token=None, base=None):
    if object_id in cloud.numbers:
        fields, failure = _fields(query, PHONE_FIELDS, PHONE_DEFAULT_FIELDS, "WhatsAppBusinessPhoneNumber")
        return failure or Response.json(200, phone_number_node(cloud, cloud.numbers[object_id], fields, elapsed))
    if object_id in cloud.wabas:
        waba = cloud.wabas[object_id]
        values = {
            "id": waba.id,
            "name": waba.name,
            "currency": "USD",
            "timezone_id": "1",
            "message_template_namespace": "sim_namespace_%s" % waba.id,
            "account_review_status": waba.account_review_status,
            "business_verification_status": waba.business_verification_status,
        }
        return cloud_account.waba_node(
            waba,
            query.get("fields", [""])[-1],
            values,
            WABA_DEFAULT_FIELDS,
            lambda: health_status(cloud, waba, None, elapsed),
            lambda nested: phone_numbers(cloud, waba.id, version, nested, elapsed, token, base),
            error,
        )
    return unknown_object(object_id)


def _cursor(page, start):
    """The cursor of a page: its number and the index of its first phone number."""
    return base64.b64encode(("sim-cursor:%d:%d" % (page, start)).encode()).decode().rstrip("=")


def _position(cursor):
    """(page, start) of a cursor, or None."""
    try:
        decoded = base64.b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, page, start = decoded.split(":")
        return (int(page), int(start)) if prefix == "sim-cursor" else None
    except (ValueError, UnicodeDecodeError):
        return None


def phone_numbers(cloud, waba_id, version, query, elapsed, token, base):
    """GET /<WABA_ID>/phone_numbers: a page of numbers with cursors, and paging.next as Meta builds it (with the token)."""
    waba = cloud.wabas.get(waba_id)
    if waba is None:
        return (
            unknown_object(waba_id)
            if waba_id not in cloud.numbers
            else error(
                400,
                100,
                "(#100) Tried accessing nonexisting field (phone_numbers) on node type (WhatsAppBusinessPhoneNumber)",
            )
        )
    fields, failure = _fields(query, PHONE_FIELDS, PHONE_DEFAULT_FIELDS, "WhatsAppBusinessPhoneNumber")
    if failure:
        return failure
    try:
        limit = int(query.get("limit", [cloud.page_size])[-1])
    except ValueError:
        return error(400, 100, "(#100) Param limit must be an integer")
    limit = max(1, min(limit, cloud.page_size))
    page_number, start = 0, 0
    if "after" in query:
        position = _position(query["after"][-1])
        if position is None:
            return error(400, 100, "(#100) Invalid cursor: after")
        page_number, start = position
    size = waba.page_sizes[page_number] if page_number < len(waba.page_sizes) else limit
    page = waba.phone_numbers[start : start + size]
    body = {"data": [phone_number_node(cloud, number, fields, elapsed) for number in page]}
    after = _cursor(page_number + 1, start + len(page))
    if page:
        body["paging"] = {"cursors": {"before": _cursor(page_number, start), "after": after}}
    if start + len(page) < len(waba.phone_numbers):
        params = {"access_token": token, "fields": ",".join(fields), "limit": limit, "after": after}
        body.setdefault("paging", {})["next"] = "%s/graph/%s/%s/phone_numbers?%s" % (
            cloud.next_base or base,
            version,
            waba.id,
            urlencode(params),
        )
    return Response.json(200, body)
