# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a Cloud API preflight reads besides health: the token, the WABA's subscribed apps and message templates,
the WABA's review fields, and field expansion of ``phone_numbers{...}`` on the WABA node.

Scenario keys (section ``cloud``; see the README's Cloud API section)::

    {"app_tokens": ["634974688087057|sim-app-secret"],
     "rate_limit_code": 80007,
     "token_info": {"<token>": {"type": "SYSTEM_USER", "app_id": "...", "application": "...",
                                "expires_at": 0 | <unix time>, "expires_in": <seconds from now>,
                                "data_access_expires_at": 0, "scopes": [...],
                                "granular_scopes": [{"scope": "...", "target_ids": [...]}]}},
     "wabas": [{"business_verification_status": "verified", "account_review_status": "APPROVED",
                "subscribed_apps": [{"id": "...", "name": "...", "link": "...", "override_callback_uri": "..."}],
                "message_templates": [{"name": "...", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
                                       "rejected_reason": "NONE", "quality_score": {"score": "GREEN"}}]}]}

Meta's pages this follows:
- debug_token: https://developers.facebook.com/docs/graph-api/reference/debug_token (``data.is_valid``, ``app_id``,
  ``type``, ``application``, ``expires_at`` and ``data_access_expires_at`` (0: never), ``scopes``,
  ``granular_scopes[{scope, target_ids}]``, and ``error`` for a token that is not valid);
- subscribed_apps: https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/subscribed_apps
  (``data[].whatsapp_business_api_data {id, name, link}``, ``override_callback_uri`` where set);
- message templates: https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management
  (``GET /<WABA_ID>/message_templates`` with ``fields``, cursor paging);
- field expansion: https://developers.facebook.com/docs/graph-api/guides/field-expansion (``edge.limit(n){fields}``,
  a nested edge answered as ``{"data": [...], "paging": {...}}``).
