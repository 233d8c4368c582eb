# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WhatsApp Cloud API: the Graph API's error classes and pages, the parsers of phone number nodes and the verdict
rules. Pure functions, no I/O.

A phone number node (``GET /<PHONE_NUMBER_ID>`` or an item of ``GET /<WABA_ID>/phone_numbers``) carries
``health_status``: an overall ``can_send_message`` and one entry per entity involved in sending (the number,
its WhatsApp Business Account, the business portfolio, the app). Meta's rule for the overall value is BLOCKED
if any entity is blocked, else LIMITED if any is limited, else AVAILABLE.
"""

from __future__ import annotations

import re

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ResponseFormatError,
    clean_text,
    describe,
)

AVAILABLE, LIMITED, BLOCKED = "AVAILABLE", "LIMITED", "BLOCKED"
# A read's outcome (the modules' ``outcome``): the numbers were read, or why they were not.
HEALTHY, NOT_HEALTHY = "healthy", "not_healthy"
AUTH_FAILED, PERMISSION_DENIED, RATE_LIMITED, ERROR = "auth_failed", "permission_denied", "rate_limited", "error"
CAN_SEND_VALUES = (AVAILABLE, LIMITED, BLOCKED)
ON_PREMISE = "ON_PREMISE"
# The node fields the collection reads, in the order of the result.
NUMBER_FIELDS = (
    "display_phone_number",
    "verified_name",
    "status",
    "quality_rating",
    "code_verification_status",
    "name_status",
    "platform_type",
    "throughput",
    "account_mode",
    "health_status",
)
TEXT_LIMIT = 400

ENTITY_NAMES = {
    "PHONE_NUMBER": "the phone number",
    "WABA": "its WhatsApp Business Account",
    "BUSINESS": "its business portfolio",
    "APP": "the app",
    "MESSAGE_TEMPLATE": "the message template",
}


# -- Graph API errors --------------------------------------------------------------------------------------------------
# What an error's code (error.code) means, from Meta's pages (Meta asks to handle errors by code, not by message):
# - Graph API, "Handling Errors" (https://developers.facebook.com/docs/graph-api/guides/error-handling): 4 "API Too
#   Many Calls" and 17 "API User Too Many Calls" (wait and retry); 102 "API Session" and 190 "Access token has
#   expired" (get a new token; the subcode says why); 10 and 200-299 permissions; 1 "API Unknown", 2 "API Service"
#   (temporary).
# - Graph API, "Rate Limits" (https://developers.facebook.com/docs/graph-api/overview/rate-limiting): 32 (Pages),
#   613 (a custom rate limit, "Calls to this api have exceeded the rate limit", as the Graph API's User reference
#   words it), and the Business Use Case codes (80000-80014) of which 80007 is the WhatsApp Business Account's.
# - WhatsApp Cloud API, "Error codes"
#   (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes): throttling 4,
#   80007, 130429 ("Rate limit hit": the number's message throughput), 131056 ("(Business Account, Consumer Account)
#   pair rate limit hit": too many messages to one recipient in a short time); authorization 0 (AuthException, HTTP
#   401) and 190; permissions 10, 200-299.
# A rejected token answers HTTP 401 whatever its code (0, or 190 on a node); 104 is Graph's "An access token is
# required", which a client that always sends its token sees only when something on the way dropped the header.
RATE_LIMIT_CODES = frozenset((4, 17, 32, 613, 80007, 80008, 130429, 131056))
TOKEN_CODES = frozenset((190, 102, 104))
NO_TOKEN_CODE = 104
PERMISSION_CODES = frozenset([10] + list(range(200, 300)))
UNKNOWN_CODE = 100
TEMPORARY_CODES = frozenset((1, 2))
# Why a token was rejected, by error_subcode of 190 (the "Authentication Error Subcodes" of Handling Errors).
TOKEN_SUBCODES = {
    458: "the app is no longer installed for its user",
    459: "its user is checkpointed and must log in to Facebook to clear it",
    460: "its user changed the password",
    463: "it has expired",
    464: "its user is not confirmed",
    467: "it is invalid (revoked, or not a token of this app)",
}
# The kinds of Graph API errors (graph_error_kind), named after the outcome they give.
TOKEN_REJECTED, UNKNOWN_OBJECT, TEMPORARY, OTHER = "token_rejected", "unknown_object", "temporary", "other"


def graph_error_kind(status, code):
    """The kind of a Graph API error from its HTTP status and error.code: RATE_LIMITED, TOKEN_REJECTED,
    PERMISSION_DENIED, UNKNOWN_OBJECT, TEMPORARY or OTHER. The code decides first (a rate limit is HTTP 400);
    HTTP 401 is a rejected token and HTTP 429 a rate limit whatever the code."""
    if code in RATE_LIMIT_CODES:
        return RATE_LIMITED
    if code in TOKEN_CODES or status == 401:
        return TOKEN_REJECTED
    if code in PERMISSION_CODES:
        return PERMISSION_DENIED
    if code == UNKNOWN_CODE:
        return UNKNOWN_OBJECT
    if status == 429:
        return RATE_LIMITED
    if code in TEMPORARY_CODES or status >= 500:
        return TEMPORARY
    return OTHER


def token_rejection(code, subcode):
    """Why Meta rejected the token, as a clause: "the access token has expired (subcode 463)", ..."""
    if code == NO_TOKEN_CODE:
        return (
            "Meta received no access token (code 104), although one was sent: a proxy or gateway on the way "
            "drops the Authorization header; check api_url and the proxy"
        )
    reason = TOKEN_SUBCODES.get(subcode) if code == 190 else None
    if reason:
        return "the access token was rejected: %s (subcode %d)" % (reason, subcode)
    return "the access token was rejected (invalid, expired or revoked)"


def text(value, limit=TEXT_LIMIT):
    """A string from the API, printable, secrets masked and bounded, for a sentence."""
    return clean_text(re.sub(r"[\x00-\x1f\x7f]+", " ", str(value)).strip(), limit)


def worst(values):
    """Meta's overall rule: BLOCKED if any is BLOCKED, else LIMITED if any is LIMITED, else AVAILABLE.

    A value this collection does not know counts as BLOCKED: a gate must not pass on what it cannot read.
    """
    values = list(values)
    if any(value not in (AVAILABLE, LIMITED) for value in values):
        return BLOCKED
    return LIMITED if LIMITED in values else AVAILABLE


def _entity_error(raw, where):
    if not isinstance(raw, dict):
        raise ResponseFormatError("%s: an entry of errors is not an object; got %s" % (where, describe(raw)))
    code = raw.get("error_code")
    return {
        "error_code": (
            code
            if isinstance(code, int) and not isinstance(code, bool)
            else (text(code, 40) if code is not None else None)
        ),
        "error_description": text(raw["error_description"]) if raw.get("error_description") is not None else None,
        "possible_solution": text(raw["possible_solution"]) if raw.get("possible_solution") is not None else None,
    }


def _entity(raw, where):
    if not isinstance(raw, dict) or not isinstance(raw.get("can_send_message"), str):
        raise ResponseFormatError(
            "%s: an entity is not an object with a can_send_message string; got %s" % (where, describe(raw))
        )
    info = [] if raw.get("additional_info") is None else raw["additional_info"]
    errors = [] if raw.get("errors") is None else raw["errors"]
    if not isinstance(info, list) or not isinstance(errors, list):
        raise ResponseFormatError("%s: additional_info and errors of an entity must be arrays" % where)
    return {
        "entity_type": text(raw.get("entity_type") or "UNKNOWN", 40),
        "id": text(raw["id"], 40) if raw.get("id") is not None else None,
        "can_send_message": text(raw["can_send_message"], 40),
        "additional_info": [text(item) for item in info],
        "errors": [_entity_error(item, where) for item in errors],
    }


def parse_health_status(value, where):
    """``health_status`` as ``{can_send_message, entities}``; unknown strings pass through (and count as BLOCKED)."""
    if not isinstance(value, dict) or not isinstance(value.get("can_send_message"), str):
        raise ResponseFormatError(
            "%s: health_status is not an object with a can_send_message string; got %s" % (where, describe(value))
        )
    entities = [] if value.get("entities") is None else value["entities"]
    if not isinstance(entities, list):
        raise ResponseFormatError("%s: health_status.entities is not an array; got %s" % (where, describe(entities)))
    return {
        "can_send_message": text(value["can_send_message"], 40),
        "entities": [_entity(item, where) for item in entities],
    }


def parse_phone_number(body, where):
    """A phone number node as a flat dict: ``id``, the NUMBER_FIELDS (``throughput`` as ``throughput_level``), ``health``."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"]:
        raise ResponseFormatError(
            "%s: expected a phone number object with an id string; got %s" % (where, describe(body))
        )
    if "health_status" not in body:
        raise ResponseFormatError(
            "%s: phone number %s has no health_status field; is api_url the Graph API and "
            "api_version v16.0 or later?" % (where, text(body["id"], 40))
        )
    number = {"id": text(body["id"], 40)}
    for field in NUMBER_FIELDS[:-1]:
        value = body.get(field)
        if field == "throughput":
            value = value.get("level") if isinstance(value, dict) else None
            field = "throughput_level"
        number[field] = (
            text(value, 80) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
        )
    number["health"] = parse_health_status(body["health_status"], "%s, phone number %s" % (where, number["id"]))
    return number


