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
    """Fatal by default (fail_on_errors), with no ANSIBLE_INVENTORY_UNPARSED_FAILED."""
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


# Issue 22, item 3: the inventory fails closed.

PLAY_ON_FAILED = """
- name: Every FAILED instance
  hosts: hypersender_failed
  connection: local
  gather_facts: false
  tasks:
    - name: Say which
      ansible.builtin.debug:
        msg: "acting on {{ hypersender_uuid }}"
"""
WRONG_TOKEN = "wrong-token-0000"
TOKEN_2 = "sim-token-second-9876543210"


def static_inventory(ansible):
    path = ansible.tmp_path / "static.ini"
    path.write_text("static-host ansible_connection=local\n")
    return str(path)


@pytest.mark.parametrize("command", ["--graph", "--list", "ansible-playbook"])
def test_a_rejected_token_fails_the_run_beside_another_source(ansible, sim, command):
    """Ansible's ANSIBLE_INVENTORY_UNPARSED_FAILED would not help here: the static source parses."""
    sources = ["-i", static_inventory(ansible), "-i", write_config(ansible, sim)]
    env = {"HYPERSENDER_API_TOKEN": WRONG_TOKEN}
    if command == "ansible-playbook":
        run = ansible.playbook(PLAY_ON_FAILED, extra_args=sources, env=env)
    else:
        run = ansible(sources + [command], command="ansible-inventory", env=env)
    assert run.rc != 0, run
    output = flat(run.output)
    assert "the Hypersender API rejected the credentials (HTTP 401)" in output
    assert "Completely failed to parse inventory source" in output
    assert "acting on" not in output, "the play ran"
    assert "|--static-host" not in output and '"hostvars"' not in output, "an inventory was printed"
    assert [(r["method"], r["status"]) for r in sim.requests()] == [("GET", 401)]
    assert WRONG_TOKEN not in run.output


def test_an_unreachable_api_fails_the_play(ansible, sim):
    config = write_config(ansible, sim)
    Path(config).write_text(Path(config).read_text().replace(sim.hypersender_url, "http://127.0.0.1:9/api/whatsapp/v1"))
    run = ansible.playbook(PLAY_ON_FAILED, extra_args=["-i", config], env={"HYPERSENDER_API_TOKEN": TOKEN})
    assert run.rc != 0, run
    assert "Completely failed to parse inventory source" in flat(run.output) and "acting on" not in run.output


def test_fail_on_errors_false_leaves_the_error_to_ansible(ansible, sim):
    """The documented alternative: Ansible's own handling, a warning unless its settings say otherwise."""
    config = write_config(ansible, sim, fail_on_errors=False)
    env = {"HYPERSENDER_API_TOKEN": WRONG_TOKEN}
    run = ansible.playbook(PLAY_ON_FAILED, extra_args=["-i", config], env=env)
    assert run.rc == 0, run
    assert "rejected the credentials (HTTP 401)" in flat(run.output) and "acting on" not in run.output
    run = ansible(["-i", config, "--graph"], command="ansible-inventory", env=env)
    assert run.rc == 0, run
    sources = ["-i", static_inventory(ansible), "-i", config, "--graph"]
    run = ansible(sources, command="ansible-inventory", env=dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED="1"))
    assert run.rc == 0, "another source parsed, so ANSIBLE_INVENTORY_UNPARSED_FAILED does not fail: %r" % run
    run = ansible(sources, command="ansible-inventory", env=dict(env, ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="1"))
    assert run.rc != 0, run


def test_an_unknown_key_fails_naming_it_before_any_request(ansible, sim):
    run = ansible(
        ["-i", write_config(ansible, sim, nmae="shop"), "--list"],
        command="ansible-inventory",
        env={"HYPERSENDER_API_TOKEN": TOKEN},
    )
    assert run.rc != 0, run
    output = flat(run.output)
    assert "unknown option 'nmae' (did you mean 'name'?); the options are: " in output, run
    assert "hostname_source" in output.split("the options are: ")[1]
    assert sim.requests() == []


def test_the_cache_is_never_served_to_another_or_a_wrong_token(ansible, simulator):
    sim = simulator(
        hypersender_scenario(instance(WORKING_ID, "WORKING", name="shop-eg"), hypersender={"tokens": [TOKEN, TOKEN_2]})
    )
    cache_dir = ansible.tmp_path / "inventory-cache"
    config = write_config(
        ansible, sim, cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(cache_dir)
    )
    first, dummy = inventory_list(ansible, config)
    assert len(sim.requests()) == 1
    run = ansible(["-i", config, "--list"], command="ansible-inventory", env={"HYPERSENDER_API_TOKEN": WRONG_TOKEN})
    assert run.rc != 0 and "rejected the credentials (HTTP 401)" in flat(run.output), run
    assert [r["status"] for r in sim.requests()] == [200, 401], "the wrong token was served the cached list"
    second, run = inventory_list(ansible, config, env={"HYPERSENDER_API_TOKEN": TOKEN_2})
    assert second == first and TOKEN_2 not in run.output
    assert len(sim.requests()) == 3, "another token reads its own list"
    again, dummy = inventory_list(ansible, config)
    assert again == first and len(sim.requests()) == 3, "the first token's entry still serves it"
    for path in cache_dir.iterdir():
        for secret in (TOKEN, TOKEN_2, WRONG_TOKEN):
            assert secret not in path.name and secret not in path.read_text()