"""

from __future__ import annotations

import base64
import json
import re
import time
from urllib.parse import urlencode

from .response import Response
from .scenario import ScenarioError, _check_keys, _string_list

MANAGEMENT = "whatsapp_business_management"
MESSAGING = "whatsapp_business_messaging"
TOKEN_TYPES = ("SYSTEM_USER", "USER", "PAGE", "APP")
RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80007: "(#80007) There have been too many calls to this WhatsApp Business account.",
    80008: "(#80008) There have been too many calls to this WhatsApp Business account.",
    130429: "(#130429) Rate limit hit",
}
TEMPLATE_FIELDS = (
    "id",
    "name",
    "language",
    "status",
    "category",
    "rejected_reason",
    "quality_score",
    "previous_category",
)
TEMPLATE_DEFAULT_FIELDS = ("name", "language", "status", "category", "id")
TEMPLATE_STATUSES = (
    "APPROVED",
    "PENDING",
    "REJECTED",
    "PAUSED",
    "DISABLED",
    "IN_APPEAL",
    "PENDING_DELETION",
    "DELETED",
    "LIMIT_EXCEEDED",
    "ARCHIVED",
)
EXPIRED_MESSAGE = (
    "Error validating access token: Session has expired on Sunday, 23-Nov-25 03:00:00 PST. "
    "The current time is Monday, 24-Nov-25 03:00:00 PST."
)
_ITEM = re.compile(r"^([a-z_]+)(?:\.limit\(([0-9]+)\))?(?:\{(.*)\})?$", re.S)


# -- scenario ----------------------------------------------------------------------------------------------------------


class TokenInfo:
    """What debug_token says of one token of the scenario."""

    KEYS = (
        "type",
        "app_id",
        "application",
        "expires_at",
        "expires_in",
        "data_access_expires_at",
        "scopes",
        "granular_scopes",
        "user_id",
    )

    def __init__(self, raw, cloud, where):
        _check_keys(raw, self.KEYS, where)
        if "expires_at" in raw and "expires_in" in raw:
            raise ScenarioError("%s: give expires_at or expires_in, not both" % where)
        self.type = raw.get("type", "SYSTEM_USER")
        if self.type not in TOKEN_TYPES:
            raise ScenarioError("%s.type must be one of %s" % (where, ", ".join(TOKEN_TYPES)))
        self.app_id = str(raw.get("app_id", cloud.app_id))
        self.application = str(raw.get("application", "Sim App"))
        now = int(time.time())
        self.issued_at = now - 86400
        self.expires_at = (
            now + _integer(raw["expires_in"], where + ".expires_in", minimum=None)
            if "expires_in" in raw
            else _integer(raw.get("expires_at", 0), where + ".expires_at")
        )
        self.data_access_expires_at = _integer(raw.get("data_access_expires_at", 0), where + ".data_access_expires_at")
        self.scopes = _string_list(raw.get("scopes", [MANAGEMENT, MESSAGING]), where + ".scopes")
        self.user_id = str(raw.get("user_id", "122100000000000001"))
        granular = raw.get("granular_scopes")
        if granular is None:
            granular = [{"scope": scope, "target_ids": sorted(cloud.wabas)} for scope in self.scopes]
        if not isinstance(granular, list):
            raise ScenarioError("%s.granular_scopes must be a list" % where)
        self.granular_scopes = []
        for index, item in enumerate(granular):
            _check_keys(item, ("scope", "target_ids"), "%s.granular_scopes[%d]" % (where, index))
            entry = {"scope": str(item.get("scope"))}
            if item.get("target_ids") is not None:
                entry["target_ids"] = _string_list(
                    item["target_ids"], "%s.granular_scopes[%d].target_ids" % (where, index)
                )
            self.granular_scopes.append(entry)

    def expired(self, now=None):
        now = time.time() if now is None else now
        return any(0 < moment <= now for moment in (self.expires_at, self.data_access_expires_at))

    def may_manage(self, waba_id):
        """Whether this token may read ``waba_id`` with whatsapp_business_management (its scopes and target ids)."""
        if MANAGEMENT not in self.scopes:
            return False
        for entry in self.granular_scopes:
            if entry["scope"] == MANAGEMENT and "target_ids" in entry:
                return waba_id in entry["target_ids"]
        return True

    def body(self, valid=True, error=None):
        data = {
            "app_id": self.app_id,
            "type": self.type,
            "application": self.application,
            "data_access_expires_at": self.data_access_expires_at,
            "expires_at": self.expires_at,
            "is_valid": valid,
            "issued_at": self.issued_at,
            "scopes": list(self.scopes),
            "granular_scopes": [dict(entry) for entry in self.granular_scopes],
            "user_id": self.user_id,
        }
        if error:
            data["error"] = error
        return {"data": data}


def _integer(value, where, minimum=0):
    if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
        raise ScenarioError("%s must be an integer%s" % (where, "" if minimum is None else " >= %d" % minimum))
    return value


def parse_token_infos(raw, cloud):
    if not isinstance(raw, dict):
        raise ScenarioError("cloud.token_info must be an object of token -> info")
    return {str(token): TokenInfo(info, cloud, "cloud.token_info[%r]" % token) for token, info in raw.items()}


def parse_rate_limit_code(raw):
    if raw not in RATE_LIMIT_MESSAGES:
        raise ScenarioError(
            "cloud.rate_limit_code must be one of %s" % ", ".join(str(code) for code in sorted(RATE_LIMIT_MESSAGES))
        )
    return raw


def parse_waba_extras(raw, waba, cloud_app_id, where):
    """The WABA's review fields, subscribed apps and message templates (attributes set on ``waba``)."""
    waba.business_verification_status = str(raw.get("business_verification_status", "verified"))
    waba.account_review_status = str(raw.get("account_review_status", "APPROVED"))
    apps = raw.get("subscribed_apps")
    if apps is None:
        apps = [{"id": cloud_app_id, "name": "Sim App", "link": "https://sim.example/app"}]
    if not isinstance(apps, list):
        raise ScenarioError("%s.subscribed_apps must be a list" % where)
    waba.subscribed_apps = []
    for index, app in enumerate(apps):
        item_where = "%s.subscribed_apps[%d]" % (where, index)
        _check_keys(app, ("id", "name", "link", "override_callback_uri"), item_where)
        if not isinstance(app.get("id"), str) or not app["id"].isdigit():
            raise ScenarioError("%s.id must be a string of digits" % item_where)
        waba.subscribed_apps.append(dict(app))
    templates = raw.get("message_templates", [])
    if not isinstance(templates, list):
        raise ScenarioError("%s.message_templates must be a list" % where)
    waba.message_templates = []
    for index, template in enumerate(templates):
        item_where = "%s.message_templates[%d]" % (where, index)
        _check_keys(template, TEMPLATE_FIELDS, item_where)
        if not isinstance(template.get("name"), str) or not isinstance(template.get("language"), str):
            raise ScenarioError("%s needs name and language strings" % item_where)
        item = {
            "id": str(template.get("id", "9%014d" % (int(waba.id[-6:]) * 1000 + index))),
            "status": "APPROVED",
            "category": "UTILITY",
            "rejected_reason": "NONE",
            "quality_score": {"score": "UNKNOWN"},
        }
        item.update(template)
        waba.message_templates.append(item)


