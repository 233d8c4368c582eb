# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract tests of the simulator's Graph API: schemathesis drives specs/cloud.yaml against it, and every
answer - nodes, pages, Meta's errors (unknown IDs, expired token, missing permission, rate limiting) - must conform."""

from __future__ import annotations

import copy
import os
from urllib.parse import parse_qsl, urlsplit

import pytest

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
NO_PERMISSION = "sim-cloud-no-permission-token"
WABA = "102290129340398"
NUMBERS = ["106540352242922", "106540352242923", "106540352242924"]
PAYMENT = {
    "error_code": 141006,
    "error_description": "There is an error with the payment method.",
    "possible_solution": "Please add a new payment method to the account.",
}

SCHEMA = schemathesis.openapi.from_path(os.path.join(SPECS_DIR, "cloud.yaml"))
SCHEMA.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=MAX_EXAMPLES)

SCENARIO = {
    "cloud": {
        "tokens": [TOKEN],
        "expired_tokens": [EXPIRED],
        "tokens_without_permission": [NO_PERMISSION],
        "page_size": 2,
        "wabas": [
            {
                "id": WABA,
                "phone_numbers": [
                    {"id": NUMBERS[0]},
                    {
                        "id": NUMBERS[1],
                        "quality_rating": "YELLOW",
                        "health": {
                            "WABA": {
                                "can_send_message": "LIMITED",
                                "additional_info": ["Limited to 250 conversations a day."],
                            }
                        },
                    },
                    {
                        "id": NUMBERS[2],
                        "platform_type": "ON_PREMISE",
                        "health": {"PHONE_NUMBER": {"can_send_message": "BLOCKED", "errors": [PAYMENT]}},
                    },
                ],
            }
        ],
    }
}
HEADERS = {"Authorization": "Bearer " + TOKEN}
# Two generic checks expect what the Graph API does not do, and the simulator stays faithful to Meta:
# a request without a token is answered HTTP 400 with code 104 (not 401), and a well-formed but unknown ID
# HTTP 400 with code 100 (positive data is "rejected"). The tests below check both answers' shape and codes.
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
def test_cloud_generated(case, simulator):  # pylint: disable=redefined-outer-name
    case.call_and_validate(base_url=simulator.cloud_url, headers=HEADERS, excluded_checks=NOT_GRAPH)


@pytest.mark.parametrize("node_id", NUMBERS + [WABA])
def test_known_nodes_conform_with_their_health(fresh, node_id):  # pylint: disable=redefined-outer-name
    case = SCHEMA["/v23.0/{node_id}"]["GET"].Case(
        path_parameters={"node_id": node_id}, query={"fields": "id,health_status"}
    )
    body = case.call_and_validate(base_url=fresh.cloud_url, headers=HEADERS, excluded_checks=NOT_GRAPH).json()
    types = [entity["entity_type"] for entity in body["health_status"]["entities"]]
    assert types == (["WABA", "BUSINESS", "APP"] if node_id == WABA else ["PHONE_NUMBER", "WABA", "BUSINESS", "APP"])


def test_the_phone_numbers_edge_pages_conform_and_next_is_followed(fresh):  # pylint: disable=redefined-outer-name
    operation = SCHEMA["/v23.0/{waba_id}/phone_numbers"]["GET"]
    query = {"fields": SCHEMA.raw_schema["components"]["parameters"]["Fields"]["schema"]["enum"][0]}
    seen = []
    while True:
        body = (
            operation.Case(path_parameters={"waba_id": WABA}, query=query)
            .call_and_validate(base_url=fresh.cloud_url, headers=HEADERS, excluded_checks=NOT_GRAPH)
            .json()
        )
        seen += [(n["id"], n["health_status"]["can_send_message"]) for n in body["data"]]
        next_url = body.get("paging", {}).get("next")
        if not next_url:
            break
        assert next_url.startswith(fresh.cloud_url + "/v23.0/%s/phone_numbers?" % WABA)
        query = dict(parse_qsl(urlsplit(next_url).query))
        assert query.pop("access_token") == TOKEN  # Meta's next links carry the token; the collection drops it
    assert seen == [(NUMBERS[0], "AVAILABLE"), (NUMBERS[1], "LIMITED"), (NUMBERS[2], "BLOCKED")]


