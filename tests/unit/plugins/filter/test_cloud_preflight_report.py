# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.filter.cloud_preflight_report import (
    FilterModule,
    cloud_preflight_report,
)
from hypothesis import given
from hypothesis import strategies as st

ROLE_VARIABLES = {
    "skip_checks": "verify_cloud_skip_checks",
    "templates": "verify_cloud_templates",
    "token_expiry_warn_days": "verify_cloud_token_expiry_warn_days",
    "enabled": "verify_cloud_preflight",
}


def check(name, passed=True, severity="error", subject="s", msg="m", hint=""):
    return {"name": name, "subject": subject, "passed": passed, "severity": severity, "msg": msg, "hint": hint}


def report(result):
    return cloud_preflight_report(result, role="verify_cloud", variables=ROLE_VARIABLES)


def test_a_ready_result_is_one_line_and_no_failure():
    result = {"ready": True, "calls": 4, "checks": [check("token_valid"), check("template")], "token": None}
    assert report(result) == {
        "summary": "verify_cloud: preflight READY, 2 checks, 0 failed and 0 warnings in 4 Graph calls",
        "lines": ["verify_cloud: preflight READY, 2 checks, 0 failed and 0 warnings in 4 Graph calls"],
        "failure": "",
        "token_clause": "",
    }


def test_failed_and_warned_checks_name_the_role_variables():
    result = {
        "ready": False,
        "calls": 4,
        "token": {"days_left": 5},
        "checks": [
            check(
                "token_expiry",
                False,
                "warning",
                "access token",
                "the token expires on 2026-12-11, in 5 days",
                "replace it",
            ),
            check("template", False, "error", "template otp (en_US)", "status is PENDING", "wait for the review"),
            check("number_status"),
        ],
    }
    out = report(result)
    assert out["summary"] == "verify_cloud: preflight NOT READY, 1 failed and 1 warning in 4 Graph calls"
    assert out["lines"][1] == (
        "verify_cloud: FAILED template, template otp (en_US): status is PENDING. To do: wait for the review "
        "(see verify_cloud_templates; to leave it out, add template to verify_cloud_skip_checks)"
    )
    assert out["lines"][2].startswith("verify_cloud: WARNING token_expiry, access token: the token expires on")
    assert "see verify_cloud_token_expiry_warn_days" in out["lines"][2]
    assert out["failure"] == out["summary"] + " " + out["lines"][1] + "."
    assert out["token_clause"] == "token expires in 5 days"


def test_a_failed_task_and_a_skipped_one():
    failed = report({"failed": True, "msg": "GET x: unreachable", "calls": 1, "ready": False, "checks": []})
    assert failed["summary"] == (
        "verify_cloud: preflight could not finish, 0 failed and 0 warnings in 1 Graph call: GET x: unreachable"
    )
    assert failed["failure"] == failed["summary"]
    skipped = report({"skipped": True, "changed": False})
    assert skipped["lines"] == ["verify_cloud: preflight not run (verify_cloud_preflight is false)"]
    assert skipped["failure"] == "" and skipped["token_clause"] == ""


def test_without_variables_the_module_options_are_named():
    result = {"ready": False, "calls": 1, "checks": [check("number_quality", False, hint="improve")]}
    line = cloud_preflight_report(result)["lines"][1]
    assert line.endswith("(see fail_on_quality; to leave it out, add number_quality to skip_checks)")


CHECKS = st.lists(
    st.builds(
        check,
        name=st.sampled_from(["token_expiry", "template", "number_status", "app_subscribed"]),
        passed=st.booleans(),
        severity=st.sampled_from(["error", "warning"]),
    ),
    max_size=8,
)


@given(CHECKS, st.booleans())
def test_one_line_per_failed_or_warned_check_and_a_failure_only_when_not_ready(checks, ready):
    out = report({"ready": ready, "calls": 3, "checks": checks, "token": {"days_left": 2}})
    assert len(out["lines"]) == 1 + len([c for c in checks if not c["passed"]])
    assert (out["failure"] == "") is ready
    warned = any(c["name"] == "token_expiry" and not c["passed"] and c["severity"] == "warning" for c in checks)
    assert (out["token_clause"] == "token expires in 2 days") is warned


def test_the_input_is_checked_and_the_filter_registered():
    with pytest.raises(AnsibleFilterError, match="registered result"):
        cloud_preflight_report(["x"])
    assert FilterModule().filters()["cloud_preflight_report"] is cloud_preflight_report