# -- answers -----------------------------------------------------------------------------------------------------------


def debug_token_denied(cloud, access_token, error):
    """Meta's error when ``access_token`` may not call debug_token (not an app token nor a valid token), else None."""
    if not access_token:
        return error(400, 104, "An access token is required to request this resource.")
    if access_token in cloud.app_tokens:
        return None
    if access_token in cloud.expired_tokens or (
        access_token in cloud.token_info and cloud.token_info[access_token].expired()
    ):
        return error(401, 190, EXPIRED_MESSAGE, subcode=463)
    if access_token not in cloud.tokens and access_token not in cloud.tokens_without_permission:
        return error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    return None


def debug_token(cloud, access_token, query, error):
    """GET /debug_token?input_token=...: the input token's metadata, asked for with an app token (app_id|app_secret)
    or with a valid token of the same app (checked first by :func:`debug_token_denied`). ``error`` builds Meta's
    error answer (cloud_api.error)."""
    input_token = query.get("input_token", [""])[-1]
    if not input_token:
        return error(400, 100, "(#100) The parameter input_token is required", "GraphMethodException")
    info = cloud.token_info_of(input_token)
    if info is None:
        return Response.json(
            200,
            {
                "data": {
                    "error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
                    "is_valid": False,
                    "scopes": [],
                }
            },
        )
    if access_token not in cloud.app_tokens and cloud.token_info_of(access_token).app_id != info.app_id:
        return error(
            400,
            100,
            "(#100) You must provide an app access token, or a user access token that is an owner or developer of "
            "the app",
        )
    if input_token in cloud.expired_tokens or info.expired():
        return Response.json(
            200, info.body(valid=False, error={"code": 190, "message": EXPIRED_MESSAGE, "subcode": 463})
        )
    return Response.json(200, info.body())


def scope_denied(cloud, token, waba_id, error, unknown_object):
    """Meta's answer when the token's scopes or granular target ids do not cover ``waba_id``, else None.

    A token without whatsapp_business_management: 403 code 200. A WABA outside the scope's target ids: Graph's
    "does not exist, cannot be loaded due to missing permissions" (code 100, subcode 33).
    """
    info = cloud.token_info.get(token)
    if info is None or waba_id is None:
        return None
    if MANAGEMENT not in info.scopes:
        return error(403, 200, "(#200) Requires whatsapp_business_management permission to manage the object")
    if not info.may_manage(waba_id):
        return unknown_object(waba_id)
    return None


def rate_limited(regain_minutes, code, error):
    """A Business Use Case rate limit answer: HTTP 400 with ``code`` and the X-Business-Use-Case-Usage header
    (https://developers.facebook.com/docs/graph-api/overview/rate-limiting: estimated_time_to_regain_access in
    minutes)."""
    usage = (
        '{"0":[{"type":"whatsapp_business_management","call_count":100,"total_cputime":1,"total_time":1,'
        '"estimated_time_to_regain_access":%d}]}' % regain_minutes
    )
    return error(400, code, RATE_LIMIT_MESSAGES[code], headers={"X-Business-Use-Case-Usage": usage})


def split_fields(raw):
    """The top-level items of a Graph ``fields`` list, with nesting: [(name, limit or None, subfields or None)];
    None for a list this simulator cannot parse (unbalanced braces, a malformed item)."""
    items, depth, start = [], 0, 0
    for index, char in enumerate(raw + ","):
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
            if depth < 0:
                return None
        elif char == "," and depth == 0:
            item = raw[start:index].strip()
            start = index + 1
            if not item:
                continue
            match = _ITEM.match(item)
            if not match:
                return None
            items.append((match.group(1), int(match.group(2)) if match.group(2) else None, match.group(3)))
    return items if depth == 0 else None


def _cursor(start):
    return base64.b64encode(("sim-edge:%d" % start).encode()).decode().rstrip("=")


def _start(cursor):
    try:
        decoded = base64.b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix, dummy, number = decoded.partition(":")
    return int(number) if prefix == "sim-edge" and number.isdigit() else None


