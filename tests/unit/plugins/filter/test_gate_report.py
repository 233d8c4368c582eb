# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every wording of the gates, from the modules' results: passing, failing, check mode, option and API errors."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.filter.cloud_preflight_switch import cloud_preflight_switch
from ansible_collections.hypersender.whatsapp.plugins.filter.gate_report import FilterModule, gate_report
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._reports import qr_lines

EU = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
US = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"
GONE = "5b2e0c3a-9999-4abc-8def-0123456789ab"
QR_HINT = "scan the QR code in the Hypersender dashboard to link the phone"
FAILED_HINT = "restart the instance from the Hypersender dashboard and check its logs"


def fleet(outcome, instances, details=(), missing=(), waited=True, last_error=None, **extra):
    """A fleet_heal result."""
    ready = [item["id"] for item in instances if item["ready"]]
    result = dict(
        outcome=outcome,
        instances=instances,
        ready=ready,
        not_ready=[item["id"] for item in details],
        not_ready_details=list(details),
        missing=list(missing),
        total=len(ready) + len(details),
        waited=waited,
        elapsed=3.25,
        polls=4,
        wait_timeout=1.5,
        fail_on=["FAILED"],
        last_error=last_error,
        actions=[],
        restarted=[],
    )
    result.update(extra)
    return result


def item(uuid, name, status, ready):
    return {"id": uuid, "name": name, "status": status, "ready": ready}


def detail(uuid, name, status, hint):
    return {"id": uuid, "name": name, "status": status, "hint": hint}


class TestWaitForWorking:

    def test_passed_headline_table_and_deploy_line(self):
        result = fleet("passed", [item(EU, "shop-eu", "WORKING", True), item(US, "shop-us", "WORKING", True)])
        report = gate_report(result, "wait_for_working")
        assert report["passed"] is True and report["failure"] == ""
        assert report["summary"][0] == "wait_for_working: PASSED, 2 of 2 instances WORKING after 3.2 s (4 polls)"
        assert report["summary"][1].split() == ["INSTANCE", "NAME", "STATUS", "READY"]
        assert report["summary"][2].split() == [EU, "shop-eu", "WORKING", "yes"]
        assert len(report["summary"]) == 4, "no self-healing line when it did nothing"
        assert report["line"] == "2 of 2 instances WORKING after 3.2 s (4 polls)"

    def test_timed_out_names_each_instance_its_status_and_what_to_do_once_per_status(self):
        result = fleet(
            "timed_out",
            [item(EU, "shop-eu", "WORKING", True), item(US, "shop-us", "SCAN_QR_CODE", False)],
            [detail(US, "shop-us", "SCAN_QR_CODE", QR_HINT)],
            last_error="GET x: server error (HTTP 503) ",
        )
        report = gate_report(result, "wait_for_working")
        assert report["passed"] is False
        assert report["summary"][0] == "wait_for_working: FAILED, 1 of 2 instances not WORKING after 3.2 s (4 polls)"
        assert report["failure"] == (
            "wait_for_working: 1 of 2 instances not WORKING after 1.5 s: %s (shop-us) SCAN_QR_CODE. Last error while "
            "polling: GET x: server error (HTTP 503). What to do: SCAN_QR_CODE: %s. To give them more time, raise "
            "wait_for_working_timeout." % (US, QR_HINT)
        )

    def test_fail_on_stops_at_once_and_says_which_statuses(self):
        instances = [item(EU, "a", "FAILED", False), item(US, "b", "FAILED", False)]
        details = [detail(EU, "a", "FAILED", FAILED_HINT), detail(US, "", "FAILED", FAILED_HINT)]
        result = fleet("failed", instances, details, fail_on=["FAILED", "STOPPED"])
        assert gate_report(result, "wait_for_working")["failure"] == (
            "wait_for_working: 2 of 2 instances not WORKING (stopped at once: a status in wait_for_working_fail_on "
            "FAILED, STOPPED): %s (a) FAILED, %s FAILED. What to do: FAILED: %s." % (EU, US, FAILED_HINT)
        )

    def test_a_missing_uuid_is_a_row_of_the_table_and_stops_at_once(self):
        details = [detail(GONE, "", "not found", "the account has no instance with this UUID")]
        result = fleet("missing", [item(EU, "shop-eu", "WORKING", True)], details, missing=[GONE])
        report = gate_report(result, "wait_for_working")
        assert report["summary"][-1].split() == [GONE, "-", "not", "found", "no"]
        assert "(stopped at once: 1 UUID(s) not in the account, which waiting cannot change): %s not found." % GONE in (
            report["failure"]
        )

    @pytest.mark.parametrize("explicit, outcome", [(True, "check_mode"), (False, "check_mode"), (False, "passed")])
    def test_check_mode_reads_once_and_never_fails(self, explicit, outcome):
        """ansible_check_mode, or fleet_heal's check_mode outcome, or a gate that did not wait (a play's check_mode)."""
        result = fleet(
            outcome,
            [item(EU, "shop-eu", "WORKING", True), item(US, "shop-us", "SCAN_QR_CODE", False)],
            [detail(US, "shop-us", "SCAN_QR_CODE", QR_HINT)],
            waited=False,
        )
        report = gate_report(result, "wait_for_working", check_mode=explicit)
        assert report["passed"] is True and report["failure"] == ""
        assert (
            report["summary"][0] == "wait_for_working: CHECK MODE, one probe and no waiting: 1 of 2 instances WORKING"
        )
        assert report["line"] == "1 of 2 instances WORKING"

    def test_an_api_error_is_said_once_in_the_summary_and_once_as_the_failure(self):
        result = {"msg": "GET https://h/instances: the Hypersender API rejected the credentials (HTTP 401)"}
        report = gate_report(result, "wait_for_working")
        assert report["summary"] == ["wait_for_working: FAILED, " + result["msg"]]
        assert report["failure"] == "wait_for_working: " + result["msg"]
        assert report["line"] == "no verdict"

    def test_no_instance_matched(self):
        report = gate_report(fleet("timed_out", [], last_error="GET x: HTTP 503"), "wait_for_working")
        assert report["summary"][0] == (
            "wait_for_working: FAILED, no instance matched after 3.2 s (4 polls); last error: GET x: HTTP 503"
        )
        assert report["failure"] == "wait_for_working: no instance matched the selection before the deadline"

    def test_what_the_self_healing_did_follows_the_table(self):
        actions = [
            {"id": EU, "name": "shop-eu", "restarts": 1, "qr_shown": 0, "restart_error": None},
            {"id": US, "name": "shop-us", "restarts": 0, "qr_shown": 2, "restart_error": "HTTP 500"},
        ]
        result = fleet("passed", [item(EU, "shop-eu", "WORKING", True)], actions=actions)
        lines = gate_report(result, "wait_for_working")["summary"]
        assert lines[3] == (
            "wait_for_working: self-healing passed: 1 restart(s) of 1 instance(s), 2 QR code(s) shown for "
            "1 instance(s)"
        )
        assert lines[4].split() == ["INSTANCE", "NAME", "RESTARTS", "QR", "SHOWN"]
        assert lines[6].split()[-3:] == ["failed:", "HTTP", "500"]

    def test_check_mode_of_the_self_healing_says_what_it_would_do(self):
        result = fleet("check_mode", [], waited=False, restarted=[EU, US], qr={"name": "x"})
        lines = gate_report(result, "wait_for_working")["summary"]
        assert lines[-1].endswith("(check mode: would restart 2, would show the QR code of x)")


