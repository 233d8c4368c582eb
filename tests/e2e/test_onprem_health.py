# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.onprem_health, module and lookup, through real ansible runs.

Cases that differ only in the simulated gateway share one ansible-playbook run (a loop over
several simulators), which keeps this file well under a minute.
"""

from __future__ import annotations

import json
import textwrap

from conftest import ONPREM_API_KEY, ONPREM_PASSWORD, ONPREM_TOKEN, ScenarioSwitch

MASTER = ("gw1:0a1b2c3d", "primary_master")
SECONDARY = ("gw2:4e5f6a7b", "secondary_master")
CORE_1 = ("gw3:8c9d0e1f", "coreapp")
CORE_2 = ("gw4:1a2b3c4d", "coreapp")


def onprem_scenario(health=None, timeline=None):
    onprem = {"api_keys": [ONPREM_API_KEY], "tokens": [ONPREM_TOKEN], "users": {"admin": ONPREM_PASSWORD}}
    if timeline is not None:
        onprem["timeline"] = timeline
    else:
        onprem["health"] = health if health is not None else {"gateway_status": "connected"}
    return {"onprem": onprem}


def nodes(*states):
    """nodes((MASTER, "disconnected"), (CORE_1, "connected")) -> the /v1/health map."""
    return {name: {"gateway_status": status, "role": role} for (name, role), status in states}


def env_for(sim, **extra):
    return dict({"WA_ONPREM_URL": sim.onprem_url, "WA_API_KEY": ONPREM_API_KEY}, **extra)


def play(*tasks, check_mode=False):
    text = "- hosts: localhost\n  gather_facts: false\n%s  tasks:\n" % ("  check_mode: true\n" if check_mode else "")
    return text + "".join(textwrap.indent(textwrap.dedent(task).strip() + "\n", "    ") for task in tasks)


def loop_play(ansible, simulator, cases, **kwargs):
    """One playbook run over several gateways: ``cases`` maps a name to (health, module options)."""
    items = []
    for name, (health, options) in cases.items():
        items.append(dict(options, name=name, url=simulator(onprem_scenario(health)).onprem_url))
    (ansible.tmp_path / "cases.json").write_text(json.dumps({"cases": items}))
    run = ansible.playbook(
        play("""
        - hypersender.whatsapp.onprem_health:
            api_url: "{{ item.url }}"
            topology: "{{ item.topology | default(omit) }}"
            shards: "{{ item.shards | default(omit) }}"
          loop: "{{ cases }}"
          loop_control:
            label: "{{ item.name }}"
    """),
        extra_args=["-e", "@%s" % (ansible.tmp_path / "cases.json")],
        env={"WA_API_KEY": ONPREM_API_KEY},
        **kwargs,
    )
    assert run.rc == 0, run
    return {item["item"]["name"]: item for item in run.result["results"]}


def test_single_instance_statuses(simulator, ansible):
    statuses = ("connected", "connecting", "disconnected", "unregistered", "uninitialized")
    results = loop_play(ansible, simulator, {status: ({"gateway_status": status}, {}) for status in statuses})
    for status in statuses:
        result = results[status]
        assert result["changed"] is False and not result.get("failed"), "not healthy must not fail the task"
        assert (result["topology"], result["gateway_status"]) == ("single", status)
        assert result["nodes"] == [{"name": "", "gateway_status": status, "role": None}]
        assert result["healthy"] is (status in ("connected", "connecting")), status
        assert result["connected"] == int(status == "connected")
        assert (result["problems"] == []) is result["healthy"]
    assert "Coreapp is not connected to the WhatsApp servers" in results["disconnected"]["problems"][0]
    assert results["unregistered"]["problems"] == [
        "The gateway is unregistered: register the WhatsApp Business API client, see the Registration documentation."
    ]
    assert results["uninitialized"]["problems"][0].startswith(
        "The gateway is uninitialized: the application could be upgrading"
    )
    assert "retry in a few minutes" in results["uninitialized"]["problems"][0]
    assert "contact WhatsApp Support if it persists" in results["uninitialized"]["problems"][0]


def test_high_availability_and_multiconnect_verdicts(simulator, ansible):
    results = loop_play(
        ansible,
        simulator,
        {
            "ha healthy": (
                nodes(
                    (MASTER, "disconnected"),
                    (SECONDARY, "disconnected"),
                    (CORE_1, "connected"),
                    (CORE_2, "disconnected"),
                ),
                {},
            ),
            "ha none connected": (
                nodes((MASTER, "disconnected"), (CORE_1, "connecting"), (CORE_2, "disconnected")),
                {"topology": "ha"},
            ),
            "ha two connected": (nodes((MASTER, "disconnected"), (CORE_1, "connected"), (CORE_2, "connected")), {}),
            "mc healthy": (
                nodes((MASTER, "connected"), (SECONDARY, "disconnected"), (CORE_1, "connected"), (CORE_2, "connected")),
                {"shards": 2},
            ),
            "mc degraded": (
                nodes((MASTER, "connected"), (CORE_1, "connected"), (CORE_2, "unregistered")),
                {"topology": "multiconnect", "shards": 2},
            ),
            "single expected": (nodes((MASTER, "disconnected"), (CORE_1, "connected")), {"topology": "single"}),
        },
    )
    healthy = results["ha healthy"]
    assert (healthy["topology"], healthy["healthy"], healthy["problems"], healthy["connected"]) == ("ha", True, [], 1)
    assert {node["name"]: (node["role"], node["gateway_status"]) for node in healthy["nodes"]}[MASTER[0]] == (
        "primary_master",
        "disconnected",
    )
    assert "gateway_status" not in healthy

    none = results["ha none connected"]
    assert none["healthy"] is False and none["connected"] == 0
    assert none["problems"][0] == (
        "No coreapp is connected to the WhatsApp servers, but High Availability needs exactly one "
        "(gw3:8c9d0e1f connecting, gw4:1a2b3c4d disconnected)."
    )
    assert "Node gw3:8c9d0e1f (coreapp) is still connecting" in none["problems"][1]

    two = results["ha two connected"]
    assert two["healthy"] is False and two["connected"] == 2
    assert two["problems"][0].startswith(
        "2 coreapps are connected (gw3:8c9d0e1f, gw4:1a2b3c4d), but High Availability has "
        "exactly one connected coreapp"
    )
    assert "set topology to multiconnect and shards to 2" in two["problems"][0]

    assert (
        results["mc healthy"]["topology"],
        results["mc healthy"]["healthy"],
        results["mc healthy"]["connected"],
    ) == ("multiconnect", True, 3)
    degraded = results["mc degraded"]
    assert degraded["healthy"] is False
    assert degraded["problems"] == [
        "1 of the 2 coreapps that Multiconnect with 2 shards needs is connected (gw3:8c9d0e1f connected, gw4:1a2b3c4d unregistered).",
        "Node gw4:1a2b3c4d (coreapp) is unregistered: register the WhatsApp Business API client, see the Registration documentation.",
    ]

    mismatch = results["single expected"]
    assert (mismatch["topology"], mismatch["healthy"]) == ("single", False)
    assert mismatch["problems"][0].startswith("topology is single, but GET /v1/health lists 2 nodes")


def test_api_key_bearer_and_login_explicit_options_beat_the_environment(simulator, ansible):
    sim = simulator(onprem_scenario())
    run = ansible.playbook(
        play("""
        - name: API key
          hypersender.whatsapp.onprem_health:
            api_key: "{{ key }}"
        - name: Bearer token
          hypersender.whatsapp.onprem_health:
            api_token: "{{ token }}"
        - name: Log in
          hypersender.whatsapp.onprem_health:
            username: admin
            password: "{{ password }}"
    """),
        extra_args=["-e", json.dumps({"key": ONPREM_API_KEY, "token": ONPREM_TOKEN, "password": ONPREM_PASSWORD})],
        env={"WA_ONPREM_URL": sim.onprem_url, "WA_ONPREM_TOKEN": "an-environment-token-that-is-wrong"},
    )
    assert run.rc == 0, run
    assert [result["healthy"] for state, result in run.results if state == "SUCCESS"] == [True, True, True]
    assert [(r["method"], r["path"], r["auth"], r["status"]) for r in sim.requests()] == [
        ("GET", "/v1/health", "apikey", 200),
        ("GET", "/v1/health", "bearer", 200),
        ("POST", "/v1/users/login", "basic", 200),
        ("GET", "/v1/health", "bearer", 200),
    ]
    issued = list(sim.app._issued_tokens)  # pylint: disable=protected-access
    assert len(issued) == 1 and issued[0] not in run.output, "the login token leaked"
    assert "an-environment-token-that-is-wrong" not in run.output


def test_login_from_the_environment(simulator, ansible):
    sim = simulator(onprem_scenario())
    run = ansible.module(
        "onprem_health",
        {},
        env={
            "WA_ONPREM_URL": sim.onprem_url,
            "WA_WEB_USERNAME": "admin",
            "WA_WEB_PASSWORD": ONPREM_PASSWORD,
            "WA_API_KEY": "",
        },
    )
    assert run.rc == 0 and run.result["healthy"] is True, run
    assert [r["auth"] for r in sim.requests()] == ["basic", "bearer"]
    assert all(token not in run.output for token in sim.app._issued_tokens)  # pylint: disable=protected-access


def test_bad_credentials_fail_clearly_and_bad_options_before_any_request(simulator, ansible):
    sim = simulator(onprem_scenario())
    short, long_key, spaced, wrong = "k" * 10 + "Z", "k" * 128 + "Z", "has white space", "a-wrong-key-of-good-length"
    cases = [
        {"api_key": short},
        {"api_key": long_key},
        {"api_key": spaced},
        {"api_key": ONPREM_API_KEY, "api_token": ONPREM_TOKEN},
        {"topology": "ha", "shards": 2},
        {"api_url": "wa.example.com:9090", "api_key": ONPREM_API_KEY},
        {"api_key": wrong},
    ]
    (ansible.tmp_path / "cases.json").write_text(json.dumps({"cases": cases}))
    # The values stay in the extra-vars file and the loop runs over indexes: no secret in the playbook or in an item.
    run = ansible.playbook(
        play("""
        - hypersender.whatsapp.onprem_health:
            api_url: "{{ cases[item].api_url | default(omit) }}"
            api_key: "{{ cases[item].api_key | default(omit) }}"
            api_token: "{{ cases[item].api_token | default(omit) }}"
            topology: "{{ cases[item].topology | default(omit) }}"
            shards: "{{ cases[item].shards | default(omit) }}"
          loop: "{{ range(cases | length) | list }}"
          ignore_errors: true
    """),
        extra_args=["-e", "@%s" % (ansible.tmp_path / "cases.json")],
        env={"WA_ONPREM_URL": sim.onprem_url},
    )
    assert run.results[-1][0] == "FAILED!", run
    messages = [result["msg"] for result in run.result["results"]]
    assert messages[0] == "api_key must be 12 to 128 characters long, the given one has 11: check WA_API_KEY"
    assert messages[1] == "api_key must be 12 to 128 characters long, the given one has 129: check WA_API_KEY"
    assert messages[2].startswith("api_key contains white space")
    assert messages[3].startswith("more than one credential in the task options: api_key, api_token")
    assert messages[4].startswith("shards is for a Multiconnect deployment")
    assert "must start with https://" in messages[5]
    assert (
        "GET %s/v1/health: the WhatsApp Business On-Premises API rejected the credentials (HTTP 401) "
        "(1005 Access denied Invalid credentials.): check api_key / the WA_API_KEY environment variable"
        % sim.onprem_url
        in messages[6]
    )
    for secret in (short, long_key, spaced, wrong):
        assert secret not in run.output
    assert [(r["auth"], r["status"]) for r in sim.requests()] == [
        ("apikey", 401)
    ], "only the last case may reach the API"


def test_no_credentials_and_several_in_the_environment(simulator, ansible):
    sim = simulator(onprem_scenario())
    run = ansible.module("onprem_health", {}, env={"WA_ONPREM_URL": sim.onprem_url})
    assert run.rc != 0 and run.result["msg"].startswith("no credentials: give api_key (or set WA_API_KEY)"), run
    run = ansible.module("onprem_health", {}, env=env_for(sim, WA_ONPREM_TOKEN=ONPREM_TOKEN))
    assert run.rc != 0 and run.result["msg"].startswith(
        "more than one credential in the environment: WA_API_KEY, WA_ONPREM_TOKEN"
    ), run
    assert sim.requests() == []


def test_wait_until_the_coreapp_connects(simulator, ansible):
    before = nodes((MASTER, "disconnected"), (CORE_1, "connecting"))
    after = nodes((MASTER, "disconnected"), (CORE_1, "connected"))
    sim = simulator(onprem_scenario(before))
    # the coreapp connects after the module has polled twice, however long Ansible took to start
    with ScenarioSwitch(sim, 2, r"^/v1/health$", onprem_scenario(after)) as switch:
        run = ansible.module("onprem_health", {"wait": True, "wait_sleep": 0.5, "wait_timeout": 60}, env=env_for(sim))
    assert run.rc == 0, run
    result = run.result
    assert (result["healthy"], result["waited"], result["topology"], result["connected"]) == (True, True, "ha", 1)
    assert (
        switch.before is not None and len(sim.requests()) == 1
    ), "stopped before, or kept polling after, the gateway was healthy"
    assert result["polls"] >= len(switch.before) + 1 >= 3
    times = [call["t"] for call in switch.before]
    assert all(
        later - earlier >= 0.5 - 0.05 for earlier, later in zip(times, times[1:])
    ), "polled faster than wait_sleep"


def test_wait_timeout_and_a_topology_contradiction(simulator, ansible):
    sim = simulator(onprem_scenario(nodes((MASTER, "disconnected"), (CORE_1, "uninitialized"))))
    run = ansible.playbook(
        play("""
        - hypersender.whatsapp.onprem_health:
            wait: true
            wait_sleep: 0.5
            wait_timeout: 1.5
          ignore_errors: true
        - hypersender.whatsapp.onprem_health:
            topology: single
            wait: true
            wait_timeout: 300
          ignore_errors: true
    """),
        env=env_for(sim),
    )
    timed_out, contradicted = [result for state, result in run.results]
    polls = timed_out["polls"]
    assert timed_out["msg"].startswith(
        "the gateway at %s is not healthy after 1.5 s (%d polls, " % (sim.onprem_url, polls)
    ), run
    assert "No coreapp is connected to the WhatsApp servers" in timed_out["msg"]
    assert "contact WhatsApp Support if it persists" in timed_out["msg"]
    # fewer polls on a slow machine, never more than the deadline allows
    assert 1 <= polls <= 5 and timed_out["elapsed"] >= 1.5
    assert (timed_out["healthy"], timed_out["waited"]) == (False, True) and len(timed_out["problems"]) == 2
    assert contradicted["msg"].startswith("stopped waiting for the gateway at %s after 1 polls" % sim.onprem_url)
    assert "topology is single, but GET /v1/health lists 2 nodes" in contradicted["msg"]
    assert len(sim.requests()) == polls + 1


def test_check_mode_probes_once(simulator, ansible):
    sim = simulator(onprem_scenario(nodes((MASTER, "disconnected"), (CORE_1, "disconnected"))))
    run = ansible.module("onprem_health", {"wait": True, "wait_timeout": 300}, env=env_for(sim), extra_args=["--check"])
    assert run.rc == 0, run
    result = run.result
    assert (result["waited"], result["polls"], result["healthy"], result["changed"]) == (False, 1, False, False)
    assert (
        result["msg"]
        == "check mode: probed once (not healthy) instead of waiting up to 300 s for the gateway to be healthy"
    )
    assert len(sim.requests()) == 1


def test_self_signed_tls_fails_by_default_and_passes_with_ca_path(simulator, ansible):
    sim = simulator(onprem_scenario(), tls=True)
    run = ansible.playbook(
        play("""
        - hypersender.whatsapp.onprem_health:
          ignore_errors: true
        - hypersender.whatsapp.onprem_health:
            ca_path: "%s"
    """ % sim.ca_file),
        env=env_for(sim),
    )
    failed, passed = [result for state, result in run.results]
    assert "TLS verification failed" in failed["msg"] and "set ca_path" in failed["msg"], run
    assert run.rc == 0 and passed["healthy"] is True, run


def test_module_defaults_group(simulator, ansible):
    sim = simulator(onprem_scenario(nodes((MASTER, "disconnected"), (CORE_1, "connected"))))
    run = ansible.playbook(
        textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          module_defaults:
            group/hypersender.whatsapp.onprem:
              api_url: "{{ url }}"
              username: admin
              password: "{{ password }}"
              topology: ha
          tasks:
            - hypersender.whatsapp.onprem_health:
    """),
        extra_args=["-e", "url=%s" % sim.onprem_url, "-e", "password=%s" % ONPREM_PASSWORD],
    )
    assert run.rc == 0 and run.result["healthy"] is True and run.result["topology"] == "ha", run
    assert [r["auth"] for r in sim.requests()] == ["basic", "bearer"]


