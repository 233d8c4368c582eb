# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What of the roles only a whole run scanned at -vvvv shows (wait_for_working's token stays secret; its other cases
are in the integration targets role_wait_for_working and role_verify_gateway), the collection playbooks (deploy_gate,
fleet_report), the roles' documentation and scripts/demo, through real runs against the simulator.

Every ansible run goes through the ``ansible`` fixture, which asserts that no secret of the
scenario reaches the output (at -vvvv unless a test says otherwise).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    ACCESS_TOKEN,
    COLLECTION_ROOT,
    ONPREM_API_KEY,
    ONPREM_PASSWORD,
    QR_ID,
    SECRETS,
    TOKEN,
    WORKING_ID,
    hypersender_scenario,
    instance,
)

LIST_PATH = "/api/whatsapp/v1/instances"
BIN = Path(sys.executable).parent

# A progress line every second: the gate's answer comes at most this late after the module's.
PROGRESS = """
  vars:
    wait_for_working_progress_interval: 1
    verify_gateway_progress_interval: 1
"""

WAIT_FOR_WORKING_PLAY = (
    """
- hosts: HOSTS
  gather_facts: false
"""
    + PROGRESS
    + """
  roles:
    - role: hypersender.whatsapp.wait_for_working
"""
)


def hs_env(sim):
    return {"HYPERSENDER_API_URL": sim.hypersender_url, "HYPERSENDER_API_TOKEN": TOKEN}


def onprem_env(sim):
    return {"WA_ONPREM_URL": sim.onprem_url, "WA_API_KEY": ONPREM_API_KEY}


def extra_vars(**values):
    return ["-e", json.dumps(values)]


def list_calls(sim):
    return [r for r in sim.requests() if r["path"] == LIST_PATH]


def debug_lines(output, first):
    """The ``msg`` list of the debug result whose first line starts with ``first``."""
    found = []
    decoder = json.JSONDecoder()
    for match in re.finditer(r'"msg": \[', output):
        start = output.index("[", match.start())
        lines = decoder.raw_decode(output, start)[0]
        if lines and isinstance(lines[0], str) and lines[0].startswith(first):
            found.append(lines)
    assert found, "no summary starting with %r in:\n%s" % (first, output[-4000:])
    return found[-1]


def failure_messages(output):
    """The ``msg`` of every failed task, in order."""
    decoder = json.JSONDecoder()
    messages = []
    for match in re.finditer(r"FAILED! => \{", output):
        messages.append(decoder.raw_decode(output, match.end() - 1)[0].get("msg", ""))
    return messages


def ha_health(core_status, standby_status="disconnected"):
    return {
        "gw1:0a1b2c3d": {"gateway_status": "disconnected", "role": "primary_master"},
        "gw2:4e5f6a7b": {"gateway_status": "disconnected", "role": "secondary_master"},
        "gw3:8c9d0e1f": {"gateway_status": core_status, "role": "coreapp"},
        "gw4:2a3b4c5d": {"gateway_status": standby_status, "role": "coreapp"},
    }


def onprem_scenario(timeline):
    return {
        "onprem": {
            "api_keys": [ONPREM_API_KEY],
            "users": {"admin": ONPREM_PASSWORD},
            "timeline": [{"at": at, "health": health} for at, health in timeline],
        }
    }


def needs_onprem_module():
    if not (COLLECTION_ROOT / "plugins" / "modules" / "onprem_health.py").is_file():
        pytest.skip("hypersender.whatsapp.onprem_health is not in this tree yet")


# --- wait_for_working ---------------------------------------------------------------------------------------------


def test_wait_for_working_token_in_a_variable_stays_secret(simulator, ansible):
    """The one variable of each setting (whatsapp_hypersender_<option>) beats the environment, and no token shows."""
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING")))
    run = ansible.playbook(
        WAIT_FOR_WORKING_PLAY.replace("HOSTS", "localhost"),
        env={"HYPERSENDER_API_TOKEN": "not-the-token-0000"},
        extra_args=extra_vars(
            whatsapp_hypersender_api_url=sim.hypersender_url,
            whatsapp_hypersender_api_token=TOKEN,
            wait_for_working_instances=[WORKING_ID],
        ),
    )
    assert run.rc == 0, run  # the variable beats the environment; the fixture checked the output at -vvvv
    assert [r["auth"] for r in sim.requests()] == ["bearer"]
    assert "DEPRECATION" not in run.output


