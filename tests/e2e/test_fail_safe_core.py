# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared client's fail-safes through real runs (issue 22, item 1): a secret a server echoes or sends never
reaches output (every plugin kind quotes a body through one redaction). Every run is at -vvvv unless said otherwise,
and the ``ansible`` fixture fails a test whose output holds a known secret.

Items 2 (the QR pacing directory), 11 (429 floors) and 12 (NaN and infinities) are tested by the integration targets
module_instance_qr, module_instance_health, lookup_instance_health, module_fleet_heal, module_onprem_health,
lookup_instance_info and inventory_instances.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from conftest import ACCESS_TOKEN, QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance
from test_roles_playbooks import extra_vars

HEALTH = r"/health$"
LIST = r"/instances$"
QR = r"/request-new-qr-code$"
CREATE = r"/create-instance$"
MASK = "********"
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