class TestOptionErrors:
    """A module's option error said with the role's variable and the form it expects (issue 22, item 16)."""

    def test_a_number_with_an_example(self):
        invalid = {
            "name": "wait_timeout",
            "value": "10m",
            "expected": "a number of seconds, at least 0 and at most 86400",
        }
        report = gate_report({"msg": "wait_timeout must be ...", "invalid_options": [invalid]}, "wait_for_working")
        assert report["failure"] == (
            "wait_for_working: wait_for_working_timeout is '10m', expected a number of seconds, at least 0 and at "
            "most 86400, e.g. wait_for_working_timeout: 600"
        )
        assert report["summary"] == ["wait_for_working: FAILED, " + report["failure"].split(": ", 1)[1]]

    def test_an_item_of_a_list(self):
        invalid = {"name": "instances", "value": "shop-eu", "expected": "an instance UUID (8-4-4-4-12 hex digits)"}
        report = gate_report({"msg": "x", "invalid_options": [invalid]}, "wait_for_working")
        assert report["failure"] == (
            "wait_for_working: an item of wait_for_working_instances is 'shop-eu', not an instance UUID "
            "(8-4-4-4-12 hex digits)"
        )

    @pytest.mark.parametrize(
        "role, option, variable",
        [
            ("verify_gateway", "wait_sleep", "verify_gateway_poll_interval"),
            ("verify_cloud", "wait_timeout", "verify_cloud_timeout"),
            ("verify_gateway", "timeout", "whatsapp_onprem_timeout"),
        ],
    )
    def test_each_role_names_its_own_variable(self, role, option, variable):
        invalid = {"name": option, "value": "x", "expected": "a number"}
        assert gate_report({"invalid_options": [invalid]}, role)["failure"].startswith(
            "%s: %s is 'x'" % (role, variable)
        )

    def test_every_error_and_the_variable_that_set_a_value(self):
        """A deprecated role variable the module's action read is named as it is, not by its new name."""
        result = {
            "invalid_options": [
                {"name": "wait_timeout", "value": "100000", "expected": "a number of seconds, at most 86400"},
                {
                    "name": "retries",
                    "value": "11",
                    "expected": "a whole number, at most 10",
                    "variable": "verify_cloud_retries",
                },
            ]
        }
        assert gate_report(result, "verify_cloud")["failure"] == (
            "verify_cloud: verify_cloud_timeout is '100000', expected a number of seconds, at most 86400, "
            "e.g. verify_cloud_timeout: 600; verify_cloud_retries is '11', expected a whole number, at most 10"
        )

    def test_without_the_facts_the_module_message_and_the_variable(self):
        invalid = {"name": "api_token", "value": None, "expected": None}
        result = {"msg": "api_token is empty: set api_token or the WA_CLOUD_TOKEN environment variable"}
        report = gate_report(dict(result, invalid_options=[invalid]), "verify_cloud")
        assert report["failure"] == "verify_cloud: %s (set by whatsapp_cloud_api_token)" % result["msg"]


