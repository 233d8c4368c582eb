# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The self-healing wait_for_working gate through real ansible-playbook runs, with time compressed:
the API's one-minute rate-limit window is WINDOW seconds here."""

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
from ansible.release import __version__ as ansible_version
from conftest import SECRETS, TOKEN, hypersender_scenario
from qr_scanner import LiveQrScanner

pytest.importorskip("zxingcpp", reason="zxing-cpp decodes the QR codes the gate prints")
pytest.importorskip("png", reason="pypng reads the QR code PNGs")

WINDOW = 4.0  # the API's minute, compressed 15x
RESTART = re.compile(r"/restart$")
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


OLD_CORE = tuple(int(part) for part in ansible_version.split(".")[:2]) < (2, 17)


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


def test_twenty_instances_ten_failed_every_restart_paced_no_429(simulator, live_playbook):
    scenario, ids = fleet(failed=10, working=10)
    sim = simulator(scenario)
    rc, run = live_playbook(gate_play(ids, wait_for_working_restart=["FAILED", "STOPPED"]), sim)
    assert rc == 0, run.output[-4000:]
    restarts = posts(sim, RESTART)
    assert sorted(entry["path"].split("/")[-2] for entry in restarts) == sorted(
        ids[:10]
    ), "each FAILED one restarted once"
    assert [entry for entry in sim.requests() if entry["status"] == 429] == []
    assert_paced(restarts, 5, WINDOW)
    assert "wait_for_working: self-healing passed: 10 restart(s) of 10 instance(s), 0 QR code(s) shown" in run.output
    assert "wait_for_working: PASSED, 20 of 20 instances WORKING" in run.output
    assert_no_live_secret(sim, run.output)


def test_gate_changes_nothing_unless_asked(simulator, live_playbook):
    scenario, ids = fleet(failed=1, working=1)
    sim = simulator(scenario)
    rc, run = live_playbook(gate_play(ids, wait_for_working_timeout=5), sim)
    assert rc != 0
    assert [entry for entry in sim.requests() if entry["method"] == "POST"] == []
    assert "self-healing" not in run.output


def test_max_restarts_then_the_gate_fails_naming_the_instance(simulator, live_playbook):
    scenario, ids = fleet(failed=2, working=1)
    scenario["hypersender"]["actions"]["restart_to"] = {ids[0]: "FAILED"}
    sim = simulator(scenario)
    rc, run = live_playbook(gate_play(ids, wait_for_working_restart=["FAILED"], wait_for_working_max_restarts=2), sim)
    assert rc != 0
    assert [entry["path"].split("/")[-2] for entry in posts(sim, RESTART)].count(ids[0]) == 2
    assert "1 of 3 instances not WORKING (stopped at once" in run.output
    assert ids[0] in run.output.split("stopped at once", 1)[1]
    assert re.search(r"%s\s+heal-00\s+2\s+0" % ids[0], run.output), "the table says it was restarted twice"


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


def test_qr_refreshed_at_most_once_a_window_while_nobody_scans(simulator, live_playbook):
    scenario, ids = fleet(failed=0, scan=1, working=1)
    sim = simulator(scenario)
    rc, run = live_playbook(
        gate_play(ids, wait_for_working_show_qr=True, wait_for_working_timeout=3 * WINDOW + 1), sim, scan=False
    )
    assert rc != 0
    codes = posts(sim, QR)
    assert len(codes) >= 3, codes
    assert_paced(codes, 1, WINDOW)
    assert [entry for entry in sim.requests() if entry["status"] == 429] == []
    assert len(run.scanned) == len(codes), "every code requested was printed and decodes"
    assert_no_live_secret(sim, run.output)


