# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The preflight's calls (module_utils/_cloud_preflight_run.py and the reads it adds to _cloud.CloudApi), with a
scripted session: which requests, in which order, how many, and what a failure leaves."""

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import read_graph_error
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_preflight_run import (
    NUMBER_FIELDS,
    Plan,
    Preflight,
)
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import make_response

# The fixture of test_cloud.py, used by name.
# pylint: disable-next=unused-import
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.test_cloud import cloud  # noqa: F401
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.test_cloud import (
    TOKEN,
    URL,
    graph_error,
    number,
)

WABA = "102290129340398"
APP = "634974688087057"
NOW = 1_800_000_000


def full(number_id):
    """A number as the preflight asks for it: test_cloud's number() with the fields it judges."""
    return dict(
        number(number_id),
        status="CONNECTED",
        quality_rating="GREEN",
        name_status="APPROVED",
        code_verification_status="VERIFIED",
        platform_type="CLOUD_API",
    )


def debug_body(**data):
    body = {
        "app_id": APP,
        "type": "SYSTEM_USER",
        "expires_at": 0,
        "data_access_expires_at": 0,
        "is_valid": True,
        "scopes": ["whatsapp_business_management", "whatsapp_business_messaging"],
    }
    body.update(data)
    return make_response(200, {"data": body})


def waba_body(*numbers, paging=None):
    body = {"id": WABA, "business_verification_status": "verified", "account_review_status": "APPROVED"}
    if numbers:
        body["phone_numbers"] = {"data": list(numbers), **({"paging": paging} if paging else {})}
    return make_response(200, body)


def apps_body(*ids):
    return make_response(200, {"data": [{"whatsapp_business_api_data": {"id": i, "name": "App"}} for i in ids]})


def plan(**options):
    return Plan(dict({"waba_id": WABA}, **options))


def test_the_numbers_come_with_the_waba_and_the_next_pages_from_the_edge(cloud):  # noqa: F811
    page = URL + "/v23.0/%s/phone_numbers?access_token=%s&after=A" % (WABA, TOKEN)
    api, session = cloud(
        [
            waba_body(number("1"), paging={"cursors": {"after": "A"}, "next": page}),
            make_response(200, {"data": [number("2")]}),
        ]
    )
    node, numbers = api.waba_with_numbers(WABA, "id,health_status", 100)
    assert node["id"] == WABA and [n["id"] for n in numbers] == ["1", "2"]
    assert [call["url"] for call in session.calls] == [URL + "/v23.0/" + WABA, URL + "/v23.0/%s/phone_numbers" % WABA]
    assert session.calls[0]["params"]["fields"].endswith("phone_numbers.limit(100){id,health_status}")
    assert session.calls[1]["params"] == {"fields": "id,health_status", "limit": 100, "after": "A"}


def test_a_waba_without_numbers_is_one_call(cloud):  # noqa: F811
    api, session = cloud([waba_body()])
    assert api.waba_with_numbers(WABA, "id", 100)[1] == [] and len(session.calls) == 1


def test_a_graph_error_keeps_metas_words_apart():
    error = read_graph_error(
        401,
        {"error": {"message": "Session has expired.", "type": "OAuthException", "code": 190, "error_subcode": 463}},
        "GET x",
    )
    assert error.graph_error == {"code": 190, "subcode": 463, "message": "Session has expired. (code 190, subcode 463)"}


def test_a_ready_account_in_four_calls_in_order(cloud):  # noqa: F811
    templates = make_response(200, {"data": [{"name": "hello", "language": "en_US", "status": "APPROVED"}]})
    api, session = cloud([debug_body(), waba_body(full("1")), apps_body(APP), templates])
    preflight = Preflight(api, None, plan(templates=[{"name": "hello", "language": "en_US"}]), TOKEN, NOW)
    result = preflight.run()
    assert result["ready"] is True and result["calls"] == 4
    assert [call["url"].rsplit("/v23.0/", 1)[1] for call in session.calls] == [
        "debug_token",
        WABA,
        WABA + "/subscribed_apps",
        WABA + "/message_templates",
    ]
    assert session.calls[0]["params"] == {"input_token": TOKEN}
    assert NUMBER_FIELDS in session.calls[1]["params"]["fields"]


def test_a_rate_limit_is_retried_by_the_client_and_counted(cloud, clock):  # noqa: F811
    usage = {"X-Business-Use-Case-Usage": '{"%s":[{"estimated_time_to_regain_access":0}]}' % WABA}
    api, session = cloud([debug_body(), graph_error(80007, headers=usage), waba_body(full("1")), apps_body(APP)])
    result = Preflight(api, None, plan(), TOKEN, NOW).run()
    assert result["ready"] is True and result["calls"] == len(session.calls) == 4
    # Meta said 0 minutes; the client waits its Graph floor (an hour's 200 calls: 18 s) and its jitter.
    assert clock.sleeps == [18.25]


def test_a_token_rejected_on_a_later_read_is_the_token_check_and_ends_the_reads(cloud):  # noqa: F811
    api, session = cloud([debug_body(), graph_error(190, status=401, subcode=460, message="Password changed.")])
    result = Preflight(api, None, plan(), TOKEN, NOW).run()
    assert result["ready"] is False and len(session.calls) == 2
    assert result["checks"][-1]["name"] == "token_valid" and result["checks"][-1]["msg"] == (
        "Meta says: Password changed. (code 190, subcode 460)"
    )


def test_a_token_that_may_not_inspect_itself_asks_for_the_app_token(cloud):  # noqa: F811
    api, session = cloud([graph_error(100, message="(#100) You must provide an app access token")])
    result = Preflight(api, None, plan(), TOKEN, NOW).run()
    assert [(c["name"], c["passed"]) for c in result["checks"]] == [("token_valid", False)]
    assert "app_token" in result["checks"][0]["hint"] and len(session.calls) == 1


def test_the_plan_refuses_bad_options():
    for options, said in (
        ({"waba_id": None}, "waba_id is required"),
        ({"phone_number_ids": ["1", "x"]}, "phone_number_ids 'x' is not a Graph API ID"),
        ({"skip_checks": ["token", "subscription", "numbers", "waba"]}, "leaves nothing to check"),
        ({"app_token": "a b"}, "app_token contains white space"),
    ):
        with pytest.raises(OptionError, match=said):
            plan(**options)
    assert plan(phone_number_ids=["1", "1", "2"]).ids == ["1", "2"]
    assert not plan(skip_checks=["templates"]).wants("templates")
    assert plan(templates=[{"name": "a", "language": "en"}]).wants("templates")