def parse_page(body, where):
    """One page of a Graph API list edge: (the data items, ``paging.cursors.after`` or None, ``paging.next`` or None).

    ``next`` alone says whether more pages follow: a page may be empty and still have one.
    """
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ResponseFormatError("%s: expected an object with a data array; got %s" % (where, describe(body)))
    paging = {} if body.get("paging") is None else body["paging"]
    if not isinstance(paging, dict):
        raise ResponseFormatError("%s: paging is not an object; got %s" % (where, describe(paging)))
    cursors = {} if paging.get("cursors") is None else paging["cursors"]
    if not isinstance(cursors, dict):
        raise ResponseFormatError("%s: paging.cursors is not an object; got %s" % (where, describe(cursors)))
    for name, value in (("paging.next", paging.get("next")), ("paging.cursors.after", cursors.get("after"))):
        if value is not None and not isinstance(value, str):
            raise ResponseFormatError("%s: %s is not a string; got %s" % (where, name, describe(value)))
    return body["data"], cursors.get("after") or None, paging.get("next") or None


def _subject(number):
    shown = number.get("display_phone_number")
    return "Phone number %s%s" % (number["id"], " (%s)" % shown if shown else "")


def _entity_subject(number, entity):
    if entity["entity_type"] == "PHONE_NUMBER" and entity["id"] in (None, number["id"]):
        return "the phone number itself"
    name = ENTITY_NAMES.get(entity["entity_type"], "entity %s" % entity["entity_type"])
    return "%s%s" % (name, " %s" % entity["id"] if entity["id"] else "")