def test_check_mode_says_whom_it_would_restart_and_sends_nothing(simulator, live_playbook):
    scenario, ids = fleet(failed=3, scan=1, working=1)
    sim = simulator(scenario)
    play = gate_play(ids, wait_for_working_restart=["FAILED"], wait_for_working_show_qr=True)
    if OLD_CORE:
        # ansible-core 2.16 does not show a play's `check_mode: true` to its roles (ansible_check_mode stays
        # false), so the role cannot leave out its async wait there: check mode comes from --check.
        rc, run = live_playbook(play, sim, scan=False, args=("--check",))
    else:
        rc, run = live_playbook(
            play.replace("gather_facts: false", "gather_facts: false\n  check_mode: true"), sim, scan=False
        )
    assert rc == 0, run.output[-4000:]
    assert [entry for entry in sim.requests() if entry["method"] == "POST"] == []
    assert "(check mode: would restart 3, would show the QR code of heal-03)" in run.output
    assert run.scanned == []


def test_an_api_error_in_a_healing_round_is_the_gate_s_failure_message(simulator, live_playbook):
    """A round that fails (here: a rejected token) ends the gate with the round's own reason, not a generic one."""
    scenario, ids = fleet(failed=2, working=1)
    sim = simulator(scenario)
    rc, run = live_playbook(
        gate_play(ids, wait_for_working_restart=["FAILED"], wait_for_working_api_token="not-the-token-0000"),
        sim,
        scan=False,
    )
    assert rc != 0
    last_failure = run.output.rsplit("fatal: [localhost]: FAILED!", 1)[-1]
    assert re.search(
        r'"msg": "wait_for_working: GET \S+/instances: the Hypersender API rejected the credentials \(HTTP 401\)',
        last_failure,
    ), run.output[-3000:]
    assert "is undefined" not in run.output
    assert not [r for r in sim.requests() if r["method"] == "POST"], "nothing restarted with a rejected token"


def _refused_restarts(retry_after, count=None):
    return {
        "path": r"/restart$",
        "method": "POST",
        "status": 429,
        "count": count,
        "body": {"message": "Too many requests. Please try again later."},
        "headers": {"Retry-After": str(retry_after)},
    }


def _fleet_heal(ansible, sim, tmp_path, **args):
    env = {"HYPERSENDER_API_URL": sim.hypersender_url, "HYPERSENDER_API_TOKEN": TOKEN, "TMPDIR": str(tmp_path)}
    return ansible.module("fleet_heal", dict({"wait_sleep": 0.5, "rate_window": WINDOW}, **args), env=env)


def test_a_refused_restart_is_not_counted_and_the_gate_keeps_its_deadline(simulator, ansible, tmp_path):
    """Restarts always refused with Retry-After 20, a 5 s gate: one POST; no restart counted, not beyond help."""
    scenario, ids = fleet(failed=1, working=1)
    scenario["faults"] = [_refused_restarts(20)]
    sim = simulator(scenario)
    run = _fleet_heal(ansible, sim, tmp_path, instances=ids, restart=["FAILED"], wait_timeout=5)
    assert run.rc == 0, run
    result = run.result
    assert (result["outcome"], result["changed"], result["restarted"], result["beyond_help"]) == (
        "timed_out",
        False,
        [],
        [],
    )
    assert len(posts(sim, RESTART)) == 1, "the Retry-After reaches past the gate's deadline: not sent again"
    [action] = result["actions"]
    assert (action["id"], action["restarts"]) == (ids[0], 0)
    assert "the API refused the restart of instance %s: rate limited (HTTP 429), retry after 20 s" % ids[0] in (
        action["restart_error"]
    )
    assert result["heal_state"]["restarts"] == {}


def test_a_rate_limited_restart_is_sent_once_retry_after_has_passed(simulator, ansible, tmp_path):
    scenario, ids = fleet(failed=1, working=1)
    scenario["faults"] = [_refused_restarts(1, count=1)]
    sim = simulator(scenario)
    run = _fleet_heal(ansible, sim, tmp_path, instances=ids, restart=["FAILED"], wait_timeout=60)
    assert run.rc == 0, run
    assert (run.result["outcome"], run.result["changed"], run.result["restarted"]) == ("passed", True, [ids[0]])
    assert run.result["actions"][0]["restarts"] == 1 and run.result["actions"][0]["restart_error"] is None
    sent = posts(sim, RESTART)
    assert [entry["status"] for entry in sent] == [429, 200]
    assert sent[1]["t"] - sent[0]["t"] >= 1.0