def test_wait_for_working_api_error_is_reported_without_the_token(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING")))
    run = ansible.playbook(
        WAIT_FOR_WORKING_PLAY.replace("HOSTS", "localhost"),
        env={"HYPERSENDER_API_URL": sim.hypersender_url, "HYPERSENDER_API_TOKEN": "wrong-token-1234"},
        extra_args=extra_vars(wait_for_working_instances=[WORKING_ID], wait_for_working_timeout=2),
    )
    assert run.rc == 2, run
    assert "wrong-token-1234" not in run.output
    lines = debug_lines(run.output, "wait_for_working: FAILED")
    assert "401" in lines[0] or "token" in lines[0].lower()
    assert failure_messages(run.output)[-1].startswith("wait_for_working: ")


# --- the collection playbooks ---------------------------------------------------------------------------------------


def both_scenario(onprem_timeline):
    scenario = hypersender_scenario(
        instance(
            WORKING_ID, name="shop-eu", timeline=[{"at": 0, "status": "STARTING"}, {"at": 1, "status": "WORKING"}]
        ),
        instance(QR_ID, "WORKING", name="shop-us"),
    )
    scenario.update(onprem_scenario(onprem_timeline))
    return scenario


FAST = [
    "-e",
    "wait_for_working_poll_interval=0.5",
    "-e",
    "verify_gateway_poll_interval=0.5",
    "-e",
    "wait_for_working_progress_interval=1",
    "-e",
    "verify_gateway_progress_interval=1",
    "-e",
    "wait_for_working_all=true",
]


def test_deploy_gate_runs_as_a_collection_playbook(simulator, ansible):
    needs_onprem_module()
    sim = simulator(both_scenario([(0, ha_health("connecting")), (1, ha_health("connected"))]))
    run = ansible(
        ["hypersender.whatsapp.deploy_gate"] + FAST,
        command="ansible-playbook",
        env=dict(hs_env(sim), **onprem_env(sim)),
    )
    assert run.rc == 0, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: PASSED"
    assert summary[1].startswith("Hypersender instances: PASSED, 2 of 2 instances WORKING after ")
    assert summary[2].startswith("On-Premises gateway:   PASSED, High Availability, healthy, 4 node(s), 1 connected")


def test_deploy_gate_runs_both_gates_and_fails_with_both_reasons(simulator, ansible):
    needs_onprem_module()
    scenario = both_scenario([(0, ha_health("disconnected"))])
    scenario["hypersender"]["instances"][1] = instance(QR_ID, "SCAN_QR_CODE", name="shop-us")
    sim = simulator(scenario)
    run = ansible(
        [
            "hypersender.whatsapp.deploy_gate",
            "-e",
            "wait_for_working_timeout=1.5",
            "-e",
            "verify_gateway_timeout=1.5",
            "-e",
            "verify_gateway_topology=ha",
        ]
        + FAST,
        command="ansible-playbook",
        env=dict(hs_env(sim), **onprem_env(sim)),
    )
    assert run.rc == 2, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: FAILED"
    # The verdict of each gate in a few words; the reasons are said once, in the failure.
    assert re.match(
        r"Hypersender instances: FAILED, 1 of 2 instances not WORKING after \d+\.\d s \(\d+ polls\)$", summary[1]
    )
    assert summary[2].startswith(
        "On-Premises gateway:   FAILED, High Availability, NOT healthy, 4 node(s), 0 connected"
    )
    message = failure_messages(run.output)[-1]
    assert message.startswith("deploy_gate: FAILED. Hypersender: wait_for_working: ")
    assert "%s (shop-us) SCAN_QR_CODE" % QR_ID in message and "On-Premises: verify_gateway: " in message


def test_deploy_gate_says_a_failure_once_without_async_lines_or_rescues(simulator, ansible):
    """One wrong token: its reason once in the summary and once in the one failure; no async job lines, no rescue
    (issue 20, item 6). Progress lines while waiting stay."""
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING")))
    run = ansible(
        ["hypersender.whatsapp.deploy_gate", "-e", "wait_for_working_all=true"],
        command="ansible-playbook",
        env={
            "HYPERSENDER_API_URL": sim.hypersender_url,
            "HYPERSENDER_API_TOKEN": "wrong-token-1234",
            "ANSIBLE_STDOUT_CALLBACK": "default",
        },
        verbosity="",
    )
    assert run.rc == 2, run
    reason = "the Hypersender API rejected the credentials (HTTP 401)"
    before, failure = run.output.split("TASK [Fail the pipeline step if a gate failed]")
    assert before.count(reason) == 1, run  # the gate's summary
    assert "Hypersender instances: FAILED, no verdict" in before
    assert failure.count("fatal:") == 1 and reason in failure.split("fatal:")[1]
    assert run.output.count("fatal:") == 1 and "ASYNC" not in run.output and "jid=" not in run.output
    assert re.search(r"rescued=0 +ignored=0", run.output), run


def test_deploy_gate_hypersender_only_and_check_mode(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING"), instance(QR_ID, "SCAN_QR_CODE")))
    run = ansible(
        ["hypersender.whatsapp.deploy_gate", "-C", "-e", "wait_for_working_all=true"],
        command="ansible-playbook",
        env=hs_env(sim),
    )
    assert run.rc == 0, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary == [
        "DEPLOY GATE: CHECK MODE (nothing waited for)",
        "Hypersender instances: CHECK MODE, not waited: 1 of 2 instances WORKING",
        "On-Premises gateway:   not checked (no WA_ONPREM_URL)",
        "Cloud API numbers:     not checked (no WA_CLOUD_TOKEN)",
    ]
    assert len(list_calls(sim)) == 1


def test_deploy_gate_refuses_to_check_nothing(ansible):
    run = ansible(["hypersender.whatsapp.deploy_gate"], command="ansible-playbook")
    assert run.rc == 2, run
    assert "deploy_gate: nothing to check. Set HYPERSENDER_API_TOKEN" in failure_messages(run.output)[-1]
    assert "WA_CLOUD_TOKEN" in failure_messages(run.output)[-1] and "_cloud to true" in failure_messages(run.output)[-1]


def test_fleet_report_refuses_to_report_nothing_naming_every_service(ansible):
    run = ansible(["hypersender.whatsapp.fleet_report"], command="ansible-playbook")
    assert run.rc == 2, run
    message = failure_messages(run.output)[-1]
    assert message.startswith(
        "fleet_report: nothing to report. Set HYPERSENDER_API_TOKEN for the Hypersender instances"
    )
    assert "WA_ONPREM_URL" in message and "WA_CLOUD_TOKEN" in message, message
    assert list(ansible.tmp_path.glob("fleet-report.*")) == []


def test_deploy_gate_with_localhost_in_the_inventory(simulator, ansible):
    """The interpreter-discovery trap: an inventory naming localhost, discovery left on."""
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING")))
    inventory = ansible.tmp_path / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local\n")
    run = ansible(
        ["hypersender.whatsapp.deploy_gate", "-i", str(inventory), "-e", "wait_for_working_all=true"],
        command="ansible-playbook",
        env=dict(hs_env(sim), ANSIBLE_PYTHON_INTERPRETER="auto_silent"),
        verbosity="-v",
    )
    assert run.rc == 0, run
    assert debug_lines(run.output, "DEPLOY GATE:")[0] == "DEPLOY GATE: PASSED"


def test_deploy_gate_on_many_hosts_polls_once(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING"), instance(QR_ID, "WORKING")))
    inventory = ansible.tmp_path / "hosts.yml"
    hosts = {"web%02d" % n: {"ansible_connection": "local"} for n in range(8)}
    inventory.write_text(json.dumps({"all": {"children": {"web": {"hosts": hosts}}}}))
    run = ansible(
        [
            "hypersender.whatsapp.deploy_gate",
            "-i",
            str(inventory),
            "-e",
            "deploy_gate_hosts=web",
            "-f",
            "8",
            "-e",
            "wait_for_working_all=true",
        ],
        command="ansible-playbook",
        env=hs_env(sim),
        verbosity="-v",
    )
    assert run.rc == 0, run
    assert len(list_calls(sim)) == 1
    assert run.output.count('"DEPLOY GATE: PASSED"') == 1
    assert "web07 | SUCCESS" in run.output


def test_fleet_report_writes_json_and_markdown(simulator, ansible):
    needs_onprem_module()
    scenario = both_scenario([(0, ha_health("connected"))])
    scenario["hypersender"]["instances"][0] = instance(WORKING_ID, "WORKING", name="shop-eu")
    scenario["hypersender"]["instances"].append(instance(QR_ID.replace("c9", "d9"), "SCAN_QR_CODE", name="shop-asia"))
    sim = simulator(scenario)
    run = ansible(
        ["hypersender.whatsapp.fleet_report", "-e", "fleet_report_dir=reports"],
        command="ansible-playbook",
        env=dict(hs_env(sim), **onprem_env(sim)),
    )
    assert run.rc == 0, run
    report_dir = ansible.tmp_path / "reports"
    data = json.loads((report_dir / "fleet-report.json").read_text())
    assert data["hypersender"]["count"] == 3
    assert data["hypersender"]["by_status"]["WORKING"] == 2 and data["hypersender"]["by_status"]["SCAN_QR_CODE"] == 1
    assert data["onprem"]["topology"] == "ha" and data["onprem"]["healthy"] is True
    assert {node["name"] for node in data["onprem"]["nodes"]} == set(ha_health("connected"))
    markdown = (report_dir / "fleet-report.md").read_text()
    assert markdown.startswith("# WhatsApp fleet report")
    assert "| Status | Name | Instance | Phone | Created |" in markdown
    assert "| SCAN_QR_CODE | shop-asia |" in markdown
    assert "| gw3:8c9d0e1f | coreapp | connected |" in markdown
    for path in report_dir.iterdir():
        text = path.read_text()
        for secret in SECRETS:
            assert secret not in text, "a secret reached %s" % path.name
        assert "access_token" not in text
    summary = debug_lines(run.output, "FLEET REPORT written to")
    assert summary[1] == "Hypersender: 3 instance(s): 2 WORKING, 1 SCAN_QR_CODE"
    assert summary[2] == "On-Premises: High Availability, healthy"


def test_fleet_report_hypersender_only(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING"), instance(QR_ID, "STOPPED")))
    run = ansible(
        ["hypersender.whatsapp.fleet_report", "-e", "fleet_report_dir=out", "-e", "fleet_report_name=fleet"],
        command="ansible-playbook",
        env=hs_env(sim),
    )
    if run.rc != 0 and "hypersender.whatsapp.onprem" in run.output:
        pytest.skip("the action group hypersender.whatsapp.onprem is not in meta/runtime.yml yet")
    assert run.rc == 0, run
    data = json.loads((ansible.tmp_path / "out" / "fleet.json").read_text())
    assert data["onprem"] == {"checked": False}
    assert data["hypersender"]["by_status"]["STOPPED"] == 1
    assert "Not checked: no On-Premises URL" in (ansible.tmp_path / "out" / "fleet.md").read_text()
    assert debug_lines(run.output, "FLEET REPORT")[1] == "Hypersender: 2 instance(s): 1 WORKING, 1 STOPPED"


# --- documentation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, options",
    [
        (
            "wait_for_working",
            ["wait_for_working_instances", "wait_for_working_poll_interval", "wait_for_working_fail_on"],
        ),
        ("verify_gateway", ["verify_gateway_topology", "verify_gateway_shards", "verify_gateway_timeout"]),
        ("verify_cloud", ["verify_cloud_waba_id", "verify_cloud_allow_limited", "verify_cloud_poll_interval"]),
    ],
)
def test_ansible_doc_renders_the_roles(ansible, role, options):
    run = ansible(["-t", "role", "hypersender.whatsapp." + role], command="ansible-doc", verbosity="")
    assert run.rc == 0, run
    for option in options:
        assert option in run.output


# --- scripts/demo -------------------------------------------------------------------------------------------------


def test_demo_waits_and_passes(tmp_path):
    needs_onprem_module()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "HYPERSENDER_", "WA_"))}
    env.update(HSW_VENV=str(BIN.parent), TMPDIR=str(tmp_path), NO_PROXY="127.0.0.1,localhost")
    completed = subprocess.run(
        [str(COLLECTION_ROOT / "scripts" / "demo")], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-5000:]
    assert "[simulator" in output and "GET /instances" in output and "SCAN_QR_CODE" in output
    assert "wait_for_working: PASSED, 3 of 3 instances WORKING" in output
    assert "DEPLOY GATE: PASSED" in output
    # All three services are checked, the Cloud API (the path after the On-Premises sunset) included.
    assert "Hypersender instances: PASSED, 3 of 3 instances WORKING" in output
    assert "On-Premises gateway:   PASSED, High Availability, healthy" in output
    assert "Cloud API numbers:     PASSED, 2 of 2 number(s) can send (LIMITED)" in output
    assert "not checked" not in output
    assert "GET /v23.0/102290129340398/phone_numbers" in output
    assert "demo: simulator stopped" in output
    assert list(tmp_path.iterdir()) == [], "the demo left files behind"


# molecule (extensions/molecule) and ansible-lint run as sessions of their own: see noxfile.py, antsibull-nox.toml.


def test_no_secret_constant_is_a_real_looking_token():
    """The tests' secrets are the simulator's; none of them is left in a file of this issue outside the tests."""
    for path in list((COLLECTION_ROOT / "roles").rglob("*")) + list((COLLECTION_ROOT / "playbooks").rglob("*")):
        if path.is_file():
            text = path.read_text()
            for secret in (TOKEN, ONPREM_API_KEY, ONPREM_PASSWORD, ACCESS_TOKEN):
                assert secret not in text, "%s holds a secret" % path
