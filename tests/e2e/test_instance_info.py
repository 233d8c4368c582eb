# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.instance_info, module and lookup, through real ansible runs."""

from __future__ import annotations

import re

import pytest
import requests
from conftest import ACCESS_TOKEN, QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance

STARTING_ID = "5b2e0c3a-1111-4abc-8def-0123456789ab"
FAILED_ID = "7d1f2e3a-2222-4abc-8def-0123456789ab"
UNKNOWN_ID = "5b2e0c3a-9999-4abc-8def-0123456789ab"
LIST_PATH = r"^/api/whatsapp/v1/instances$"


def env_for(sim):
    return {"HYPERSENDER_API_URL": sim.hypersender_url, "HYPERSENDER_API_TOKEN": TOKEN}


def fleet(sim_factory, **extra):
    return sim_factory(
        hypersender_scenario(
            instance(WORKING_ID, "WORKING", name="prod-alpha", phone="+201234567890"),
            instance(QR_ID, "SCAN_QR_CODE", name="prod-beta", phone="+201234567891", access_token=None),
            instance(STARTING_ID, "STARTING", name="staging-gamma", phone="+201234567892"),
            instance(FAILED_ID, "FAILED", name="old-delta", phone="+201234567893"),
            **extra,
        )
    )


def list_calls(sim):
    return [r for r in sim.requests() if r["path"].endswith("/instances")]


def test_everything_by_status_without_access_tokens(simulator, ansible):
    sim = fleet(simulator)
    run = ansible.module("instance_info", {}, env=env_for(sim))
    assert run.rc == 0, run
    result = run.result
    assert result["changed"] is False and result["count"] == 4
    assert result["by_status"] == {
        "STOPPED": 0,
        "STARTING": 1,
        "WORKING": 1,
        "SCAN_QR_CODE": 1,
        "FAILED": 1,
        "PENDING": 0,
    }
    assert set(result["instances"][0]) == {"id", "name", "phone", "service_type", "status", "created_at", "ready"}
    assert (result["ready"], result["waited"], result["polls"]) == ([WORKING_ID], False, 1)
    assert '"access_token":' not in run.output


@pytest.mark.parametrize(
    "filters, expected_ids, query",
    [
        ({"uuid": QR_ID}, [QR_ID], {"filter[uuid]": QR_ID}),
        ({"name": "prod"}, [WORKING_ID, QR_ID], {"filter[name]": "prod"}),
        ({"phone": "+201234567892"}, [STARTING_ID], {"filter[phone]": "+201234567892"}),
        ({"status": "FAILED"}, [FAILED_ID], {"filter[status]": "FAILED"}),
    ],
)
def test_each_filter_goes_to_the_api(simulator, ansible, filters, expected_ids, query):
    sim = fleet(simulator)
    run = ansible.module("instance_info", filters, env=env_for(sim))
    assert run.rc == 0, run
    assert [i["id"] for i in run.result["instances"]] == expected_ids
    assert list_calls(sim)[0]["query"] == query


def test_instances_selection_is_one_list_call(simulator, ansible):
    sim = fleet(simulator)
    run = ansible.module("instance_info", {"instances": [STARTING_ID, WORKING_ID, UNKNOWN_ID]}, env=env_for(sim))
    assert run.rc == 0, run
    result = run.result
    assert [i["id"] for i in result["instances"]] == [STARTING_ID, WORKING_ID]
    assert result["missing"] == [UNKNOWN_ID]
    assert result["not_ready"] == [STARTING_ID, UNKNOWN_ID]
    assert len(list_calls(sim)) == 1 and list_calls(sim)[0]["query"] == {}


def test_access_token_only_on_request(simulator, ansible):
    sim = fleet(simulator)
    run = ansible.module(
        "instance_info",
        {"uuid": WORKING_ID, "return_access_token": True},
        env=env_for(sim),
        secrets_expected=(ACCESS_TOKEN, ACCESS_TOKEN.split("|", 1)[1]),
    )
    assert run.rc == 0, run
    assert run.result["instances"][0]["access_token"] == ACCESS_TOKEN


def test_access_token_task_with_no_log_prints_nothing(simulator, ansible):
    sim = fleet(simulator)
    run = ansible.playbook(
        """
- hosts: localhost
  gather_facts: false
  tasks:
    - hypersender.whatsapp.instance_info:
        uuid: %s
        return_access_token: true
      register: with_token
      no_log: true
    - ansible.builtin.assert:
        that: with_token.instances[0].access_token | length > 20
        quiet: true
""" % WORKING_ID,
        env=env_for(sim),
    )
    assert run.rc == 0, run


@pytest.mark.parametrize(
    "args, words",
    [
        ({"uuid": "nope"}, "uuid 'nope' is not an instance UUID"),
        ({"phone": "201234567890"}, "is not an E.164 phone number"),
        ({"status": "BROKEN"}, "value of status must be one of"),
        ({"instances": [WORKING_ID, "x"]}, "instances item 'x' is not an instance UUID"),
        ({"status": "WORKING", "wait": True}, "status filters the list by status, so it cannot be awaited"),
    ],
)
def test_bad_input_fails_before_any_request(simulator, ansible, args, words):
    sim = fleet(simulator)
    run = ansible.module("instance_info", args, env=env_for(sim))
    assert run.rc != 0 and words in run.result["msg"], run
    assert sim.requests() == []