def gateway(healthy, problems=(), waited=True, nodes=2):
    return dict(
        topology="ha",
        topology_name="High Availability",
        healthy=healthy,
        problems=list(problems),
        nodes=[{"name": "gw%d:0a" % n, "role": "coreapp", "gateway_status": "connected"} for n in range(nodes)],
        connected=nodes,
        waited=waited,
        elapsed=12.34,
    )


class TestVerifyGateway:

    def test_passed(self):
        report = gate_report(gateway(True), "verify_gateway")
        assert (
            report["summary"][0] == "verify_gateway: PASSED, High Availability gateway healthy, 2 node(s) after 12.3 s"
        )
        assert report["summary"][1].split() == ["NODE", "ROLE", "GATEWAY", "STATUS"]
        assert report["line"] == "High Availability, healthy, 2 node(s), 2 connected" and report["passed"]

    def test_failed_with_problems(self):
        report = gate_report(gateway(False, ["No coreapp is connected.", "Node x is down."]), "verify_gateway")
        assert report["summary"][0] == "verify_gateway: FAILED, High Availability gateway not healthy after 12.3 s"
        assert report["summary"][-3:] == ["Problems:", "- No coreapp is connected.", "- Node x is down."]
        assert report["failure"] == (
            "verify_gateway: the High Availability gateway is not healthy after 12.3 s: No coreapp is connected. "
            "Node x is down."
        )

    def test_without_a_wait_no_time(self):
        report = gate_report(gateway(False, ["No coreapp is connected."], waited=False), "verify_gateway")
        assert (
            report["failure"]
            == "verify_gateway: the High Availability gateway is not healthy: No coreapp is connected."
        )

    def test_check_mode(self):
        report = gate_report(gateway(False, ["x"], waited=False), "verify_gateway", check_mode=True)
        assert report["summary"][0] == (
            "verify_gateway: CHECK MODE, one probe and no waiting: NOT healthy, High Availability, 2 node(s)"
        )
        assert report["passed"] is True and report["failure"] == ""

    def test_check_mode_fails_when_the_probe_itself_failed(self):
        """Check mode relaxes the verdict, not an error: onprem_health never fails on a verdict in check mode."""
        result = dict(gateway(False, waited=False, nodes=0), failed=True, msg="GET x: cannot connect (refused)")
        report = gate_report(result, "verify_gateway", check_mode=True)
        assert report["passed"] is False and report["failure"] == "verify_gateway: GET x: cannot connect (refused)"
        assert report["summary"] == ["verify_gateway: FAILED, GET x: cannot connect (refused)"]

    def test_no_answer(self):
        result = {
            "msg": "GET https://wa:9090/v1/health: cannot connect (connection refused)",
            "nodes": [],
            "problems": [],
        }
        report = gate_report(result, "verify_gateway")
        assert report["summary"] == ["verify_gateway: FAILED, " + result["msg"]]
        assert report["failure"] == "verify_gateway: " + result["msg"]


