# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fault matrix (docs/fault-matrix.md): hostile answers, bad input and traps, each through a real run.

A gate must never pass when it should not, every deadline holds, nothing secret leaks and every
message leads to the cause. docs/fault-matrix.md names a test of this file (or another) for each
fault; test_fault_matrix_doc.py checks that every test it names exists.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest
from conftest import QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance
from test_roles_playbooks import (
    VERIFY_GATEWAY_PLAY,
    WAIT_FOR_WORKING_PLAY,
    debug_lines,
    extra_vars,
    failure_messages,
    hs_env,
    list_calls,
)

UNKNOWN_ID = "5b2e0c3a-9999-4abc-8def-0123456789ab"
LIST = r"/instances$"
ONPREM_USER, ONPREM_PASSWORD = "admin", "hunter2-login-password"
BASIC = base64.b64encode(("%s:%s" % (ONPREM_USER, ONPREM_PASSWORD)).encode()).decode()


def faulted(*faults, instances=None):
    scenario = hypersender_scenario(*(instances or [instance(WORKING_ID, "WORKING"), instance(QR_ID, "WORKING")]))
    scenario["faults"] = list(faults)
    return scenario


def connection(sim, **extra):
    return dict({"api_url": sim.hypersender_url, "api_token": TOKEN}, **extra)


def assert_clean_failure(run):
    assert run.rc != 0, run
    assert "Traceback" not in run.output and "MODULE FAILURE" not in run.output, run


# --- A gate must never pass when it should not ----------------------------------------------------------------------


def test_role_with_nothing_selected_fails_naming_the_variables(simulator, ansible):
    sim = simulator(faulted())
    run = ansible.playbook(
        WAIT_FOR_WORKING_PLAY.replace("HOSTS", "localhost"),
        env=hs_env(sim),
        extra_args=extra_vars(wait_for_working_instance=[WORKING_ID]),
    )  # misspelt on purpose
    assert_clean_failure(run)
    message = failure_messages(run.output)[-1]
    for name in ("wait_for_working_instances", "wait_for_working_name", "wait_for_working_all: true"):
        assert name in message
    assert sim.requests() == []


def test_role_gates_the_whole_account_only_when_asked(simulator, ansible):
    sim = simulator(faulted())
    run = ansible.playbook(
        WAIT_FOR_WORKING_PLAY.replace("HOSTS", "localhost"),
        env=hs_env(sim),
        extra_args=extra_vars(wait_for_working_all=True),
    )
    assert run.rc == 0, run
    assert debug_lines(run.output, "wait_for_working: PASSED")[0].startswith("wait_for_working: PASSED, 2 of 2")


DUPLICATES = [
    {
        "id": WORKING_ID,
        "name": "dup",
        "phone": "+201000000001",
        "service_type": "whatsapp",
        "status": "FAILED",
        "access_token": None,
        "created_at": "2025-05-26T10:12:45",
    },
    {
        "id": WORKING_ID,
        "name": "dup",
        "phone": "+201000000001",
        "service_type": "whatsapp",
        "status": "WORKING",
        "access_token": None,
        "created_at": "2025-05-26T10:12:45",
    },
]


def test_duplicate_ids_count_as_the_worst_status_and_are_warned(simulator, ansible):
    sim = simulator(faulted({"path": LIST, "status": 200, "body": DUPLICATES}))
    run = ansible.playbook(
        WAIT_FOR_WORKING_PLAY.replace("HOSTS", "localhost"),
        env=hs_env(sim),
        extra_args=extra_vars(wait_for_working_instances=[WORKING_ID], wait_for_working_timeout=30),
    )
    assert_clean_failure(run)
    assert "lists instance %s 2 times with different statuses (FAILED, WORKING)" % WORKING_ID in " ".join(
        run.output.split()
    )
    assert "stopped at once: a status in wait_for_working_fail_on FAILED" in failure_messages(run.output)[-1]
    assert len(list_calls(sim)) == 1


def test_uuids_compare_without_case_and_count_once(simulator, ansible):
    sim = simulator(faulted())
    run = ansible.module(
        "instance_info",
        connection(sim, instances=[WORKING_ID.upper(), WORKING_ID], wait=True, wait_timeout=60, wait_sleep=0.5),
    )
    assert run.rc == 0, run
    assert run.result["ready"] == [WORKING_ID] and run.result["count"] == 1 and run.result["polls"] == 1