def test_extra_vars_set_the_connection_and_inventory_vars_do_not(ansible, sim):
    """What the plugin's documentation says about the hypersender_* variables."""
    config = write_config(ansible, sim)
    run = ansible(
        ["-i", config, "--graph", "-e", "hypersender_api_token=" + TOKEN],
        command="ansible-inventory",
        env={"HYPERSENDER_API_TOKEN": WRONG_TOKEN},
    )
    assert run.rc == 0 and "|--shop-eg" in run.output, run
    (ansible.tmp_path / "group_vars").mkdir()
    (ansible.tmp_path / "group_vars" / "all.yml").write_text("hypersender_api_token: %s\n" % TOKEN)
    run = ansible(["-i", config, "--list"], command="ansible-inventory", env={"HYPERSENDER_API_TOKEN": ""})
    assert run.rc != 0 and "api_token is empty" in flat(run.output), run


# Issue 22, item 4: API names cannot take over groups, and host names do not depend on the API's order.

SHOP_STOPPED = "0a2b3c4d-1111-4e5f-8a9b-0c1d2e3f4a5b"
LOCAL_ID = "7e8f9a0b-2222-4c3d-9e4f-5a6b7c8d9e0f"


def list_in_both_orders(ansible, sim, scenario, config):
    """--list with the API's list as given, then reversed; both must be the same."""
    first, run = inventory_list(ansible, config)
    reverse = json.loads(json.dumps(scenario))
    reverse["hypersender"]["instances"].reverse()
    sim.load(reverse)
    second, dummy = inventory_list(ansible, config)
    assert sorted_hosts(second) == sorted_hosts(first), "host names depend on the API's order"
    return sorted_hosts(first), run


def sorted_hosts(data):
    """--list output with each group's hosts sorted (Ansible lists them in the order they were added), and each
    host's UUID for its variables (the simulator numbers phones in the list's order)."""
    hostvars = {host: variables["hypersender_uuid"] for host, variables in data["_meta"]["hostvars"].items()}
    return dict(
        {
            name: dict(entry, hosts=sorted(entry["hosts"])) if "hosts" in entry else entry
            for name, entry in data.items()
        },
        _meta=hostvars,
    )


def test_instance_names_cannot_take_over_groups_or_swap_hosts(ansible, simulator):
    scenario = hypersender_scenario(
        instance(WORKING_ID, "WORKING", name="hypersender_failed"),
        instance(SHOP_STOPPED, "STOPPED", name="shop"),
        instance(FAILED_ID, "FAILED", name="shop"),
        instance(LOCAL_ID, "FAILED", name="localhost"),
        instance(QR_ID, "SCAN_QR_CODE", name="support"),
    )
    sim = simulator(scenario)
    config = write_config(ansible, sim)
    data, run = list_in_both_orders(ansible, sim, scenario, config)
    assert data["_meta"] == dict(
        {uuid: uuid for uuid in (WORKING_ID, SHOP_STOPPED, FAILED_ID, LOCAL_ID)}, support=QR_ID
    )
    assert sorted(data["hypersender_failed"]["hosts"]) == sorted([FAILED_ID, LOCAL_ID])
    assert data["hypersender_working"] == {"hosts": [WORKING_ID]}, "no group inside a status group"
    assert data["hypersender_stopped"] == {"hosts": [SHOP_STOPPED]}
    output = flat(run.output)
    assert "would have the host name 'hypersender_failed', which is also the name of a group" in output
    assert "2 instances would have the host name 'shop'" in output
    assert "would have the host name 'localhost', which would make it Ansible's localhost" in output
    play = ansible.playbook(PLAY_ON_FAILED, extra_args=["-i", config], env={"HYPERSENDER_API_TOKEN": TOKEN})
    assert play.rc == 0, play
    assert sorted(result["msg"] for dummy, result in play.results) == sorted(
        "acting on " + uuid for uuid in (FAILED_ID, LOCAL_ID)
    )


def test_constructed_groups_cannot_take_over_hosts(ansible, simulator):
    scenario = hypersender_scenario(
        instance(WORKING_ID, "WORKING", name="shop-eg"),
        instance(FAILED_ID, "FAILED", name="status_WORKING"),
        instance(QR_ID, "WORKING", name="needs_attention"),
    )
    sim = simulator(scenario)
    config = write_config(
        ansible,
        sim,
        keyed_groups=[{"key": "hypersender_status", "prefix": "status"}],
        groups={"needs_attention": "hypersender_status != 'WORKING'"},
    )
    data, run = list_in_both_orders(ansible, sim, scenario, config)
    assert data["_meta"] == {"shop-eg": WORKING_ID, FAILED_ID: FAILED_ID, QR_ID: QR_ID}
    assert sorted(data["status_WORKING"]["hosts"]) == sorted(["shop-eg", QR_ID])
    assert data["needs_attention"] == {"hosts": [FAILED_ID]}
    assert data["hypersender_failed"] == {"hosts": [FAILED_ID]}, "no group inside a status group"
    assert "would have the host name 'status_WORKING', which is also the name of a group" in flat(run.output)


