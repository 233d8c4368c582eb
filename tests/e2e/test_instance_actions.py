# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.instance and instance_qr through real ansible / ansible-playbook runs (at -vvvv)."""

from __future__ import annotations

import os
import re
import stat
import textwrap
import threading
import time

import pytest
import requests
from conftest import ACCESS_TOKEN, QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance
from qr_scanner import decode_dark_rows, png_dark_rows, text_to_dark_rows

pytest.importorskip("zxingcpp", reason="zxing-cpp decodes the QR codes the modules print")
pytest.importorskip("png", reason="pypng reads the QR code PNGs")

OTHER_ID = "0d6f4a53-27b1-4c55-9a0e-6b1b3f1e9a10"
PHONE = "+201234567890"
FAST = {"stopped_for": 0.5, "starting_for": 0.5}
RESTART = r"/restart$"
QR = r"/request-new-qr-code$"
CREATE = r"/create-instance$"


def env_for(sim, tmp_path):
    # TMPDIR: the QR pacing files of instance_qr stay inside the test
    return {"HYPERSENDER_API_URL": sim.hypersender_url, "HYPERSENDER_API_TOKEN": TOKEN, "TMPDIR": str(tmp_path)}


def scenario(*instances, **actions):
    actions = dict(FAST, **actions)
    return hypersender_scenario(*instances, hypersender={"actions": actions})


def posts(sim, path):
    return [entry for entry in sim.requests() if entry["method"] == "POST" and re.search(path, entry["path"])]


def refused(path, retry_after=None, count=None):
    """A fault: the action answers 429 (with ``Retry-After: retry_after``), ``count`` times (None: always)."""
    fault = {"path": path, "method": "POST", "status": 429, "count": count}
    fault["body"] = {"message": "Too many requests. Please try again later."}
    fault["headers"] = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return fault


def with_faults(scenario_dict, *faults):
    return dict(scenario_dict, faults=list(faults))


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


# -- instance, state=present -------------------------------------------------------------------------------------------


def test_create_check_diff_then_create_then_nothing(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, name="shop-eu-2", phone="+201234567891")))
    args = {"name": "shop-eu", "phone": PHONE, "webhook_url": "https://shop.example.com/hook"}

    check = ansible.module("instance", args, env=env_for(sim, tmp_path), extra_args=["--check", "--diff"])
    assert check.rc == 0, check
    assert (check.result["changed"], check.result["created"]) == (True, True)
    assert check.result["msg"] == "check mode: would create instance 'shop-eu' with phone %s" % PHONE
    assert '+ "name": "shop-eu"' in check.output or '+    "name": "shop-eu"' in check.output, check
    assert posts(sim, CREATE) == []

    created = ansible.module("instance", args, env=env_for(sim, tmp_path), extra_args=["--diff"])
    assert created.rc == 0, created
    result = created.result
    assert (result["changed"], result["created"]) == (True, True)
    assert result["instance"]["name"] == "shop-eu" and result["instance"]["status"] == "SCAN_QR_CODE"
    assert result["instance"]["id"]
    assert "access_token" not in result["instance"] and "qr_code" not in result["instance"]
    assert len(posts(sim, CREATE)) == 1

    again = ansible.module("instance", args, env=env_for(sim, tmp_path))
    assert again.rc == 0, again
    assert (again.result["changed"], again.result["created"]) == (False, False)
    assert again.result["instance"]["id"] == result["instance"]["id"]
    assert len(posts(sim, CREATE)) == 1
    assert_no_secret(check, live_secrets(sim))
    assert_no_secret(created, live_secrets(sim))


