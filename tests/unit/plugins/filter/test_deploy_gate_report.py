# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deploy gate's summary (a line per gate) and its one failure, from the roles' reports."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.filter.deploy_gate_report import FilterModule, deploy_gate_report

PASSED = {"passed": True, "failure": "", "line": "2 of 2 instances WORKING after 3.2 s (4 polls)"}
FAILED = {
    "passed": False,
    "failure": "verify_gateway: the gateway is not healthy: x.",
    "line": "ha, NOT healthy, 2 node(s)",
}
SWITCHES = {"hypersender": "auto", "onprem": "auto", "cloud": "auto"}


def test_passed_with_the_gates_not_checked_and_why():
    report = deploy_gate_report({"hypersender": PASSED}, dict(SWITCHES, cloud=False))
    assert report == {
        "summary": [
            "DEPLOY GATE: PASSED",
            "Hypersender instances: PASSED, 2 of 2 instances WORKING after 3.2 s (4 polls)",
            "On-Premises gateway:   not checked (no WA_ONPREM_URL)",
            "Cloud API numbers:     not checked (deploy_gate_cloud is false)",
        ],
        "failure": "",
    }


def test_every_failed_gate_has_its_verdict_in_the_summary_and_its_reason_once_in_the_one_failure():
    failed_hs = dict(FAILED, failure="wait_for_working: 1 of 2 instances not WORKING after 1.5 s: x.", line="1 of 2")
    report = deploy_gate_report({"hypersender": failed_hs, "onprem": FAILED, "cloud": None}, SWITCHES)
    assert report["summary"][0] == "DEPLOY GATE: FAILED"
    assert report["summary"][1] == "Hypersender instances: FAILED, 1 of 2"
    assert report["summary"][2] == "On-Premises gateway:   FAILED, ha, NOT healthy, 2 node(s)"
    assert report["failure"] == "deploy_gate: FAILED. Hypersender: %s On-Premises: %s" % (
        failed_hs["failure"],
        FAILED["failure"],
    )


def test_check_mode():
    report = deploy_gate_report({"hypersender": dict(PASSED, line="1 of 2 instances WORKING")}, SWITCHES, True)
    assert report["summary"][:2] == [
        "DEPLOY GATE: CHECK MODE (nothing waited for)",
        "Hypersender instances: CHECK MODE, not waited: 1 of 2 instances WORKING",
    ]


def test_the_filter_is_registered():
    assert FilterModule().filters()["deploy_gate_report"] is deploy_gate_report


def test_the_cloud_line_says_when_the_token_expires_and_a_failed_preflight_gives_its_summary():
    """The verify_cloud report's line, as gate_report words it with cloud_preflight's result."""
    expiring = dict(PASSED, line="2 of 2 number(s) can send (AVAILABLE), token expires in 5 days")
    report = deploy_gate_report({"cloud": expiring}, SWITCHES)
    assert (
        report["summary"][3]
        == "Cloud API numbers:     PASSED, 2 of 2 number(s) can send (AVAILABLE), token expires in 5 days"
    )
    not_ready = dict(
        passed=False,
        line="verify_cloud: preflight NOT READY, 1 failed and 1 warning in 4 Graph calls",
        failure="verify_cloud: preflight NOT READY, 1 failed and 1 warning in 4 Graph calls verify_cloud: FAILED x.",
    )
    report = deploy_gate_report({"cloud": not_ready}, SWITCHES)
    assert report["summary"][3] == "Cloud API numbers:     FAILED, " + not_ready["line"]
    assert report["failure"] == "deploy_gate: FAILED. Cloud API: " + not_ready["failure"]


def test_the_delivery_line_carries_both_canaries_and_a_failed_one_fails_the_gate_once():
    """verify_delivery's report (delivery_report) joins the Hypersender and Cloud API canaries in its line."""
    delivery = {
        "line": "delivered after 0.83 s through instance canary-eu; verify_delivery: FAILED at stage accepted: phone "
        "number 106540352242922: Meta accepted",
        "failure": "verify_delivery: FAILED at stage accepted: phone number 106540352242922: Meta accepted ...",
        "summary": [],
    }
    switches = dict(SWITCHES, delivery=True)
    report = deploy_gate_report({"hypersender": PASSED, "delivery": delivery}, switches)
    assert report["summary"][-1] == "Delivery canary:       FAILED, " + delivery["line"]
    assert report["failure"] == "deploy_gate: FAILED. Delivery: " + delivery["failure"]
    passed = dict(delivery, failure="", line="delivered after 0.83 s through instance canary-eu; sent after 0.5 s")
    report = deploy_gate_report({"hypersender": PASSED, "delivery": passed}, switches)
    assert report["summary"][-1] == "Delivery canary:       PASSED, " + passed["line"] and report["failure"] == ""
    report = deploy_gate_report({"hypersender": dict(PASSED, passed=False, failure="x")}, switches)
    assert report["summary"][-1] == "Delivery canary:       not run, a status gate failed"
