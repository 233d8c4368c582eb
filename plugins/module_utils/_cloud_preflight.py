# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WhatsApp Cloud API preflight: the parsers of Meta's answers and the rules that turn them into checks. Pure
functions, no I/O (the calls: _cloud_preflight_calls).

A check is ``{name, subject, passed, severity, msg, hint}``: ``severity`` is ``error`` (a failed error check makes
the account not ready) or ``warning``; ``msg`` carries Meta's own words (field values, error messages,
``rejected_reason``, ``error_description``), ``hint`` says what to do.

Meta's pages the rules follow:
- debug_token (https://developers.facebook.com/docs/graph-api/reference/debug_token): ``is_valid``, ``app_id``,
  ``type``, ``expires_at`` and ``data_access_expires_at`` (Unix time, 0: does not expire), ``scopes``,
  ``granular_scopes[{scope, target_ids}]``, ``error`` for a token that is not valid.
- subscribed_apps (https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/subscribed_apps):
  ``data[].whatsapp_business_api_data {id, name, link}``; only the subscribed apps get the WABA's webhooks
  (https://developers.facebook.com/documentation/business-messaging/whatsapp/solution-providers/manage-webhooks).
- phone number fields: ``status``, ``quality_rating``, ``name_status``, ``code_verification_status``,
  ``platform_type``, ``throughput.level``, ``whatsapp_business_manager_messaging_limit`` (``messaging_limit_tier``
  is deprecated: https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits) and
  ``health_status`` (judged by _cloud_rules.health_problems, the rule cloud_health applies).
- message templates (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management):
  only an APPROVED template can be sent (template quality:
  https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-quality).
- the WABA's ``account_review_status`` (APPROVED, PENDING, REJECTED, DEFERRED: the account_review_update webhook,
  https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_review_update)
  and ``business_verification_status``.
"""

from __future__ import annotations

import datetime
import difflib
import math

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, ResponseFormatError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_rules import (
    AVAILABLE,
    LIMITED,
    health_problems,
    parse_phone_number,
    text,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._transport import where_set

ERROR, WARNING = "error", "warning"
MANAGEMENT = "whatsapp_business_management"
MESSAGING = "whatsapp_business_messaging"
DAY = 86400

# Check names by group; skip_checks takes either.
GROUPS = {
    "token": ("token_valid", "token_expiry", "token_scopes", "token_waba_access"),
    "subscription": ("app_subscribed",),
    "numbers": (
        "number_found",
        "number_status",
        "number_quality",
        "number_name_status",
        "number_platform",
        "number_code_verification",
        "number_health",
        "number_throughput",
        "number_messaging_limit",
    ),
    "templates": ("template",),
    "waba": ("waba_business_verification", "waba_account_review"),
}
CHECK_NAMES = tuple(name for names in GROUPS.values() for name in names)
SKIPPABLE = tuple(GROUPS) + CHECK_NAMES
QUALITY_RATINGS = ("GREEN", "YELLOW", "RED", "UNKNOWN", "NA")
DEFAULT_FAIL_ON_QUALITY = ("RED",)
DEFAULT_WARN_DAYS = 14
MAX_WARN_DAYS = 3650

NAME_OK = ("APPROVED", "AVAILABLE_WITHOUT_REVIEW")
TEMPLATE_WAIT = ("PENDING", "IN_APPEAL")

TOKEN_HINT = (
    "create a new token for a system user (Meta Business Settings, Users, System users, Generate new token, with the "
    "whatsapp_business_management and whatsapp_business_messaging permissions; choose 'Never' as expiry for a "
    "pipeline) and set it as %s" % where_set("cloud", ["api_token"], ["WA_CLOUD_TOKEN"])
)
STATUS_HINTS = {
    "PENDING": "the number is not registered yet: register it for the Cloud API (POST /<PHONE_NUMBER_ID>/register)",
    "DISCONNECTED": "register the number again (POST /<PHONE_NUMBER_ID>/register) and check it in WhatsApp Manager",
    "FLAGGED": "the number's quality is low; find the cause in WhatsApp Manager (Insights) and improve what is sent "
    "before Meta restricts it",
    "RESTRICTED": "the number reached a limit or was restricted for policy; see WhatsApp Manager (Account quality)",
    "RATE_LIMITED": "the number sends too much too fast; send less until Meta lifts the limit",
    "BANNED": "the number was banned; request a review in WhatsApp Manager (Account quality)",
    "MIGRATED": "the number was migrated to another WhatsApp Business Account: check waba_id",
    "DELETED": "the number was deleted from the account: add it again or remove it from phone_number_ids",
    "UNVERIFIED": "verify the number (request and enter a code in WhatsApp Manager), then register it",
}
NAME_HINTS = {
    "PENDING_REVIEW": "Meta has not reviewed the display name yet; wait for the review (WhatsApp Manager, Phone numbers)",
    "DECLINED": "edit the display name in WhatsApp Manager so that it follows Meta's display name guidelines, and "
    "submit it again",
    "EXPIRED": "the approved display name expired before the number was registered: submit it again in WhatsApp "
    "Manager, then register the number",
    "NONE": "set a display name for the number in WhatsApp Manager and submit it for review",
}
TEMPLATE_HINTS = {
    "PAUSED": "Meta paused it for low quality (its quality_score); fix what users complain about and edit it, or "
    "wait until the pause ends, before relying on it",
    "DISABLED": "Meta disabled it after repeated pauses for low quality: create a new template and use its name",
    "REJECTED": "edit it to address the rejected_reason and submit it again, or request a review in WhatsApp Manager",
    "PENDING": "Meta has not approved it yet: wait for the review before deploying what sends it",
    "IN_APPEAL": "its appeal is under review: wait for the decision before deploying what sends it",
    "PENDING_DELETION": "it is being deleted: create a new template under another name",
    "DELETED": "it was deleted: create it again (a deleted name may be reused only after Meta's waiting period)",
    "LIMIT_EXCEEDED": "the account has more templates than Meta allows: delete unused templates",
    "ARCHIVED": "it is archived: unarchive it in WhatsApp Manager",
}


def check(name, subject, passed, severity, msg, hint=""):
    return {
        "name": name,
        "subject": subject,
        "passed": bool(passed),
        "severity": severity,
        "msg": msg,
        "hint": hint if not passed else "",
    }


# -- options ---------------------------------------------------------------------------------------------------------


def validate_options(options):
    """The preflight's own options, checked before any request: (templates, warn days, fail_on_quality, skip)."""
    templates = []
    for index, item in enumerate(options.get("templates") or []):
        if not isinstance(item, dict):
            raise OptionError(
                "templates[%d] must be a dictionary with name and language, e.g. {name: order_update, "
                "language: en_US}" % index
            )
        unknown = sorted(set(item) - {"name", "language"})
        if unknown:
            raise OptionError("templates[%d] has unknown keys %s: only name and language" % (index, ", ".join(unknown)))
        name, language = (str(item.get(key) or "").strip() for key in ("name", "language"))
        if not name or not language:
            raise OptionError(
                "templates[%d] needs a name and a language (the template's language code, e.g. en_US)" % index
            )
        templates.append({"name": name, "language": language})
    warn_days = options.get("token_expiry_warn_days")
    warn_days = DEFAULT_WARN_DAYS if warn_days is None else warn_days
    if isinstance(warn_days, bool) or not isinstance(warn_days, int) or not 0 <= warn_days <= MAX_WARN_DAYS:
        raise OptionError("token_expiry_warn_days must be a whole number of days from 0 to %d" % MAX_WARN_DAYS)
    fail_on_quality = options.get("fail_on_quality")
    fail_on_quality = list(DEFAULT_FAIL_ON_QUALITY) if fail_on_quality is None else fail_on_quality
    fail_on_quality = [str(value).strip().upper() for value in fail_on_quality]
    bad = [value for value in fail_on_quality if value not in QUALITY_RATINGS]
    if bad:
        raise OptionError(
            "fail_on_quality: %s is not a quality rating; Meta's are %s" % (bad[0], ", ".join(QUALITY_RATINGS))
        )
    skip = [str(value).strip() for value in options.get("skip_checks") or []]
    bad = [value for value in skip if value not in SKIPPABLE]
    if bad:
        close = difflib.get_close_matches(bad[0], SKIPPABLE, n=1)
        raise OptionError(
            "skip_checks: %r is not a check%s; the checks are %s, and the groups %s"
            % (
                text(bad[0], 60),
                " (did you mean %s?)" % close[0] if close else "",
                ", ".join(CHECK_NAMES),
                ", ".join(GROUPS),
            )
        )
    return templates, warn_days, fail_on_quality, skipped_names(skip)


def skipped_names(skip):
    """The check names that ``skip`` (names and groups) leaves out."""
    names = set()
    for value in skip:
        names.update(GROUPS.get(value, (value,)))
    return frozenset(names)


# -- token -----------------------------------------------------------------------------------------------------------


def _integer(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_debug_token(body, where):
    """``GET /debug_token``'s ``data`` as a dict; a body without it is a :class:`ResponseFormatError`."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("is_valid"), bool):
        raise ResponseFormatError("%s: expected an object with data.is_valid (debug_token); got something else" % where)
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    granular = []
    for entry in data.get("granular_scopes") or []:
        if isinstance(entry, dict) and isinstance(entry.get("scope"), str):
            targets = entry.get("target_ids")
            granular.append(
                {
                    "scope": entry["scope"],
                    "target_ids": [str(t) for t in targets] if isinstance(targets, list) else None,
                }
            )
    return {
        "is_valid": data["is_valid"],
        "app_id": str(data["app_id"]) if data.get("app_id") is not None else None,
        "type": text(data["type"], 40) if data.get("type") is not None else None,
        "application": text(data["application"], 80) if data.get("application") is not None else None,
        "expires_at": _integer(data.get("expires_at")),
        "data_access_expires_at": _integer(data.get("data_access_expires_at")),
        "scopes": [str(scope) for scope in data.get("scopes") or [] if isinstance(scope, str)],
        "granular_scopes": granular,
        "error": (
            {
                "code": _integer(error.get("code")),
                "subcode": _integer(error.get("subcode")),
                "message": text(error["message"]) if error.get("message") else None,
            }
            if error
            else None
        ),
    }


def _date(moment):
    return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def token_expiry(info, now):
    """When the token stops working: ``{"expires_at": unix or None, "field": ..., "days_left": int or None}``.

    The earlier of ``expires_at`` and ``data_access_expires_at`` that is set (0 is "never"); None and None when
    neither is.
    """
    moments = [
        (moment, field)
        for field, moment in (
            ("expires_at", info.get("expires_at")),
            ("data_access_expires_at", info.get("data_access_expires_at")),
        )
        if moment
    ]
    if not moments:
        return {"expires_at": None, "field": None, "days_left": None}
    moment, field = min(moments)
    return {"expires_at": moment, "field": field, "days_left": int(math.floor((moment - now) / DAY))}


def token_checks(info, waba_id, now, warn_days, needs_management=True):
    """The token's checks from debug_token's answer (:func:`parse_debug_token`)."""
    subject = "access token%s" % (" (%s, app %s)" % (info["type"], info["app_id"]) if info.get("type") else "")
    checks = []
    if not info["is_valid"]:
        error = info.get("error") or {}
        said = error.get("message") or "debug_token says is_valid false and gives no reason"
        code = (
            " (code %s%s)" % (error["code"], ", subcode %s" % error["subcode"] if error.get("subcode") else "")
            if error.get("code")
            else ""
        )
        return [check("token_valid", subject, False, ERROR, "Meta says: %s%s" % (said, code), TOKEN_HINT)]
    checks.append(check("token_valid", subject, True, ERROR, "debug_token says is_valid true"))
    expiry = token_expiry(info, now)
    if expiry["expires_at"] is None:
        checks.append(check("token_expiry", subject, True, ERROR, "expires_at 0: the token does not expire"))
    elif expiry["expires_at"] <= now:
        checks.append(
            check(
                "token_expiry",
                subject,
                False,
                ERROR,
                "%s %d: the token expired on %s" % (expiry["field"], expiry["expires_at"], _date(expiry["expires_at"])),
                TOKEN_HINT,
            )
        )
    else:
        days = expiry["days_left"]
        warned = expiry["expires_at"] - now < warn_days * DAY
        checks.append(
            check(
                "token_expiry",
                subject,
                not warned,
                WARNING,
                "%s %d: the token expires on %s, in %d day%s"
                % (expiry["field"], expiry["expires_at"], _date(expiry["expires_at"]), days, "" if days == 1 else "s"),
                "replace it before %s: %s" % (_date(expiry["expires_at"]), TOKEN_HINT),
            )
        )
    needed = [MESSAGING] + ([MANAGEMENT] if needs_management else [])
    missing = [scope for scope in needed if scope not in info["scopes"]]
    checks.append(
        check(
            "token_scopes",
            subject,
            not missing,
            ERROR,
            "scopes: %s%s"
            % (", ".join(info["scopes"]) or "none", "; missing %s" % ", ".join(missing) if missing else ""),
            "give the token's system user the %s permission%s (Meta Business Settings, System users) and generate a "
            "new token with %s"
            % (" and ".join(missing), "s" if len(missing) > 1 else "", "them" if len(missing) > 1 else "it"),
        )
    )
    outside = []
    for scope in needed:
        targets = [entry["target_ids"] for entry in info["granular_scopes"] if entry["scope"] == scope]
        if targets and targets[0] is not None and waba_id not in targets[0]:
            outside.append("%s targets %s" % (scope, ", ".join(targets[0]) or "nothing"))
    checks.append(
        check(
            "token_waba_access",
            subject,
            not outside,
            ERROR,
            "granular_scopes: %s"
            % (
                "; ".join(outside)
                if outside
                else "WhatsApp Business Account %s is among the " "target_ids (or the scopes have none)" % waba_id
            ),
            "assign WhatsApp Business Account %s to the token's system user as an asset (Meta Business Settings, "
            "System users, Assign assets, with full control) and generate a new token" % waba_id,
        )
    )
    return checks


def token_rejected_check(said):
    """The token check when Meta rejected the token on a call (Graph error 190 and the like): ``said`` is the
    error's message, in Meta's words."""
    return check("token_valid", "access token", False, ERROR, said, TOKEN_HINT)


def fatal_token_problem(checks):
    """True when a failed token check means no other read can succeed (invalid, expired, no management scope,
    WABA outside the target ids)."""
    return any(
        not item["passed"] and item["severity"] == ERROR and item["name"].startswith("token_") for item in checks
    )


# -- subscription ----------------------------------------------------------------------------------------------------


def parse_subscribed_apps(items, where):
    apps = []
    for item in items:
        data = item.get("whatsapp_business_api_data") if isinstance(item, dict) else None
        if not isinstance(data, dict) or data.get("id") is None:
            raise ResponseFormatError(
                "%s: an entry without whatsapp_business_api_data.id; Meta documents {whatsapp_business_api_data: "
                "{id, name, link}}" % where
            )
        apps.append({"id": str(data["id"]), "name": text(data["name"], 80) if data.get("name") else None})
    return apps


def subscription_check(apps, app_id, waba_id):
    """The token's own app (``app_id`` from debug_token) must be among the WABA's subscribed apps: a non-empty list
    of other apps means the WABA's webhooks go to them, not to this app."""
    subject = "WhatsApp Business Account %s" % waba_id
    shown = ", ".join("%s (%s)" % (app["id"], app["name"]) if app["name"] else app["id"] for app in apps)
    hint = (
        "subscribe the app to the WhatsApp Business Account with the app's token: POST /<WABA_ID>/subscribed_apps "
        "(Meta: Managing webhooks, Subscribe to webhooks on a client WABA); until then its webhooks never arrive"
    )
    if app_id is None:
        return check("app_subscribed", subject, False, ERROR, "debug_token gave no app_id to look for", TOKEN_HINT)
    if not apps:
        return check(
            "app_subscribed",
            subject,
            False,
            ERROR,
            "subscribed_apps is empty: no app gets this account's webhooks",
            hint.replace("the app", "app %s" % app_id, 1),
        )
    if app_id not in [app["id"] for app in apps]:
        return check(
            "app_subscribed",
            subject,
            False,
            ERROR,
            "subscribed_apps: %s; the token's app %s is not among them, so its webhooks go elsewhere" % (shown, app_id),
            hint.replace("the app", "app %s" % app_id, 1),
        )
    return check("app_subscribed", subject, True, ERROR, "subscribed_apps: %s" % shown)


# -- the WABA and its numbers ----------------------------------------------------------------------------------------


def parse_waba(body, where):
    """The WABA node: (``{id, business_verification_status, account_review_status}``, the first page of its
    ``phone_numbers`` expansion or None when Meta left the edge out)."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise ResponseFormatError("%s: expected the WhatsApp Business Account as an object with an id" % where)
    fields = {"id": body["id"]}
    for field in ("business_verification_status", "account_review_status"):
        value = body.get(field)
        fields[field] = text(value, 60) if isinstance(value, str) else None
    page = body.get("phone_numbers")
    if page is not None and not isinstance(page, dict):
        raise ResponseFormatError("%s: phone_numbers is not a page object ({data, paging})" % where)
    return fields, page


def parse_number(raw, where):
    """A phone number of the expansion: _cloud_rules.parse_phone_number's fields and the messaging limit."""
    number = parse_phone_number(raw, where)
    limit = raw.get("whatsapp_business_manager_messaging_limit")
    if isinstance(limit, dict):
        limit = limit.get("tier") or limit.get("current_limit") or limit.get("max_daily_conversations_per_business")
    number["messaging_limit"] = (
        text(limit, 60) if isinstance(limit, (str, int)) and not isinstance(limit, bool) else None
    )
    return number


def number_subject(number):
    shown = number.get("display_phone_number")
    return "phone number %s%s" % (number["id"], " (%s)" % shown if shown else "")


def missing_number_check(number_id, waba_id):
    return check(
        "number_found",
        "phone number %s" % number_id,
        False,
        ERROR,
        "not among the phone numbers of WhatsApp Business Account %s" % waba_id,
        "check phone_number_ids and waba_id: the numeric IDs are in WhatsApp Manager (Phone numbers) or the app's "
        "API Setup page",
    )


def _field_check(name, subject, value, field, ok, severity, hint):
    if value is None:
        return check(
            name, subject, False, severity, "Meta returned no %s" % field, "check api_version (v23.0 or later)"
        )
    return check(name, subject, ok, severity, "%s is %s" % (field, value), hint)


def number_checks(number, fail_on_quality):
    """The checks of one number (:func:`parse_number`)."""
    subject = number_subject(number)
    status, quality = number.get("status"), number.get("quality_rating") or "UNKNOWN"
    name_status, platform = number.get("name_status"), number.get("platform_type")
    verification = number.get("code_verification_status")
    checks = [
        _field_check(
            "number_status",
            subject,
            status,
            "status",
            status == "CONNECTED",
            ERROR,
            "%s (WhatsApp Manager, Phone numbers)" % STATUS_HINTS.get(status, "the number must be CONNECTED to send"),
        ),
        check(
            "number_quality",
            subject,
            quality not in fail_on_quality,
            ERROR,
            "quality_rating is %s%s" % (quality, "" if number.get("quality_rating") else " (Meta gave none)"),
            "users blocked or reported messages from this number: find why in WhatsApp Manager (Insights), send only "
            "to people who opted in, and improve the templates; fail_on_quality lists the ratings that fail",
        ),
        _field_check(
            "number_name_status",
            subject,
            name_status,
            "name_status",
            name_status in NAME_OK,
            ERROR,
            NAME_HINTS.get(name_status, "the display name must be APPROVED (or AVAILABLE_WITHOUT_REVIEW)"),
        ),
        _field_check(
            "number_platform",
            subject,
            platform,
            "platform_type",
            platform == "CLOUD_API",
            ERROR,
            (
                "migrate the number from the retired On-Premises API to the Cloud API (Meta's migration guide)"
                if platform == "ON_PREMISE"
                else "register the number for the Cloud API (POST /<PHONE_NUMBER_ID>/register)"
            ),
        ),
        _field_check(
            "number_code_verification",
            subject,
            verification,
            "code_verification_status",
            verification == "VERIFIED",
            WARNING,
            "verify the number's ownership with a code (WhatsApp Manager, Phone numbers, or POST "
            "/<PHONE_NUMBER_ID>/request_code and /verify_code)",
        ),
        health_check(number, subject),
        check(
            "number_throughput",
            subject,
            True,
            WARNING,
            "throughput.level is %s" % (number.get("throughput_level") or "not given"),
        ),
        check(
            "number_messaging_limit",
            subject,
            True,
            WARNING,
            "whatsapp_business_manager_messaging_limit is %s (shared by the business portfolio's numbers)"
            % (number.get("messaging_limit") or "not given"),
        ),
    ]
    return checks


def health_check(number, subject=None):
    """``health_status`` judged as cloud_health judges it (_cloud_rules.health_problems): BLOCKED fails, LIMITED
    warns with Meta's additional_info."""
    subject = subject or number_subject(number)
    effective, problems = health_problems(number, allow_limited=True)
    if effective == AVAILABLE:
        return check("number_health", subject, True, ERROR, "health_status.can_send_message is AVAILABLE")
    if effective == LIMITED:
        info = [
            item
            for entity in number["health"]["entities"]
            if entity["can_send_message"] == LIMITED
            for item in entity["additional_info"]
        ]
        return check(
            "number_health",
            subject,
            False,
            WARNING,
            "health_status.can_send_message is LIMITED: %s" % (" ".join(info) or "Meta gave no additional_info"),
            "the number sends, within the limits Meta names; see WhatsApp Manager for how to lift them",
        )
    return check(
        "number_health",
        subject,
        False,
        ERROR,
        "health_status.can_send_message is %s: %s" % (effective, " ".join(problems)),
        "do what Meta's possible solution says, then run the preflight again",
    )


def waba_checks(waba):
    subject = "WhatsApp Business Account %s" % waba["id"]
    verification, review = waba.get("business_verification_status"), waba.get("account_review_status")
    review_check = _field_check(
        "waba_account_review",
        subject,
        review,
        "account_review_status",
        review == "APPROVED",
        ERROR if review == "REJECTED" else WARNING,
        (
            "Meta rejected the account for its policies: request a review in WhatsApp Manager (Account quality)"
            if review == "REJECTED"
            else "Meta has not approved the account yet; wait for its review (WhatsApp Manager)"
        ),
    )
    return [
        _field_check(
            "waba_business_verification",
            subject,
            verification,
            "business_verification_status",
            verification == "verified",
            WARNING,
            "complete Business Verification in Meta Business Settings (Security Center): an unverified business is "
            "held to the lowest messaging limit",
        ),
        review_check,
    ]


# -- templates -------------------------------------------------------------------------------------------------------


def parse_templates(items, where):
    templates = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ResponseFormatError("%s: a message template without a name" % where)
        score = item.get("quality_score")
        score = score.get("score") if isinstance(score, dict) else score
        templates.append(
            {
                "name": item["name"],
                "language": str(item.get("language") or ""),
                "status": text(item["status"], 40) if item.get("status") else None,
                "rejected_reason": text(item["rejected_reason"], 200) if item.get("rejected_reason") else None,
                "quality_score": text(score, 40) if isinstance(score, str) else None,
            }
        )
    return templates


def template_checks(wanted, templates):
    """One check per wanted ``{name, language}``: APPROVED in that language passes."""
    by_name = {}
    for template in templates:
        by_name.setdefault(template["name"], []).append(template)
    checks = []
    for item in wanted:
        subject = "template %s (%s)" % (item["name"], item["language"])
        found = by_name.get(item["name"], [])
        match = [template for template in found if template["language"] == item["language"]]
        if not found:
            close = difflib.get_close_matches(item["name"], list(by_name), n=3, cutoff=0.6)
            checks.append(
                check(
                    "template",
                    subject,
                    False,
                    ERROR,
                    "no message template named %s among the account's %d%s"
                    % (item["name"], len(templates), "; close matches: %s" % ", ".join(close) if close else ""),
                    "create and submit the template in WhatsApp Manager, or correct its name in templates",
                )
            )
        elif not match:
            languages = sorted({template["language"] for template in found})
            checks.append(
                check(
                    "template",
                    subject,
                    False,
                    ERROR,
                    "%s exists in %s, not in %s" % (item["name"], ", ".join(languages), item["language"]),
                    "add the %s translation in WhatsApp Manager, or correct the language in templates"
                    % item["language"],
                )
            )
        else:
            checks.append(_template_status_check(subject, match[0]))
    return checks


def _template_status_check(subject, template):
    status = template["status"]
    said = "status is %s" % (status or "not given")
    if template["rejected_reason"] and template["rejected_reason"] != "NONE":
        said += ", rejected_reason %s" % template["rejected_reason"]
    if template["quality_score"]:
        said += ", quality_score %s" % template["quality_score"]
    if status == "APPROVED":
        return check("template", subject, True, ERROR, said)
    return check(
        "template",
        subject,
        False,
        ERROR,
        said,
        TEMPLATE_HINTS.get(status, "only an APPROVED template can be sent; see it in WhatsApp Manager"),
    )


# -- the result ------------------------------------------------------------------------------------------------------


def keep(checks, skipped):
    return [item for item in checks if item["name"] not in skipped]


def ready(checks):
    """Ready when no error check failed (warnings never make it not ready) and something was checked."""
    return bool(checks) and not any(not item["passed"] and item["severity"] == ERROR for item in checks)


def token_summary(info, now):
    """``{app_id, type, expires_at (ISO date or None), days_left, never_expires}`` for the result, or None."""
    if info is None or not info.get("is_valid"):
        return None
    expiry = token_expiry(info, now)
    return {
        "app_id": info["app_id"],
        "type": info["type"],
        "expires_at": _date(expiry["expires_at"]) if expiry["expires_at"] else None,
        "days_left": expiry["days_left"],
        "never_expires": expiry["expires_at"] is None,
    }
