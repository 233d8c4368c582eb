# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's preflight reads: token metadata and its effect on the other reads, field expansion, the
example scenarios, and the request log (counts, redaction).

conftest.py puts tests/simulator on sys.path.
"""

from __future__ import annotations

import os
import time

import pytest
import requests
from sim_support import SIMULATOR_DIR
from whatsapp_sim import Simulator
from whatsapp_sim.cloud_account import split_fields
from whatsapp_sim.scenario import Scenario, ScenarioError

TOKEN = "sim-cloud-token-0123456789"
APP_TOKEN = "634974688087057|sim-app-secret-0123"
READY, NUMBERS_FAIL, OTHER_APP, NO_APP, TEMPLATES_FAIL, REVIEW = (
    "102290129340398",
    "102290129340401",
    "102290129340402",
    "102290129340403",
    "102290129340404",
    "102290129340405",
)
EXAMPLE = os.path.join(SIMULATOR_DIR, "scenarios", "cloud-preflight.json")
NUMBER_FIELDS = "id,status,quality_rating,name_status,code_verification_status,platform_type,health_status"


def get(sim, path, token=TOKEN, **params):
    return requests.get(
        sim.cloud_url + "/v23.0" + path, params=params, headers={"Authorization": "Bearer " + token}, timeout=10
    )


@pytest.fixture(scope="module")
def example():
    with Simulator(EXAMPLE) as sim:
        yield sim


@pytest.mark.parametrize(
    "cloud, message",
    [
        ({"token_info": {"t": {"expires_at": 1, "expires_in": 1}}}, "expires_at or expires_in, not both"),
        ({"token_info": {"t": {"type": "ROBOT"}}}, "type must be one of"),
        ({"token_info": {"t": {"expires_at": -1}}}, "expires_at must be an integer >= 0"),
        ({"token_info": {"t": {"granular_scopes": [{"scope": "x", "targets": []}]}}}, "unknown key"),
        ({"rate_limit_code": 429}, "rate_limit_code must be one of 4, 613, 80007, 80008, 130429"),
        ({"wabas": [{"id": "1", "subscribed_apps": [{"id": "app"}]}]}, r"subscribed_apps\[0\].id must be a string"),
        ({"wabas": [{"id": "1", "message_templates": [{"name": "x"}]}]}, "needs name and language"),
        ({"wabas": [{"id": "1", "message_templates": [{"name": "x", "language": "en", "body": 1}]}]}, "unknown key"),
    ],
)
def test_bad_preflight_scenarios_are_refused(cloud, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario({"cloud": cloud})


def test_split_fields_reads_nested_expansions():
    assert split_fields("id,phone_numbers.limit(10){id,throughput},name") == [
        ("id", None, None),
        ("phone_numbers", 10, "id,throughput"),
        ("name", None, None),
    ]
    assert split_fields("phone_numbers{id") is None and split_fields("a}") is None and split_fields("a b") is None


def test_the_example_scenario_has_a_case_per_failure(example):  # pylint: disable=redefined-outer-name
    fields = "business_verification_status,account_review_status,phone_numbers{%s}" % NUMBER_FIELDS
    ready = get(example, "/" + READY, fields=fields).json()
    assert [n["status"] for n in ready["phone_numbers"]["data"]] == ["CONNECTED", "CONNECTED"]
    numbers = get(example, "/" + NUMBERS_FAIL, fields=fields).json()["phone_numbers"]["data"]
    assert [
        (n["status"], n["quality_rating"], n["name_status"], n["platform_type"], n["code_verification_status"])
        for n in numbers[:5]
    ] == [
        ("FLAGGED", "GREEN", "APPROVED", "CLOUD_API", "VERIFIED"),
        ("CONNECTED", "RED", "APPROVED", "CLOUD_API", "VERIFIED"),
        ("CONNECTED", "GREEN", "DECLINED", "CLOUD_API", "VERIFIED"),
        ("CONNECTED", "GREEN", "APPROVED", "ON_PREMISE", "VERIFIED"),
        ("CONNECTED", "GREEN", "APPROVED", "CLOUD_API", "NOT_VERIFIED"),
    ]
    assert numbers[5]["health_status"]["can_send_message"] == "BLOCKED"
    apps = get(example, "/%s/subscribed_apps" % OTHER_APP).json()["data"]
    assert [a["whatsapp_business_api_data"]["id"] for a in apps] == ["111111111111111"]
    assert get(example, "/%s/subscribed_apps" % NO_APP).json() == {"data": []}
    templates = get(example, "/%s/message_templates" % TEMPLATES_FAIL, fields="name,status,rejected_reason").json()
    assert [(t["name"], t["status"]) for t in templates["data"]][:2] == [
        ("order_update", "PAUSED"),
        ("delivery_notice", "DISABLED"),
    ]
    review = get(example, "/" + REVIEW, fields="business_verification_status,account_review_status").json()
    assert (review["business_verification_status"], review["account_review_status"]) == ("pending", "PENDING")


def test_debug_token_tells_expiry_and_scopes(example):  # pylint: disable=redefined-outer-name
    before = int(time.time())
    soon = get(example, "/debug_token", token=APP_TOKEN, input_token="sim-cloud-token-expiring-soon").json()["data"]
    assert soon["is_valid"] is True and before + 432000 - 5 <= soon["expires_at"] <= int(time.time()) + 432000
    never = get(example, "/debug_token", input_token=TOKEN).json()["data"]
    assert never["expires_at"] == 0 and never["data_access_expires_at"] == 0 and never["type"] == "SYSTEM_USER"
    expired = get(example, "/debug_token", token=APP_TOKEN, input_token="sim-cloud-token-expired-0042").json()["data"]
    assert expired["is_valid"] is False and expired["error"]["subcode"] == 463
    narrow = get(example, "/debug_token", token=APP_TOKEN, input_token="sim-cloud-token-no-management").json()["data"]
    assert narrow["scopes"] == ["whatsapp_business_messaging"]
    missing = get(example, "/debug_token").json()["error"]
    assert missing["code"] == 100 and "input_token" in missing["message"]
    refused = get(example, "/debug_token", token="sim-cloud-unknown", input_token=TOKEN)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == 190


def test_a_token_without_the_scope_or_the_target_cannot_read_the_waba(example):  # pylint: disable=redefined-outer-name
    no_scope = get(example, "/" + READY, token="sim-cloud-token-no-management", fields="id")
    assert no_scope.status_code == 403 and no_scope.json()["error"]["code"] == 200
    other = get(example, "/%s/message_templates" % READY, token="sim-cloud-token-other-waba")
    assert other.status_code == 400 and (other.json()["error"]["code"], other.json()["error"]["error_subcode"]) == (
        100,
        33,
    )
    assert get(example, "/" + READY, token="sim-cloud-token-expiring-soon", fields="id").status_code == 200


def test_field_expansion_errors_and_empty_edges():
    scenario = {"cloud": {"tokens": [TOKEN], "wabas": [{"id": "1"}]}}
    with Simulator(scenario) as sim:
        body = get(sim, "/1", fields="id,phone_numbers{id,status},account_review_status").json()
        assert body == {"id": "1", "account_review_status": "APPROVED"}  # an empty edge is left out
        bad = get(sim, "/1", fields="phone_numbers{id,color}").json()["error"]
        assert bad["code"] == 100 and "(color)" in bad["message"]
        assert get(sim, "/1", fields="phone_numbers{id").json()["error"]["code"] == 100
        assert "(nickname)" in get(sim, "/1", fields="nickname.limit(2)").json()["error"]["message"]


def test_the_log_counts_calls_and_keeps_no_token(example):  # pylint: disable=redefined-outer-name
    example.reset()
    get(example, "/debug_token", token=APP_TOKEN, input_token=TOKEN)
    get(example, "/" + READY, fields="phone_numbers{id}")
    get(example, "/%s/subscribed_apps" % READY)
    get(example, "/%s/message_templates" % READY, access_token=TOKEN)
    log = example.requests()
    assert example.count(path=r"^/graph/") == 4 and example.count(path=r"/debug_token$") == 1
    assert log[0]["query"] == {"input_token": "<redacted>"} and log[3]["query"]["access_token"] == "<redacted>"
    assert TOKEN not in repr(log) and APP_TOKEN not in repr(log)


def test_message_templates_filter_by_name_on_every_page():
    templates = [{"name": "order_%d" % n, "language": "en_US"} for n in range(5)] + [{"name": "otp", "language": "en"}]
    scenario = {"cloud": {"tokens": [TOKEN], "page_size": 2, "wabas": [{"id": "1", "message_templates": templates}]}}
    with Simulator(scenario) as sim:
        first = get(sim, "/1/message_templates", name="order", fields="name").json()
        assert [t["name"] for t in first["data"]] == ["order_0", "order_1"] and "name=order" in first["paging"]["next"]
        assert [t["name"] for t in get(sim, "/1/message_templates", name="otp").json()["data"]] == ["otp"]