def test_non_array_body_is_a_clear_error(simulator, ansible):
    fault = {"path": LIST_PATH, "count": None, "status": 200, "body": {"data": []}}
    sim = fleet(simulator, faults=[fault])
    run = ansible.module("instance_info", {}, env=env_for(sim))
    assert run.rc != 0
    assert "GET /instances: expected a JSON array of instances, got an object" in run.result["msg"]
    assert "Traceback" not in run.output


def test_fleet_wait_of_50_instances_is_one_list_call_per_poll(simulator, ansible):
    sim = simulator({"hypersender": {"tokens": [TOKEN], "generate": {"count": 50, "seed": 11, "working_within": 3}}})
    ids = sorted(sim.ready_times())
    last_ready = max(sim.ready_times().values())
    run = ansible.module(
        "instance_info", {"instances": ids, "wait": True, "wait_sleep": 0.5, "wait_timeout": 60}, env=env_for(sim)
    )
    assert run.rc == 0, run
    result = run.result
    assert sorted(result["ready"]) == ids and result["not_ready"] == []
    assert result["by_status"]["WORKING"] == 50
    calls = list_calls(sim)
    assert len(calls) == result["polls"] == len(sim.requests()), "one list call per poll, nothing else"
    assert all(call["t"] < last_ready for call in calls[:-1]) and last_ready <= calls[-1]["t"]
    listed = requests.get(
        sim.hypersender_url + "/instances", headers={"Authorization": "Bearer " + TOKEN}, timeout=10
    ).json()
    tokens = [item["access_token"] for item in listed]
    assert not any(token in run.output for token in tokens)


def test_fleet_wait_timeout_names_each_instance_not_ready(simulator, ansible):
    sim = fleet(simulator)
    run = ansible.module(
        "instance_info",
        {"instances": [WORKING_ID, QR_ID], "wait": True, "wait_sleep": 0.5, "wait_timeout": 1.5},
        env=env_for(sim),
    )
    assert run.rc != 0
    # The time said is the time spent: the deadline, or more for the last request (much more on a loaded machine).
    said = re.match(
        r"^1 of 2 instances not in \[WORKING\] after ([0-9.]+) s: %s SCAN_QR_CODE$" % QR_ID, run.result["msg"]
    )
    assert said and float(said.group(1)) >= 1.5, run
    assert run.result["not_ready"] == [QR_ID]


def test_fleet_wait_fails_fast_on_an_unknown_uuid(simulator, ansible):
    sim = fleet(simulator)
    run = ansible.module(
        "instance_info",
        {"instances": [WORKING_ID, UNKNOWN_ID], "wait": True, "wait_sleep": 0.5, "wait_timeout": 300},
        env=env_for(sim),
    )
    assert run.rc != 0
    assert run.result["msg"].startswith("1 of the selected UUIDs are not in this account")
    assert run.result["not_ready"] == [UNKNOWN_ID] and run.result["polls"] == 1


def test_fleet_wait_fails_fast_on_a_fatal_status(simulator, ansible):
    sim = fleet(simulator)
    run = ansible.module("instance_info", {"name": "a", "wait": True, "wait_timeout": 300}, env=env_for(sim))
    assert run.rc != 0
    assert "reported a status in fail_on [FAILED] after 1 polls: %s FAILED" % FAILED_ID in run.result["msg"]
    assert len(list_calls(sim)) == 1


def test_fleet_wait_check_mode_lists_once(simulator, ansible):
    sim = fleet(simulator)
    run = ansible.module(
        "instance_info",
        {"instances": [WORKING_ID, STARTING_ID], "wait": True},
        env=env_for(sim),
        extra_args=["--check"],
    )
    assert run.rc == 0, run
    assert run.result["msg"] == "check mode: listed once (1 of 2 ready) instead of waiting up to 300 s for [WORKING]"
    assert (run.result["waited"], len(sim.requests())) == (False, 1)


LOOKUP_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ query('hypersender.whatsapp.instance_info', %s) }}"
"""


def test_lookup_filters_and_selection(simulator, ansible):
    sim = fleet(simulator)
    run = ansible.playbook(LOOKUP_PLAY % "name='prod'", env=env_for(sim))
    assert run.rc == 0, run
    assert [i["id"] for i in run.result["msg"]] == [WORKING_ID, QR_ID]
    assert all("access_token" not in i for i in run.result["msg"])
    run = ansible.playbook(LOOKUP_PLAY % ("'%s', '%s'" % (STARTING_ID, QR_ID)), env=env_for(sim))
    assert run.rc == 0, run
    assert [(i["id"], i["status"]) for i in run.result["msg"]] == [(STARTING_ID, "STARTING"), (QR_ID, "SCAN_QR_CODE")]
    run = ansible.playbook(LOOKUP_PLAY % ("'%s'" % UNKNOWN_ID), env=env_for(sim))
    assert (
        run.rc != 0 and "hypersender.whatsapp.instance_info: no instance %s in this account" % UNKNOWN_ID in run.output
    )
