# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory plugin through the real ``ansible-inventory`` and ``ansible-playbook``, against the simulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ACCESS_TOKEN, QR_ID, TOKEN, WORKING_ID, hypersender_scenario, instance

FAILED_ID = "5b0e7a41-9d2c-4e8f-8a1b-3c4d5e6f7a8b"
TEMPLATED_NAME = "Shop {{ 7 * 7 }}"


@pytest.fixture
def sim(simulator):
    return simulator(
        hypersender_scenario(
            instance(WORKING_ID, "WORKING", name="shop-eg"),
            instance(QR_ID, "SCAN_QR_CODE", name="support eg"),
            instance(FAILED_ID, "FAILED", name=TEMPLATED_NAME),
        )
    )


def write_config(ansible, sim, name="hypersender.yml", **options):
    config = {"plugin": "hypersender.whatsapp.instances", "api_url": sim.hypersender_url}
    config.update(options)
    path = ansible.tmp_path / name
    path.write_text(json.dumps(config))  # JSON is YAML
    return str(path)


def inventory_list(ansible, path, env=None, extra=(), **kwargs):
    env = dict({"HYPERSENDER_API_TOKEN": TOKEN}, **(env or {}))
    run = ansible(["-i", path, "--list"] + list(extra), command="ansible-inventory", verbosity=None, env=env, **kwargs)
    assert run.rc == 0, run
    return json.loads(run.output[run.output.index("{") : run.output.rindex("}") + 1]), run


def flat(text):
    """Output with Ansible's line wrapping (ansible-core 2.16 wraps warnings) undone."""
    return " ".join(text.split())


def value(variable):
    """A host variable from --list output: unsafe values are {"__ansible_unsafe": ...} (2.16) or plain (2.19+)."""
    if isinstance(variable, dict) and "__ansible_unsafe" in variable:
        return variable["__ansible_unsafe"]
    return variable


def test_list_hosts_groups_and_variables(ansible, sim):
    data, run = inventory_list(ansible, write_config(ansible, sim))
    hostvars = data["_meta"]["hostvars"]
    assert sorted(hostvars) == ["Shop_7_7", "shop-eg", "support_eg"]
    assert data["hypersender_working"]["hosts"] == ["shop-eg"]
    assert data["hypersender_scan_qr_code"]["hosts"] == ["support_eg"]
    assert data["hypersender_failed"]["hosts"] == ["Shop_7_7"]
    assert set(data["hypersender_instances"]["children"]) >= {
        "hypersender_working",
        "hypersender_failed",
        "hypersender_scan_qr_code",
        "hypersender_stopped",
    }
    shop = {key: value(val) for key, val in hostvars["shop-eg"].items()}
    assert shop["hypersender_uuid"] == WORKING_ID
    assert shop["hypersender_status"] == "WORKING"
    assert shop["hypersender_name"] == "shop-eg"
    assert not any("token" in key for key in shop)
    assert ACCESS_TOKEN not in run.output
    requests = sim.requests()
    assert [(r["method"], r["path"]) for r in requests] == [("GET", "/api/whatsapp/v1/instances")], "one request"


def test_graph_and_verbose_run_keep_the_token_out(ansible, sim):
    run = ansible(
        ["-i", write_config(ansible, sim), "--graph"], command="ansible-inventory", env={"HYPERSENDER_API_TOKEN": TOKEN}
    )  # -vvvv; the fixture checks every secret
    assert run.rc == 0, run
    assert "@hypersender_failed:" in run.output and "|--Shop_7_7" in run.output
    assert "@hypersender_working:" in run.output and "|--shop-eg" in run.output


def test_play_targets_a_status_group_and_api_text_is_not_templated(ansible, sim):
    config = write_config(ansible, sim)
    run = ansible.playbook(
        """
- name: Every FAILED instance
  hosts: hypersender_failed
  connection: local
  gather_facts: false
  tasks:
    - name: Say which
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }} {{ hypersender_uuid }} named {{ hypersender_name }}"
""",
        extra_args=["-i", config],
        env={"HYPERSENDER_API_TOKEN": TOKEN},
    )
    assert run.rc == 0, run
    results = run.results
    assert [state for state, dummy in results] == ["SUCCESS"], "one host in the group: %r" % run
    assert results[0][1]["msg"] == "Shop_7_7 %s named %s" % (FAILED_ID, TEMPLATED_NAME), "API data must stay unsafe"
    assert "shop-eg |" not in run.output and "support_eg |" not in run.output


