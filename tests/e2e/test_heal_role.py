# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The self-healing wait_for_working gate through real ansible-playbook runs whose output a process reads while
they run (to scan the QR codes they print, and to look for secrets at -vvvv), with time compressed: the API's
one-minute rate-limit window is WINDOW seconds here. The gate's other cases are in the integration targets
role_wait_for_working (the role) and module_fleet_heal (the module)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import requests
from conftest import SECRETS, TOKEN, hypersender_scenario
from qr_scanner import LiveQrScanner

pytest.importorskip("zxingcpp", reason="zxing-cpp decodes the QR codes the gate prints")
pytest.importorskip("png", reason="pypng reads the QR code PNGs")

WINDOW = 4.0  # the API's minute, compressed 15x
QR = re.compile(r"/request-new-qr-code$")


def format_seconds(seconds):
    return "%g" % round(seconds, 1)


def fleet(failed=10, scan=0, working=10, seed=11):
    """``failed`` FAILED (linked: a restart brings them back), ``scan`` in SCAN_QR_CODE, ``working`` WORKING."""
    ids = [str(uuid.UUID(int=seed * 1000 + n, version=4)) for n in range(failed + scan + working)]
    statuses = ["FAILED"] * failed + ["SCAN_QR_CODE"] * scan + ["WORKING"] * working
    instances = [
        {
            "id": uid,
            "name": "heal-%02d" % n,
            "status": status,
            **({"access_token": None} if status == "SCAN_QR_CODE" else {}),
        }
        for n, (uid, status) in enumerate(zip(ids, statuses))
    ]
    actions = {
        "stopped_for": 0.3,
        "starting_for": 0.7,
        "qr_valid": WINDOW,
        "rate_limits": {
            "create": {"requests": 5, "window": WINDOW},
            "restart": {"requests": 5, "window": WINDOW},
            "qr": {"requests": 1, "window": WINDOW},
        },
    }
    return hypersender_scenario(*instances, hypersender={"actions": actions}), ids


def gate_play(ids, **role_vars):
    variables = dict(
        wait_for_working_instances=ids,
        wait_for_working_poll_interval=0.5,
        wait_for_working_timeout=90,
        wait_for_working_rate_window=WINDOW,
    )
    variables.update(role_vars)
    return textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          roles:
            - role: hypersender.whatsapp.wait_for_working
              vars: %s
    """) % json.dumps(variables)


@pytest.fixture
def live_playbook(collections_path, tmp_path):
    """Run a playbook at -vvvv while a LiveQrScanner reads its output; returns (rc, scanner)."""

    def run(text, sim, scan=True, args=()):
        path = tmp_path / "gate.yml"
        path.write_text(text)
        bin_dir = Path(sys.executable).parent
        env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "HYPERSENDER_"))}
        env.update(
            {
                "ANSIBLE_COLLECTIONS_PATH": collections_path,
                "ANSIBLE_STDOUT_CALLBACK": "default",
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_LOCALHOST_WARNING": "0",
                "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
                "ANSIBLE_RETRY_FILES_ENABLED": "0",
                "ANSIBLE_HOME": str(tmp_path / "home"),
                "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"),
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "PATH": str(bin_dir) + os.pathsep + env.get("PATH", ""),
                "NO_PROXY": "127.0.0.1,localhost",
                "HYPERSENDER_API_URL": sim.hypersender_url,
                "HYPERSENDER_API_TOKEN": TOKEN,
                "TMPDIR": str(tmp_path),
            }
        )
        proc = subprocess.Popen(
            [str(bin_dir / "ansible-playbook"), str(path), "-vvvv", *args],
            env=env,
            cwd=str(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        scanner = LiveQrScanner(proc.stdout, sim.url, scan=scan)
        scanner.start()
        try:
            rc = proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
        scanner.join(timeout=30)
        for secret in SECRETS:
            assert secret not in scanner.output
        return rc, scanner

    return run


def assert_no_live_secret(sim, output):
    """No instance's access token, and no QR payload as text, in the output (the drawings are asked for)."""
    auth = {"Authorization": "Bearer " + TOKEN}
    listing = requests.get(sim.hypersender_url + "/instances", headers=auth, timeout=5).json()
    secrets = [item["access_token"] for item in listing if item["access_token"]]
    secrets += [item["payload"] for item in requests.get(sim.url + "/_sim/qr", timeout=5).json().values()]
    assert secrets
    for secret in secrets:
        assert secret not in output