def numbers(healthy, problems=(), waited=True):
    return dict(
        healthy=healthy,
        problems=list(problems),
        can_send_message="AVAILABLE" if healthy else "BLOCKED",
        numbers=[
            {
                "id": "106540352242922",
                "display_phone_number": "+1 555",
                "can_send_message": "AVAILABLE",
                "healthy": True,
            },
            {"id": "106540352242923", "can_send_message": "BLOCKED", "healthy": healthy},
        ],
        waited=waited,
        elapsed=61.25,
    )


class TestVerifyCloud:

    def test_passed(self):
        report = gate_report(numbers(True), "verify_cloud")
        assert report["summary"][0] == "verify_cloud: PASSED, 2 number(s) can send (AVAILABLE) after 61.2 s"
        assert report["summary"][3].split()[-1] == "ok"
        assert report["line"] == "2 of 2 number(s) can send (AVAILABLE)"

    def test_failed(self):
        report = gate_report(numbers(False, ["Phone number 106540352242923 cannot send."]), "verify_cloud")
        assert report["summary"][0] == "verify_cloud: FAILED, not every number can send after 61.2 s"
        assert report["summary"][3].split()[-1] == "FAILS"
        assert report["failure"] == (
            "verify_cloud: not every WhatsApp Cloud API number can send after 61.2 s: Phone number 106540352242923 "
            "cannot send."
        )
        assert report["line"] == "1 of 2 number(s) can send (BLOCKED)"

    def test_check_mode(self):
        report = gate_report(numbers(False, ["x"], waited=False), "verify_cloud", check_mode=True)
        assert (
            report["summary"][0]
            == "verify_cloud: CHECK MODE, one read and no waiting: NOT every number can send, 2 number(s)"
        )
        assert report["passed"] is True

    @pytest.mark.parametrize(
        "result",
        [
            {"failed": True, "outcome": "auth_failed", "msg": "GET x: code 190", "numbers": [], "problems": []},
            {"failed": True, "outcome": "error", "msg": "GET x: cannot connect", "numbers": [], "problems": []},
            {"failed": True, "msg": "MODULE FAILURE: No module named 'requests'"},
        ],
    )
    def test_check_mode_fails_when_the_numbers_could_not_be_read(self, result):
        """A rejected token, an unreachable API or a module that could not run is no CHECK MODE pass."""
        report = gate_report(result, "verify_cloud", check_mode=True)
        assert report["passed"] is False and report["line"] == "no verdict"
        assert report["failure"].startswith("verify_cloud: ") and result["msg"] in report["failure"]
        assert report["preflight_lines"] == []

    def test_no_read(self):
        report = gate_report({"msg": "GET x: code 190", "numbers": [], "problems": []}, "verify_cloud")
        assert report["failure"] == "verify_cloud: GET x: code 190"


def test_the_qr_headline_says_who_may_scan_it():
    lines = qr_lines({"id": EU, "name": "shop-eu", "valid_for": 60, "text": ["\u2588 \u2580"], "path": "/q/a.png"})
    assert lines[0] == (
        "wait_for_working: QR code for instance shop-eu (%s), valid for about 60 s; scan it in WhatsApp, Settings > "
        "Linked devices. Whoever scans it links their WhatsApp account to this instance. Also written to /q/a.png" % EU
    )
    assert lines[1:] == [
        "\u2588 \u2580",
        "wait_for_working: end of the QR code of instance shop-eu; waiting for it to be scanned",
    ]


