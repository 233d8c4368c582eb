# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet report's data, summary and failure, from the modules' results."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.filter.fleet_report_data import FilterModule, fleet_report_data

INSTANCES = {
    "count": 3,
    "by_status": {"WORKING": 2, "SCAN_QR_CODE": 1, "FAILED": 0},
    "instances": [
        {"id": "b", "name": "shop-us", "status": "WORKING"},
        {"id": "c", "name": "shop-asia", "status": "SCAN_QR_CODE"},
        {"id": "a", "name": "shop-eu", "status": "WORKING"},
    ],
}
GATEWAY = {
    "topology": "ha",
    "topology_name": "High Availability",
    "healthy": False,
    "nodes": [{"name": "gw3:8c9d0e1f", "role": "coreapp", "gateway_status": "uninitialized"}],
    "problems": ["No coreapp is connected."],
}


def test_every_service_read():
    numbers = {
        "healthy": True,
        "can_send_message": "AVAILABLE",
        "problems": [],
        "numbers": [{"id": "1", "healthy": True}],
    }
    report = fleet_report_data({"hypersender": INSTANCES, "onprem": GATEWAY, "cloud": numbers}, "/r/fleet", "T")
    data = report["data"]
    assert data["generated_at"] == "T"
    assert [item["id"] for item in data["hypersender"]["instances"]] == ["c", "a", "b"]
    assert data["onprem"]["topology"] == "ha" and data["onprem"]["checked"] is True and data["cloud"]["healthy"]
    assert report["summary"] == [
        "FLEET REPORT written to /r/fleet.md and .json",
        "Hypersender: 3 instance(s): 2 WORKING, 1 SCAN_QR_CODE",
        "On-Premises: High Availability, NOT healthy",
        "node gw3:8c9d0e1f                      coreapp           uninitialized",
        "problem: No coreapp is connected.",
        "Cloud API: 1 of 1 number(s) can send (AVAILABLE)",
        "number 1                   -                     None        -         -",
    ]
    assert report["failure"] == ""


def test_skipped_and_failed_services():
    results = {
        "hypersender": {"skipped": True},
        "onprem": {"msg": "GET x: cannot connect", "nodes": [], "healthy": False},
        "cloud": {"msg": "GET y: code 190", "numbers": [], "problems": []},
    }
    report = fleet_report_data(results, "/r/fleet", "T")
    assert report["data"]["hypersender"] == {"checked": False}
    assert report["data"]["onprem"] == {"checked": True, "error": "GET x: cannot connect"}
    assert report["summary"][1:] == [
        "Hypersender: not checked (no HYPERSENDER_API_TOKEN)",
        "On-Premises: ERROR GET x: cannot connect",
        "Cloud API: ERROR GET y: code 190",
    ]
    assert report["failure"] == (
        "fleet_report: the report is written, but On-Premises: GET x: cannot connect; Cloud API: GET y: code 190"
    )


def test_the_filter_is_registered():
    assert FilterModule().filters()["fleet_report_data"] is fleet_report_data
