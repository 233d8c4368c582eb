# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.instance_health, module and lookup, through real ansible runs."""

from __future__ import annotations

import re
import textwrap

import pytest
from conftest import QR_ID, TOKEN, WORKING_ID, ScenarioSwitch, hypersender_scenario, instance

HEALTH_PATH = r"^/api/whatsapp/v1/[^/]+/health$"
UNKNOWN_ID = "5b2e0c3a-9999-4abc-8def-0123456789ab"


def env_for(sim, token=TOKEN):
    return {"HYPERSENDER_API_URL": sim.hypersender_url, "HYPERSENDER_API_TOKEN": token}


def health_requests(sim):
    return [r for r in sim.requests() if r["path"].endswith("/health")]


def test_working_at_once(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING", connected_at="2025-05-26T10:12:45")))
    run = ansible.module("instance_health", {"instance": WORKING_ID}, env=env_for(sim))
    assert run.rc == 0, run
    result = run.result
    assert result["changed"] is False
    assert (result["instance_id"], result["status"], result["healthy"]) == (WORKING_ID, "WORKING", True)
    assert result["connected_at"] == "2025-05-26T10:12:45"
    assert (result["waited"], result["polls"]) == (False, 1)
    assert len(health_requests(sim)) == 1


def test_not_working_without_wait_is_reported_not_failed(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(QR_ID, "SCAN_QR_CODE")))
    run = ansible.module("instance_health", {"uuid": QR_ID}, env=env_for(sim))
    assert run.rc == 0, run
    assert (run.result["status"], run.result["healthy"]) == ("SCAN_QR_CODE", False)


def test_wait_through_starting_to_working(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "STARTING")))
    # WORKING after the module has seen STARTING twice, however long Ansible took to start
    with ScenarioSwitch(sim, 2, r"/health$", hypersender_scenario(instance(WORKING_ID, "WORKING"))) as switch:
        run = ansible.module(
            "instance_health",
            {"instance_id": WORKING_ID, "wait": True, "wait_sleep": 0.5, "wait_timeout": 60},
            env=env_for(sim),
        )
    assert run.rc == 0, run
    result = run.result
    assert (result["status"], result["healthy"], result["waited"]) == ("WORKING", True, True)
    assert switch.before is not None and len(switch.before) >= 2
    assert len(health_requests(sim)) == 1, "kept polling after WORKING was seen"
    assert result["polls"] >= len(switch.before) + 1 >= 3


def test_wait_timeout_fails_with_the_last_status(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "STARTING")))
    run = ansible.module(
        "instance_health",
        {"instance": WORKING_ID, "wait": True, "wait_sleep": 0.5, "wait_timeout": 2},
        env=env_for(sim),
    )
    assert run.rc != 0, run
    result = run.result
    polls = result["polls"]
    # the elapsed time the message names is at least the 2 s deadline, more on a loaded machine
    said = re.match(
        r"instance %s not in \[WORKING\] after ([0-9.]+) s; last status STARTING after %d polls" % (WORKING_ID, polls),
        result["msg"],
    )
    assert said and float(said.group(1)) >= 2, result["msg"]
    assert "raise wait_timeout" in result["msg"]
    assert (result["status"], result["healthy"], result["waited"]) == ("STARTING", False, True)
    # fewer polls on a slow machine, never more than the deadline allows (one every 0.5 s, one at the end)
    assert polls == len(health_requests(sim)) and 1 <= polls <= 6
    assert result["elapsed"] >= 2


def test_failed_status_fails_fast(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "FAILED")))
    run = ansible.module(
        "instance_health", {"instance": WORKING_ID, "wait": True, "wait_timeout": 300}, env=env_for(sim)
    )
    assert run.rc != 0, run
    assert run.result["msg"].startswith(
        "instance %s reported FAILED, a status in fail_on [FAILED], after 1 polls" % WORKING_ID
    )
    assert run.result["status"] == "FAILED"
    assert len(health_requests(sim)) == 1