def test_exact_name_among_partial_matches(simulator, ansible, tmp_path):
    sim = simulator(
        scenario(
            instance(WORKING_ID, name="shop-eu-2", phone="+201234567891"),
            instance(OTHER_ID, name="shop-eu", phone=PHONE),
            instance(QR_ID, name="old-shop-eu", phone="+201234567892"),
        )
    )
    run = ansible.module("instance", {"name": "shop-eu", "phone": PHONE}, env=env_for(sim, tmp_path))
    assert run.rc == 0, run
    assert (run.result["changed"], run.result["instance"]["id"]) == (False, OTHER_ID)
    assert [entry["query"] for entry in sim.requests()] == [{"filter[name]": "shop-eu"}]
    run = ansible.module("instance", {"name": "shop", "phone": "+201234567899"}, env=env_for(sim, tmp_path))
    assert (run.rc, run.result["created"]) == (0, True), run


def test_an_existing_name_with_another_phone_fails_clearly(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, name="shop-eu", phone="+201234567891")))
    run = ansible.module("instance", {"name": "shop-eu", "phone": PHONE}, env=env_for(sim, tmp_path))
    assert run.rc != 0, run
    assert run.result["msg"] == (
        "instance 'shop-eu' (%s) exists with phone +201234567891, not %s; Hypersender cannot change an instance's "
        "phone: use another name for the new number" % (WORKING_ID, PHONE)
    )
    assert posts(sim, CREATE) == []


def test_a_refused_create_is_never_a_change(simulator, ansible, tmp_path):
    """A create refused after the module looked (here: another create took the name in between) changes nothing."""
    taken = {"message": "The name has already been taken.", "errors": {"name": ["The name has already been taken."]}}
    sim = simulator(with_faults(scenario(), {"path": CREATE, "method": "POST", "status": 422, "body": taken}))
    run = ansible.module("instance", {"name": "MyBot", "phone": PHONE}, env=env_for(sim, tmp_path))
    assert run.rc != 0, run
    assert (run.result["changed"], run.result["created"]) == (False, False)
    assert run.result["msg"].startswith("Hypersender refused to create instance 'MyBot' (HTTP 422): ")
    assert "name: The name has already been taken." in run.result["msg"]
    assert len(posts(sim, CREATE)) == 1, "a 422 is not repeated"


def test_present_matches_names_as_the_server_does_in_check_mode_too(simulator, ansible, tmp_path):
    """The server trims a name and compares names without case: 'myinstancename ' is the existing MyInstanceName."""
    sim = simulator(scenario(instance(WORKING_ID, name="MyInstanceName", phone=PHONE)))
    for name in ("myinstancename", "MyInstanceName ", "\tMYINSTANCENAME\n"):
        args = {"name": name, "phone": PHONE}
        check = ansible.module("instance", args, env=env_for(sim, tmp_path), extra_args=["--check", "--diff"])
        real = ansible.module("instance", args, env=env_for(sim, tmp_path), extra_args=["--diff"])
        for run in (check, real):
            assert run.rc == 0, run
            assert (run.result["changed"], run.result["created"]) == (False, False), run
            assert run.result["instance"]["id"] == WORKING_ID
            assert run.result["instance"]["name"] == "MyInstanceName"
    assert posts(sim, CREATE) == []
    assert {entry["query"]["filter[name]"] for entry in sim.requests()} == {
        "myinstancename",
        "MyInstanceName",
        "MYINSTANCENAME",
    }, "the name is sent trimmed"


def test_restart_by_name_matches_as_the_server_does(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, "FAILED", name="MyInstanceName", phone=PHONE)))
    run = ansible.module(
        "instance",
        {"state": "restarted", "name": " myINSTANCEname"},
        env=env_for(sim, tmp_path),
        extra_args=["--check"],
    )
    assert (run.rc, run.result["changed"], run.result["instance"]["id"]) == (0, True, WORKING_ID), run
    run = ansible.module("instance", {"state": "restarted", "name": " myINSTANCEname"}, env=env_for(sim, tmp_path))
    assert (run.rc, run.result["restarted"], run.result["instance"]["id"]) == (0, True, WORKING_ID), run
    assert len(posts(sim, RESTART)) == 1