def posts(sim, pattern):
    return [entry for entry in sim.requests() if entry["method"] == "POST" and pattern.search(entry["path"])]


def assert_paced(entries, limit, window):
    """No more than ``limit`` answered requests inside any ``window`` seconds of the log."""
    times = [entry["t"] for entry in entries if entry["status"] == 200]
    for index in range(limit, len(times)):
        assert times[index] - times[index - limit] >= window, (index, times)


def test_qr_codes_printed_scanned_from_the_log_and_the_gate_passes(simulator, live_playbook, tmp_path):
    scenario, ids = fleet(failed=2, scan=3, working=1)
    sim = simulator(scenario)
    qr_dir = tmp_path / "qr"
    qr_dir.mkdir()
    rc, run = live_playbook(
        gate_play(
            ids, wait_for_working_restart=["FAILED"], wait_for_working_show_qr=True, wait_for_working_qr_dir=str(qr_dir)
        ),
        sim,
    )
    assert rc == 0, run.output[-4000:]
    assert run.errors == []
    assert sorted(instance for instance, status in run.scanned) == sorted(ids[2:5])
    assert all(status == 200 for instance, status in run.scanned)
    codes = posts(sim, QR)
    assert len(codes) == 3 and all(entry["status"] == 200 for entry in codes), "one code each, no 429"
    assert_paced(codes, 1, WINDOW)
    assert sorted(p.name for p in qr_dir.iterdir()) == ["heal-02.png", "heal-03.png", "heal-04.png"]
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in qr_dir.iterdir())
    assert "Whoever scans it links their WhatsApp account to this instance" in run.output
    assert "3 QR code(s) shown for 3 instance(s)" in run.output


def test_qr_refreshed_at_most_once_a_window_in_one_task_while_nobody_scans(simulator, live_playbook):
    """Nobody scans: a new code at most once a window, each printed and decodable, no QR payload nor access token in
    the output at -vvvv; the rounds go on inside one fleet_heal task, and the gate ends at its one deadline, not a new
    one per round."""
    scenario, ids = fleet(failed=0, scan=1, working=1)
    sim = simulator(scenario)
    timeout = 3 * WINDOW + 1
    rc, run = live_playbook(
        gate_play(ids, wait_for_working_show_qr=True, wait_for_working_timeout=timeout), sim, scan=False
    )
    assert rc != 0
    codes = posts(sim, QR)
    assert len(codes) >= 2, "a new code once a window passed: %s" % codes  # how many more depends on the machine
    assert_paced(codes, 1, WINDOW)
    assert [entry for entry in sim.requests() if entry["status"] == 429] == []
    assert len(run.scanned) == len(codes), "every code requested was printed and decodes"
    assert_no_live_secret(sim, run.output)
    # One deadline over every round: one task waits (no second wait, no task file per round); the rule itself is
    # tests/unit/plugins/module_utils/test_heal_gate.py::test_one_deadline_over_every_round (no bound on wall time here).
    assert run.output.count("TASK [hypersender.whatsapp.wait_for_working : Wait for the instances") == 1
    assert "included:" not in run.output, "no task file included once per round"
    assert "wait_for_working: 1 of 2 instances not WORKING after %s s" % format_seconds(timeout) in run.output
    # No action past that deadline, however late a round starts on a loaded machine (the simulator's clock counts from
    # the first request): at most one QR request decided before the deadline arrives after it.
    requests = sim.requests()
    late = [entry for entry in requests if entry["method"] == "POST" and entry["t"] > requests[0]["t"] + timeout]
    assert len(late) <= 1, "no healing round acts after the deadline: %s" % late
