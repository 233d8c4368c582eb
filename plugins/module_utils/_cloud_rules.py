# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WhatsApp Cloud API: the parsers of phone number nodes and the verdict rules. Pure functions, no I/O.

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


def parse_phone_number_page(body, where):
    """One page of ``GET /<WABA_ID>/phone_numbers``: (numbers, the ``paging.next`` URL or None)."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ResponseFormatError(
            "%s: expected an object with a data array of phone numbers; got %s" % (where, describe(body))
        )
    paging = body.get("paging")
    next_url = paging.get("next") if isinstance(paging, dict) else None
    if next_url is not None and not isinstance(next_url, str):
        raise ResponseFormatError("%s: paging.next is not a string; got %s" % (where, describe(next_url)))
    return [parse_phone_number(item, where) for item in body["data"]], next_url or None


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


def number_verdict(number, allow_limited=True):
    """One number's result: the parsed fields, ``can_send_message`` (Meta's overall value, or worse if an entity
    is worse), ``entities``, ``healthy`` and ``problems`` (sentences built from Meta's own words)."""
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
    if number.get("platform_type") == ON_PREMISE:
        problems.append(
            "%s is on the On-Premises API (platform_type ON_PREMISE), which Meta retired: its final client "
            "version expired on 23 October 2025, so the number no longer sends or receives there. Migrate it "
            "to the Cloud API (Meta's guide: migrate from On-Premises API to Cloud API)." % _subject(number)
        )
    result = {key: value for key, value in number.items() if key != "health"}
    result.update(can_send_message=effective, entities=health["entities"], healthy=not problems, problems=problems)
    return result


def waiting_cannot_fix(number):
    """True when a number's state will not change by waiting (it is on the retired On-Premises API)."""
    return number.get("platform_type") == ON_PREMISE


def report(numbers, allow_limited=True, missing=(), waba_id=None):
    """The result of one read: ``numbers``, ``healthy`` (every selected number passes, and there is one at
    least), ``problems`` (all of them), ``can_send_message`` (the worst) and ``missing`` ids."""
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
        "numbers": verdicts,
        "healthy": not problems,
        "problems": problems,
        "can_send_message": worst(verdict["can_send_message"] for verdict in verdicts) if verdicts else BLOCKED,
        "missing": list(missing),
    }