def _page(items, query, page_size, next_url, error):
    """(body, None) for one cursor page of ``items``, or (None, error response)."""
    try:
        limit = int(query.get("limit", [page_size])[-1])
    except ValueError:
        return None, error(400, 100, "(#100) Param limit must be an integer")
    limit = max(1, min(limit, page_size))
    start = 0
    if "after" in query:
        start = _start(query["after"][-1])
        if start is None:
            return None, error(400, 100, "(#100) Invalid cursor: after")
    page = items[start : start + limit]
    body = {"data": page}
    if page:
        body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(page))}}
        if start + len(page) < len(items):
            body["paging"]["next"] = next_url(limit, _cursor(start + len(page)))
    return body, None


def _edge_url(cloud, base, version, waba_id, edge, token, params):
    return "%s/graph/%s/%s/%s?%s" % (
        cloud.next_base or base,
        version,
        waba_id,
        edge,
        urlencode(dict(params, access_token=token)),
    )


def subscribed_apps(cloud, waba, query, version, token, base, error):
    """GET /<WABA_ID>/subscribed_apps."""
    items = []
    for app in waba.subscribed_apps:
        item = {"whatsapp_business_api_data": {key: app[key] for key in ("id", "name", "link") if key in app}}
        if app.get("override_callback_uri"):
            item["override_callback_uri"] = app["override_callback_uri"]
        items.append(item)
    body, failure = _page(
        items,
        query,
        cloud.page_size,
        lambda limit, after: _edge_url(
            cloud, base, version, waba.id, "subscribed_apps", token, {"limit": limit, "after": after}
        ),
        error,
    )
    return failure or Response.json(200, body)


def message_templates(cloud, waba, query, version, token, base, error):
    """GET /<WABA_ID>/message_templates?fields=...: a page of templates with cursors and paging.next."""
    raw = query.get("fields", [""])[-1]
    fields = [field.strip() for field in raw.split(",") if field.strip()] or list(TEMPLATE_DEFAULT_FIELDS)
    unknown = [field for field in fields if field not in TEMPLATE_FIELDS]
    if unknown:
        return error(
            400,
            100,
            "(#100) Tried accessing nonexisting field (%s) on node type (WhatsAppMessageTemplate)" % unknown[0],
        )
    fields = list(dict.fromkeys(fields + ["id"]))
    templates = waba.message_templates
    filters = {"name": query["name"][-1]} if query.get("name", [""])[-1] else {}
    if filters:  # Meta's name filter: the templates whose name contains it
        templates = [template for template in templates if filters["name"] in template["name"]]
    items = [{field: template[field] for field in fields if field in template} for template in templates]
    body, failure = _page(
        items,
        query,
        cloud.page_size,
        lambda limit, after: _edge_url(
            cloud,
            base,
            version,
            waba.id,
            "message_templates",
            token,
            dict(filters, fields=",".join(fields), limit=limit, after=after),
        ),
        error,
    )
    return failure or Response.json(200, body)


def waba_node(waba, raw_fields, values, defaults, health, phone_numbers_page, error):
    """The WABA node's body for a ``fields`` list, which may expand ``phone_numbers.limit(n){...}``; or an error.

    ``values`` are the plain fields (name -> value), ``health()`` gives health_status, and
    ``phone_numbers_page(query)`` answers the nested edge as GET /<WABA_ID>/phone_numbers would (a Response).
    """
    items = split_fields(raw_fields) if raw_fields.strip() else [(name, None, None) for name in defaults]
    if items is None:
        return error(400, 100, "(#100) Syntax error in the fields parameter")
    body = {"id": waba.id}
    for name, limit, nested in items:
        if name == "phone_numbers":
            query = {"fields": [nested or ""]}
            if limit is not None:
                query["limit"] = [str(limit)]
            page = phone_numbers_page(query)
            if page.status != 200:
                return page
            page = decode(page)
            if page["data"]:
                body["phone_numbers"] = page  # Graph leaves an empty edge out of an expansion
        elif nested is not None or limit is not None or (name not in values and name != "health_status"):
            return error(
                400, 100, "(#100) Tried accessing nonexisting field (%s) on node type (WhatsAppBusinessAccount)" % name
            )
        elif name == "health_status":
            body[name] = health()
        else:
            body[name] = values[name]
    return Response.json(200, body)


def decode(response):
    """The JSON body of a Response (to embed one answer in another)."""
    return json.loads(response.body.decode("utf-8"))