@pytest.mark.parametrize(
    "args, message", [(({}, "nobody"), "role must be one of"), (("x", "verify_cloud"), "registered")]
)
def test_bad_input(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        gate_report(*args)


def test_the_filter_is_registered():
    assert FilterModule().filters()["gate_report"] is gate_report


# -- verify_cloud's preflight (cloud_preflight's result, once the numbers can send) -----------------------------------


def preflight(ready=True, failed_checks=(), days_left=None, **extra):
    checks = [
        dict(name="token_valid", subject="access token", passed=True, severity="error", msg="is_valid true", hint="")
    ]
    checks += [
        dict(name=name, subject="WABA 1", passed=False, severity="error", msg="%s is wrong" % name, hint="fix it")
        for name in failed_checks
    ]
    if days_left is not None:
        checks.append(
            dict(name="token_expiry", subject="access token", passed=False, severity="warning", msg="soon", hint="x")
        )
    result = dict(changed=False, ready=ready, calls=3, checks=checks, token={"days_left": days_left})
    result.update(extra)
    return result


class TestVerifyCloudPreflight:

    def test_a_ready_preflight_passes_with_its_lines_apart_from_the_summary(self):
        report = gate_report(numbers(True), "verify_cloud", preflight=preflight())
        assert report["passed"] is True and report["line"] == "2 of 2 number(s) can send (AVAILABLE)"
        assert report["preflight_lines"] == [
            "verify_cloud: preflight READY, 1 checks, 0 failed and 0 warnings in 3 Graph calls"
        ]

    def test_a_token_that_expires_soon_is_said_on_the_deploy_gate_line(self):
        report = gate_report(numbers(True), "verify_cloud", preflight=preflight(days_left=5))
        assert report["passed"] is True
        assert report["line"] == "2 of 2 number(s) can send (AVAILABLE), token expires in 5 days"
        assert report["preflight_lines"][1].startswith("verify_cloud: WARNING token_expiry, access token: soon")
        assert report["preflight_lines"][1].endswith(
            "(see verify_cloud_token_expiry_warn_days; to leave it out, add "
            "token_expiry to verify_cloud_skip_checks)"
        )

    def test_a_failed_check_fails_the_gate_once_with_the_preflight_s_words(self):
        report = gate_report(numbers(True), "verify_cloud", preflight=preflight(False, ["app_subscribed"]))
        assert report["passed"] is False
        assert report["line"] == "verify_cloud: preflight NOT READY, 1 failed and 0 warnings in 3 Graph calls"
        assert report["failure"] == (
            report["line"] + " verify_cloud: FAILED app_subscribed, WABA 1: app_subscribed is wrong. To do: fix it (to "
            "leave it out, add app_subscribed to verify_cloud_skip_checks)."
        )

    def test_in_check_mode_a_failed_check_is_printed_and_does_not_fail(self):
        result = preflight(False, ["template"])
        report = gate_report(numbers(True, waited=False), "verify_cloud", check_mode=True, preflight=result)
        assert report["passed"] is True and report["failure"] == ""
        assert report["preflight_lines"][0].startswith("verify_cloud: preflight NOT READY")

    def test_a_skipped_preflight_adds_nothing(self):
        report = gate_report(numbers(True), "verify_cloud", preflight={"skipped": True, "changed": False})
        assert report["passed"] is True and report["preflight_lines"] == []

    def test_a_preflight_that_failed_under_failed_when_false_fails_the_gate_naming_the_role_variable(self):
        result = dict(
            changed=False,
            msg="token_expiry_warn_days must be 0 or more",
            invalid_options=[{"name": "token_expiry_warn_days", "value": -1, "expected": "a whole number of days"}],
        )
        report = gate_report(numbers(True), "verify_cloud", preflight=result)
        assert report["passed"] is False
        assert report["failure"].startswith(
            "verify_cloud: preflight could not finish, 0 failed and 0 warnings in 0 Graph calls: "
            "verify_cloud_token_expiry_warn_days is -1, expected a whole number of days"
        )

    def test_the_health_failure_comes_first(self):
        report = gate_report(numbers(False, ["x"]), "verify_cloud", preflight=preflight(False, ["template"]))
        assert report["failure"].startswith("verify_cloud: not every WhatsApp Cloud API number can send")

    @pytest.mark.parametrize(
        "result",
        [
            {"msg": "x", "invalid_options": [{"name": "waba_id", "value": "x", "expected": "digits"}]},
            {"msg": "code 190", "outcome": "auth_failed"},
        ],
    )
    def test_a_health_read_that_decided_nothing_has_no_preflight_lines(self, result):
        """The role's tasks read preflight_lines whatever cloud_health said."""
        assert gate_report(result, "verify_cloud")["preflight_lines"] == []

    def test_preflight_is_verify_cloud_s_only(self):
        with pytest.raises(AnsibleFilterError, match="preflight is verify_cloud's"):
            gate_report(numbers(True), "verify_gateway", preflight=preflight())


@pytest.mark.parametrize(
    "switch, waba, run, problem",
    [
        ("auto", "102290129340398", True, ""),
        ("auto", "", False, ""),
        ("AUTO", "", False, ""),
        (True, "102290129340398", True, ""),
        ("false", "102290129340398", False, ""),
        (False, "", False, ""),
        (
            True,
            "",
            False,
            "verify_cloud: verify_cloud_preflight is true but the preflight needs the WhatsApp Business Account: set "
            "verify_cloud_waba_id (or WA_CLOUD_WABA_ID), or set verify_cloud_preflight to auto or false",
        ),
        ("sometimes", "1", False, "verify_cloud: verify_cloud_preflight is 'sometimes', expected auto, true or false"),
    ],
)
def test_the_preflight_switch(switch, waba, run, problem):
    assert cloud_preflight_switch(switch, waba) == {"run": run, "problem": problem}
