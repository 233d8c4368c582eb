# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The deploy gate in the execution environment through ``ansible-navigator run --ee true`` (podman).

Navigator refuses to run an execution environment with podman unless the host has a ``/dev/mqueue``
directory (POSIX message queues).  Machines without one get it for the test, mounted as an mqueue
filesystem, and lose it again afterwards; where that is not allowed the test is skipped, naming why.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
from conftest import BIN, IMAGE, QR_ID, SECRETS, WORKING_ID, awx_credentials_env, ee_build, instance, scenario

MQUEUE = "/dev/mqueue"


@pytest.fixture
def mqueue():
    """/dev/mqueue exists for the test; if the test made it, it is removed afterwards."""
    if os.path.isdir(MQUEUE):
        yield MQUEUE
        return
    try:
        os.mkdir(MQUEUE)
    except OSError as ex:
        pytest.skip(
            "ansible-navigator --ee true with podman needs %s, and this machine does not allow making it: %s"
            % (MQUEUE, ex)
        )
    mounted = (
        subprocess.run(
            ["mount", "-t", "mqueue", "mqueue", MQUEUE], capture_output=True, text=True, check=False
        ).returncode
        == 0
    )
    try:
        yield MQUEUE
    finally:
        if mounted:
            subprocess.run(["umount", MQUEUE], check=False)
        os.rmdir(MQUEUE)


def navigator(workdir, extravars, env, *extra):
    argv = [
        str(BIN / "ansible-navigator"),
        "run",
        "site.yml",
        "--ee",
        "true",
        "--eei",
        IMAGE,
        "--ce",
        "podman",
        "--pp",
        "never",
        "--mode",
        "stdout",
        "--pae",
        "false",
        "--lf",
        str(workdir / "navigator.log"),
        "--co=--network=host",
        "--co=--user=0",
        "-e",
        json.dumps(extravars),
    ]
    for name in sorted(env):
        argv += ["--penv", name]  # passed from navigator's environment into the container
    argv += list(extra)
    run_env = ee_build.podman_env()
    for key in list(run_env):
        if key.startswith(("ANSIBLE_", "HYPERSENDER_", "WA_")):
            del run_env[key]
    home = workdir.parent / "home"  # navigator keeps a cache in ~/.cache
    home.mkdir(exist_ok=True)
    run_env.update(env, NO_PROXY="127.0.0.1,localhost", HOME=str(home))
    started = time.monotonic()
    proc = subprocess.run(
        argv,
        cwd=workdir,
        env=run_env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )
    return proc, time.monotonic() - started


def test_the_deploy_gate_through_navigator(built_image, mqueue, simulator, tmp_path):
    sim = simulator(
        scenario(
            instance(
                WORKING_ID, name="shop-eu", timeline=[{"at": 0, "status": "STARTING"}, {"at": 1, "status": "WORKING"}]
            ),
            instance(QR_ID, "SCAN_QR_CODE", name="shop-us"),
        )
    )
    workdir = tmp_path / "project"
    workdir.mkdir()
    (workdir / "site.yml").write_text(
        "---\n- name: Deploy gate\n  ansible.builtin.import_playbook: hypersender.whatsapp.deploy_gate\n"
    )
    env = awx_credentials_env(sim)

    passed, _seconds = navigator(
        workdir,
        {
            "wait_for_working_instances": [WORKING_ID],
            "wait_for_working_poll_interval": 1,
            "wait_for_working_timeout": 30,
        },
        env,
    )
    assert passed.returncode == 0, (passed.stdout + passed.stderr)[-4000:]
    assert '"DEPLOY GATE: PASSED"' in passed.stdout
    assert "1 of 1 instances WORKING after" in passed.stdout

    failed, _seconds = navigator(
        workdir,
        {
            "wait_for_working_instances": [WORKING_ID, QR_ID],
            "wait_for_working_poll_interval": 1,
            "wait_for_working_timeout": 2,
        },
        env,
    )
    assert failed.returncode != 0
    assert '"DEPLOY GATE: FAILED"' in failed.stdout
    assert "%s (shop-us) SCAN_QR_CODE" % QR_ID in failed.stdout

    assert {r["auth"] for r in sim.requests()} == {"bearer"}
    # Nothing of the job is left next to the playbook (--pae false: no artifact), and no secret in what is.
    assert sorted(p.name for p in workdir.iterdir()) == ["navigator.log", "site.yml"]
    for secret in SECRETS:
        for text in (
            passed.stdout,
            passed.stderr,
            failed.stdout,
            failed.stderr,
            (workdir / "navigator.log").read_text(),
        ):
            assert secret not in text
