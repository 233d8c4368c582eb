# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection in its execution environment, run the way AWX runs a job.

The image is the one scripts/ee-build makes from docs/execution-environment/local; each job goes through
``ansible-runner run --process-isolation --process-isolation-executable podman --container-image ...``, with
the credentials as environment variables rendered from the AWX credential types' injectors (docs/awx) and
the job template's extra variables, against the simulator on the host's loopback (host network).
"""

from __future__ import annotations

import json
import os

import yaml
from conftest import (
    ACCESS_TOKEN,
    IMAGE,
    INDEX_PASSWORD,
    QR_ID,
    RUNNER_OWN_RECORDS,
    SECRETS,
    WORKING_ID,
    awx_credentials_env,
    ee_build,
    instance,
    private_data_dir,
    run_in_ee,
    scenario,
)

HA_CONNECTED = {
    "gw1:0a1b2c3d": {"gateway_status": "disconnected", "role": "primary_master"},
    "gw2:4e5f6a7b": {"gateway_status": "disconnected", "role": "secondary_master"},
    "gw3:8c9d0e1f": {"gateway_status": "connected", "role": "coreapp"},
}

# A job template's extra variables.
JOB_TEMPLATE_EXTRA_VARS = {
    "wait_for_working_instances": [WORKING_ID, QR_ID],
    "wait_for_working_poll_interval": 1,
    "wait_for_working_timeout": 30,
    "verify_gateway_topology": "ha",
    "verify_gateway_poll_interval": 1,
    "verify_gateway_timeout": 10,
}


def definition_pin(key):
    text = ee_build.LOCAL_EE_DIR + "/execution-environment.yml"
    with open(text) as handle:
        for line in handle:
            if line.strip().startswith(("package_pip: %s==" % key, "- %s==" % key)):
                return line.split("==", 1)[1].strip()
    raise AssertionError("no pin for %s" % key)


def test_the_image_has_what_the_definition_pins(built_image):
    packages = built_image["packages"]
    assert packages["ansible-core"] == definition_pin("ansible-core")
    assert packages["ansible-runner"] == definition_pin("ansible-runner")
    assert packages["requests"] == definition_pin("requests")
    with open(os.path.join(ee_build.ROOT, "galaxy.yml")) as handle:
        assert packages["collection"] == yaml.safe_load(handle)["version"]
    assert built_image["image"] == IMAGE and built_image["image_size_bytes"] > 0


def test_index_credentials_reach_the_build_but_not_the_image(built_image):
    """The canary index (a password in its URL) was asked by pip during the build, with that password; the image
    keeps no trace of it: not in `podman history`, not in its config, in none of its files; no pip.conf."""
    assert built_image[
        "canary_requests"
    ], "pip in the build never sent the index credential: the settings did not reach it"
    assert any(path.startswith("/simple/") for path in built_image["canary_requests"])
    assert ee_build.image_leaks(IMAGE, [INDEX_PASSWORD]) == []
    assert INDEX_PASSWORD not in built_image["output"]


def test_the_deploy_gate_passes_in_the_ee(built_image, simulator, tmp_path):
    sim = simulator(
        scenario(
            instance(
                WORKING_ID, name="shop-eu", timeline=[{"at": 0, "status": "STARTING"}, {"at": 1, "status": "WORKING"}]
            ),
            instance(QR_ID, name="shop-us"),
            onprem_health=HA_CONNECTED,
        )
    )
    job = run_in_ee(private_data_dir(tmp_path / "job", awx_credentials_env(sim, onprem=True), JOB_TEMPLATE_EXTRA_VARS))
    assert job.status == "successful" and job.rc == 0, job.stdout[-4000:] + job.output[-2000:]
    lines = job.summary()
    assert lines[0] == "DEPLOY GATE: PASSED"
    assert lines[1].startswith("Hypersender instances: PASSED, 2 of 2 instances WORKING after ")
    assert lines[2] == "On-Premises gateway:   PASSED, High Availability, healthy, 3 node(s), 1 connected"
    polled = job.results()["Poll GET /instances until every selected instance is WORKING"]
    assert polled["ready"] == [WORKING_ID, QR_ID]
    # The job ran in the image: its Python and its collection, not the host's.
    start = [e for e in job.events if e.get("event") == "playbook_on_start"]
    assert start and job.results()  # events came back through the container's stdout
    requests = sim.requests()
    assert {r["auth"] for r in requests} == {"bearer", "apikey"}
    assert_no_secret_but_runners_own_records(job)


def test_the_deploy_gate_fails_in_the_ee(built_image, simulator, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, name="shop-eu"), instance(QR_ID, "SCAN_QR_CODE", name="shop-us")))
    extravars = dict(JOB_TEMPLATE_EXTRA_VARS, wait_for_working_timeout=3)
    job = run_in_ee(private_data_dir(tmp_path / "job", awx_credentials_env(sim), extravars))
    assert job.status == "failed" and job.rc != 0, job.stdout[-4000:]
    lines = job.summary()
    assert lines[0] == "DEPLOY GATE: FAILED"
    assert "%s (shop-us) SCAN_QR_CODE" % QR_ID in lines[1]
    assert lines[2] == "On-Premises gateway:   not checked (no WA_ONPREM_URL)"
    failed = job.results("runner_on_failed")
    assert failed["Fail the pipeline step if a gate failed"]["msg"].startswith(
        "deploy_gate: FAILED. Hypersender: wait_for_working"
    )
    assert_no_secret_but_runners_own_records(job)


def test_the_fleet_report_in_the_ee(built_image, simulator, tmp_path):
    sim = simulator(
        scenario(
            instance(WORKING_ID, name="shop-eu"),
            instance(QR_ID, "SCAN_QR_CODE", name="shop-us"),
            onprem_health=HA_CONNECTED,
        )
    )
    # The private data dir is /runner in the container: the report lands in the job's directory on the host.
    pdd = private_data_dir(
        tmp_path / "job",
        awx_credentials_env(sim, onprem=True),
        {"fleet_report_dir": "/runner/reports"},
        playbook="fleet_report",
    )
    job = run_in_ee(pdd)
    assert job.status == "successful", job.stdout[-4000:]
    report = json.loads((pdd / "reports" / "fleet-report.json").read_text())
    assert report["hypersender"]["count"] == 2
    assert {k: v for k, v in report["hypersender"]["by_status"].items() if v} == {"SCAN_QR_CODE": 1, "WORKING": 1}
    assert report["onprem"]["topology"] == "ha" and report["onprem"]["healthy"] is True
    assert "| SCAN_QR_CODE | shop-us |" in (pdd / "reports" / "fleet-report.md").read_text()
    assert "FLEET REPORT written to /runner/reports/fleet-report.md and .json" in job.stdout
    assert ACCESS_TOKEN not in (pdd / "reports" / "fleet-report.json").read_text()
    assert_no_secret_but_runners_own_records(job)


def assert_no_secret_but_runners_own_records(job):
    """No secret in any job event; in the artifacts, only in runner's own records of its input (`command`,
    `env.list`); elsewhere in the private data dir only in env/envvars (AWX's input)."""
    assert not any(secret in json.dumps(job.events) for secret in SECRETS), "a secret reached a job event"
    for secret in SECRETS:
        assert secret not in job.stdout
    holding = job.files_with_secrets()
    artifact_prefix = str(job.artifacts.relative_to(job.pdd)) + "/"
    in_artifacts = {name[len(artifact_prefix) :] for name in holding if name.startswith(artifact_prefix)}
    assert in_artifacts == RUNNER_OWN_RECORDS, holding
    assert holding - {artifact_prefix + name for name in RUNNER_OWN_RECORDS} == {"env/envvars"}, holding
    # The token is there because runner records its input; the other files were all read.
    assert (job.artifacts / "stdout").is_file() and list((job.artifacts / "job_events").glob("*.json"))


IDLE_TIMEOUT = 10  # seconds without output after which ansible-runner stops the job
WAIT = 30  # seconds until the instance turns WORKING: three times the idle timeout


def test_a_long_wait_survives_an_idle_timeout_shorter_than_the_wait(built_image, simulator, tmp_path):
    """AWX kills a job whose output stays silent longer than its idle timeout; the gate reports progress while
    it waits, so a wait longer than that timeout still passes (the reliability issue, 9)."""
    sim = simulator(
        scenario(
            instance(
                WORKING_ID,
                name="shop-eu",
                timeline=[{"at": 0, "status": "STARTING"}, {"at": WAIT, "status": "WORKING"}],
            )
        )
    )
    extravars = {
        "wait_for_working_instances": [WORKING_ID],
        "wait_for_working_poll_interval": 2,
        "wait_for_working_timeout": WAIT * 4,
    }
    # AWX passes the idle timeout in the job's settings (env/settings); ansible-runner's CLI has no flag for it.
    job = run_in_ee(
        private_data_dir(tmp_path / "job", awx_credentials_env(sim), extravars, settings={"idle_timeout": IDLE_TIMEOUT})
    )
    assert job.status == "successful", "status %s after %.0f s:\n%s" % (job.status, job.seconds, job.stdout[-3000:])
    assert job.summary()[0] == "DEPLOY GATE: PASSED"
    ready = [r for r in sim.requests() if r["path"].endswith("/instances")]
    assert len(ready) >= 2  # it really waited
