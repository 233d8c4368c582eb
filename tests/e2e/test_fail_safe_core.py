# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared client's fail-safes through real runs (issue 22: 1, 2, 11, 12).

Secrets a server echoes or sends never reach output (every plugin kind quotes a body through one redaction);
the QR pacing directory is the user's own and no link in it is followed; a 429 waits at least the endpoint's
floor, never past the deadline; NaN and infinities are refused before any request. Every run is at -vvvv
unless said otherwise, and the ``ansible`` fixture fails a test whose output holds a known secret.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import ACCESS_TOKEN, QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance
from test_roles_playbooks import extra_vars

HEALTH = r"/health$"
LIST = r"/instances$"
QR = r"/request-new-qr-code$"
CREATE = r"/create-instance$"
MASK = "********"
PAST = "Wed, 21 Oct 2015 07:28:00 GMT"
# What a careless endpoint answers: the request's own Authorization header, as a JSON string.
ECHOED = "Authorization: Bearer " + TOKEN
# A token the collection never held, so that neither it nor Ansible's no_log can know it: masked by its shape.
FOREIGN_TOKEN = "998|someone-elses-token-4f2b9c"
# An answer of the QR or create endpoint without an id: the instance's access token and a QR code (a PNG).
QR_CODE = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2).decode()
WITHOUT_ID = {"name": "shop", "status": "SCAN_QR_CODE", "access_token": ACCESS_TOKEN, "qr_code": QR_CODE}


def faulted(*faults, instances=None):
    scenario = hypersender_scenario(*(instances or [instance(WORKING_ID, "WORKING"), instance(QR_ID, "SCAN_QR_CODE")]))
    scenario["faults"] = list(faults)
    return scenario


def connection(sim, **extra):
    return dict({"api_url": sim.hypersender_url, "api_token": TOKEN}, **extra)


def calls(sim, path, method=None):
    return [r for r in sim.requests() if re.search(path, r["path"]) and method in (None, r["method"])]


def flat(text):
    return " ".join(text.split())


def assert_clean_failure(run):
    assert run.rc != 0, run
    assert "Traceback" not in run.output and "MODULE FAILURE" not in run.output, run


def write_inventory(ansible, sim, **options):
    path = ansible.tmp_path / "shop.hypersender.yml"
    path.write_text(
        json.dumps(dict({"plugin": "hypersender.whatsapp.instances", "api_url": sim.hypersender_url}, **options))
    )
    return str(path)


# --- 1. A secret echoed or sent by a server never reaches output -----------------------------------------------------


@pytest.mark.parametrize("verbosity", [None, "-vvvv"])
def test_a_token_echoed_as_the_instance_list_is_masked_in_ansible_inventory(simulator, ansible, verbosity):
    sim = simulator(faulted({"path": LIST, "status": 200, "body": ECHOED}))
    run = ansible(
        ["-i", write_inventory(ansible, sim), "--graph"],
        command="ansible-inventory",
        verbosity=verbosity,
        env={"HYPERSENDER_API_TOKEN": TOKEN},
    )
    assert "expected a JSON array of instances, got a str 'Authorization: Bearer %s'" % MASK in flat(run.output), run
    assert len(calls(sim, LIST)) == 1


def test_a_token_echoed_as_the_instance_list_is_masked_in_the_lookup_error(simulator, ansible):
    sim = simulator(faulted({"path": LIST, "status": 200, "body": ECHOED}))
    run = ansible.playbook(
        """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ query('hypersender.whatsapp.instance_info', api_url=url, api_token=token) }}"
""",
        extra_args=extra_vars(url=sim.hypersender_url, token=TOKEN),
    )
    assert_clean_failure(run)
    assert "instance_info: GET /instances: expected a JSON array of instances, got a str 'Authorization: Bearer %s'" % (
        MASK
    ) in flat(run.output)


