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
import socket
import sys

import pytest
from conftest import QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance
from test_roles_playbooks import extra_vars, hs_env

HEALTH = r"/health$"
LIST = r"/instances$"
ONPREM_USER, ONPREM_PASSWORD = "admin", "hunter2-login-password"
BASIC = base64.b64encode(("%s:%s" % (ONPREM_USER, ONPREM_PASSWORD)).encode()).decode()


def faulted(*faults, instances=None):
    scenario = hypersender_scenario(*(instances or [instance(WORKING_ID, "WORKING"), instance(QR_ID, "WORKING")]))
    scenario["faults"] = list(faults)
    return scenario


def connection(sim, **extra):
    return dict({"api_url": sim.hypersender_url, "api_token": TOKEN}, **extra)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_clean_failure(run):
    assert run.rc != 0, run
    assert "Traceback" not in run.output and "MODULE FAILURE" not in run.output, run


# --- A gate must never pass when it should not ----------------------------------------------------------------------


def test_null_fields_render_empty_in_the_report(simulator, ansible):
    """The role's side (a dash in its table): tests/integration/targets/role_wait_for_working/tasks/wait.yml."""
    sim = simulator(faulted(instances=[instance(WORKING_ID, "WORKING", name=None, phone=None, created_at=None)]))
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


# --- Every deadline holds -------------------------------------------------------------------------------------------


def test_trickled_body_ends_at_the_wait_deadline_not_healthy(simulator, ansible):
    sim = simulator(faulted({"path": HEALTH, "trickle": 0.3}))
    run = ansible.module(
        "instance_health", connection(sim, instance=WORKING_ID, wait=True, wait_timeout=3, wait_sleep=1)
    )
    assert_clean_failure(run)
    assert run.result["healthy"] is False and "status" not in run.result
    assert "no complete response within" in run.result["msg"]


def test_trickled_body_ends_the_lookup_at_its_timeout(simulator, ansible):
    sim = simulator(faulted({"path": LIST, "trickle": 0.3}))
    run = ansible.playbook(
        """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ query('hypersender.whatsapp.instance_info', api_url=url, api_token=token, timeout=2, retries=0) }}"
""",
        extra_args=extra_vars(url=sim.hypersender_url, token=TOKEN),
    )
    assert_clean_failure(run)
    assert "no complete response within 2 s" in run.output


def test_endless_body_is_cut_at_the_size_cap(simulator, ansible):
    sim = simulator(faulted({"path": LIST, "status": 200, "endless": True, "raw_body": "[1,"}))
    run = ansible.module("instance_info", connection(sim, retries=0))
    assert_clean_failure(run)
    assert "larger than the 16 MiB this collection reads" in run.result["msg"]


def test_retry_after_past_the_deadline_sends_no_more_requests(simulator, ansible):
    sim = simulator(
        faulted(
            {"path": HEALTH, "status": 429, "body": {"message": "Too Many Attempts."}, "headers": {"Retry-After": "30"}}
        )
    )
    run = ansible.module(
        "instance_health", connection(sim, instance=WORKING_ID, wait=True, wait_timeout=3, wait_sleep=0.5)
    )
    assert_clean_failure(run)
    assert len(sim.requests()) == 1
    assert "allows the next request only in 30 s" in run.result["msg"] and "Retry-After" in run.result["msg"]
    assert run.result["polls"] == 1


@pytest.mark.parametrize(
    "args, option",
    [
        ({"wait": True, "wait_timeout": "nan"}, "wait_timeout"),
        ({"wait": True, "wait_sleep": "nan"}, "wait_sleep"),
        ({"timeout": "nan"}, "timeout"),
        ({"timeout": "inf"}, "timeout"),
        ({"wait": True, "wait_timeout": 1e308}, "wait_timeout"),
        ({"retries": 1000000}, "retries"),
    ],
)
def test_bad_numbers_are_option_errors_before_any_request(simulator, ansible, args, option):
    sim = simulator(faulted())
    run = ansible.module("instance_health", connection(sim, instance=WORKING_ID, **args))
    assert_clean_failure(run)
    assert run.result["msg"].startswith("%s must be a " % option), run.result["msg"]
    assert sim.requests() == []


# --- Nothing leaks, nothing is forged -------------------------------------------------------------------------------