def test_unknown_uuid_fails_the_role_at_once(simulator, ansible):
    sim = simulator(faulted())
    run = ansible.playbook(
        WAIT_FOR_WORKING_PLAY.replace("HOSTS", "localhost"),
        env=hs_env(sim),
        extra_args=extra_vars(
            wait_for_working_instances=[WORKING_ID, UNKNOWN_ID],
            wait_for_working_timeout=300,
            wait_for_working_poll_interval=0.5,
        ),
    )
    assert_clean_failure(run)
    message = failure_messages(run.output)[-1]
    assert "stopped at once: 1 UUID(s) not in the account" in message and UNKNOWN_ID in message
    assert len(list_calls(sim)) == 1


def test_null_fields_render_empty_in_the_role_and_the_report(simulator, ansible):
    sim = simulator(faulted(instances=[instance(WORKING_ID, "WORKING", name=None, phone=None, created_at=None)]))
    run = ansible.playbook(
        WAIT_FOR_WORKING_PLAY.replace("HOSTS", "localhost"),
        env=hs_env(sim),
        extra_args=extra_vars(wait_for_working_all=True),
    )
    assert run.rc == 0, run
    report = ansible(
        ["hypersender.whatsapp.fleet_report", "-e", "fleet_report_dir=%s" % ansible.tmp_path],
        command="ansible-playbook",
        env=hs_env(sim),
    )
    assert report.rc == 0, report
    data = json.loads((ansible.tmp_path / "fleet-report.json").read_text())
    assert data["hypersender"]["instances"][0]["name"] == "" and data["hypersender"]["instances"][0]["phone"] == ""
    assert "| WORKING |  | `%s` |  |  |" % WORKING_ID in (ansible.tmp_path / "fleet-report.md").read_text()


def test_instance_names_cannot_break_the_markdown_report(simulator, ansible):
    name = "evil | name\n| injected | row <b>x</b>"
    sim = simulator(faulted(instances=[instance(WORKING_ID, "WORKING", name=name)]))
    run = ansible(
        ["hypersender.whatsapp.fleet_report", "-e", "fleet_report_dir=%s" % ansible.tmp_path],
        command="ansible-playbook",
        env=hs_env(sim),
    )
    assert run.rc == 0, run
    rows = [line for line in (ansible.tmp_path / "fleet-report.md").read_text().splitlines() if WORKING_ID in line]
    assert len(rows) == 1
    assert rows[0].count("|") == 6, rows[0]  # 5 cells between 6 pipes: the name's pipes are entities
    assert "evil &#124; name &#124; injected &#124; row &lt;b>x&lt;/b>" in rows[0]


def test_onprem_errors_beside_health_are_reported(simulator, ansible):
    body = {
        "meta": {"api_status": "stable", "version": "2.53.1"},
        "health": {"gateway_status": "connected"},
        "errors": [{"code": 1014, "title": "Internal error", "details": "Database unreachable"}],
    }
    sim = simulator(
        {
            "onprem": {"api_keys": ["sim-onprem-key-0123"]},
            "faults": [{"path": "/v1/health$", "status": 200, "body": body}],
        }
    )
    run = ansible.module("onprem_health", {"api_url": sim.onprem_url, "api_key": "sim-onprem-key-0123"})
    assert run.rc == 0, run
    assert run.result["healthy"] is False
    assert any("1014 Internal error Database unreachable" in problem for problem in run.result["problems"])


def test_negative_shards_is_an_error_naming_the_role_variable(simulator, ansible):
    sim = simulator({"onprem": {"api_keys": ["sim-onprem-key-0123"]}})
    run = ansible.playbook(
        VERIFY_GATEWAY_PLAY,
        env={"WA_ONPREM_URL": sim.onprem_url, "WA_API_KEY": "sim-onprem-key-0123"},
        extra_args=extra_vars(verify_gateway_shards=-2),
    )
    assert_clean_failure(run)
    assert failure_messages(run.output)[-1] == (
        "verify_gateway: verify_gateway_shards is '-2', expected a whole number, at least 1 and at most 1000, "
        "e.g. verify_gateway_shards: 2"
    )
    assert sim.requests() == []


# --- Every deadline holds -------------------------------------------------------------------------------------------


def test_trickled_health_fails_verify_gateway_instead_of_passing(simulator, ansible):
    sim = simulator(
        {"onprem": {"api_keys": ["sim-onprem-key-0123"]}, "faults": [{"path": "/v1/health$", "trickle": 0.3}]}
    )
    run = ansible.playbook(
        VERIFY_GATEWAY_PLAY,
        env={"WA_ONPREM_URL": sim.onprem_url, "WA_API_KEY": "sim-onprem-key-0123"},
        extra_args=extra_vars(
            verify_gateway_timeout=3,
            verify_gateway_poll_interval=1,
            verify_gateway_request_timeout=2,
            verify_gateway_retries=0,
        ),
    )
    assert_clean_failure(run)
    assert "verify_gateway: PASSED" not in run.output
    assert "no complete response within" in failure_messages(run.output)[-1]