def _sentence(value):
    value = value.strip()
    return value if value.endswith((".", "!", "?")) else value + "."


def _blocked_problems(number, entity):
    subject = "%s cannot send messages: %s is %s" % (
        _subject(number),
        _entity_subject(number, entity),
        entity["can_send_message"],
    )
    if not entity["errors"]:
        return ["%s, and Meta gave no reason; look at the number and its account in WhatsApp Manager." % subject]
    problems = []
    for error in entity["errors"]:
        said = error["error_description"] or "no description"
        code = " (error %s)" % error["error_code"] if error["error_code"] is not None else ""
        sentence = "%s: %s%s" % (subject, said.rstrip(". "), code)
        if error["possible_solution"]:
            sentence += ". Possible solution: %s" % _sentence(error["possible_solution"])
        else:
            sentence += "; Meta gave no possible solution."
        problems.append(sentence)
    return problems


def _limited_problem(number, entity):
    info = " ".join(_sentence(item) for item in entity["additional_info"]) or "Meta gave no detail."
    return "%s can send only with limits: %s is LIMITED: %s allow_limited is false, so LIMITED does not pass." % (
        _subject(number),
        _entity_subject(number, entity),
        info,
    )


def health_problems(number, allow_limited=True):
    """(``can_send_message`` - Meta's overall value, or worse if an entity is worse -, the problems of the number's
    ``health_status`` as sentences built from Meta's own words). LIMITED is a problem only if not ``allow_limited``."""
    health = number["health"]
    effective = worst([health["can_send_message"]] + [entity["can_send_message"] for entity in health["entities"]])
    problems = []
    for entity in health["entities"]:
        value = entity["can_send_message"]
        if value == LIMITED and not allow_limited:
            problems.append(_limited_problem(number, entity))
        elif value not in (AVAILABLE, LIMITED):
            problems.extend(_blocked_problems(number, entity))
    if not problems and health["can_send_message"] not in (AVAILABLE, LIMITED):
        problems.append(
            "%s cannot send messages: its overall can_send_message is %s, but no entity says why; look "
            "at the number in WhatsApp Manager." % (_subject(number), health["can_send_message"])
        )
    elif not problems and effective == LIMITED and not allow_limited:
        problems.append(
            "%s can send only with limits (can_send_message LIMITED), and allow_limited is false." % _subject(number)
        )
    return effective, problems


