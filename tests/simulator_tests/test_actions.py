# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's Hypersender actions (create-instance, restart, request-new-qr-code) and the admin scan."""

from __future__ import annotations

import base64
import copy
import time

import pytest
import requests
from sim_support import FIRST_ID, HS_TOKEN, SECOND_ID, seed_scenario
from whatsapp_sim import ScenarioError, Simulator

zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp decodes the simulator's QR codes")
png = pytest.importorskip("png", reason="pypng reads the simulator's QR codes")

# pylint: disable=redefined-outer-name

HS_AUTH = {"Authorization": "Bearer " + HS_TOKEN}
FAST = {"stopped_for": 0.3, "starting_for": 0.3}


def scenario_with(**actions):
    scenario = seed_scenario()
    scenario["hypersender"]["actions"] = actions
    return scenario


@pytest.fixture
def sim():
    with Simulator(scenario_with(**FAST)) as simulator:
        yield simulator


def post(simulator, path, body=None, headers=None):
    return requests.post(simulator.hypersender_url + path, json=body, headers=headers or HS_AUTH, timeout=5)


def status_of(simulator, instance_id):
    return requests.get(
        "%s/instances" % simulator.hypersender_url, params={"filter[uuid]": instance_id}, headers=HS_AUTH, timeout=5
    ).json()[0]["status"]


def decode_qr(b64):
    """The text of a base64 PNG QR code, decoded by zxing-cpp from the pixels pypng reads."""
    width, height, rows, dummy = png.Reader(bytes=base64.b64decode(b64, validate=True)).asRGBA8()
    grey = bytearray()
    for row in rows:
        grey.extend(row[0::4])
    found = zxingcpp.read_barcodes(memoryview(bytes(grey)).cast("B", (height, width)), try_invert=False)
    assert len(found) == 1
    return found[0].text


def scan(simulator, instance_id, payload):
    return requests.post("%s/_sim/scan/%s" % (simulator.url, instance_id), json={"payload": payload}, timeout=5)