def test_netrc_never_replaces_the_bearer_token(simulator, ansible):
    sim = simulator(faulted())
    netrc = ansible.tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login netrc-user password netrc-secret-password\n")
    netrc.chmod(0o600)
    run = ansible.module("instance_health", {"instance": WORKING_ID}, env=dict(hs_env(sim), NETRC=str(netrc)))
    assert run.rc == 0, run
    assert [call["auth"] for call in sim.requests()] == ["bearer"]
    assert "netrc-secret-password" not in run.output


def test_userinfo_in_api_url_is_refused_before_any_request(simulator, ansible):
    sim = simulator(faulted())
    url = sim.hypersender_url.replace("http://", "http://someone:userinfo-secret@")
    run = ansible.module("instance_health", connection(sim, api_url=url, instance=WORKING_ID))
    assert_clean_failure(run)
    assert "user name or password" in run.result["msg"] and "userinfo-secret" not in run.output
    assert sim.requests() == []


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


def test_huge_ansi_server_message_is_capped_and_cleaned(simulator, ansible):
    message = "\x1b[2J\x1b[31mdisk full\x1b[0m\r\n" + "A" * 5_000_000
    sim = simulator(faulted({"path": LIST, "status": 500, "body": {"message": message}}))
    run = ansible.module("instance_info", connection(sim, retries=0))
    assert_clean_failure(run)
    assert "disk full" in run.result["msg"] and len(run.result["msg"]) < 1000
    assert "\x1b" not in run.output and "\\u001b" not in run.output


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"api_token": "t\u20acken-0123456789"}, "outside latin-1"),
        ({"ca_path": "/nonexistent/ca.pem"}, "ca_path '/nonexistent/ca.pem' does not exist"),
        ({"api_url": "http://[::1"}, "cannot be parsed as a URL"),
    ],
)
def test_bad_input_is_an_option_error_not_a_traceback(simulator, ansible, changes, words):
    sim = simulator(faulted())
    run = ansible.module("instance_health", connection(sim, instance=WORKING_ID, **changes))
    assert_clean_failure(run)
    assert words in run.result["msg"]
    assert sim.requests() == []


# --- Messages that lead to the cause --------------------------------------------------------------------------------


def test_wrong_api_url_path_names_both_causes(simulator, ansible):
    sim = simulator(faulted())
    run = ansible.module("instance_health", connection(sim, api_url=sim.url + "/api/v1", instance=WORKING_ID))
    assert_clean_failure(run)
    message = run.result["msg"]
    assert (
        "check the UUID" in message and "api_url is not the API's base URL" in message and "/api/whatsapp/v1" in message
    )


def test_https_to_a_plain_http_port_says_so(simulator, ansible):
    sim = simulator(faulted())
    run = ansible.module(
        "instance_health",
        connection(sim, api_url=sim.hypersender_url.replace("http://", "https://"), instance=WORKING_ID, retries=0),
    )
    assert_clean_failure(run)
    assert "seems to serve plain HTTP" in run.result["msg"] and "validate_certs: false" not in run.result["msg"]


def test_dead_proxy_is_named_as_the_proxy(ansible):
    proxy = "http://127.0.0.1:%d" % free_port()
    run = ansible.module(
        "instance_health",
        {
            "api_url": "https://api.hypersender.test/api/whatsapp/v1",
            "api_token": TOKEN,
            "instance": WORKING_ID,
            "retries": 0,
        },
        env={"HTTPS_PROXY": proxy, "NO_PROXY": ""},
    )
    assert_clean_failure(run)
    assert "cannot connect through the proxy %s (set by HTTPS_PROXY)" % proxy in run.result["msg"]


def test_polls_counts_the_requests_made_when_a_call_fails(simulator, ansible):
    sim = simulator(
        faulted(
            {"path": HEALTH, "skip": 2, "status": 401, "body": {"message": "Unauthenticated."}},
            instances=[instance(WORKING_ID, "STARTING")],
        )
    )
    run = ansible.module(
        "instance_health", connection(sim, instance=WORKING_ID, wait=True, wait_timeout=60, wait_sleep=0.2)
    )
    assert_clean_failure(run)
    assert run.result["polls"] == 3 == len(sim.requests())


def test_instance_info_warns_about_unknown_statuses(simulator, ansible):
    sim = simulator(faulted(instances=[instance(WORKING_ID, "HIBERNATING")]))
    run = ansible.module("instance_info", connection(sim))
    assert run.rc == 0, run
    assert "report status 'HIBERNATING', which this collection does not know" in " ".join(run.output.split())
    assert run.result["not_ready"] == [WORKING_ID]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