def test_a_keyed_group_per_host_name_is_an_error(ansible, simulator):
    """A group named after each host cannot be avoided when the ids are valid group names too (a UUID is not:
    Ansible turns its dashes into _ in a constructed group's name): a clear error, not a merge."""
    body = [{"id": "alpha", "name": "x", "status": "WORKING"}, {"id": "beta", "name": "y", "status": "FAILED"}]
    sim = simulator(dict(hypersender_scenario(), faults=[{"path": r"/instances$", "status": 200, "body": body}]))
    config = write_config(ansible, sim, keyed_groups=[{"key": "inventory_hostname", "prefix": "", "separator": ""}])
    run = ansible(["-i", config, "--list"], command="ansible-inventory", env={"HYPERSENDER_API_TOKEN": TOKEN})
    assert run.rc != 0, run
    assert "keyed_groups or groups make groups with the names of hosts" in flat(run.output)


DUPLICATE_AND_UNKNOWN = [
    {"id": WORKING_ID, "name": "dup", "status": "WORKING"},
    {"id": QR_ID, "name": "lower", "status": "working"},
    {"id": WORKING_ID, "name": "dup", "status": "FAILED"},
]


@pytest.mark.parametrize("order", [1, -1])
def test_unknown_statuses_and_duplicate_ids_never_join_a_status_group_falsely(ansible, simulator, order):
    body = [dict(item, phone="+20100000000%d" % n) for n, item in enumerate(DUPLICATE_AND_UNKNOWN)][::order]
    sim = simulator(dict(hypersender_scenario(), faults=[{"path": r"/instances$", "status": 200, "body": body}]))
    data, run = inventory_list(ansible, write_config(ansible, sim))
    assert sorted(data["_meta"]["hostvars"]) == ["dup", "lower"]
    assert data["hypersender_failed"] == {"hosts": ["dup"]}
    assert "hypersender_working" not in data or "hosts" not in data["hypersender_working"]
    assert data["hypersender_unknown_status"] == {"hosts": ["lower"]}
    output = flat(run.output)
    assert "lists instance %s 2 times (statuses: FAILED, WORKING)" % WORKING_ID in output
    assert "1 instance(s) report status 'working', which this collection does not know" in output


# Issue 22, item 5b: AWX imports plain values; text that could be a template stays unsafe and is never templated.

LOOKUP_NAME = "{{ lookup('ansible.builtin.pipe', 'touch templated-by-name') }}"
HEADER_NAME = (
    "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n"
    "[[ lookup('ansible.builtin.pipe', 'touch templated-by-header') ]]"
)


def test_export_prints_plain_values_and_keeps_templates_unsafe(ansible, sim):
    compose = {"ansible_connection": "'local'", "label": "hypersender_name", "tags": "['eg', hypersender_status]"}
    data, run = inventory_list(ansible, write_config(ansible, sim, compose=compose), extra=["--export"])
    shop = data["_meta"]["hostvars"]["shop-eg"]
    assert shop.pop("ansible_connection") == "local" and shop.pop("label") == "shop-eg"
    assert shop.pop("tags") == ["eg", "WORKING"]
    assert shop == {
        "hypersender_uuid": WORKING_ID,
        "hypersender_name": "shop-eg",
        "hypersender_phone": shop["hypersender_phone"],
        "hypersender_status": "WORKING",
        "hypersender_service_type": "whatsapp",
        "hypersender_created_at": shop["hypersender_created_at"],
    }
    assert all(isinstance(value, str) for value in shop.values()), shop
    templated = data["_meta"]["hostvars"]["Shop_7_7"]
    assert templated["hypersender_name"] == templated["label"] == {"__ansible_unsafe": TEMPLATED_NAME}
    assert templated["hypersender_status"] == "FAILED"


def test_a_lookup_in_an_instance_name_is_never_templated(ansible, simulator):
    sim = simulator(
        hypersender_scenario(
            instance(WORKING_ID, "FAILED", name=LOOKUP_NAME), instance(FAILED_ID, "FAILED", name=HEADER_NAME)
        )
    )
    config = write_config(ansible, sim, compose={"label": "hypersender_name"})
    run = ansible.playbook(
        """
- name: Every FAILED instance
  hosts: hypersender_failed
  connection: local
  gather_facts: false
  tasks:
    - name: Print the name, the composed label, and the name inside a template
      ansible.builtin.debug:
        msg: ["{{ hypersender_name }}", "{{ label }}", "name {{ hypersender_name }} end"]
""",
        extra_args=["-i", config],
        env={"HYPERSENDER_API_TOKEN": TOKEN},
    )
    assert run.rc == 0, run
    messages = sorted(result["msg"] for dummy, result in run.results)
    assert messages == sorted([name, name, "name %s end" % name] for name in (LOOKUP_NAME, HEADER_NAME))
    assert not list(ansible.tmp_path.glob("templated-by-*")), "an instance name was templated"
