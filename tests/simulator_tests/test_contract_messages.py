# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract tests of the simulator's v2 messaging API: schemathesis drives specs/hypersender-messages.yaml against
it, each documented outcome of a queued request must conform, and so must the message.ack webhooks it posts."""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed; the contract tests need it (pip install schemathesis)"
)

# pylint: disable=wrong-import-position
import jsonschema  # noqa: E402
import requests  # noqa: E402
import yaml  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from sim_support import FIRST_ID, SPECS_DIR, seed_scenario  # noqa: E402
from whatsapp_sim import Simulator  # noqa: E402

MAX_EXAMPLES = 25
HYPOTHESIS = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
SPEC = os.path.join(SPECS_DIR, "hypersender-messages.yaml")
SCHEMA = schemathesis.openapi.from_path(SPEC)
SCHEMA.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=MAX_EXAMPLES)
ACCESS_TOKEN = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1"
AUTH = {"Authorization": "Bearer " + ACCESS_TOKEN}

SCENARIO = seed_scenario()


@pytest.fixture(scope="module")
def simulator():
    with Simulator(copy.deepcopy(SCENARIO)) as sim:
        yield sim


@SCHEMA.parametrize()
@HYPOTHESIS
def test_messaging_generated(case, simulator):  # pylint: disable=redefined-outer-name
    # The token opens one instance: the generated cases are sent to that instance.
    case.path_parameters["instance"] = FIRST_ID
    case.call_and_validate(base_url=simulator.hypersender_v2_url, headers=AUTH)


@pytest.mark.parametrize(
    "send_spec, status",
    [
        ({}, 201),
        ({"response_status": 200, "id_field": "message_id"}, 200),
        ({"result": "not_on_whatsapp"}, 404),
        ({"result": "instance_not_found"}, 404),
        ({"result": "invalid"}, 422),
        ({"result": "error"}, 500),
    ],
)
def test_queued_request_outcomes_conform(send_spec, status):
    data = copy.deepcopy(SCENARIO)
    data["hypersender"]["instances"][0]["sends"] = [dict(send_spec, processing_for=0.2)]
    send = SCHEMA["/{instance}/send-text"]["POST"]
    get = SCHEMA["/{instance}/queued-requests/{queued_request_uuid}"]["GET"]
    with Simulator(data) as sim:
        answer = send.Case(path_parameters={"instance": FIRST_ID}, body={"chatId": "201234567890@c.us", "text": "hi"})
        response = answer.call_and_validate(base_url=sim.hypersender_v2_url, headers=AUTH)
        request_uuid = response.json()["queued_request_uuid"]
        seen = []
        while True:
            case = get.Case(path_parameters={"instance": FIRST_ID, "queued_request_uuid": request_uuid})
            body = case.call_and_validate(base_url=sim.hypersender_v2_url, headers=AUTH).json()
            seen.append(body["response_status"])
            if body["response_status"] is not None:
                break
            time.sleep(0.05)
        assert seen[0] is None and seen[-1] == status


def test_send_rejections_conform(simulator):  # pylint: disable=redefined-outer-name
    send = SCHEMA["/{instance}/send-text"]["POST"]
    wrong_token = send.Case(path_parameters={"instance": FIRST_ID}, body={"chatId": "201234567890@c.us", "text": "x"})
    response = wrong_token.call(base_url=simulator.hypersender_v2_url, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    send.validate_response(response)
    invalid = send.Case(path_parameters={"instance": FIRST_ID}, body={"chatId": "not-a-chat", "text": ""})
    response = invalid.call(base_url=simulator.hypersender_v2_url, headers=AUTH)
    assert response.status_code == 422
    send.validate_response(response)


def test_send_429_conforms():
    data = copy.deepcopy(SCENARIO)
    data["hypersender"]["messaging"] = {"rate_limit": {"requests": 1, "window": 60}}
    send = SCHEMA["/{instance}/send-text"]["POST"]
    with Simulator(data) as sim:
        statuses = []
        for dummy in range(2):
            case = send.Case(path_parameters={"instance": FIRST_ID}, body={"chatId": "201234567890@c.us", "text": "x"})
            response = case.call(base_url=sim.hypersender_v2_url, headers=AUTH)
            send.validate_response(response)
            statuses.append(response.status_code)
        assert statuses == [200, 429]
        retry_after = {name.lower(): value for name, value in response.headers.items()}["retry-after"]
        assert int(retry_after[0] if isinstance(retry_after, list) else retry_after) >= 1


def test_posted_acks_conform_to_the_webhook_schema():
    with open(SPEC, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    schema = spec["components"]["schemas"]["MessageAckEvent"]
    bodies = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # pylint: disable=invalid-name
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    data = copy.deepcopy(SCENARIO)
    acks = [
        {"after": 0.05 * index, "ack": name}
        for index, name in enumerate(("ERROR", "PENDING", "SERVER", "DEVICE", "READ", "PLAYED"))
    ]
    data["hypersender"]["instances"][0].update(
        webhook_url="http://127.0.0.1:%d/hook" % server.server_address[1], sends=[{"acks": acks}]
    )
    try:
        with Simulator(data) as sim:
            requests.post(
                "%s/%s/send-text" % (sim.hypersender_v2_url, FIRST_ID),
                json={"chatId": "201234567890@c.us", "text": "x"},
                headers=AUTH,
                timeout=5,
            )
            end = time.monotonic() + 10
            while len(bodies) < len(acks) and time.monotonic() < end:
                time.sleep(0.05)
    finally:
        server.shutdown()
        server.server_close()
    assert len(bodies) == len(acks)
    for body in bodies:
        jsonschema.validate(body, schema)