def test_a_new_name_is_created_trimmed(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, name="MyInstanceName", phone=PHONE)))
    run = ansible.module("instance", {"name": " new-bot \n", "phone": PHONE}, env=env_for(sim, tmp_path))
    assert (run.rc, run.result["created"], run.result["instance"]["name"]) == (0, True, "new-bot"), run
    again = ansible.module("instance", {"name": "NEW-BOT", "phone": PHONE}, env=env_for(sim, tmp_path))
    assert (again.rc, again.result["changed"]) == (0, False), again
    assert len(posts(sim, CREATE)) == 1


@pytest.mark.parametrize(
    "args, words",
    [
        ({"name": "x", "phone": "0123"}, "phone '0123' is not an E.164 phone number"),
        ({"name": "n" * 51, "phone": PHONE}, "name is 51 characters long; Hypersender allows at most 50"),
        ({"name": "x", "phone": PHONE, "webhook_url": "http://insecure.example.com"}, "must be an https:// URL"),
        ({"phone": PHONE}, "state=present needs name"),
        ({"state": "restarted", "name": "x", "phone": PHONE}, "phone applies to state=present only"),
        ({"state": "restarted", "instance": "not-a-uuid"}, "is not an instance UUID"),
    ],
)
def test_bad_options_fail_before_any_request(simulator, ansible, tmp_path, args, words):
    sim = simulator(scenario(instance(WORKING_ID)))
    run = ansible.module("instance", args, env=env_for(sim, tmp_path))
    assert run.rc != 0, run
    assert words in run.result["msg"]
    assert sim.requests() == []


def test_qr_code_path_is_private_and_the_token_only_when_asked(simulator, ansible, tmp_path):
    sim = simulator(scenario())
    dest = tmp_path / "link.png"
    run = ansible.module(
        "instance", {"name": "bot", "phone": PHONE, "qr_code_path": str(dest)}, env=env_for(sim, tmp_path)
    )
    assert run.rc == 0, run
    assert run.result["qr_code_path"] == str(dest)
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    payloads = requests.get(sim.url + "/_sim/qr", timeout=5).json()
    assert decode_dark_rows(png_dark_rows(dest.read_bytes())) == payloads[run.result["instance"]["id"]]["payload"]
    assert_no_secret(run, live_secrets(sim))

    asked = ansible.module(
        "instance",
        {"name": "bot", "phone": PHONE, "return_access_token": True},
        env=env_for(sim, tmp_path),
        secrets_expected=(ACCESS_TOKEN,),
    )
    token = [t for t in live_secrets(sim) if "|" in t][0]
    assert asked.result["instance"]["access_token"] == token


# -- instance, state=restarted -----------------------------------------------------------------------------------------