def test_create_answers_the_instance_with_a_real_qr_code(sim):
    response = post(
        sim,
        "/create-instance",
        {"phone": "+201111111111", "name": "deploy-bot", "webhook_url": "https://example.com/hook"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"id", "name", "phone", "service_type", "status", "qr_code", "access_token", "created_at"}
    assert (body["name"], body["phone"], body["status"], body["service_type"]) == (
        "deploy-bot",
        "+201111111111",
        "SCAN_QR_CODE",
        "whatsapp",
    )
    assert not body["qr_code"].startswith("data:")
    payload = requests.get(sim.url + "/_sim/qr", timeout=5).json()[body["id"]]["payload"]
    assert decode_qr(body["qr_code"]) == payload
    assert status_of(sim, body["id"]) == "SCAN_QR_CODE"
    assert scan(sim, body["id"], payload).status_code == 200
    assert status_of(sim, body["id"]) == "WORKING"


@pytest.mark.parametrize(
    "body, message, fields",
    [
        ({}, "The phone field is required. (and 1 more error)", {"phone", "name"}),
        ({"phone": "0201", "name": "x"}, "The phone field format is invalid.", {"phone"}),
        (
            {"phone": "+201111111111", "name": "n" * 51},
            "The name field must not be greater than 50 characters.",
            {"name"},
        ),
        ({"phone": "+201111111111", "name": "MyInstanceName"}, "The name has already been taken.", {"name"}),
        (
            {"phone": "+201111111111", "name": "x", "webhook_url": "http://example.com/hook"},
            "The webhook url field must start with one of the following: https://.",
            {"webhook_url"},
        ),
    ],
)
def test_create_validation_errors_are_laravel_422s(sim, body, message, fields):
    response = post(sim, "/create-instance", body)
    assert response.status_code == 422
    assert response.json()["message"] == message
    assert set(response.json()["errors"]) == fields


def test_create_trims_the_name_and_names_are_unique_without_case(sim):
    """What a Laravel application on MySQL does by default: TrimStrings, then a case-insensitive unique rule."""
    for taken in ("myinstancename", "MyInstanceName ", "\u200bMYINSTANCENAME\t"):
        response = post(sim, "/create-instance", {"phone": "+201111111111", "name": taken})
        assert (response.status_code, response.json()["message"]) == (422, "The name has already been taken."), taken
    created = post(sim, "/create-instance", {"phone": "+201111111111", "name": "  deploy-bot \n"})
    assert (created.status_code, created.json()["name"]) == (200, "deploy-bot")
    blank = post(sim, "/create-instance", {"phone": "+201111111111", "name": "   "})
    assert blank.json()["errors"] == {"name": ["The name field is required."]}
    listed = requests.get(
        sim.hypersender_url + "/instances", params={"filter[name]": " DEPLOY-bot "}, headers=HS_AUTH, timeout=5
    ).json()
    assert [item["id"] for item in listed] == [created.json()["id"]]


def test_create_is_limited_to_five_a_minute(sim):
    statuses = [
        post(sim, "/create-instance", {"phone": "+20111111111%d" % n, "name": "bot-%d" % n}).status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    throttled = post(sim, "/create-instance", {"phone": "+201111111119", "name": "bot-9"})
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60


def test_restart_goes_stopped_starting_working(sim):
    scenario = scenario_with(stopped_for=0.5, starting_for=0.5)
    scenario["hypersender"]["instances"][0]["status"] = "FAILED"
    sim.load(scenario)
    response = post(sim, "/%s/restart" % FIRST_ID)
    assert (response.status_code, response.json()) == (200, {"message": "WhatsApp instance restarted successfully."})
    seen = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (not seen or seen[-1] != "WORKING"):
        status = status_of(sim, FIRST_ID)
        if not seen or seen[-1] != status:
            seen.append(status)
        time.sleep(0.05)
    assert seen == ["STOPPED", "STARTING", "WORKING"]
    assert sim.ready_times()[FIRST_ID] is not None


def test_restart_lag_keeps_the_old_status_for_a_while(sim):
    scenario = scenario_with(restart_lag=30, stopped_for=30)
    scenario["hypersender"]["instances"][0]["status"] = "FAILED"
    sim.load(scenario)
    assert post(sim, "/%s/restart" % FIRST_ID).status_code == 200
    assert status_of(sim, FIRST_ID) == "FAILED", "still the status from before the restart"
    scenario["hypersender"]["actions"]["restart_lag"] = 0.3
    sim.load(scenario)
    assert post(sim, "/%s/restart" % FIRST_ID).status_code == 200
    time.sleep(0.5)
    assert status_of(sim, FIRST_ID) == "STOPPED"


def test_restart_of_an_unlinked_instance_comes_back_asking_for_a_scan(sim):
    post(sim, "/%s/restart" % SECOND_ID)
    time.sleep(0.8)
    assert status_of(sim, SECOND_ID) == "SCAN_QR_CODE"


def test_restart_unknown_scripted_failure_and_limit(sim):
    scenario = scenario_with(restart_fails=[FIRST_ID], **FAST)
    sim.load(scenario)
    assert post(sim, "/5b2e0c3a-9999-4abc-8def-0123456789ab/restart").status_code == 404
    failed = post(sim, "/%s/restart" % FIRST_ID)
    assert (failed.status_code, failed.json()["message"]) == (500, "Failed to restart WhatsApp instance.")
    statuses = [post(sim, "/%s/restart" % SECOND_ID).status_code for dummy in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_new_qr_code_once_a_minute_and_only_the_current_one_scans(sim):
    first = post(sim, "/%s/request-new-qr-code" % SECOND_ID)
    assert first.status_code == 200
    assert first.json()["status"] == "SCAN_QR_CODE"
    payload = decode_qr(first.json()["qr_code"])
    again = post(sim, "/%s/request-new-qr-code" % FIRST_ID)
    assert again.status_code == 429, "the limit is per token, across instances"
    assert scan(sim, SECOND_ID, payload + "x").status_code == 409
    assert status_of(sim, SECOND_ID) == "SCAN_QR_CODE"
    assert scan(sim, SECOND_ID, payload).json()["scanned"] is True
    assert status_of(sim, SECOND_ID) == "WORKING"
    assert scan(sim, SECOND_ID, payload).status_code == 409, "a code scans once"


def test_an_expired_qr_code_does_not_scan(sim):
    sim.load(scenario_with(qr_valid=0.2))
    payload = decode_qr(post(sim, "/%s/request-new-qr-code" % SECOND_ID).json()["qr_code"])
    time.sleep(0.4)
    response = scan(sim, SECOND_ID, payload)
    assert response.status_code == 410
    assert status_of(sim, SECOND_ID) == "SCAN_QR_CODE"


def test_reset_undoes_creates_restarts_and_scans(sim):
    created = post(sim, "/create-instance", {"phone": "+201111111111", "name": "temporary"}).json()
    post(sim, "/%s/restart" % FIRST_ID)
    sim.reset()
    listing = requests.get(sim.hypersender_url + "/instances", headers=HS_AUTH, timeout=5).json()
    assert created["id"] not in [item["id"] for item in listing]
    assert [item["status"] for item in listing] == ["WORKING", "SCAN_QR_CODE"]


def test_action_settings_are_checked():
    scenario = scenario_with(restart_fails=["no-such-instance"])
    with pytest.raises(ScenarioError, match="unknown instance"):
        Simulator(copy.deepcopy(scenario)).start()
    with pytest.raises(ScenarioError, match="unknown key"):
        Simulator(scenario_with(restart_after=3)).start()