def test_custom_wait_for_and_fail_on(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(QR_ID, "SCAN_QR_CODE")))
    run = ansible.module(
        "instance_health", {"instance": QR_ID, "wait": True, "fail_on": ["FAILED", "SCAN_QR_CODE"]}, env=env_for(sim)
    )
    assert run.rc != 0 and "reported SCAN_QR_CODE" in run.result["msg"] and "scan the QR code" in run.result["msg"], run
    run = ansible.module(
        "instance_health", {"instance": QR_ID, "wait": True, "wait_for": ["SCAN_QR_CODE"]}, env=env_for(sim)
    )
    assert run.rc == 0 and run.result["healthy"] is True, run


def test_unknown_instance_fails_at_once_even_when_waiting(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING")))
    run = ansible.module(
        "instance_health", {"instance": UNKNOWN_ID, "wait": True, "wait_timeout": 300}, env=env_for(sim)
    )
    assert run.rc != 0, run
    assert run.result["msg"].startswith("instance %s not found" % UNKNOWN_ID)
    assert "check the UUID" in run.result["msg"]
    assert len(health_requests(sim)) == 1


def test_rejected_token(simulator, ansible):
    sim = simulator(hypersender_scenario(instance()))
    run = ansible.module(
        "instance_health",
        {"instance": WORKING_ID},
        env=env_for(sim, token="wrong-token-value-123"),
        secrets_expected=(),
    )
    assert run.rc != 0, run
    assert "rejected the credentials (HTTP 401)" in run.result["msg"]
    assert "HYPERSENDER_API_TOKEN" in run.result["msg"]
    assert "wrong-token-value-123" not in run.output
    assert len(sim.requests()) == 1


@pytest.mark.parametrize(
    "args, words",
    [
        ({"instance": "not-a-uuid"}, "is not an instance UUID"),
        ({"instance": WORKING_ID, "wait_for": ["WORKNG"]}, "value of wait_for must be one or more of"),
        (
            {"instance": WORKING_ID, "wait_for": ["WORKING"], "fail_on": ["WORKING"]},
            "wait_for and fail_on both name WORKING",
        ),
        ({"instance": WORKING_ID, "wait_sleep": 0}, "wait_sleep must be a number of seconds, above 0"),
        ({"instance": WORKING_ID, "api_url": "app.hypersender.com/api"}, "must start with https://"),
        ({"instance": WORKING_ID, "api_token": ""}, "api_token is empty"),
    ],
)
def test_bad_options_fail_before_any_request(simulator, ansible, args, words):
    sim = simulator(hypersender_scenario(instance()))
    run = ansible.module("instance_health", args, env=env_for(sim))
    assert run.rc != 0 and words in run.result["msg"], run
    assert sim.requests() == []


def test_missing_token_names_the_env_var(simulator, ansible):
    sim = simulator(hypersender_scenario(instance()))
    run = ansible.module("instance_health", {"instance": WORKING_ID}, env={"HYPERSENDER_API_URL": sim.hypersender_url})
    assert run.rc != 0
    assert "api_token is empty: set api_token or the HYPERSENDER_API_TOKEN environment variable" in run.result["msg"]


def test_429_retry_after_is_honoured(simulator, ansible):
    fault = {
        "path": HEALTH_PATH,
        "count": 1,
        "status": 429,
        "body": {"message": "Too many requests. Please try again later."},
        "headers": {"Retry-After": "2"},
    }
    sim = simulator(hypersender_scenario(instance(), faults=[fault]))
    run = ansible.module("instance_health", {"instance": WORKING_ID}, env=env_for(sim))
    assert run.rc == 0 and run.result["status"] == "WORKING", run
    calls = health_requests(sim)
    assert [c["status"] for c in calls] == [429, 200]
    assert calls[1]["t"] - calls[0]["t"] >= 2.0


def test_rate_limit_window_is_respected_while_waiting(simulator, ansible):
    """A too-eager wait_sleep draws 429s; the module waits each Retry-After out and still succeeds."""
    limited = {"rate_limit": {"requests": 2, "window": 10}}
    sim = simulator(hypersender_scenario(instance(status="STARTING"), hypersender=limited))
    # WORKING once the module has made 4 health requests, however slowly Ansible started: the third comes
    # within the 10 s window of the first (0.2 s polls) and is throttled, the fourth after its Retry-After.
    working = hypersender_scenario(instance(status="WORKING"), hypersender=limited)
    with ScenarioSwitch(sim, 4, r"/health$", working) as switch:
        run = ansible.module(
            "instance_health",
            {"instance": WORKING_ID, "wait": True, "wait_sleep": 0.2, "wait_timeout": 60},
            env=env_for(sim),
        )
    assert run.rc == 0 and run.result["healthy"], run
    calls = switch.before
    throttled = [c for c in calls if c["status"] == 429]
    assert throttled, "the scenario should have drawn at least one 429"
    for index, call in enumerate(calls[:-1]):
        if call["status"] == 429:
            assert calls[index + 1]["t"] >= call["t"] + 1.0 - 0.05, "retried before Retry-After (>= 1 s) passed"


def test_503_then_success(simulator, ansible):
    fault = {"path": HEALTH_PATH, "count": 2, "status": 503, "body": {"message": "Service Unavailable"}}
    sim = simulator(hypersender_scenario(instance(), faults=[fault]))
    run = ansible.module("instance_health", {"instance": WORKING_ID}, env=env_for(sim))
    assert run.rc == 0 and run.result["status"] == "WORKING", run
    assert [c["status"] for c in health_requests(sim)] == [503, 503, 200]


def test_persistent_503_gives_a_clear_failure(simulator, ansible):
    fault = {"path": HEALTH_PATH, "count": None, "status": 503, "body": {"message": "Service Unavailable"}}
    sim = simulator(hypersender_scenario(instance(), faults=[fault]))
    run = ansible.module("instance_health", {"instance": WORKING_ID, "retries": 1}, env=env_for(sim))
    assert run.rc != 0
    assert "server error (HTTP 503) (Service Unavailable)" in run.result["msg"]
    assert "Traceback" not in run.output
    assert len(health_requests(sim)) == 2


def test_non_json_body_is_a_clear_failure(simulator, ansible):
    fault = {
        "path": HEALTH_PATH,
        "count": None,
        "status": 200,
        "raw_body": "<html>maintenance</html>",
        "content_type": "text/html",
    }
    sim = simulator(hypersender_scenario(instance(), faults=[fault]))
    run = ansible.module("instance_health", {"instance": WORKING_ID}, env=env_for(sim))
    assert run.rc != 0
    assert "expected a JSON body, got text/html starting '<html>maintenance</html>'" in run.result["msg"]


def test_unknown_status_is_not_ready_and_warned(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "MIGRATING")))
    run = ansible.module(
        "instance_health",
        {"instance": WORKING_ID, "wait": True, "wait_sleep": 0.5, "wait_timeout": 1},
        env=env_for(sim),
    )
    assert run.rc != 0
    assert "last status MIGRATING" in run.result["msg"]
    assert "which this collection does not know" in run.output


