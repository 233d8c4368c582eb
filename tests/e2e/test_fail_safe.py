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

import pytest
from conftest import QR_ID, WORKING_ID, hypersender_scenario, instance
from test_roles_playbooks import hs_env

LIST = r"/instances$"
ONPREM_USER, ONPREM_PASSWORD = "admin", "hunter2-login-password"
BASIC = base64.b64encode(("%s:%s" % (ONPREM_USER, ONPREM_PASSWORD)).encode()).decode()


def faulted(*faults, instances=None):
    scenario = hypersender_scenario(*(instances or [instance(WORKING_ID, "WORKING"), instance(QR_ID, "WORKING")]))
    scenario["faults"] = list(faults)
    return scenario


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