def test_a_token_nobody_registered_is_masked_by_its_shape_in_a_module_at_vvvv(simulator, ansible):
    sim = simulator(faulted({"path": HEALTH, "status": 200, "body": "Authorization: Bearer " + FOREIGN_TOKEN}))
    run = ansible.module("instance_health", connection(sim, instance=WORKING_ID))
    assert_clean_failure(run)
    assert "expected a JSON object, got a str 'Authorization: Bearer %s'" % MASK in run.result["msg"]
    assert FOREIGN_TOKEN not in run.output and "someone-elses" not in run.output


def test_a_qr_answer_without_an_id_names_its_keys_never_the_token_or_the_code(simulator, ansible):
    sim = simulator(faulted({"path": QR, "status": 200, "body": WITHOUT_ID}))
    dest = ansible.tmp_path / "code.png"
    run = ansible.module("instance_qr", connection(sim, instance=QR_ID, dest=str(dest), min_interval=0))
    assert_clean_failure(run)
    assert run.result["msg"] == (
        "expected an instance object with an id, got an object with keys access_token, name, qr_code, status"
    )
    assert QR_CODE[:40] not in run.output and not dest.exists()


def test_a_create_answer_without_an_id_names_its_keys_never_the_token_or_the_code(simulator, ansible):
    sim = simulator(faulted({"path": CREATE, "status": 200, "body": WITHOUT_ID}))
    run = ansible.module("instance", connection(sim, name="shop-new", phone="+201234567890"))
    assert_clean_failure(run)
    assert "got an object with keys access_token, name, qr_code, status" in run.result["msg"]
    assert QR_CODE[:40] not in run.output
    assert len(calls(sim, CREATE, "POST")) == 1


# --- 2. The QR pacing directory: the user's own, no link followed, no future time trusted ---------------------------


def pacing_name(sim, instance_id):
    return "qr-" + hashlib.sha256(("%s\n%s" % (sim.hypersender_url, instance_id)).encode()).hexdigest()[:32]