def test_filters_compose_keyed_groups_and_hostname_source(ansible, sim):
    config = write_config(
        ansible,
        sim,
        status="SCAN_QR_CODE",
        hostname_source="uuid",
        variable_prefix="wa_",
        compose={"ansible_connection": "'local'", "label": "wa_name | upper"},
        keyed_groups=[{"key": "wa_service_type", "prefix": "service"}],
        groups={"needs_scan": "wa_status == 'SCAN_QR_CODE'"},
    )
    data, dummy = inventory_list(ansible, config)
    assert sorted(data["_meta"]["hostvars"]) == [QR_ID]
    host = {key: value(val) for key, val in data["_meta"]["hostvars"][QR_ID].items()}
    assert host["label"] == "SUPPORT EG" and host["ansible_connection"] == "local" and host["wa_uuid"] == QR_ID
    assert data["needs_scan"]["hosts"] == [QR_ID]
    assert data["service_whatsapp"]["hosts"] == [QR_ID]
    assert [r["query"] for r in sim.requests()] == [{"filter[status]": "SCAN_QR_CODE"}]


def test_cache_serves_the_second_run_without_a_request(ansible, sim):
    config = write_config(
        ansible,
        sim,
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(ansible.tmp_path / "inventory-cache"),
        cache_timeout=3600,
    )
    first, dummy = inventory_list(ansible, config)
    assert len(sim.requests()) == 1
    second, dummy = inventory_list(ansible, config)
    assert len(sim.requests()) == 1, "the cached run made a request"
    assert second == first
    cached = "".join(path.read_text() for path in (ansible.tmp_path / "inventory-cache").iterdir())
    assert WORKING_ID in cached and ACCESS_TOKEN not in cached
    run = ansible.playbook(
        "- hosts: hypersender_working\n  gather_facts: false\n  tasks: []\n",
        extra_args=["-i", config, "--flush-cache"],
        env={"HYPERSENDER_API_TOKEN": TOKEN},
    )
    assert run.rc == 0, run
    assert len(sim.requests()) == 2, "--flush-cache refreshes from the API"
    Path(config).write_text(Path(config).read_text().replace('"plugin"', '"status": "FAILED", "plugin"'))
    filtered, dummy = inventory_list(ansible, config)
    assert sorted(filtered["_meta"]["hostvars"]) == ["Shop_7_7"], "new filters are not served from the old cache entry"
    assert len(sim.requests()) == 3


def test_access_token_only_when_asked_and_never_with_the_cache(ansible, sim):
    data, dummy = inventory_list(
        ansible,
        write_config(ansible, sim, access_token_var="wa_instance_token"),
        secrets_expected=(ACCESS_TOKEN, ACCESS_TOKEN.split("|", 1)[1]),
    )
    assert value(data["_meta"]["hostvars"]["shop-eg"]["wa_instance_token"]) == ACCESS_TOKEN
    before = len(sim.requests())
    run = ansible(
        ["-i", write_config(ansible, sim, access_token_var="wa_instance_token", cache=True), "--list"],
        command="ansible-inventory",
        env={
            "HYPERSENDER_API_TOKEN": TOKEN,
            "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "1",
        },
    )
    assert run.rc != 0
    assert "access_token_var and cache: true cannot be used together" in flat(run.output)
    assert len(sim.requests()) == before


def test_token_from_a_template_in_the_config(ansible, sim):
    config = write_config(ansible, sim, api_token="{{ lookup('ansible.builtin.env', 'VAULTED_TOKEN') }}")
    data, dummy = inventory_list(ansible, config, env={"VAULTED_TOKEN": TOKEN, "HYPERSENDER_API_TOKEN": ""})
    assert len(data["_meta"]["hostvars"]) == 3


@pytest.mark.parametrize(
    "options, env, message, requests",
    [
        ({}, {"HYPERSENDER_API_TOKEN": "wrong-token-0000"}, "rejected the credentials (HTTP 401)", 1),
        ({}, {"HYPERSENDER_API_TOKEN": ""}, "api_token is empty: set api_token or the HYPERSENDER_API_TOKEN", 0),
        ({"uuid": "nope"}, {"HYPERSENDER_API_TOKEN": TOKEN}, "uuid 'nope' is not an instance UUID", 0),
        ({"access_token_var": "1 bad"}, {"HYPERSENDER_API_TOKEN": TOKEN}, "not a valid variable name", 0),
    ],
)
def test_errors_are_clear_and_early(ansible, sim, options, env, message, requests):
    env = dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED="1", ANSIBLE_INVENTORY_UNPARSED_WARNING="1")
    run = ansible(["-i", write_config(ansible, sim, **options), "--list"], command="ansible-inventory", env=env)
    assert run.rc != 0, run
    assert message in flat(run.output), run
    assert "Traceback" not in run.output.split("hypersender.whatsapp.instances:")[-1].split("\n")[0]
    assert len(sim.requests()) == requests
    assert "wrong-token-0000" not in run.output


def test_other_file_names_are_not_read(ansible, sim):
    config = write_config(ansible, sim, name="instances.yml")
    run = ansible(
        ["-i", config, "--list"],
        command="ansible-inventory",
        verbosity="-v",
        env={"HYPERSENDER_API_TOKEN": TOKEN, "ANSIBLE_INVENTORY_UNPARSED_WARNING": "1"},
    )
    assert "could not be verified by inventory plugin 'hypersender.whatsapp.instances'" in flat(run.output), run
    assert sim.requests() == []
