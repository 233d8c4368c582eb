# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's Graph API: scenario validation, timelines, WABA-wide entities, and what the log keeps.

conftest.py puts tests/simulator on sys.path.
"""

from __future__ import annotations

import time

import pytest
import requests
from whatsapp_sim import Simulator
from whatsapp_sim.scenario import Scenario, ScenarioError

TOKEN = "sim-cloud-token-0123456789"


@pytest.mark.parametrize(
    "cloud, message",
    [
        ({"wabas": [{"id": "12a"}]}, r"cloud.wabas\[0\].id must be a string of digits"),
        ({"wabas": [{"id": "1", "phone_numbers": [{"id": "2", "health": "PAUSED"}]}]}, "must be one of AVAILABLE"),
        ({"wabas": [{"id": "1", "phone_numbers": [{"id": "2", "health": {"TEMPLATE": {}}}]}]}, "unknown key"),
        ({"wabas": [{"id": "1", "phone_numbers": [{"id": "1"}]}]}, "duplicate id"),
        ({"page_size": 0}, "page_size must be an integer >= 1"),
        (
            {"wabas": [{"id": "1", "page_sizes": [1, -1]}]},
            r"cloud.wabas\[0\].page_sizes must be a list of integers >= 0",
        ),
        ({"wabas": [{"id": "1", "page_sizes": 2}]}, "page_sizes must be a list"),
        ({"bogus": 1}, "unknown key"),
    ],
)
def test_bad_cloud_scenarios_are_refused(cloud, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario({"cloud": cloud})


def test_timeline_and_a_waba_wide_block():
    scenario = {
        "cloud": {
            "tokens": [TOKEN],
            "wabas": [
                {
                    "id": "1",
                    "timeline": [
                        {"at": 0, "health": "AVAILABLE"},
                        {"at": 0.3, "health": {"WABA": {"can_send_message": "BLOCKED"}}},
                    ],
                    "phone_numbers": [
                        {"id": "2", "timeline": [{"at": 0, "health": "LIMITED"}, {"at": 0.3, "health": "AVAILABLE"}]}
                    ],
                }
            ],
        }
    }
    with Simulator(scenario) as sim:
        first = requests.get(
            sim.cloud_url + "/v23.0/2",
            params={"fields": "health_status"},
            headers={"Authorization": "Bearer " + TOKEN},
            timeout=10,
        ).json()["health_status"]
        while sim.elapsed() < 0.35:
            time.sleep(0.05)
        later = requests.get(
            sim.cloud_url + "/v23.0/2", params={"fields": "health_status", "access_token": TOKEN}, timeout=10
        ).json()["health_status"]
        log = sim.requests()
    assert first["can_send_message"] == "LIMITED"
    assert later["can_send_message"] == "BLOCKED"
    assert [e["can_send_message"] for e in later["entities"]] == ["AVAILABLE", "BLOCKED", "AVAILABLE", "AVAILABLE"]
    assert log[0]["auth"] == "bearer" and log[1]["query"]["access_token"] == "<redacted>"
    assert TOKEN not in repr(log)
