# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deploy gate run the way AWX / Automation Controller runs a job template: through ansible-runner.

A private data dir holds what AWX would hand to the runner: the project (a site.yml importing
``hypersender.whatsapp.deploy_gate``, with the collection installed next to it as a project sync or
an execution environment would), the inventory (``localhost`` named explicitly, as AWX inventories
do), the credentials as environment variables (what the custom credential types in docs/awx/
inject), and the job template's extra variables. Both paths are run: the Python API
(``ansible_runner.run``) and AWX's own ``ansible-runner transmit | worker | process``.
The job's events must carry the summary, and neither the events nor any artifact a secret.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import COLLECTION_ROOT, ONPREM_API_KEY, QR_ID, SECRETS, TOKEN, WORKING_ID, hypersender_scenario, instance

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("ansible_runner") is None, reason="ansible-runner is not installed in this venv"
    ),
    # The runner forks a pty for the job; under pytest-xdist the worker has threads of its own. The child execs
    # ansible-playbook at once, so Python's warning about forking a multi-threaded process does not apply.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]

BIN = Path(sys.executable).parent
# What an installed collection holds (ansible-galaxy collection install), not the tests or the venvs.
COLLECTION_CONTENT = ("galaxy.yml", "meta", "plugins", "roles", "playbooks", "README.md", "requirements.txt")

HA_CONNECTED = {
    "gw1:0a1b2c3d": {"gateway_status": "disconnected", "role": "primary_master"},
    "gw2:4e5f6a7b": {"gateway_status": "disconnected", "role": "secondary_master"},
    "gw3:8c9d0e1f": {"gateway_status": "connected", "role": "coreapp"},
}
HA_NO_COREAPP = dict(HA_CONNECTED, **{"gw3:8c9d0e1f": {"gateway_status": "disconnected", "role": "coreapp"}})


def scenario(health, qr_status="WORKING"):
    data = hypersender_scenario(
        instance(
            WORKING_ID, name="shop-eu", timeline=[{"at": 0, "status": "STARTING"}, {"at": 1, "status": "WORKING"}]
        ),
        instance(QR_ID, qr_status, name="shop-us"),
    )
    data["onprem"] = {"api_keys": [ONPREM_API_KEY], "health": health}
    return data