def test_empty_pages_with_a_next_conform_and_lead_to_the_rest(fresh):  # pylint: disable=redefined-outer-name
    """page_sizes [0, 1, 0, 2]: an empty first page, a number, an empty page, the last two numbers."""
    scenario = copy.deepcopy(SCENARIO)
    scenario["cloud"]["wabas"][0]["page_sizes"] = [0, 1, 0, 2]
    fresh.load(scenario)
    operation = SCHEMA["/v23.0/{waba_id}/phone_numbers"]["GET"]
    query, pages = {"fields": "id,health_status"}, []
    while True:
        body = (
            operation.Case(path_parameters={"waba_id": WABA}, query=query)
            .call_and_validate(base_url=fresh.cloud_url, headers=HEADERS, excluded_checks=NOT_GRAPH)
            .json()
        )
        pages.append(([n["id"] for n in body["data"]], sorted(body.get("paging", {}))))
        next_url = body.get("paging", {}).get("next")
        if not next_url:
            break
        query = dict(parse_qsl(urlsplit(next_url).query))
        del query["access_token"]
    assert pages == [
        ([], ["next"]),
        ([NUMBERS[0]], ["cursors", "next"]),
        ([], ["next"]),
        (NUMBERS[1:], ["cursors"]),
    ]


@pytest.mark.parametrize(
    "token, status, code", [(EXPIRED, 401, 190), ("sim-unknown-token", 401, 190), (NO_PERMISSION, 403, 200)]
)
def test_token_errors_conform(fresh, token, status, code):  # pylint: disable=redefined-outer-name
    case = SCHEMA["/v23.0/{node_id}"]["GET"].Case(path_parameters={"node_id": NUMBERS[0]})
    response = case.call(base_url=fresh.cloud_url, headers={"Authorization": "Bearer " + token})
    assert response.status_code == status and response.json()["error"]["code"] == code
    case.validate_response(response, excluded_checks=NOT_GRAPH)


def test_unknown_ids_and_fields_are_code_100(fresh):  # pylint: disable=redefined-outer-name
    operation = SCHEMA["/v23.0/{node_id}"]["GET"]
    for case in (
        operation.Case(path_parameters={"node_id": "1"}),
        operation.Case(path_parameters={"node_id": NUMBERS[0]}, query={"fields": "nonexistent"}),
    ):
        response = case.call(base_url=fresh.cloud_url, headers=HEADERS)
        assert response.status_code == 400 and response.json()["error"]["code"] == 100
        case.validate_response(response, excluded_checks=NOT_GRAPH)


def test_rate_limiting_is_a_400_with_code_80007(fresh):  # pylint: disable=redefined-outer-name
    scenario = copy.deepcopy(SCENARIO)
    scenario["cloud"]["rate_limit"] = {"requests": 3, "window": 3600}
    fresh.load(scenario)
    case = SCHEMA["/v23.0/{node_id}"]["GET"].Case(
        path_parameters={"node_id": NUMBERS[0]}, query={"fields": "health_status"}
    )
    responses = [case.call(base_url=fresh.cloud_url, headers=HEADERS) for dummy in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 400]
    assert responses[-1].json()["error"]["code"] == 80007
    headers = {name.lower(): value for name, value in responses[-1].headers.items()}
    usage = headers["x-business-use-case-usage"]
    assert '"estimated_time_to_regain_access":60' in (usage if isinstance(usage, str) else usage[0])
    for response in responses:
        case.validate_response(response, excluded_checks=NOT_GRAPH)


def test_a_request_without_a_token_is_code_104(fresh):  # pylint: disable=redefined-outer-name
    case = SCHEMA["/v23.0/{node_id}"]["GET"].Case(path_parameters={"node_id": NUMBERS[0]})
    response = case.call(base_url=fresh.cloud_url)
    assert response.status_code == 400 and response.json()["error"]["code"] == 104
    case.validate_response(response, excluded_checks=NOT_GRAPH)
