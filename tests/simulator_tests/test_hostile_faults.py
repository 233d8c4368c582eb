# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's hostile faults: a trickled body, an endless body, an echoed Authorization header."""

from __future__ import annotations

import base64
import json
import socket

import pytest
import requests
from sim_support import HS_TOKEN, ONPREM_USER, seed_scenario
from whatsapp_sim import Scenario, ScenarioError, Simulator

HS_AUTH = {"Authorization": "Bearer " + HS_TOKEN}


def test_trickle_alone_sends_the_normal_answer_byte_by_byte():
    faults = [{"path": "/instances$", "count": 1, "trickle": 0.01}]
    with Simulator(seed_scenario(faults=faults)) as sim:
        response = requests.get(sim.hypersender_url + "/instances", headers=HS_AUTH, timeout=30, stream=True)
        chunks = []
        while True:
            chunk = response.raw.read1(1024)
            if not chunk:
                break
            chunks.append(chunk)
        assert len(chunks) > 1, "a trickled body comes in many reads"
        assert json.loads(b"".join(chunks))[0]["id"]
        assert response.status_code == 200


def test_endless_body_never_ends_until_the_client_leaves():
    faults = [{"path": "/instances$", "status": 200, "endless": True, "raw_body": "[1,"}]
    with Simulator(seed_scenario(faults=faults)) as sim:
        response = requests.get(sim.hypersender_url + "/instances", headers=HS_AUTH, timeout=30, stream=True)
        assert "Content-Length" not in response.headers
        received = 0
        for chunk in response.iter_content(65536):
            received += len(chunk)
            if received > 4 * 1024 * 1024:
                break
        response.close()
        assert received > 4 * 1024 * 1024


def test_echo_authorization_puts_the_basic_header_in_the_message():
    faults = [{"path": "/v1/users/login$", "status": 401, "echo_authorization": True}]
    with Simulator(seed_scenario(faults=faults)) as sim:
        user, password = next(iter(Scenario.from_source(seed_scenario()).onprem.users.items()))
        response = requests.post(sim.url + "/v1/users/login", auth=(user, password), timeout=5)
        expected = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        assert response.status_code == 401
        assert response.json()["message"].endswith("Basic " + expected)
        assert (user, password) == ONPREM_USER


def test_bad_trickle_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="trickle"):
        Scenario.from_source(seed_scenario(faults=[{"trickle": -1}]))


def test_the_server_stops_while_an_endless_body_is_sent():
    faults = [{"path": "/instances$", "status": 200, "endless": True}]
    sim = Simulator(seed_scenario(faults=faults)).start()
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as conn:
        conn.sendall(
            b"GET /api/whatsapp/v1/instances HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
            % HS_TOKEN.encode()
        )
        assert conn.recv(100).startswith(b"HTTP/1.1 200")
        sim.stop()  # must not hang on the writer
