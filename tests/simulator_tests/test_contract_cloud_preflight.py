# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract tests of the simulator's preflight reads: schemathesis drives specs/cloud-preflight.yaml against it
(debug_token, the WABA node with phone_numbers{...} expansion, subscribed_apps, message_templates pages, Meta's
rate-limit answers), and every answer must conform."""

from __future__ import annotations

import copy
import os
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed; the contract tests need it (pip install schemathesis)"
)

# pylint: disable=wrong-import-position
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance  # noqa: E402
from sim_support import SPECS_DIR  # noqa: E402
from whatsapp_sim import Simulator  # noqa: E402

MAX_EXAMPLES = 25
HYPOTHESIS = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
TOKEN = "sim-cloud-contract-token"
EXPIRED = "sim-cloud-expired-token"
APP_TOKEN = "634974688087057|sim-app-secret-0123"
WABA = "102290129340398"
NUMBERS = ["106540352242922", "106540352242923", "106540352242924"]
TEMPLATES = [
    {"name": "order_update", "language": "en_US"},
    {"name": "order_update", "language": "de", "status": "PAUSED", "rejected_reason": "NONE"},
    {"name": "promo", "language": "en_US", "status": "REJECTED", "rejected_reason": "INVALID_FORMAT"},
    {"name": "otp", "language": "en_US", "status": "PENDING"},
    {"name": "welcome", "language": "fr", "status": "DISABLED"},
]

SCHEMA = schemathesis.openapi.from_path(os.path.join(SPECS_DIR, "cloud-preflight.yaml"))
SCHEMA.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=MAX_EXAMPLES)

SCENARIO = {
    "cloud": {
        "tokens": [TOKEN],
        "expired_tokens": [EXPIRED],
        "page_size": 2,
        "wabas": [
            {
                "id": WABA,
                "business_verification_status": "pending",
                "account_review_status": "PENDING",
                "subscribed_apps": [
                    {"id": "634974688087057", "name": "Sim App", "link": "https://sim.example/app"},
                    {"id": "111111111111111", "name": "Other", "override_callback_uri": "https://other.example/hook"},
                ],
                "message_templates": TEMPLATES,
                "phone_numbers": [
                    {"id": NUMBERS[0]},
                    {"id": NUMBERS[1], "status": "FLAGGED", "quality_rating": "RED", "name_status": "DECLINED"},
                    {"id": NUMBERS[2], "platform_type": "ON_PREMISE", "code_verification_status": "NOT_VERIFIED"},
                ],
            }
        ],
    }
}
HEADERS = {"Authorization": "Bearer " + TOKEN}
# As in test_contract_cloud.py: a request without a token is answered 400 code 104 (not 401), and a well-formed
# unknown ID 400 code 100; the tests below check both answers' shape and codes.
NOT_GRAPH = [ignored_auth, positive_data_acceptance]


@pytest.fixture(scope="module")
def simulator():
    with Simulator(copy.deepcopy(SCENARIO)) as sim:
        yield sim


@pytest.fixture
def fresh(simulator):  # pylint: disable=redefined-outer-name
    simulator.load(copy.deepcopy(SCENARIO))
    return simulator


@SCHEMA.parametrize()
@HYPOTHESIS
def test_cloud_preflight_generated(case, simulator):  # pylint: disable=redefined-outer-name
    case.call_and_validate(base_url=simulator.cloud_url, headers=HEADERS, excluded_checks=NOT_GRAPH)


def _call(fresh, path, query=None, headers=None, **path_parameters):  # pylint: disable=redefined-outer-name
    case = SCHEMA[path]["GET"].Case(path_parameters=path_parameters, query=query or {})
    response = case.call(base_url=fresh.cloud_url, headers=headers or HEADERS)
    case.validate_response(response, excluded_checks=NOT_GRAPH)
    return response


@pytest.mark.parametrize(
    "input_token, caller, valid, code",
    [
        (TOKEN, TOKEN, True, None),
        (TOKEN, APP_TOKEN, True, None),
        (EXPIRED, APP_TOKEN, False, 190),
        ("sim-cloud-unknown-token", TOKEN, False, 190),
    ],
)
def test_debug_token_conforms(fresh, input_token, caller, valid, code):  # pylint: disable=redefined-outer-name
    response = _call(
        fresh, "/v23.0/debug_token", {"input_token": input_token}, headers={"Authorization": "Bearer " + caller}
    )
    data = response.json()["data"]
    assert response.status_code == 200 and data["is_valid"] is valid
    assert data.get("error", {}).get("code") == code
    if valid:
        assert data["app_id"] == "634974688087057" and data["expires_at"] == 0
        assert {"scope": "whatsapp_business_management", "target_ids": [WABA]} in data["granular_scopes"]
    assert fresh.requests()[-1]["query"] == {"input_token": "<redacted>"}


def test_debug_token_with_an_expired_caller_is_code_190(fresh):  # pylint: disable=redefined-outer-name
    response = _call(
        fresh, "/v23.0/debug_token", {"input_token": TOKEN}, headers={"Authorization": "Bearer " + EXPIRED}
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == 190


def test_the_waba_node_expands_its_numbers_and_the_edge_pages_on(fresh):  # pylint: disable=redefined-outer-name
    fields = SCHEMA.raw_schema["paths"]["/v23.0/{waba_id}"]["get"]["parameters"][1]["schema"]["enum"][1]
    body = _call(fresh, "/v23.0/{waba_id}", {"fields": fields}, waba_id=WABA).json()
    assert (body["business_verification_status"], body["account_review_status"]) == ("pending", "PENDING")
    page = body["phone_numbers"]
    seen = [number["id"] for number in page["data"]]
    assert len(seen) == 2 and set(page["data"][0]) >= {"status", "whatsapp_business_manager_messaging_limit"}
    query = dict(parse_qsl(urlsplit(page["paging"]["next"]).query))
    assert query.pop("access_token") == TOKEN
    # The next page is the edge's own (cloud.yaml's listPhoneNumbers), on the same cursors.
    response = requests.get(
        fresh.cloud_url + "/v23.0/%s/phone_numbers" % WABA, params=query, headers=HEADERS, timeout=10
    )
    assert response.status_code == 200, response.text
    assert seen + [number["id"] for number in response.json()["data"]] == NUMBERS


def test_subscribed_apps_conform(fresh):  # pylint: disable=redefined-outer-name
    body = _call(fresh, "/v23.0/{waba_id}/subscribed_apps", waba_id=WABA).json()
    assert [item["whatsapp_business_api_data"]["id"] for item in body["data"]] == ["634974688087057", "111111111111111"]
    assert body["data"][1]["override_callback_uri"] == "https://other.example/hook"


def test_templates_come_in_three_pages_that_conform(fresh):  # pylint: disable=redefined-outer-name
    query = {"fields": "name,language,status,rejected_reason,quality_score"}
    seen, pages = [], 0
    while True:
        body = _call(fresh, "/v23.0/{waba_id}/message_templates", query, waba_id=WABA).json()
        pages += 1
        seen += [(t["name"], t["language"], t["status"], t["rejected_reason"]) for t in body["data"]]
        if "next" not in body.get("paging", {}):
            break
        query = dict(parse_qsl(urlsplit(body["paging"]["next"]).query))
        assert query.pop("access_token") == TOKEN
    assert pages == 3 and len(seen) == len(TEMPLATES)
    assert ("promo", "en_US", "REJECTED", "INVALID_FORMAT") in seen
    assert fresh.count(path=r"/message_templates$") == 3


@pytest.mark.parametrize("code", [4, 613, 80007, 80008, 130429])
def test_rate_limits_are_a_400_with_their_code_and_usage_header(fresh, code):  # pylint: disable=redefined-outer-name
    scenario = copy.deepcopy(SCENARIO)
    scenario["cloud"].update(rate_limit={"requests": 1, "window": 3600}, rate_limit_code=code)
    fresh.load(scenario)
    responses = [_call(fresh, "/v23.0/{waba_id}/subscribed_apps", waba_id=WABA) for dummy in range(2)]
    assert [r.status_code for r in responses] == [200, 400]
    assert responses[1].json()["error"]["code"] == code
    headers = {name.lower(): value for name, value in responses[1].headers.items()}
    usage = headers["x-business-use-case-usage"]
    assert '"estimated_time_to_regain_access":60' in (usage if isinstance(usage, str) else usage[0])