def number_verdict(number, allow_limited=True):
    """One number's result: the parsed fields, ``can_send_message`` (Meta's overall value, or worse if an entity
    is worse), ``entities``, ``healthy`` and ``problems`` (sentences built from Meta's own words)."""
    effective, problems = health_problems(number, allow_limited)
    if number.get("platform_type") == ON_PREMISE:
        problems.append(
            "%s is on the On-Premises API (platform_type ON_PREMISE), which Meta retired: its final client "
            "version expired on 23 October 2025, so the number no longer sends or receives there. Migrate it "
            "to the Cloud API (Meta's guide: migrate from On-Premises API to Cloud API)." % _subject(number)
        )
    result = {key: value for key, value in number.items() if key != "health"}
    result.update(
        can_send_message=effective, entities=number["health"]["entities"], healthy=not problems, problems=problems
    )
    return result


def waiting_cannot_fix(number):
    """True when a number's state will not change by waiting (it is on the retired On-Premises API)."""
    return number.get("platform_type") == ON_PREMISE


def report(numbers, allow_limited=True, missing=(), waba_id=None):
    """The result of one read: ``outcome`` (HEALTHY or NOT_HEALTHY), ``numbers``, ``healthy`` (every selected number
    passes, and there is one at least), ``problems`` (all of them), ``can_send_message`` (the worst) and ``missing``
    ids."""
    verdicts = [number_verdict(number, allow_limited) for number in numbers]
    problems = [problem for verdict in verdicts for problem in verdict["problems"]]
    for number_id in missing:
        problems.append(
            "Phone number %s is not among the phone numbers of WhatsApp Business Account %s: check "
            "phone_number_id and waba_id in WhatsApp Manager (API Setup)." % (number_id, waba_id)
        )
    if not verdicts and not missing:
        problems.append(
            "WhatsApp Business Account %s has no phone numbers, so nothing can send: add or migrate a "
            "number in WhatsApp Manager, or check waba_id." % waba_id
        )
    return {
        "outcome": NOT_HEALTHY if problems else HEALTHY,
        "numbers": verdicts,
        "healthy": not problems,
        "problems": problems,
        "can_send_message": worst(verdict["can_send_message"] for verdict in verdicts) if verdicts else BLOCKED,
        "missing": list(missing),
    }


# -- messages -----------------------------------------------------------------------------------------------------------
# What to do about the errors a send answers or a failed status carries, by code, from Meta's "Cloud API error codes"
# (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes) and its template pages. Meta asks
# to handle errors by code; the title and details quoted beside the advice are Meta's own.
MESSAGE_ERROR_HINTS = {
    100: (
        "Meta refused a parameter of the send: check phone_number_id (the number's ID from WhatsApp Manager, not the "
        "number itself), the recipient in to (country code and number) and template_language"
    ),
    131026: (
        "the recipient cannot receive it: the number is not on WhatsApp, has not accepted WhatsApp's latest terms, or "
        "runs an old WhatsApp version; send the canary to a number with an up-to-date WhatsApp"
    ),
    131030: (
        "the recipient is not in the allowed list of this test number: add it in the App Dashboard (WhatsApp, API "
        "Setup), or send from a production number"
    ),
    131047: (
        "more than 24 hours passed since the recipient last wrote to this number, so only a template may start the "
        "conversation: send an approved template (template_name, template_language)"
    ),
    131049: (
        "Meta chose not to deliver it to keep the ecosystem healthy (the recipient got many marketing messages): use a "
        "utility template for the canary, or send it to another recipient"
    ),
    132001: (
        "the template does not exist in this language for the number's WhatsApp Business Account: check "
        "template_name and template_language against WhatsApp Manager (Message templates); Meta creates hello_world "
        "(en_US) in every new account"
    ),
    132015: "the template is paused for low quality: edit it in WhatsApp Manager or use another one",
    132016: "the template is disabled for low quality: use another template",
    131056: (
        "too many messages went from this number to the same recipient in a short time: run the canary less often "
        "(a few seconds at least between two sends to one recipient)"
    ),
    130429: "the number's message throughput was reached: run the canary when the number sends less, or retry later",
}
RATE_LIMIT_HINT = "Meta rate-limited the send: retry later, or run the canary less often"


def message_error_hint(code):
    """What to do about a send's or a status's error ``code``; Meta's error codes page for a code not known here."""
    if code in MESSAGE_ERROR_HINTS:
        return MESSAGE_ERROR_HINTS[code]
    if code in RATE_LIMIT_CODES:
        return RATE_LIMIT_HINT
    return (
        "see what Meta says about error %s on its Cloud API error codes page "
        "(https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)" % code
    )