def test_connection_refused(ansible):
    run = ansible.module(
        "instance_health",
        {"instance": WORKING_ID, "retries": 1},
        env={"HYPERSENDER_API_URL": "http://127.0.0.1:9/api/whatsapp/v1", "HYPERSENDER_API_TOKEN": TOKEN},
    )
    assert run.rc != 0
    assert "cannot connect (connection refused)" in run.result["msg"]


def test_tls_self_signed_fails_by_default_and_passes_with_ca_path(simulator, ansible):
    sim = simulator(hypersender_scenario(instance()), tls=True)
    run = ansible.module("instance_health", {"instance": WORKING_ID}, env=env_for(sim))
    assert run.rc != 0
    assert "TLS verification failed" in run.result["msg"] and "set ca_path" in run.result["msg"]
    run = ansible.module("instance_health", {"instance": WORKING_ID, "ca_path": sim.ca_file}, env=env_for(sim))
    assert run.rc == 0 and run.result["status"] == "WORKING", run


def test_check_mode_probes_once_and_does_not_wait(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "STARTING")))
    run = ansible.module(
        "instance_health",
        {"instance": WORKING_ID, "wait": True, "wait_timeout": 300},
        env=env_for(sim),
        extra_args=["--check"],
    )
    assert run.rc == 0, run
    result = run.result
    assert (result["waited"], result["polls"], result["status"], result["changed"]) == (False, 1, "STARTING", False)
    assert result["msg"] == "check mode: probed once (status STARTING) instead of waiting up to 300 s for [WORKING]"
    assert len(sim.requests()) == 1