def test_restart_failed_instance_then_wait_for_working(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, "FAILED", name="shop")))
    run = ansible.playbook(
        textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - hypersender.whatsapp.instance:
                state: restarted
                name: shop
                wait: true
                wait_sleep: 0.3
                wait_timeout: 30
              register: restarted
            - ansible.builtin.assert:
                that:
                  - restarted is changed
                  - restarted.restarted
                  - restarted.previous_status == 'FAILED'
                  - restarted.instance.status == 'WORKING'
                  - restarted.instance.id == '%s'
    """ % WORKING_ID),
        env=env_for(sim, tmp_path),
    )
    assert run.rc == 0, run
    assert len(posts(sim, RESTART)) == 1
    health = [entry for entry in sim.requests() if entry["path"].endswith("/health")]
    assert health[-1]["t"] >= posts(sim, RESTART)[0]["t"] + FAST["stopped_for"] + FAST["starting_for"]


def test_restart_when_is_a_no_op_for_other_statuses(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, "WORKING")))
    run = ansible.module(
        "instance",
        {"state": "restarted", "instance": WORKING_ID, "restart_when": ["FAILED", "STOPPED"]},
        env=env_for(sim, tmp_path),
        extra_args=["--diff"],
    )
    assert run.rc == 0, run
    assert (run.result["changed"], run.result["restarted"]) == (False, False)
    assert "not in restart_when [FAILED, STOPPED]" in run.result["msg"]
    assert posts(sim, RESTART) == []


def test_restart_check_mode_sends_nothing(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, "STOPPED")))
    run = ansible.module(
        "instance",
        {"state": "restarted", "instance": WORKING_ID, "restart_when": ["STOPPED"], "wait": True},
        env=env_for(sim, tmp_path),
        extra_args=["--check", "--diff"],
    )
    assert run.rc == 0, run
    assert (run.result["changed"], run.result["restarted"]) == (True, True)
    assert run.result["msg"] == "check mode: would restart instance %s (now STOPPED)" % WORKING_ID
    assert "restarting (STOPPED, STARTING" in run.output
    assert posts(sim, RESTART) == []


def test_a_failed_restart_is_not_repeated(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, "FAILED"), restart_fails=[WORKING_ID]))
    run = ansible.module("instance", {"state": "restarted", "instance": WORKING_ID}, env=env_for(sim, tmp_path))
    assert run.rc != 0, run
    assert run.result["msg"].startswith("Hypersender could not restart instance %s (HTTP 500): " % WORKING_ID)
    assert "Failed to restart WhatsApp instance." in run.result["msg"]
    assert len(posts(sim, RESTART)) == 1


def test_a_restart_that_does_not_help_fails_the_wait(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, "FAILED"), restart_to={WORKING_ID: "FAILED"}))
    run = ansible.module(
        "instance",
        {"state": "restarted", "instance": WORKING_ID, "wait": True, "wait_sleep": 0.3},
        env=env_for(sim, tmp_path),
    )
    assert run.rc != 0, run
    assert run.result["msg"].startswith("instance %s reported FAILED, a status in fail_on [FAILED]" % WORKING_ID)
    assert run.result["restarted"] is True


def test_a_refused_restart_is_no_change_and_keeps_the_task_deadline(simulator, ansible, tmp_path):
    """A restart always refused with Retry-After 20 and wait_timeout 3: one POST, nothing restarted, said so."""
    sim = simulator(with_faults(scenario(instance(WORKING_ID, "FAILED")), refused(RESTART, retry_after=20)))
    run = ansible.module(
        "instance",
        {"state": "restarted", "instance": WORKING_ID, "wait": True, "wait_timeout": 3, "wait_sleep": 0.5},
        env=env_for(sim, tmp_path),
        extra_args=["--diff"],
    )
    assert run.rc != 0, run
    assert (run.result["changed"], run.result["restarted"]) == (False, False)
    assert len(posts(sim, RESTART)) == 1, "the Retry-After reaches past the deadline: not sent again"
    assert not [entry for entry in sim.requests() if entry["path"].endswith("/health")], "nothing to wait for"
    msg = run.result["msg"]
    assert "the API refused the restart of instance %s: rate limited (HTTP 429), retry after 20 s" % WORKING_ID in msg
    assert "nothing was restarted" in msg and "wait_timeout" in msg
    assert "poll" not in msg


def test_a_refused_create_is_no_change_and_keeps_the_task_deadline(simulator, ansible, tmp_path):
    sim = simulator(with_faults(scenario(), refused(CREATE, retry_after=20)))
    run = ansible.module("instance", {"name": "bot", "phone": PHONE, "wait_timeout": 5}, env=env_for(sim, tmp_path))
    assert run.rc != 0, run
    assert (run.result["changed"], run.result["created"]) == (False, False)
    assert len(posts(sim, CREATE)) == 1
    msg = run.result["msg"]
    assert "the API refused the create of instance 'bot': rate limited (HTTP 429), retry after 20 s" in msg
    assert "nothing was created" in msg and "poll" not in msg


def test_a_rate_limited_restart_is_sent_again_once_retry_after_has_passed(simulator, ansible, tmp_path):
    sim = simulator(with_faults(scenario(instance(WORKING_ID, "FAILED")), refused(RESTART, retry_after=1, count=1)))
    run = ansible.module(
        "instance",
        {"state": "restarted", "instance": WORKING_ID, "wait": True, "wait_timeout": 30, "wait_sleep": 0.3},
        env=env_for(sim, tmp_path),
    )
    assert run.rc == 0, run
    assert (run.result["changed"], run.result["restarted"], run.result["instance"]["status"]) == (True, True, "WORKING")
    sent = posts(sim, RESTART)
    assert [entry["status"] for entry in sent] == [429, 200]
    assert sent[1]["t"] - sent[0]["t"] >= 1.0


@pytest.mark.parametrize(
    "status, wait_for, actions",
    [
        ("WORKING", ["WORKING"], {}),
        ("SCAN_QR_CODE", ["SCAN_QR_CODE"], {}),
    ],
)
def test_a_restart_that_comes_back_between_two_polls_passes(simulator, ansible, tmp_path, status, wait_for, actions):
    """The API still shows the old status right after the restart, and the whole cycle ends before the next poll:
    the restart was accepted and the instance is in wait_for, so the wait passes (it cannot see the cycle)."""
    timing = {"restart_lag": 2.0, "stopped_for": 0.2, "starting_for": 0.2}
    sim = simulator(scenario(instance(WORKING_ID, status, access_token=None), **timing))
    run = ansible.module(
        "instance",
        {
            "state": "restarted",
            "instance": WORKING_ID,
            "wait": True,
            "wait_for": wait_for,
            "wait_sleep": 4,
            "wait_timeout": 12,
        },
        env=env_for(sim, tmp_path),
    )
    assert run.rc == 0, run
    assert (run.result["restarted"], run.result["previous_status"], run.result["instance"]["status"]) == (
        True,
        status,
        status,
    )
    assert len(posts(sim, RESTART)) == 1


# -- instance_qr -------------------------------------------------------------------------------------------------------


def test_acceptance_decode_the_printed_qr_scan_it_and_the_wait_passes(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(QR_ID, "SCAN_QR_CODE", access_token=None, name="to-link")))
    run = ansible.module(
        "instance_qr",
        {"instance": QR_ID, "render": "text", "dest": str(tmp_path / "qr.png")},
        env=env_for(sim, tmp_path),
    )
    assert run.rc == 0, run
    result = run.result
    assert (result["changed"], result["requested"], result["valid_for"]) == (True, True, 60)
    assert stat.S_IMODE(os.stat(tmp_path / "qr.png").st_mode) == 0o600
    lines = result["qr_code_text"]
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


def test_no_code_for_a_working_instance_and_none_printed_unless_asked(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(WORKING_ID, "WORKING"), instance(QR_ID, "SCAN_QR_CODE", access_token=None)))
    run = ansible.module("instance_qr", {"instance": WORKING_ID, "render": "text"}, env=env_for(sim, tmp_path))
    assert (run.rc, run.result["changed"], run.result["requested"]) == (0, False, False), run
    assert posts(sim, QR) == []
    quiet = ansible.module(
        "instance_qr", {"instance": QR_ID, "dest": str(tmp_path / "q.png")}, env=env_for(sim, tmp_path)
    )
    assert quiet.rc == 0, quiet
    assert "qr_code_text" not in quiet.result
    assert "\u2588" not in quiet.output
    assert_no_secret(quiet, live_secrets(sim))
    check = ansible.module(
        "instance_qr", {"instance": QR_ID, "render": "text"}, env=env_for(sim, tmp_path), extra_args=["--check"]
    )
    assert (check.rc, check.result["changed"], check.result["requested"]) == (0, True, True), check
    assert len(posts(sim, QR)) == 1


def test_qr_requests_are_paced_once_a_minute_of_compressed_time(simulator, ansible, tmp_path):
    """Time compressed 20x: the API's minute is 3 s. Two codes for one instance, then one for another."""
    window = 3.0
    sim = simulator(
        scenario(
            instance(QR_ID, "SCAN_QR_CODE", access_token=None),
            instance(OTHER_ID, "SCAN_QR_CODE", access_token=None),
            rate_limits={"qr": {"requests": 1, "window": window}},
            qr_valid=window,
        )
    )
    run = ansible.playbook(
        textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          module_defaults:
            hypersender.whatsapp.instance_qr:
              min_interval: %(window)s
          tasks:
            - hypersender.whatsapp.instance_qr:
                instance: "{{ item }}"
                dest: "%(dir)s/{{ item }}.png"
              loop: ["%(qr)s", "%(qr)s", "%(other)s"]
              register: codes
            - ansible.builtin.assert:
                that:
                  - codes.results | map(attribute='requested') | list == [true, true, true]
                  - codes.results[1].paced > 0
    """ % {"window": window, "dir": tmp_path, "qr": QR_ID, "other": OTHER_ID}),
        env=env_for(sim, tmp_path),
    )
    assert run.rc == 0, run
    answered = [entry for entry in posts(sim, QR) if entry["status"] == 200]
    assert len(answered) == 3
    gaps = [later["t"] - earlier["t"] for earlier, later in zip(answered, answered[1:])]
    assert all(gap >= window for gap in gaps), gaps
    same_instance = [entry for entry in posts(sim, QR) if QR_ID in entry["path"]]
    assert [entry["status"] for entry in same_instance] == [
        200,
        200,
    ], "the module paced itself: no 429 for one instance"


def test_a_recent_request_fails_at_once_with_wait_timeout_zero(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(QR_ID, "SCAN_QR_CODE", access_token=None)))
    args = {"instance": QR_ID, "dest": str(tmp_path / "q.png")}
    assert ansible.module("instance_qr", args, env=env_for(sim, tmp_path)).rc == 0
    run = ansible.module("instance_qr", dict(args, wait_timeout=0), env=env_for(sim, tmp_path))
    assert run.rc != 0, run
    assert "was requested less than 60 s ago; Hypersender allows one a minute" in run.result["msg"]
    assert len(posts(sim, QR)) == 1


def test_a_refused_qr_request_is_no_change_and_keeps_the_task_deadline(simulator, ansible, tmp_path):
    sim = simulator(
        with_faults(scenario(instance(QR_ID, "SCAN_QR_CODE", access_token=None)), refused(QR, retry_after=120))
    )
    run = ansible.module(
        "instance_qr",
        {"instance": QR_ID, "dest": str(tmp_path / "q.png"), "wait_timeout": 5},
        env=env_for(sim, tmp_path),
    )
    assert run.rc != 0, run
    assert (run.result["changed"], run.result["requested"]) == (False, False)
    assert len(posts(sim, QR)) == 1
    msg = run.result["msg"]
    assert "the API refused the new QR code for instance %s: rate limited (HTTP 429), retry after 120 s" % QR_ID in msg
    assert "wait_timeout" in msg and "poll" not in msg
    assert not (tmp_path / "q.png").exists()


# -- destinations: checked before any request; a write that fails afterwards says what was done --------------------


def _destinations(tmp_path):
    """Bad destinations, each with the words of its error."""
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "victim.png").write_bytes(b"not yours")
    (tmp_path / "link.png").symlink_to(tmp_path / "victim.png")
    (tmp_path / "dangling.png").symlink_to(tmp_path / "nowhere.png")
    return [
        (str(tmp_path / "a-directory"), "is a directory"),
        (str(tmp_path / "missing" / "qr.png"), "does not exist"),
        (str(tmp_path / "link.png"), "is a symbolic link"),
        (str(tmp_path / "dangling.png"), "is a symbolic link"),
        (str(tmp_path / "victim.png" / "qr.png"), "is not a directory"),
    ]


def test_a_bad_qr_code_path_fails_before_the_create(simulator, ansible, tmp_path):
    sim = simulator(scenario())
    for path, words in _destinations(tmp_path):
        for extra in ([], ["--check"]):
            run = ansible.module(
                "instance",
                {"name": "bot", "phone": PHONE, "qr_code_path": path},
                env=env_for(sim, tmp_path),
                extra_args=extra,
            )
            assert run.rc != 0, run
            assert run.result["msg"].startswith("qr_code_path %s" % path) and words in run.result["msg"], run
            assert sim.requests() == [], "no request, not even the list"
    assert (tmp_path / "victim.png").read_bytes() == b"not yours"


def test_a_bad_dest_fails_before_the_qr_request(simulator, ansible, tmp_path):
    sim = simulator(scenario(instance(QR_ID, "SCAN_QR_CODE", access_token=None)))
    for path, words in _destinations(tmp_path):
        run = ansible.module("instance_qr", {"instance": QR_ID, "dest": path}, env=env_for(sim, tmp_path))
        assert run.rc != 0, run
        assert run.result["msg"].startswith("dest %s" % path) and words in run.result["msg"], run
        assert sim.requests() == []
    assert (tmp_path / "victim.png").read_bytes() == b"not yours"


class _TurnIntoDirectory(threading.Thread):
    """Make ``path`` a directory as soon as the module has listed the instances (its check of ``path`` is done),
    while the action's answer is held back by a delay fault: the write after the action then fails."""

    def __init__(self, sim, path):
        super().__init__(daemon=True)
        self.sim, self.path, self.done = sim, path, threading.Event()

    def run(self):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(entry["path"].endswith("/instances") for entry in self.sim.requests()):
                os.mkdir(self.path)
                self.done.set()
                return
            time.sleep(0.01)


def test_a_qr_code_path_that_fails_after_the_create_says_the_instance_was_created(simulator, ansible, tmp_path):
    sim = simulator(with_faults(scenario(), {"path": CREATE, "method": "POST", "delay": 3}))
    dest = tmp_path / "qr.png"
    watcher = _TurnIntoDirectory(sim, str(dest))
    watcher.start()
    run = ansible.module(
        "instance",
        {"name": "bot", "phone": PHONE, "qr_code_path": str(dest), "return_access_token": True},
        env=env_for(sim, tmp_path),
    )
    watcher.join()
    assert watcher.done.is_set()
    assert run.rc != 0, run
    result = run.result
    assert (result["changed"], result["created"]) == (True, True)
    created = result["instance"]["id"]
    assert result["msg"].startswith(
        "created instance 'bot' (%s), but could not write its QR code to %s: " % (created, dest)
    )
    assert "hypersender.whatsapp.instance_qr" in result["msg"]
    for secret in live_secrets(sim):
        assert secret not in result["msg"]
    payloads = requests.get(sim.url + "/_sim/qr", timeout=5).json()
    assert payloads[created]["payload"] not in run.output
    assert len(posts(sim, CREATE)) == 1


def test_a_dest_that_fails_after_the_qr_request_says_a_code_was_requested(simulator, ansible, tmp_path):
    sim = simulator(
        with_faults(
            scenario(instance(QR_ID, "SCAN_QR_CODE", access_token=None)), {"path": QR, "method": "POST", "delay": 3}
        )
    )
    dest = tmp_path / "qr.png"
    watcher = _TurnIntoDirectory(sim, str(dest))
    watcher.start()
    run = ansible.module("instance_qr", {"instance": QR_ID, "dest": str(dest)}, env=env_for(sim, tmp_path))
    watcher.join()
    assert watcher.done.is_set()
    assert run.rc != 0, run
    assert (run.result["changed"], run.result["requested"]) == (True, True)
    assert run.result["msg"].startswith(
        "requested a new QR code for instance %s, but could not write it to %s: " % (QR_ID, dest)
    )
    assert_no_secret(run, live_secrets(sim))
    assert len(posts(sim, QR)) == 1