def private_data_dir(root, sim, extravars):
    """An ansible-runner private data dir laid out as AWX lays one out for a job."""
    project = root / "project"
    installed = project / "collections" / "ansible_collections" / "hypersender" / "whatsapp"
    installed.mkdir(parents=True)
    for name in COLLECTION_CONTENT:
        source = COLLECTION_ROOT / name
        if source.is_dir():
            shutil.copytree(source, installed / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.is_file():
            shutil.copy2(source, installed / name)
    (project / "site.yml").write_text(
        "---\n- name: Deploy gate\n  ansible.builtin.import_playbook: hypersender.whatsapp.deploy_gate\n"
    )
    (root / "inventory").mkdir()
    (root / "inventory" / "hosts").write_text("localhost ansible_connection=local\n")
    env = root / "env"
    env.mkdir()
    # The credential types of docs/awx inject these; AWX writes them to env/envvars for the runner.
    (env / "envvars").write_text(
        json.dumps(
            {
                "HYPERSENDER_API_URL": sim.hypersender_url,
                "HYPERSENDER_API_TOKEN": TOKEN,
                "WA_ONPREM_URL": sim.onprem_url,
                "WA_API_KEY": ONPREM_API_KEY,
                "WA_ONPREM_TOKEN": "",
                "WA_WEB_USERNAME": "",
                "WA_WEB_PASSWORD": "",
                "NO_PROXY": "127.0.0.1,localhost",
                "ANSIBLE_LOCAL_TEMP": str(root / "ansible-local"),
                "ANSIBLE_HOME": str(root / "ansible-home"),
            }
        )
    )
    (env / "extravars").write_text(json.dumps(extravars))
    (env / "settings").write_text("---\nprocess_isolation: false\n")
    return root


EXTRAVARS = {
    "wait_for_working_instances": [WORKING_ID, QR_ID],
    "wait_for_working_poll_interval": 0.5,
    "wait_for_working_timeout": 2,
    "verify_gateway_topology": "ha",
    "verify_gateway_poll_interval": 0.5,
    "verify_gateway_timeout": 2,
}


@pytest.fixture
def runner_env(monkeypatch):
    """The runner starts ansible-playbook from PATH, as in an execution environment; no stray Ansible settings."""
    for key in list(os.environ):
        if key.startswith(("ANSIBLE_", "HYPERSENDER_", "WA_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PATH", str(BIN) + os.pathsep + os.environ.get("PATH", ""))


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def event_stdout(events):
    """The job's output as AWX shows it, without colours."""
    return ANSI.sub("", "\n".join(event.get("stdout", "") for event in events)).replace("\r\n", "\n")


# Files that are the runner's copy of its own input: env/ (the credentials AWX hands over), project/, and the
# ``command`` artifact, where ansible-runner records the command line with the whole environment it was given.
RUNNER_INPUT = ("env", "project", "inventory")
RUNNER_INPUT_ARTIFACTS = ("command",)


def assert_no_secret(events, *roots):
    """No secret in any event, nor in any artifact the job produced (stdout, stderr, job_events, fact_cache...)."""
    text = json.dumps(list(events))
    for secret in SECRETS:
        assert secret not in text, "a secret reached a job event"
    checked = 0
    for root in roots:
        for path in Path(root).rglob("*"):
            relative = path.relative_to(root).parts
            if not path.is_file() or relative[0] in RUNNER_INPUT or path.name in RUNNER_INPUT_ARTIFACTS:
                continue
            content = path.read_bytes()
            checked += 1
            for secret in SECRETS:
                assert secret.encode() not in content, "a secret reached the artifact %s" % path
    assert checked or not roots, "no artifact was checked"


def summary_lines(stdout):
    start = stdout.index('"DEPLOY GATE: ')
    end = stdout.index("]", start)
    return json.loads("[" + stdout[start:end] + "]")


def test_deploy_gate_through_the_runner_python_api(cli_simulator, runner_env, tmp_path):
    import ansible_runner  # pylint: disable=import-outside-toplevel

    sim = cli_simulator(scenario(HA_CONNECTED))
    pdd = private_data_dir(tmp_path / "job", sim, EXTRAVARS)
    result = ansible_runner.run(private_data_dir=str(pdd), playbook="site.yml", quiet=True)
    events = list(result.events)
    stdout = event_stdout(events)
    assert result.status == "successful", stdout[-4000:]
    assert result.rc == 0
    assert summary_lines(stdout) == [
        "DEPLOY GATE: PASSED",
        summary_lines(stdout)[1],
        "On-Premises gateway:   PASSED, High Availability, healthy, 3 node(s), 1 connected",
        "Cloud API numbers:     not checked (no WA_CLOUD_TOKEN)",
    ]
    assert summary_lines(stdout)[1].startswith("Hypersender instances: PASSED, 2 of 2 instances WORKING after ")
    assert "wait_for_working: PASSED, 2 of 2 instances WORKING" in stdout
    assert "verify_gateway: PASSED, High Availability gateway healthy" in stdout
    # The gate's results are in the structured events too, the way AWX shows them.
    ok_events = [e for e in events if e.get("event") == "runner_on_ok"]
    results = {e["event_data"].get("task"): e["event_data"].get("res", {}) for e in ok_events}
    polled = results["Wait for the instances to be WORKING (restarting them and showing QR codes when asked)"]
    assert polled["ready"] == [WORKING_ID, QR_ID]
    stats = [e for e in events if e.get("event") == "playbook_on_stats"][-1]["event_data"]
    assert stats["failures"] == {} and stats["changed"] == {}
    assert_no_secret(events, pdd)
    assert {r["auth"] for r in sim.requests()} == {"bearer", "apikey"}


def test_failing_gate_through_the_runner_python_api(cli_simulator, runner_env, tmp_path):
    import ansible_runner  # pylint: disable=import-outside-toplevel

    sim = cli_simulator(scenario(HA_NO_COREAPP, qr_status="SCAN_QR_CODE"))
    pdd = private_data_dir(tmp_path / "job", sim, EXTRAVARS)
    result = ansible_runner.run(private_data_dir=str(pdd), playbook="site.yml", quiet=True)
    events = list(result.events)
    stdout = event_stdout(events)
    assert result.status == "failed", stdout[-4000:]
    lines = summary_lines(stdout)
    assert lines[0] == "DEPLOY GATE: FAILED"
    assert lines[1].startswith("Hypersender instances: FAILED, 1 of 2 instances not WORKING after ")
    assert lines[2].startswith("On-Premises gateway:   FAILED, High Availability, NOT healthy")
    failed = [e for e in events if e.get("event") == "runner_on_failed" and not e["event_data"].get("ignore_errors")]
    assert len(failed) == 1, "one failure, the deploy gate's"
    message = failed[-1]["event_data"]["res"]["msg"]
    assert message.startswith("deploy_gate: FAILED. Hypersender: wait_for_working: 1 of 2")
    assert "%s (shop-us) SCAN_QR_CODE" % QR_ID in message and "No coreapp is connected" in message
    assert_no_secret(events, pdd)


def test_deploy_gate_through_transmit_worker_process(cli_simulator, runner_env, tmp_path):
    """AWX's own path: the control node transmits the job, an execution node's worker runs it, the control node
    processes the stream into artifacts and events."""
    sim = cli_simulator(scenario(HA_CONNECTED))
    pdd = private_data_dir(tmp_path / "job", sim, EXTRAVARS)
    worker_dir = tmp_path / "worker"
    processed = tmp_path / "processed"
    worker_dir.mkdir()
    processed.mkdir()
    runner = str(BIN / "ansible-runner")
    pipeline = "%s transmit %s -p site.yml | %s worker --private-data-dir %s | %s process %s" % (
        runner,
        pdd,
        runner,
        worker_dir,
        runner,
        processed,
    )
    completed = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=dict(os.environ),
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]
    artifact = processed / "artifacts"
    assert (artifact / "status").read_text().strip() == "successful"
    assert (artifact / "rc").read_text().strip() == "0"
    event_files = sorted((artifact / "job_events").glob("*.json"), key=lambda path: int(path.name.split("-", 1)[0]))
    events = [json.loads(path.read_text()) for path in event_files]
    stdout = event_stdout(events)
    assert summary_lines(stdout)[0] == "DEPLOY GATE: PASSED"
    assert "wait_for_working: PASSED, 2 of 2 instances WORKING" in stdout
    assert "verify_gateway: PASSED, High Availability gateway healthy" in stdout
    for secret in SECRETS:
        assert secret not in completed.stdout + completed.stderr
    assert_no_secret(events, processed, worker_dir)