def test_lookup(simulator, ansible):
    sim = simulator(onprem_scenario(nodes((MASTER, "connected"), (CORE_1, "connected"), (CORE_2, "disconnected"))))
    config = ansible.tmp_path / "ansible.cfg"
    config.write_text("[whatsapp_onprem]\napi_url = %s\nretries = 0\n" % sim.onprem_url)
    run = ansible.playbook(
        play(
            "- ansible.builtin.debug:\n    msg: \"{{ lookup('hypersender.whatsapp.onprem_health') }}\"",
            "- ansible.builtin.debug:\n    msg: \"{{ query('hypersender.whatsapp.onprem_health', api_token=token, shards=2) }}\"",
            "- ansible.builtin.debug:\n    msg: \"{{ lookup('hypersender.whatsapp.onprem_health') }}\"\n"
            "  vars:\n    whatsapp_onprem_topology: \"{{ 'multi' + 'connect' }}\"\n    whatsapp_onprem_api_key: \"{{ key }}\"",
            "- ansible.builtin.debug:\n    msg: \"{{ lookup('hypersender.whatsapp.onprem_health', 'a-term') }}\"\n  ignore_errors: true",
        ),
        extra_args=["-e", json.dumps({"token": ONPREM_TOKEN, "key": ONPREM_API_KEY})],
        env={"ANSIBLE_CONFIG": str(config), "WA_WEB_USERNAME": "admin", "WA_WEB_PASSWORD": ONPREM_PASSWORD},
    )
    from_env, by_keyword, by_vars, with_term = [result for state, result in run.results]
    state = run.results[-1][0]
    assert set(from_env["msg"]) == {"topology", "topology_name", "nodes", "connected", "healthy", "problems"}, run
    assert (from_env["msg"]["topology"], from_env["msg"]["healthy"], from_env["msg"]["connected"]) == ("ha", True, 2)
    assert from_env["msg"]["topology_name"] == "High Availability"
    assert by_keyword["msg"][0]["topology"] == "multiconnect" and by_keyword["msg"][0]["healthy"] is False
    assert by_keyword["msg"][0]["problems"] == [
        "1 of the 2 coreapps that Multiconnect with 2 shards needs is connected "
        "(gw3:8c9d0e1f connected, gw4:1a2b3c4d disconnected)."
    ]
    assert (by_vars["msg"]["topology"], by_vars["msg"]["healthy"]) == ("multiconnect", True)
    assert state == "FAILED!" and "hypersender.whatsapp.onprem_health takes no terms, got 1" in with_term["msg"]
    assert [r["auth"] for r in sim.requests()] == [
        "basic",
        "bearer",
        "bearer",
        "apikey",
    ], "environment login, then the keyword token beating the environment, then the variable key"