@pytest.fixture
def short_tmpdir():
    """A TMPDIR for the run with a short path: ansible-core puts a Unix socket there, whose path has a length limit."""
    path = tempfile.mkdtemp(prefix="hsw-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def pacing_dirs(ansible, tmpdir):
    """The cache directory the module uses now, and the temporary one it used before (TMPDIR)."""
    cache = ansible.tmp_path / "cache" / "hypersender.whatsapp"
    old = Path(tmpdir) / ("hypersender.whatsapp-%d" % os.geteuid())
    return cache, old


def test_a_link_planted_for_the_pacing_file_is_replaced_never_followed(simulator, ansible, short_tmpdir):
    sim = simulator(faulted())
    victim = ansible.tmp_path / "victim.txt"
    victim.write_text("precious\n")
    env = {"TMPDIR": short_tmpdir}
    for directory in pacing_dirs(ansible, short_tmpdir):
        directory.mkdir(parents=True, mode=0o700)
        (directory / pacing_name(sim, QR_ID)).symlink_to(victim)
    run = ansible.module("instance_qr", connection(sim, instance=QR_ID, dest=str(ansible.tmp_path / "q.png")), env=env)
    assert run.rc == 0, run
    assert victim.read_text() == "precious\n"
    pacing = pacing_dirs(ansible, short_tmpdir)[0] / pacing_name(sim, QR_ID)
    assert not pacing.is_symlink() and float(pacing.read_text()) > 0
    assert len(calls(sim, QR, "POST")) == 1


@pytest.mark.parametrize("mode", [0o777, 0o755])
def test_a_pacing_directory_open_to_others_is_refused_before_any_request(simulator, ansible, mode, short_tmpdir):
    sim = simulator(faulted())
    env = {"TMPDIR": short_tmpdir}
    for directory in pacing_dirs(ansible, short_tmpdir):
        directory.mkdir(parents=True)
        directory.chmod(mode)
    run = ansible.module("instance_qr", connection(sim, instance=QR_ID, dest=str(ansible.tmp_path / "q.png")), env=env)
    assert_clean_failure(run)
    assert (
        "the QR pacing directory %s is open to other users (mode %04o, not 0700)"
        % (
            pacing_dirs(ansible, short_tmpdir)[0],
            mode,
        )
        in run.result["msg"]
    )
    assert "set XDG_CACHE_HOME" in run.result["msg"]
    assert calls(sim, QR, "POST") == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a directory to another user")
def test_a_pacing_directory_of_another_user_is_refused_before_any_request(simulator, ansible, short_tmpdir):
    sim = simulator(faulted())
    env = {"TMPDIR": short_tmpdir}
    for directory in pacing_dirs(ansible, short_tmpdir):
        directory.mkdir(parents=True, mode=0o700)
        os.chown(directory, 65534, 65534)
    run = ansible.module("instance_qr", connection(sim, instance=QR_ID, dest=str(ansible.tmp_path / "q.png")), env=env)
    assert_clean_failure(run)
    assert "belongs to uid 65534, not to this user (uid 0)" in run.result["msg"]
    assert calls(sim, QR, "POST") == []


def test_a_future_time_in_the_pacing_file_does_not_block_qr_requests(simulator, ansible, short_tmpdir):
    sim = simulator(faulted())
    env = {"TMPDIR": short_tmpdir}
    for directory in pacing_dirs(ansible, short_tmpdir):
        directory.mkdir(parents=True, mode=0o700)
        (directory / pacing_name(sim, QR_ID)).write_text("99999999999.000\n")
    run = ansible.module(
        "instance_qr", connection(sim, instance=QR_ID, dest=str(ansible.tmp_path / "q.png"), wait_timeout=0), env=env
    )
    assert run.rc == 0 and run.result["requested"] is True and run.result["paced"] == 0, run
    assert len(calls(sim, QR, "POST")) == 1


# --- 11. A 429 waits at least the endpoint's floor, never past the deadline ------------------------------------------


def limited(path, retry_after, **extra):
    return dict(
        {"path": path, "status": 429, "body": {"message": "Too Many Attempts."}},
        headers={"Retry-After": retry_after},
        **extra,
    )


@pytest.mark.parametrize("retry_after", ["0", PAST])
def test_a_qr_429_saying_retry_now_is_not_a_flood(simulator, ansible, retry_after):
    sim = simulator(faulted(limited(QR, retry_after)))
    run = ansible.module(
        "instance_qr",
        connection(sim, instance=QR_ID, dest=str(ansible.tmp_path / "q.png"), min_interval=0, wait_timeout=5),
    )
    assert_clean_failure(run)
    assert len(calls(sim, QR, "POST")) == 1, "the 60 s floor passes the 5 s deadline: no second request"
    assert "allows 1 new QR code a minute" in run.result["msg"] and "retry after 60 s" in run.result["msg"]


def test_fleet_heal_show_qr_on_a_429_saying_retry_now_sends_one_request(simulator, ansible):
    sim = simulator(faulted(limited(QR, "0"), instances=[instance(QR_ID, "SCAN_QR_CODE")]))
    run = ansible.module("fleet_heal", connection(sim, instances=[QR_ID], show_qr=True, wait_timeout=5, wait_sleep=1))
    assert_clean_failure(run)
    assert len(calls(sim, QR, "POST")) == 1
    assert "retry after 60 s" in run.result["msg"]


def test_a_wait_on_a_health_429_saying_retry_now_polls_at_the_floor(simulator, ansible):
    sim = simulator(faulted(limited(HEALTH, "0")))
    run = ansible.module(
        "instance_health", connection(sim, instance=WORKING_ID, wait=True, wait_timeout=8, wait_sleep=0.2)
    )
    assert_clean_failure(run)
    health = calls(sim, HEALTH)
    assert 1 <= len(health) <= 2, "the health endpoint allows 10 a minute: one request per 6 s at most"
    assert all(later["t"] - earlier["t"] >= 6.0 - 0.05 for earlier, later in zip(health, health[1:]))
    assert "allows the next request only in" in run.result["msg"] and "this endpoint allows 10 requests per 60 s" in (
        run.result["msg"]
    )


def test_a_lookup_retries_a_429_saying_retry_now_after_the_floor(simulator, ansible):
    sim = simulator(faulted(limited(HEALTH, PAST, count=1)))
    run = ansible.playbook(
        """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ lookup('hypersender.whatsapp.instance_health', uuid, api_url=url, api_token=token, retries=1) }}"
""",
        extra_args=extra_vars(url=sim.hypersender_url, token=TOKEN, uuid=WORKING_ID),
    )
    assert run.rc == 0, run
    health = calls(sim, HEALTH)
    assert [r["status"] for r in health] == [429, 200]
    assert health[1]["t"] - health[0]["t"] >= 6.0 - 0.05


# --- 12. NaN and infinities are refused before any request ------------------------------------------------------------


@pytest.mark.parametrize(
    "module, args, option, value",
    [
        ("fleet_heal", {"instances": [QR_ID], "wait_sleep": "nan", "wait_timeout": 3}, "wait_sleep", "nan"),
        ("fleet_heal", {"instances": [QR_ID], "wait_timeout": "nan"}, "wait_timeout", "nan"),
        ("fleet_heal", {"instances": [QR_ID], "rate_window": "inf", "wait_timeout": 3}, "rate_window", "inf"),
        ("instance_qr", {"instance": QR_ID, "render": "text", "min_interval": "nan"}, "min_interval", "nan"),
        ("instance_qr", {"instance": QR_ID, "render": "text", "wait_timeout": "-inf"}, "wait_timeout", "-inf"),
        ("onprem_health", {"wait_timeout": "inf"}, "wait_timeout", "inf"),
    ],
)
def test_a_float_option_of_any_module_refuses_nan_and_infinities(simulator, ansible, module, args, option, value):
    sim = simulator(dict(faulted(), onprem={"api_keys": ["sim-onprem-key-0123"]}))
    env = None
    if module == "onprem_health":
        env = {"WA_ONPREM_URL": sim.onprem_url, "WA_API_KEY": "sim-onprem-key-0123"}
    else:
        args = connection(sim, **args)
    run = ansible.module(module, args, env=env, timeout=120)
    assert_clean_failure(run)
    # Refused by the module's action plugin with the option's bounds, before the module runs (its own check, the
    # same, stays for a run without the action).
    assert run.result["msg"].startswith("%s must be a number of seconds, " % option), run.result["msg"]
    assert run.result["msg"].endswith("; got %s" % value), run.result["msg"]
    assert run.result["invalid_options"][0]["name"] == option
    assert sim.requests() == []


def test_a_lookup_refuses_a_nan_timeout_before_any_request(simulator, ansible):
    sim = simulator(faulted())
    run = ansible.playbook(
        """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ query('hypersender.whatsapp.instance_info', api_url=url, api_token=token, timeout='nan') }}"
""",
        extra_args=extra_vars(url=sim.hypersender_url, token=TOKEN),
    )
    assert_clean_failure(run)
    assert "instance_info: timeout must be a number of seconds" in flat(run.output) and "got nan" in run.output
    assert sim.requests() == []


@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_the_inventory_refuses_a_timeout_that_is_not_finite_before_any_request(simulator, ansible, value):
    sim = simulator(faulted())
    path = ansible.tmp_path / "shop.hypersender.yml"
    path.write_text("plugin: hypersender.whatsapp.instances\napi_url: %s\ntimeout: %s\n" % (sim.hypersender_url, value))
    run = ansible(["-i", str(path), "--graph"], command="ansible-inventory", env={"HYPERSENDER_API_TOKEN": TOKEN})
    assert "timeout must be a number of seconds" in flat(run.output), run
    assert sim.requests() == []
