# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract tests: schemathesis drives every operation of specs/hypersender.yaml and specs/onprem.yaml
against the running simulator with valid credentials and positive data; every response must conform."""

from __future__ import annotations

import base64
import copy
import os

import pytest

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed; the contract tests need it (pip install schemathesis)"
)

# pylint: disable=wrong-import-position
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402
from sim_support import (  # noqa: E402
    FIRST_ID,
    HA_HEALTH,
    HS_TOKEN,
    ONPREM_BEARER,
    ONPREM_KEY,
    ONPREM_USER,
    SECOND_ID,
    SPECS_DIR,
    seed_scenario,
)
from whatsapp_sim import Simulator  # noqa: E402

MAX_EXAMPLES = 25
HYPOTHESIS = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _load(name):
    schema = schemathesis.openapi.from_path(os.path.join(SPECS_DIR, name))
    schema.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=MAX_EXAMPLES)
    return schema


HYPERSENDER = _load("hypersender.yaml")
ONPREM = _load("onprem.yaml")

# A limit low enough that the generated health calls also meet (documented) 429s.
CONTRACT_SCENARIO = seed_scenario()
CONTRACT_SCENARIO["hypersender"]["rate_limit"] = {"requests": 15, "window": 60}
CONTRACT_SCENARIO["hypersender"]["generate"] = {"count": 5, "seed": 3, "working_within": 1}


def _basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def _onprem_headers(case):
    if case.operation.path == "/v1/users/login":
        return {"Authorization": _basic(*ONPREM_USER)}
    return {"Authorization": "Apikey " + ONPREM_KEY}


@pytest.fixture(scope="module")
def simulator():
    with Simulator(copy.deepcopy(CONTRACT_SCENARIO)) as sim:
        yield sim


@pytest.fixture
def fresh(simulator):  # pylint: disable=redefined-outer-name
    simulator.load(copy.deepcopy(CONTRACT_SCENARIO))
    return simulator


@HYPERSENDER.parametrize()
@HYPOTHESIS
def test_hypersender_generated(case, simulator):  # pylint: disable=redefined-outer-name
    # A schema cannot say that instance names are unique per account: a generated create-instance body may
    # repeat a name and get the documented 422, so only there a schema-valid body may be refused.
    excluded = [positive_data_acceptance] if case.operation.path == "/create-instance" else []
    case.call_and_validate(
        base_url=simulator.hypersender_url, headers={"Authorization": "Bearer " + HS_TOKEN}, excluded_checks=excluded
    )


@ONPREM.parametrize()
@HYPOTHESIS
def test_onprem_generated(case, simulator):  # pylint: disable=redefined-outer-name
    case.call_and_validate(base_url=simulator.url, headers=_onprem_headers(case))


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"filter[status]": "WORKING"},
        {"filter[name]": "instance"},
        {"filter[uuid]": FIRST_ID},
        {"filter[phone]": "+201234567891"},
    ],
)
def test_hypersender_listing_examples(fresh, query):  # pylint: disable=redefined-outer-name
    case = HYPERSENDER["/instances"]["GET"].Case(query=query)
    response = case.call_and_validate(base_url=fresh.hypersender_url, headers={"Authorization": "Bearer " + HS_TOKEN})
    assert response.status_code == 200
    assert response.json()


def test_hypersender_health_known_instances_then_429(fresh):  # pylint: disable=redefined-outer-name
    ids = [FIRST_ID, SECOND_ID] + list(fresh.ready_times())[2:]
    statuses = []
    for index in range(16):
        case = HYPERSENDER["/{instance}/health"]["GET"].Case(path_parameters={"instance": ids[index % len(ids)]})
        statuses.append(
            case.call_and_validate(
                base_url=fresh.hypersender_url, headers={"Authorization": "Bearer " + HS_TOKEN}
            ).status_code
        )
    assert statuses == [200] * 15 + [429]


@pytest.mark.parametrize("health", [{"gateway_status": "connected"}, {"gateway_status": "unregistered"}, HA_HEALTH])
@pytest.mark.parametrize("auth", ["apikey", "bearer", "login"])
def test_onprem_health_shapes_and_credentials(fresh, health, auth):  # pylint: disable=redefined-outer-name
    scenario = copy.deepcopy(CONTRACT_SCENARIO)
    scenario["onprem"]["health"] = health
    fresh.load(scenario)
    if auth == "login":
        login = ONPREM["/v1/users/login"]["POST"].Case()
        token = login.call_and_validate(base_url=fresh.url, headers={"Authorization": _basic(*ONPREM_USER)}).json()[
            "users"
        ][0]["token"]
        header = "Bearer " + token
    else:
        header = "Apikey " + ONPREM_KEY if auth == "apikey" else "Bearer " + ONPREM_BEARER
    response = (
        ONPREM["/v1/health"]["GET"].Case().call_and_validate(base_url=fresh.url, headers={"Authorization": header})
    )
    assert response.json()["health"] == health


def test_onprem_rejections_conform(fresh):  # pylint: disable=redefined-outer-name
    health = (
        ONPREM["/v1/health"]["GET"]
        .Case()
        .call(base_url=fresh.url, headers={"Authorization": "Apikey wrong-key-000000"})
    )
    login = (
        ONPREM["/v1/users/login"]["POST"]
        .Case()
        .call(base_url=fresh.url, headers={"Authorization": _basic("admin", "wrong")})
    )
    for response, case in ((health, ONPREM["/v1/health"]["GET"]), (login, ONPREM["/v1/users/login"]["POST"])):
        assert response.status_code == 401
        case.validate_response(response)


def test_hypersender_actions_examples(fresh):  # pylint: disable=redefined-outer-name
    """Each action once with a known instance, then its documented errors: 422, 404, 500, 429."""
    scenario = copy.deepcopy(CONTRACT_SCENARIO)
    scenario["hypersender"]["actions"] = {"restart_fails": [SECOND_ID]}
    fresh.load(scenario)
    auth = {"Authorization": "Bearer " + HS_TOKEN}
    create = HYPERSENDER["/create-instance"]["POST"]
    restart = HYPERSENDER["/{instance}/restart"]["POST"]
    new_qr = HYPERSENDER["/{instance}/request-new-qr-code"]["POST"]
    calls = [
        (create.Case(body={"phone": "+201000000001", "name": "contract-bot"}), 200),
        (create.Case(body={"phone": "+201000000002", "name": "contract-bot"}), 422),
        (restart.Case(path_parameters={"instance": FIRST_ID}), 200),
        (restart.Case(path_parameters={"instance": "5b2e0c3a-9999-4abc-8def-0123456789ab"}), 404),
        (restart.Case(path_parameters={"instance": SECOND_ID}), 500),
        (new_qr.Case(path_parameters={"instance": SECOND_ID}), 200),
        (new_qr.Case(path_parameters={"instance": SECOND_ID}), 429),
    ]
    for case, expected in calls:
        response = case.call(base_url=fresh.hypersender_url, headers=auth)
        assert response.status_code == expected, (case.operation.path, response.text)
        case.operation.validate_response(response)