def test_role_number_errors_name_the_role_variable(simulator, ansible):
    sim = simulator(faulted())
    run = ansible.playbook(
        WAIT_FOR_WORKING_PLAY.replace("HOSTS", "localhost"),
        env=hs_env(sim),
        extra_args=extra_vars(wait_for_working_all=True, wait_for_working_timeout="nan"),
    )
    assert_clean_failure(run)
    assert failure_messages(run.output)[-1] == (
        "wait_for_working: wait_for_working_timeout is 'nan', expected a number of seconds, at least 0 and at most "
        "86400, e.g. wait_for_working_timeout: 600"
    )
    assert sim.requests() == []


def test_roles_use_the_controller_python_for_their_delegated_tasks(simulator, ansible):
    """An inventory localhost whose interpreter lacks requests: the role still runs its API task with Ansible's Python."""
    sim = simulator(faulted())
    inventory = ansible.tmp_path / "inventory.ini"
    inventory.write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % _python_without_requests()
    )
    run = ansible.playbook(
        """
- hosts: localhost
  gather_facts: false
  roles:
    - role: hypersender.whatsapp.wait_for_working
      wait_for_working_instances: [%s]
      wait_for_working_progress_interval: 1
""" % WORKING_ID,
        extra_args=["-i", str(inventory)],
        env=hs_env(sim),
        verbosity="-v",
    )
    assert run.rc == 0, run
    assert "deserialization" not in run.output


def _python_without_requests():
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if Path(candidate).exists():
            import subprocess  # pylint: disable=import-outside-toplevel

            if subprocess.run([candidate, "-c", "import requests"], capture_output=True, check=False).returncode != 0:
                return candidate
    pytest.skip("no Python without requests on this machine")
    return None


# --- Nothing leaks, nothing is forged -------------------------------------------------------------------------------


def test_echoed_basic_credentials_are_redacted(simulator, ansible):
    sim = simulator(
        {
            "onprem": {"users": {ONPREM_USER: ONPREM_PASSWORD}},
            "faults": [{"path": "/v1/users/login$", "status": 401, "echo_authorization": True}],
        }
    )
    env = {"WA_ONPREM_URL": sim.onprem_url, "WA_WEB_USERNAME": ONPREM_USER, "WA_WEB_PASSWORD": ONPREM_PASSWORD}
    run = ansible.module("onprem_health", None, env=env)
    assert_clean_failure(run)
    assert "Access denied for Authorization: Basic ********" in run.result["msg"]
    report = ansible(
        ["hypersender.whatsapp.fleet_report", "-e", "fleet_report_dir=%s" % ansible.tmp_path],
        command="ansible-playbook",
        env=env,
    )
    assert report.rc != 0
    files = [(ansible.tmp_path / name).read_text() for name in ("fleet-report.json", "fleet-report.md")]
    for text in [run.output, report.output] + files:
        assert BASIC not in text and ONPREM_PASSWORD not in text
    assert "Basic ********" in files[1]


# --- Messages that lead to the cause --------------------------------------------------------------------------------


def test_role_failure_is_formatted_from_the_module_fields(simulator, ansible):
    """not_ready_details and last_error, not the module's msg, make the role's failure message."""
    sim = simulator(
        faulted(
            {"path": LIST, "skip": 1, "status": 503, "body": {"message": "Service Unavailable"}},
            instances=[instance(WORKING_ID, "STARTING", name="shop-eu")],
        )
    )
    run = ansible.playbook(
        WAIT_FOR_WORKING_PLAY.replace("HOSTS", "localhost"),
        env=hs_env(sim),
        extra_args=extra_vars(
            wait_for_working_instances=[WORKING_ID], wait_for_working_timeout=2, wait_for_working_poll_interval=0.5
        ),
    )
    assert_clean_failure(run)
    result = [res for state, res in run.results if "not_ready_details" in res][-1]
    assert result["not_ready_details"] == [
        {
            "id": WORKING_ID,
            "name": "shop-eu",
            "status": "STARTING",
            "hint": "it is still starting; give it more time if it usually takes this long",
        }
    ]
    assert "server error (HTTP 503)" in result["last_error"]
    message = failure_messages(run.output)[-1]
    assert message.startswith(
        "wait_for_working: 1 of 1 instances not WORKING after 2 s: %s (shop-eu) STARTING." % WORKING_ID
    )
    assert "Last error while polling: %s." % result["last_error"] in message
    # The module's hint names no option; the role names its own variable, not the module's wait_timeout.
    assert message.endswith(
        "What to do: STARTING: it is still starting; give it more time if it usually takes this long. "
        "To give them more time, raise wait_for_working_timeout."
    )
    assert "wait_timeout" not in message.replace("wait_for_working_timeout", "")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
