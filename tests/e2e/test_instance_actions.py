# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.instance and instance_qr through real ansible runs (at -vvvv): what only a whole run's output
shows (no access token or QR code in it, the QR code printed or saved is the instance's).

What they return and how they fail (a write that fails after the action included) is tested by the integration
targets module_instance and module_instance_qr.
"""

from __future__ import annotations

import re

import pytest
import requests
from conftest import QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance
from qr_scanner import decode_dark_rows, png_dark_rows, text_to_dark_rows

pytest.importorskip("zxingcpp", reason="zxing-cpp decodes the QR codes the modules print")
pytest.importorskip("png", reason="pypng reads the QR code PNGs")

PHONE = "+201234567890"
FAST = {"stopped_for": 0.5, "starting_for": 0.5}
CREATE = r"/create-instance$"


def env_for(sim, tmp_path):
    # TMPDIR: the QR pacing files of instance_qr stay inside the test
    return {"HYPERSENDER_API_URL": sim.hypersender_url, "HYPERSENDER_API_TOKEN": TOKEN, "TMPDIR": str(tmp_path)}


def scenario(*instances, **actions):
    actions = dict(FAST, **actions)
    return hypersender_scenario(*instances, hypersender={"actions": actions})


def posts(sim, path):
    return [entry for entry in sim.requests() if entry["method"] == "POST" and re.search(path, entry["path"])]


def live_secrets(sim):
    """Access tokens of every instance (created ones included) and the current QR payloads."""
    listing = requests.get(
        sim.hypersender_url + "/instances", headers={"Authorization": "Bearer " + TOKEN}, timeout=5
    ).json()
    tokens = [item["access_token"] for item in listing if item["access_token"]]
    payloads = [item["payload"] for item in requests.get(sim.url + "/_sim/qr", timeout=5).json().values()]
    return tokens + payloads


def assert_no_secret(run, secrets):
    for secret in secrets:
        assert secret not in run.output, "a secret (access token or QR payload) reached the output of %s" % run.args


# -- what a whole run's output shows --------------------------------------------------------------------------------------


def test_create_in_check_and_diff_mode_then_for_real_prints_no_secret(simulator, ansible, tmp_path):
    """The diff is printed, and neither run prints an access token or a QR code (the created instance has both)."""
    sim = simulator(scenario(instance(WORKING_ID, name="shop-eu-2", phone="+201234567891")))
    args = {"name": "shop-eu", "phone": PHONE, "webhook_url": "https://shop.example.com/hook"}
    check = ansible.module("instance", args, env=env_for(sim, tmp_path), extra_args=["--check", "--diff"])
    created = ansible.module("instance", args, env=env_for(sim, tmp_path), extra_args=["--diff"])
    assert check.rc == 0 and created.rc == 0, (check, created)
    for run in (check, created):
        assert '+ "name": "shop-eu"' in run.output or '+    "name": "shop-eu"' in run.output, run
    assert len(posts(sim, CREATE)) == 1
    assert_no_secret(check, live_secrets(sim))
    assert_no_secret(created, live_secrets(sim))


def test_the_qr_code_saved_by_a_create_is_the_instance_s_code_and_not_printed(simulator, ansible, tmp_path):
    sim = simulator(scenario())
    dest = tmp_path / "link.png"
    run = ansible.module(
        "instance", {"name": "bot", "phone": PHONE, "qr_code_path": str(dest)}, env=env_for(sim, tmp_path)
    )
    assert run.rc == 0, run
    payloads = requests.get(sim.url + "/_sim/qr", timeout=5).json()
    assert decode_dark_rows(png_dark_rows(dest.read_bytes())) == payloads[run.result["instance"]["id"]]["payload"]
    assert_no_secret(run, live_secrets(sim))


def test_acceptance_decode_the_printed_qr_scan_it_and_the_wait_passes(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(QR_ID, "SCAN_QR_CODE", access_token=None, name="to-link")))
    run = ansible.module(
        "instance_qr",
        {"instance": QR_ID, "render": "text", "dest": str(tmp_path / "qr.png")},
        env=env_for(sim, tmp_path),
    )
    assert run.rc == 0, run
    lines = run.result["qr_code_text"]
    assert all(line in run.output for line in lines), "the drawing is printed as it is"
    payload = decode_dark_rows(text_to_dark_rows(lines))
    assert payload == decode_dark_rows(png_dark_rows((tmp_path / "qr.png").read_bytes()))
    scanned = requests.post("%s/_sim/scan/%s" % (sim.url, QR_ID), json={"payload": payload}, timeout=5)
    assert scanned.status_code == 200, scanned.text
    wait = ansible.module(
        "instance_health",
        {"instance": QR_ID, "wait": True, "wait_sleep": 0.3, "wait_timeout": 10},
        env=env_for(sim, tmp_path),
    )
    assert (wait.rc, wait.result["status"]) == (0, "WORKING"), wait


def test_no_code_is_printed_unless_asked(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(QR_ID, "SCAN_QR_CODE", access_token=None)))
    quiet = ansible.module(
        "instance_qr", {"instance": QR_ID, "dest": str(tmp_path / "q.png")}, env=env_for(sim, tmp_path)
    )
    assert quiet.rc == 0, quiet
    assert "\u2588" not in quiet.output
    assert_no_secret(quiet, live_secrets(sim))
