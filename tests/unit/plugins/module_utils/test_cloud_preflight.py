# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The preflight's pure rules (module_utils/_cloud_preflight.py): options, token, subscription, numbers, templates,
the WABA, and the verdict. Properties with hypothesis, cases with pytest."""

from __future__ import annotations

import math

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, ResponseFormatError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_preflight import (
    CHECK_NAMES,
    DAY,
    ERROR,
    GROUPS,
    MANAGEMENT,
    MESSAGING,
    WARNING,
    fatal_token_problem,
    health_check,
    number_checks,
    parse_debug_token,
    parse_number,
    parse_subscribed_apps,
    parse_templates,
    parse_waba,
    ready,
    subscription_check,
    template_checks,
    token_checks,
    token_expiry,
    token_summary,
    validate_options,
    waba_checks,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_rules import number_verdict
from hypothesis import given
from hypothesis import strategies as st

WABA = "102290129340398"
APP = "634974688087057"
NOW = 1_800_000_000
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
CAN_SEND = st.sampled_from(["AVAILABLE", "LIMITED", "BLOCKED", "PAUSED"])


def debug(**data):
    body = {
        "app_id": APP,
        "type": "SYSTEM_USER",
        "application": "Sim App",
        "expires_at": 0,
        "data_access_expires_at": 0,
        "is_valid": True,
        "scopes": [MANAGEMENT, MESSAGING],
        "granular_scopes": [
            {"scope": MANAGEMENT, "target_ids": [WABA]},
            {"scope": MESSAGING, "target_ids": [WABA]},
        ],
    }
    body.update(data)
    return parse_debug_token({"data": body}, "GET /v23.0/debug_token")


def by_name(checks):
    return {item["name"]: item for item in checks}


def raw_number(number_id="106540352242922", health="AVAILABLE", entities=None, **fields):
    body = {
        "id": number_id,
        "display_phone_number": "+1 555-078-3881",
        "status": "CONNECTED",
        "quality_rating": "GREEN",
        "name_status": "APPROVED",
        "code_verification_status": "VERIFIED",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "whatsapp_business_manager_messaging_limit": "TIER_2K",
        "health_status": {
            "can_send_message": health,
            "entities": (
                entities
                if entities is not None
                else [{"entity_type": "PHONE_NUMBER", "id": number_id, "can_send_message": health}]
            ),
        },
    }
    body.update(fields)
    return parse_number(body, "GET /v23.0/%s" % WABA)


# --- options -----------------------------------------------------------------------------------------------------


def test_options_are_checked_before_any_request():
    templates, warn, quality, skipped = validate_options(
        {"templates": [{"name": " order_update ", "language": "en_US"}], "fail_on_quality": ["red", "yellow"]}
    )
    assert templates == [{"name": "order_update", "language": "en_US"}] and warn == 14
    assert quality == ["RED", "YELLOW"] and skipped == frozenset()
    for options, message in (
        ({"templates": ["order_update"]}, r"templates\[0\] must be a dictionary"),
        ({"templates": [{"name": "x"}]}, r"templates\[0\] needs a name and a language"),
        ({"templates": [{"name": "x", "language": "en", "lang": "de"}]}, "unknown keys lang"),
        ({"token_expiry_warn_days": -1}, "from 0 to 3650"),
        ({"token_expiry_warn_days": True}, "from 0 to 3650"),
        ({"fail_on_quality": ["PURPLE"]}, "PURPLE is not a quality rating"),
        ({"skip_checks": ["token_expiryy"]}, "did you mean token_expiry"),
    ):
        with pytest.raises(OptionError, match=message):
            validate_options(options)


@given(st.lists(st.sampled_from(sorted(GROUPS) + list(CHECK_NAMES)), max_size=6))
def test_skipping_a_group_skips_its_checks(skip):
    skipped = validate_options({"skip_checks": skip})[3]
    expected = {name for value in skip for name in GROUPS.get(value, (value,))}
    assert skipped == expected and skipped <= set(CHECK_NAMES)


# --- token -------------------------------------------------------------------------------------------------------


@given(JSON)
def test_debug_token_parser_never_fails_but_with_a_format_error(body):
    try:
        info = parse_debug_token(body, "GET /debug_token")
    except ResponseFormatError:
        return
    assert isinstance(info["is_valid"], bool) and isinstance(info["scopes"], list)


def test_a_valid_never_expiring_token_passes():
    checks = token_checks(debug(), WABA, NOW, 14)
    assert [c["name"] for c in checks] == list(GROUPS["token"]) and all(c["passed"] for c in checks)
    assert by_name(checks)["token_expiry"]["msg"] == "expires_at 0: the token does not expire"
    assert token_summary(debug(), NOW) == {
        "app_id": APP,
        "type": "SYSTEM_USER",
        "expires_at": None,
        "days_left": None,
        "never_expires": True,
    }


@given(offset=st.integers(-400 * DAY, 400 * DAY), warn_days=st.integers(0, 60))
def test_expiry_fails_in_the_past_warns_in_the_window_and_names_date_and_days(offset, warn_days):
    expires = NOW + offset
    if expires == 0:
        return
    item = by_name(token_checks(debug(expires_at=expires), WABA, NOW, warn_days))["token_expiry"]
    if offset <= 0:
        assert (item["passed"], item["severity"]) == (False, ERROR) and "expired on" in item["msg"]
    elif offset < warn_days * DAY:
        days = math.floor(offset / DAY)
        assert (item["passed"], item["severity"]) == (False, WARNING)
        assert "in %d day" % days in item["msg"] and "expires on 20" in item["msg"] and item["hint"]
    else:
        assert item["passed"] and item["hint"] == ""


def test_the_earlier_of_expires_at_and_data_access_expires_at_counts():
    info = debug(expires_at=NOW + 30 * DAY, data_access_expires_at=NOW + 3 * DAY)
    assert token_expiry(info, NOW) == {"expires_at": NOW + 3 * DAY, "field": "data_access_expires_at", "days_left": 3}
    item = by_name(token_checks(info, WABA, NOW, 14))["token_expiry"]
    assert not item["passed"] and item["msg"].startswith("data_access_expires_at")


def test_an_invalid_token_fails_with_metas_words_and_nothing_else_is_judged():
    info = debug(is_valid=False, error={"code": 190, "subcode": 463, "message": "Session has expired on Sunday."})
    checks = token_checks(info, WABA, NOW, 14)
    assert len(checks) == 1 and checks[0]["msg"] == "Meta says: Session has expired on Sunday. (code 190, subcode 463)"
    assert fatal_token_problem(checks) and "system user" in checks[0]["hint"]
    assert checks[0]["hint"].endswith(
        "set it as api_token / the whatsapp_cloud_api_token variable / the WA_CLOUD_TOKEN environment variable"
    )
    assert token_summary(info, NOW) is None


def test_scopes_and_target_ids():
    narrow = by_name(token_checks(debug(scopes=[MESSAGING]), WABA, NOW, 14))
    assert (
        not narrow["token_scopes"]["passed"] and "missing whatsapp_business_management" in narrow["token_scopes"]["msg"]
    )
    assert by_name(token_checks(debug(scopes=[MESSAGING]), WABA, NOW, 14, needs_management=False))["token_scopes"][
        "passed"
    ]
    other = by_name(token_checks(debug(granular_scopes=[{"scope": MANAGEMENT, "target_ids": ["1"]}]), WABA, NOW, 14))
    assert (
        not other["token_waba_access"]["passed"]
        and "whatsapp_business_management targets 1" in other["token_waba_access"]["msg"]
    )
    unrestricted = by_name(token_checks(debug(granular_scopes=[{"scope": MANAGEMENT}]), WABA, NOW, 14))
    assert unrestricted["token_waba_access"]["passed"]


# --- subscription ------------------------------------------------------------------------------------------------


@given(st.lists(st.sampled_from([APP, "111111111111111", "222222222222222"]), max_size=3))
def test_the_tokens_own_app_must_be_subscribed(ids):
    apps = parse_subscribed_apps([{"whatsapp_business_api_data": {"id": i, "name": "n"}} for i in ids], "x")
    item = subscription_check(apps, APP, WABA)
    assert item["passed"] is (APP in ids)
    if not ids:
        assert "subscribed_apps is empty" in item["msg"]
    elif APP not in ids:
        assert "not among them" in item["msg"] and "POST /<WABA_ID>/subscribed_apps" in item["hint"]


def test_subscribed_apps_parser_refuses_entries_without_an_id():
    with pytest.raises(ResponseFormatError, match="whatsapp_business_api_data.id"):
        parse_subscribed_apps([{"id": APP}], "GET /x/subscribed_apps")


# --- numbers -----------------------------------------------------------------------------------------------------


def test_a_healthy_number_passes_and_reports_throughput_and_limit():
    checks = by_name(number_checks(raw_number(throughput={"level": "HIGH"}), ["RED"]))
    assert all(item["passed"] for item in checks.values())
    assert checks["number_throughput"]["msg"] == "throughput.level is HIGH"
    assert "TIER_2K" in checks["number_messaging_limit"]["msg"]


@pytest.mark.parametrize(
    "fields, name, severity, said",
    [
        ({"status": "FLAGGED"}, "number_status", ERROR, "status is FLAGGED"),
        ({"status": None}, "number_status", ERROR, "Meta returned no status"),
        ({"quality_rating": "RED"}, "number_quality", ERROR, "quality_rating is RED"),
        ({"name_status": "DECLINED"}, "number_name_status", ERROR, "name_status is DECLINED"),
        ({"platform_type": "ON_PREMISE"}, "number_platform", ERROR, "platform_type is ON_PREMISE"),
        ({"platform_type": "NOT_APPLICABLE"}, "number_platform", ERROR, "platform_type is NOT_APPLICABLE"),
        ({"code_verification_status": "EXPIRED"}, "number_code_verification", WARNING, "is EXPIRED"),
    ],
)
def test_each_number_field_fails_on_its_own(fields, name, severity, said):
    checks = number_checks(raw_number(**fields), ["RED"])
    failed = [item for item in checks if not item["passed"]]
    assert [(item["name"], item["severity"]) for item in failed] == [(name, severity)]
    assert said in failed[0]["msg"] and failed[0]["hint"]


def test_quality_fails_only_on_the_listed_ratings():
    assert by_name(number_checks(raw_number(quality_rating="YELLOW"), ["RED"]))["number_quality"]["passed"]
    assert not by_name(number_checks(raw_number(quality_rating="YELLOW"), ["RED", "YELLOW"]))["number_quality"][
        "passed"
    ]
    missing = by_name(number_checks(raw_number(quality_rating=None), ["UNKNOWN"]))["number_quality"]
    assert not missing["passed"] and "Meta gave none" in missing["msg"]


@given(overall=CAN_SEND, entity=CAN_SEND)
def test_health_is_cloud_healths_verdict(overall, entity):
    number = raw_number(
        health=overall,
        entities=[
            {"entity_type": "WABA", "id": WABA, "can_send_message": entity, "additional_info": ["Limited to 250."]}
        ],
    )
    item = health_check(number)
    verdict = number_verdict(number)  # cloud_health's rule (allow_limited true); the number is on CLOUD_API
    if verdict["can_send_message"] == "AVAILABLE":
        assert item["passed"]
    elif verdict["can_send_message"] == "LIMITED":
        assert (item["passed"], item["severity"]) == (False, WARNING)
        assert ("Limited to 250." in item["msg"]) is (entity == "LIMITED")
    else:
        assert (item["passed"], item["severity"]) == (False, ERROR)
        assert all(problem in item["msg"] for problem in verdict["problems"])


def test_a_blocked_number_fails_with_metas_description_and_solution():
    entity = {
        "entity_type": "WABA",
        "id": WABA,
        "can_send_message": "BLOCKED",
        "errors": [
            {
                "error_code": 141006,
                "error_description": "There is an error with the payment method.",
                "possible_solution": "Please add a new payment method to the account.",
            }
        ],
    }
    item = health_check(raw_number(health="BLOCKED", entities=[entity]))
    assert not item["passed"] and "There is an error with the payment method (error 141006)" in item["msg"]
    assert "Please add a new payment method" in item["msg"]


def test_waba_parser_and_checks():
    waba, page = parse_waba(
        {"id": WABA, "business_verification_status": "pending", "account_review_status": "REJECTED"}, "x"
    )
    assert page is None
    checks = by_name(waba_checks(waba))
    assert (checks["waba_business_verification"]["passed"], checks["waba_business_verification"]["severity"]) == (
        False,
        WARNING,
    )
    assert (checks["waba_account_review"]["passed"], checks["waba_account_review"]["severity"]) == (False, ERROR)
    pending = by_name(
        waba_checks({"id": WABA, "business_verification_status": "verified", "account_review_status": "PENDING"})
    )
    assert pending["waba_business_verification"]["passed"] and pending["waba_account_review"]["severity"] == WARNING
    with pytest.raises(ResponseFormatError):
        parse_waba({"id": WABA, "phone_numbers": []}, "x")


# --- templates ---------------------------------------------------------------------------------------------------

TEMPLATE = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["order_update", "order_updates", "promo", "otp"]),
        "language": st.sampled_from(["en_US", "de"]),
        "status": st.sampled_from(["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "NEW_ONE"]),
    }
)
WANTED = st.fixed_dictionaries(
    {"name": st.sampled_from(["order_update", "promo", "invoice"]), "language": st.sampled_from(["en_US", "de", "fr"])}
)


@given(st.lists(TEMPLATE, max_size=8, unique_by=lambda t: (t["name"], t["language"])), st.lists(WANTED, max_size=4))
def test_one_check_per_template_passing_only_when_approved_in_that_language(templates, wanted):
    checks = template_checks(wanted, parse_templates(templates, "x"))
    assert len(checks) == len(wanted)
    for item, want in zip(checks, wanted):
        exact = [t for t in templates if (t["name"], t["language"]) == (want["name"], want["language"])]
        assert item["passed"] is bool(exact and exact[0]["status"] == "APPROVED")
        assert item["severity"] == ERROR and (item["passed"] or item["hint"])


def test_template_failures_say_why():
    templates = parse_templates(
        [
            {"name": "order_update", "language": "en_US", "status": "REJECTED", "rejected_reason": "INVALID_FORMAT"},
            {"name": "order_update", "language": "de", "status": "APPROVED", "quality_score": {"score": "GREEN"}},
            {"name": "otp", "language": "en_US", "status": "PENDING", "rejected_reason": "NONE"},
            {"name": "promo_spring", "language": "en_US", "status": "PAUSED"},
        ],
        "x",
    )
    wanted = [
        {"name": "order_update", "language": "en_US"},
        {"name": "order_update", "language": "de"},
        {"name": "order_update", "language": "fr"},
        {"name": "otp", "language": "en_US"},
        {"name": "promo_sprng", "language": "en_US"},
        {"name": "zzz", "language": "en_US"},
    ]
    checks = template_checks(wanted, templates)
    assert [c["passed"] for c in checks] == [False, True, False, False, False, False]
    assert checks[0]["msg"] == "status is REJECTED, rejected_reason INVALID_FORMAT"
    assert checks[1]["msg"] == "status is APPROVED, quality_score GREEN"
    assert checks[2]["msg"] == "order_update exists in de, en_US, not in fr"
    assert checks[3]["msg"] == "status is PENDING" and "wait for the review" in checks[3]["hint"]
    assert "close matches: promo_spring" in checks[4]["msg"]
    assert checks[5]["msg"] == "no message template named zzz among the account's 4"


# --- the verdict -------------------------------------------------------------------------------------------------

CHECK = st.fixed_dictionaries(
    {"name": st.sampled_from(CHECK_NAMES), "passed": st.booleans(), "severity": st.sampled_from([ERROR, WARNING])}
)


@given(st.lists(CHECK, max_size=10))
def test_ready_means_no_failed_error_check_and_warnings_never_block(checks):
    assert ready(checks) is (bool(checks) and all(c["passed"] or c["severity"] == WARNING for c in checks))