def test_module_defaults_group_sets_the_connection(simulator, ansible):
    sim = simulator(hypersender_scenario(instance()))
    run = ansible.playbook(
        textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          module_defaults:
            group/hypersender.whatsapp.hypersender:
              api_url: "{{ url }}"
              api_token: "{{ token }}"
          tasks:
            - hypersender.whatsapp.instance_health:
                instance: %s
    """ % WORKING_ID),
        extra_args=["-e", "url=%s" % sim.hypersender_url, "-e", "token=%s" % TOKEN],
    )
    assert run.rc == 0 and run.result["status"] == "WORKING", run


LOOKUP_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ query('hypersender.whatsapp.instance_health', %s) }}"
"""


def test_lookup_one_and_several(simulator, ansible):
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING"), instance(QR_ID, "SCAN_QR_CODE")))
    run = ansible.playbook(LOOKUP_PLAY % ("'%s'" % WORKING_ID), env=env_for(sim))
    assert run.rc == 0, run
    assert [h["status"] for h in run.result["msg"]] == ["WORKING"]
    run = ansible.playbook(LOOKUP_PLAY % ("'%s', '%s'" % (QR_ID, WORKING_ID)), env=env_for(sim))
    assert run.rc == 0, run
    assert [(h["instance_id"], h["status"]) for h in run.result["msg"]] == [
        (QR_ID, "SCAN_QR_CODE"),
        (WORKING_ID, "WORKING"),
    ]
    assert set(run.result["msg"][0]) == {"instance_id", "status", "connected_at"}


def test_lookup_options_from_keywords_vars_and_ansible_cfg(simulator, ansible):
    sim = simulator(hypersender_scenario(instance()))
    by_keyword = "'%s', api_url='%s', api_token=token" % (WORKING_ID, sim.hypersender_url)
    run = ansible.playbook(LOOKUP_PLAY % by_keyword, extra_args=["-e", "token=%s" % TOKEN])
    assert run.rc == 0 and run.result["msg"][0]["status"] == "WORKING", run
    run = ansible.playbook(
        LOOKUP_PLAY % ("'%s'" % WORKING_ID),
        extra_args=["-e", "hypersender_api_url=%s" % sim.hypersender_url, "-e", "hypersender_api_token=%s" % TOKEN],
    )
    assert run.rc == 0 and run.result["msg"][0]["status"] == "WORKING", run
    templated = ansible.tmp_path / "vars.yml"
    templated.write_text('hypersender_api_url: "{{ sim_url }}"\nhypersender_api_token: "{{ sim_token }}"\n')
    run = ansible.playbook(
        LOOKUP_PLAY % ("'%s'" % WORKING_ID),
        extra_args=["-e", "@%s" % templated, "-e", "sim_url=%s" % sim.hypersender_url, "-e", "sim_token=%s" % TOKEN],
    )
    assert run.rc == 0 and run.result["msg"][0]["status"] == "WORKING", run
    config = ansible.tmp_path / "ansible.cfg"
    config.write_text("[hypersender_whatsapp]\napi_url = %s\nretries = 0\n" % sim.hypersender_url)
    run = ansible.playbook(
        LOOKUP_PLAY % ("'%s'" % WORKING_ID), env={"ANSIBLE_CONFIG": str(config), "HYPERSENDER_API_TOKEN": TOKEN}
    )
    assert run.rc == 0 and run.result["msg"][0]["status"] == "WORKING", run


def test_lookup_environment_binds_late_below_vars_and_ansible_cfg(simulator, ansible):
    """keyword > variable > ansible.cfg > environment > default: a wrong URL in the environment loses to the others."""
    sim = simulator(hypersender_scenario(instance()))
    wrong = {"HYPERSENDER_API_URL": "http://127.0.0.1:9/api/whatsapp/v1", "HYPERSENDER_API_TOKEN": TOKEN}
    config = ansible.tmp_path / "ansible.cfg"
    config.write_text("[hypersender_whatsapp]\nretries = 0\ntimeout = 5\n")
    run = ansible.playbook(LOOKUP_PLAY % ("'%s'" % WORKING_ID), env=dict(wrong, ANSIBLE_CONFIG=str(config)))
    assert run.rc != 0 and "127.0.0.1:9" in run.output, run  # the environment over the default
    run = ansible.playbook(
        LOOKUP_PLAY % ("'%s'" % WORKING_ID),
        env=dict(wrong, ANSIBLE_CONFIG=str(config)),
        extra_args=["-e", "hypersender_api_url=%s" % sim.hypersender_url],
    )
    assert run.rc == 0 and run.result["msg"][0]["status"] == "WORKING", run
    run = ansible.playbook(
        LOOKUP_PLAY % ("'%s', api_url='%s'" % (WORKING_ID, sim.hypersender_url)),
        env=dict(wrong, ANSIBLE_CONFIG=str(config)),
    )
    assert run.rc == 0 and run.result["msg"][0]["status"] == "WORKING", run
    config.write_text("[hypersender_whatsapp]\napi_url = %s\nretries = 0\n" % sim.hypersender_url)
    run = ansible.playbook(LOOKUP_PLAY % ("'%s'" % WORKING_ID), env=dict(wrong, ANSIBLE_CONFIG=str(config)))
    assert run.rc == 0 and run.result["msg"][0]["status"] == "WORKING", run


def test_lookup_errors_are_clear(simulator, ansible):
    sim = simulator(hypersender_scenario(instance()))
    run = ansible.playbook(LOOKUP_PLAY % "'nope'", env=env_for(sim))
    assert (
        run.rc != 0 and "hypersender.whatsapp.instance_health: term 'nope' is not an instance UUID" in run.output
    ), run
    run = ansible.playbook(LOOKUP_PLAY % ("'%s'" % UNKNOWN_ID), env=env_for(sim))
    assert run.rc != 0 and "instance %s not found" % UNKNOWN_ID in run.output, run
    assert "Traceback" not in run.output.split("the full traceback was")[0]
    assert sim.count(status=404) == 1


def test_lookup_refuses_a_typo_an_option_it_lacks_and_no_id(simulator, ansible):
    sim = simulator(hypersender_scenario(instance()))
    typo = ansible.playbook(LOOKUP_PLAY % ("'%s', api_tokn='x'" % WORKING_ID), env=env_for(sim))
    assert typo.rc == 2, typo
    assert (
        "hypersender.whatsapp.instance_health: unknown option api_tokn; the valid options are api_token, api_url, "
        "ca_path, retries, timeout, validate_certs" in typo.output
    ), typo
    no_wait = ansible.playbook(LOOKUP_PLAY % ("'%s', wait=true" % WORKING_ID), env=env_for(sim))
    assert no_wait.rc == 2 and "unknown option wait; the valid options are" in no_wait.output, no_wait
    nothing = ansible.playbook(LOOKUP_PLAY.replace(", %s)", ")"), env=env_for(sim))
    assert nothing.rc == 2, nothing
    assert "hypersender.whatsapp.instance_health needs at least one term, an instance UUID" in nothing.output
    assert sim.requests() == []


def test_missing_requests_library_gives_the_standard_error(simulator, ansible):
    hide = ansible.tmp_path / "no-requests"
    (hide / "requests").mkdir(parents=True)
    (hide / "requests" / "__init__.py").write_text(
        "raise ImportError('No module named requests (hidden by the test)')\n"
    )
    sim = simulator(hypersender_scenario(instance()))
    env = dict(env_for(sim), PYTHONPATH=str(hide))
    run = ansible.module("instance_health", {"instance": WORKING_ID}, env=env)
    assert run.rc != 0
    assert "Failed to import the required Python library (requests)" in run.result["msg"]
    run = ansible.playbook(LOOKUP_PLAY % ("'%s'" % WORKING_ID), env=env)
    assert run.rc != 0 and "Failed to import the required Python library (requests)" in run.output
    assert sim.requests() == []