# --- the module on its own (issue 22, item 15) ---------------------------------------------------------------------


def module_args(sim, **extra):
    return dict({"api_url": sim.hypersender_url, "api_token": TOKEN, "rate_window": WINDOW}, **extra)


def test_fleet_heal_check_mode_says_what_it_would_do_and_sends_nothing(simulator, ansible):
    scenario, ids = fleet(failed=2, scan=1, working=1)
    sim = simulator(scenario)
    run = ansible.module(
        "fleet_heal", module_args(sim, instances=ids, restart=["FAILED"], show_qr=True), extra_args=["--check"]
    )
    assert run.rc == 0, run
    result = run.result
    assert result["changed"] is True and result["outcome"] == "check_mode" and result["waited"] is False
    assert result["msg"] == (
        "check mode: would restart 2 instance(s) (heal-00 %s, heal-01 %s) and show the QR code of heal-02 (%s)"
        % (ids[0], ids[1], ids[2])
    )
    assert result["restarted"] == ids[:2] and result["qr"]["id"] == ids[2] and "text" not in result["qr"]
    assert [entry for entry in sim.requests() if entry["method"] == "POST"] == []
    assert len(sim.requests()) == 1, "one look at the list"


def test_fleet_heal_check_mode_with_nothing_to_do_is_no_change(simulator, ansible):
    scenario, ids = fleet(failed=0, working=2)
    sim = simulator(scenario)
    run = ansible.module("fleet_heal", module_args(sim, instances=ids, restart=["FAILED"]), extra_args=["--check"])
    assert run.rc == 0 and run.result["changed"] is False, run
    assert run.result["msg"] == "check mode: nothing to restart or show, 2 of 2 instances WORKING"


@pytest.mark.parametrize(
    "heal_state, words",
    [
        ({"restart_times": "abc"}, "heal_state.restart_times must be a list of clock times, as the previous round"),
        ({"deadline": "soon"}, "heal_state.deadline must be a clock time (a number), as the previous round"),
        ({"polls": 1, "tomorrow": 2}, "heal_state has keys no round returns (tomorrow)"),
    ],
)
def test_fleet_heal_refuses_a_damaged_heal_state_before_any_request(simulator, ansible, heal_state, words):
    scenario, ids = fleet(failed=1, working=1)
    sim = simulator(scenario)
    run = ansible.module("fleet_heal", module_args(sim, instances=ids, heal_state=heal_state))
    assert run.rc != 0, run
    assert run.result["msg"].startswith(words), run.result["msg"]
    assert "Traceback" not in run.output and "TypeError" not in run.output
    assert sim.requests() == []


def test_one_task_is_the_whole_gate_and_its_deadline_holds_over_the_rounds(simulator, live_playbook):
    """QR rounds go on inside one fleet_heal task; the gate ends at its one deadline, not a new one per round."""
    scenario, ids = fleet(failed=0, scan=1, working=1)
    sim = simulator(scenario)
    timeout = 3 * WINDOW + 1
    rc, run = live_playbook(
        gate_play(ids, wait_for_working_show_qr=True, wait_for_working_timeout=timeout), sim, scan=False
    )
    assert rc != 0
    # No action past the one deadline, however late a round starts (the simulator's clock counts from the first
    # request): at most one QR request decided before the deadline arrives after it. Order and counts, not wall time.
    requests = sim.requests()
    late_actions = [
        entry for entry in requests if entry["method"] == "POST" and entry["t"] > requests[0]["t"] + timeout
    ]
    assert len(late_actions) <= 1, "no healing round after the deadline: %s" % late_actions
    assert run.output.count("TASK [hypersender.whatsapp.wait_for_working : Wait for the instances") == 1
    assert "included:" not in run.output, "no task file included once per round"
    assert "wait_for_working: 1 of 2 instances not WORKING after %s s" % format_seconds(timeout) in run.output
