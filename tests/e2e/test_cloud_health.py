# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.cloud_health (module and lookup), the verify_cloud role, and the Cloud API parts of
deploy_gate and fleet_report, through real ansible runs against the simulator's Graph API.

Every run is made at -vvvv and checked for the Cloud API token (conftest.SECRETS).
"""

from __future__ import annotations

import json
import re
import textwrap

from conftest import CLOUD_TOKEN, SECRETS

WABA = "102290129340398"
NUMBER_1, NUMBER_2, NUMBER_3 = "106540352242922", "106540352242923", "106540352242924"
EXPIRED_TOKEN = "sim-cloud-token-expired-0042"
PAYMENT = {
    "error_code": 141006,
    "error_description": "There is an error with the payment method.",
    "possible_solution": "There was an error with your payment method. Please add a new payment method to the account.",
}
DISPLAY_NAME = {
    "error_code": 141010,
    "error_description": "The display name of the number is not approved.",
    "possible_solution": "Edit the display name in WhatsApp Manager and submit it for review.",
}
LIMITED_INFO = "Your business is limited to 250 business-initiated conversations in a rolling 24-hour period."
RATE_LIMIT_BODY = {
    "error": {
        "message": "(#80007) There have been too many calls to this WhatsApp Business account.",
        "type": "OAuthException",
        "code": 80007,
        "fbtrace_id": "AbCdEfGh0123",
    }
}


def number(number_id, health="AVAILABLE", **fields):
    item = {"id": number_id, "display_phone_number": "+1 555-078-%s" % number_id[-4:]}
    item["timeline" if isinstance(health, list) else "health"] = health
    item.update(fields)
    return item


def cloud_scenario(*numbers, waba_health="AVAILABLE", **cloud):
    section = {
        "tokens": [CLOUD_TOKEN],
        "expired_tokens": [EXPIRED_TOKEN],
        "wabas": [{"id": WABA, "health": waba_health, "phone_numbers": list(numbers)}],
    }
    section.update(cloud)
    return {"cloud": section, **({"faults": section.pop("faults")} if "faults" in section else {})}


def cloud_env(sim, token=CLOUD_TOKEN):
    return {"WA_CLOUD_API_URL": sim.cloud_url, "WA_CLOUD_TOKEN": token}


def graph_calls(sim):
    return [entry for entry in sim.requests() if entry["path"].startswith("/graph/")]


def play(*tasks):
    text = "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
    return text + "".join(textwrap.indent(textwrap.dedent(task).strip() + "\n", "    ") for task in tasks)


def failure_messages(output):
    decoder = json.JSONDecoder()
    return [
        decoder.raw_decode(output, match.end() - 1)[0].get("msg", "") for match in re.finditer(r"FAILED! => \{", output)
    ]


def debug_lines(output, first):
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r'"msg": \[', output):
        lines = decoder.raw_decode(output, output.index("[", match.start()))[0]
        if lines and isinstance(lines[0], str) and lines[0].startswith(first):
            found.append(lines)
    assert found, "no summary starting with %r in:\n%s" % (first, output[-4000:])
    return found[-1]


def graph_error_body(code, message, subcode=None):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf22"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def with_pages(scenario, sizes):
    """The scenario's WABA pages its phone_numbers edge with these page sizes (0: an empty page with a next)."""
    scenario["cloud"]["wabas"][0]["page_sizes"] = list(sizes)
    return scenario


def edge_calls(sim):
    return [call for call in graph_calls(sim) if call["path"] == "/graph/v23.0/%s/phone_numbers" % WABA]


# --- the module ---------------------------------------------------------------------------------------------------


def test_available_number_passes(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1)))
    run = ansible.module("cloud_health", {"phone_number_id": NUMBER_1}, env=cloud_env(sim))
    assert run.rc == 0, run
    result = run.result
    assert result["changed"] is False and result["healthy"] is True and result["problems"] == []
    assert result["can_send_message"] == "AVAILABLE" and result["api_calls"] == 1 and result["waited"] is False
    [entry] = result["numbers"]
    assert entry["id"] == NUMBER_1 and entry["display_phone_number"] == "+1 555-078-2922"
    assert (entry["platform_type"], entry["status"], entry["quality_rating"], entry["throughput_level"]) == (
        "CLOUD_API",
        "CONNECTED",
        "GREEN",
        "STANDARD",
    )
    assert [e["entity_type"] for e in entry["entities"]] == ["PHONE_NUMBER", "WABA", "BUSINESS", "APP"]
    [call] = graph_calls(sim)
    assert call["path"] == "/graph/v23.0/%s" % NUMBER_1 and call["auth"] == "bearer"
    assert "health_status" in call["query"]["fields"].split(",") and "access_token" not in call["query"]


def test_limited_passes_or_fails_per_allow_limited(simulator, ansible):
    limited = {"WABA": {"can_send_message": "LIMITED", "additional_info": [LIMITED_INFO]}}
    sim = simulator(cloud_scenario(number(NUMBER_1, limited)))
    run = ansible.playbook(
        play(
            """
        - name: LIMITED with the default allow_limited
          hypersender.whatsapp.cloud_health:
            phone_number_id: "%s"
          register: allowed
        - name: LIMITED with allow_limited false, as a gate that waits
          hypersender.whatsapp.cloud_health:
            phone_number_id: "%s"
            allow_limited: false
            wait: true
            wait_timeout: 0
        """ % (NUMBER_1, NUMBER_1),
            """
        - name: Never reached
          ansible.builtin.debug:
            msg: unreachable
    """,
        ),
        env=cloud_env(sim),
    )
    assert run.rc == 2, run
    (state_ok, allowed), (state_failed, refused) = run.results[:2]
    assert state_ok == "SUCCESS" and allowed["healthy"] is True and allowed["can_send_message"] == "LIMITED"
    assert state_failed == "FAILED!" and refused["healthy"] is False
    assert refused["problems"] == [
        "Phone number %s (+1 555-078-2922) can send only with limits: its WhatsApp Business Account %s is LIMITED: %s "
        "allow_limited is false, so LIMITED does not pass." % (NUMBER_1, WABA, LIMITED_INFO)
    ]
    assert refused["msg"].startswith("the WhatsApp Cloud API numbers cannot send after 0 s (1 polls): Phone number ")
    assert "unreachable" not in run.output


def test_blocked_fails_naming_each_entity_error_and_its_solution(simulator, ansible):
    blocked = {
        "PHONE_NUMBER": {"can_send_message": "BLOCKED", "errors": [DISPLAY_NAME]},
        "WABA": {"can_send_message": "BLOCKED", "errors": [PAYMENT]},
    }
    sim = simulator(cloud_scenario(number(NUMBER_1, blocked)))
    run = ansible.module(
        "cloud_health", {"phone_number_id": [NUMBER_1], "wait": True, "wait_timeout": 0}, env=cloud_env(sim)
    )
    assert run.rc == 2, run
    result = run.result
    subject = "Phone number %s (+1 555-078-2922) cannot send messages: " % NUMBER_1
    assert result["problems"] == [
        subject + "the phone number itself is BLOCKED: The display name of the number is not approved (error 141010). "
        "Possible solution: Edit the display name in WhatsApp Manager and submit it for review.",
        subject
        + "its WhatsApp Business Account %s is BLOCKED: There is an error with the payment method (error 141006). "
        "Possible solution: There was an error with your payment method. Please add a new payment method to "
        "the account." % WABA,
    ]
    for problem in result["problems"]:
        assert problem in result["msg"]
    assert result["can_send_message"] == "BLOCKED" and result["numbers"][0]["healthy"] is False


def test_without_wait_blocked_is_a_result_not_a_failure(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1, "BLOCKED")))
    run = ansible.module("cloud_health", {"phone_number_id": NUMBER_1}, env=cloud_env(sim))
    assert run.rc == 0, run
    assert run.result["healthy"] is False and "and Meta gave no reason" in run.result["problems"][0]


def test_wait_through_blocked_to_available(simulator, ansible):
    timeline = [
        {"at": 0, "health": {"PHONE_NUMBER": {"can_send_message": "BLOCKED", "errors": [PAYMENT]}}},
        {"at": 3, "health": "AVAILABLE"},
    ]
    # The timeline counts from the module's first Graph request (the simulator's clock starts there).
    sim = simulator(cloud_scenario(number(NUMBER_1, timeline)))
    run = ansible.playbook(
        play(
            """
        - hypersender.whatsapp.cloud_health:
            phone_number_id: "%s"
            wait: true
            wait_timeout: 120
            wait_sleep: 1
    """ % NUMBER_1,
        ),
        env=cloud_env(sim),
    )
    assert run.rc == 0, run
    result = run.result
    assert result["healthy"] is True and result["waited"] is True and result["polls"] >= 2
    assert result["wait_sleep"] == 1.0
    calls = graph_calls(sim)
    assert len(calls) == result["polls"] == result["api_calls"]
    assert calls[0]["t"] < 3 <= calls[-1]["t"]
    # The budget warning (ansible-core 2.16 wraps warnings over lines).
    assert "makes up to 3600 Graph API calls an hour, more than the 200" in " ".join(run.output.split())


def test_default_wait_sleep_keeps_within_the_hourly_budget(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1), number(NUMBER_2), number(NUMBER_3)))
    run = ansible.playbook(
        play("""
        - hypersender.whatsapp.cloud_health:
            phone_number_id: ["%s", "%s", "%s"]
          register: by_id
        - hypersender.whatsapp.cloud_health:
            waba_id: "%s"
          register: by_waba
    """ % (NUMBER_1, NUMBER_2, NUMBER_3, WABA)),
        env=cloud_env(sim),
    )
    assert run.rc == 0, run
    by_id, by_waba = run.results[0][1], run.results[1][1]
    assert by_id["wait_sleep"] == 54.0 and by_id["api_calls"] == 3  # 3 calls a read: 3 x 3600 / 200 s
    assert by_waba["wait_sleep"] == 30.0 and by_waba["api_calls"] == 1


def test_rate_limit_400_is_retried_within_the_deadline(simulator, ansible):
    fault = {"path": "^/graph/", "count": 2, "status": 400, "body": RATE_LIMIT_BODY}
    sim = simulator(cloud_scenario(number(NUMBER_1), faults=[fault]))
    run = ansible.module(
        "cloud_health", {"phone_number_id": NUMBER_1, "wait": True, "wait_timeout": 120}, env=cloud_env(sim)
    )
    assert run.rc == 0, run
    # While waiting, the poll loop alone paces the requests (issue 9): each rate-limited answer is one poll.
    assert run.result["healthy"] is True and run.result["polls"] == 3 and run.result["api_calls"] == 3
    assert [call["status"] for call in graph_calls(sim)] == [400, 400, 200]


def test_rate_limit_longer_than_the_deadline_ends_the_wait_at_its_deadline(simulator, ansible):
    """Meta's X-Business-Use-Case-Usage asks for an hour: not waited for; the wait fails at its deadline, saying so."""
    sim = simulator(cloud_scenario(number(NUMBER_1, "BLOCKED"), rate_limit={"requests": 1, "window": 3600}))
    run = ansible.module(
        "cloud_health",
        {"phone_number_id": NUMBER_1, "wait": True, "wait_timeout": 2, "wait_sleep": 1},
        env=cloud_env(sim),
    )
    assert run.rc == 2, run
    message = run.result["msg"]
    assert "rate limited by the WhatsApp Cloud API" in message and "code 80007" in message
    assert "Meta asks to wait 3600 s" in message
    statuses = [call["status"] for call in graph_calls(sim)]
    assert statuses[0] == 200 and set(statuses[1:]) == {400}


def test_expired_token_fails_at_once_with_what_to_do(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1)))
    run = ansible.module(
        "cloud_health",
        {"phone_number_id": NUMBER_1, "wait": True, "wait_timeout": 300},
        env=cloud_env(sim, EXPIRED_TOKEN),
        secrets_expected=(),
    )
    assert run.rc == 2, run
    message = run.result["msg"]
    assert "HTTP 401, Meta says: Error validating access token: Session has expired" in message
    assert "code 190, subcode 463" in message
    assert "create a new token for a system user" in message and "WA_CLOUD_TOKEN" in message
    assert len(graph_calls(sim)) == 1
    assert EXPIRED_TOKEN not in run.output


def test_unknown_id_fails_with_the_hint(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1)))
    run = ansible.module("cloud_health", {"phone_number_id": "999"}, env=cloud_env(sim))
    assert run.rc == 2, run
    assert run.result["msg"].startswith("phone_number_id 999: GET ")
    assert "code 100, subcode 33" in run.result["msg"] and "not the phone number itself" in run.result["msg"]


def test_bad_input_is_refused_before_any_request(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1)))
    cases = [
        ({"phone_number_id": "+15550783881"}, "that looks like a phone number"),
        ({}, "nothing to check: give phone_number_id"),
        ({"waba_id": WABA, "api_version": "23"}, "api_version '23' is not a Graph API version"),
    ]
    for args, expected in cases:
        run = ansible.module("cloud_health", args, env=cloud_env(sim))
        assert run.rc == 2 and expected in run.result["msg"], run
    run = ansible.module("cloud_health", {"waba_id": WABA}, env={"WA_CLOUD_API_URL": sim.cloud_url})
    assert (
        run.rc == 2
        and "api_token is empty: set api_token or the WA_CLOUD_TOKEN environment variable" in run.result["msg"]
    )
    assert graph_calls(sim) == []


def test_a_waba_with_three_numbers_in_one_call(simulator, ansible):
    limited = {"PHONE_NUMBER": {"can_send_message": "LIMITED", "additional_info": [LIMITED_INFO]}}
    sim = simulator(
        cloud_scenario(
            number(NUMBER_1),
            number(NUMBER_2, limited, quality_rating="YELLOW"),
            number(NUMBER_3, {"PHONE_NUMBER": {"can_send_message": "BLOCKED", "errors": [PAYMENT]}}),
        )
    )
    run = ansible.module("cloud_health", {"waba_id": WABA}, env=cloud_env(sim))
    assert run.rc == 0, run
    result = run.result
    assert [n["id"] for n in result["numbers"]] == [NUMBER_1, NUMBER_2, NUMBER_3]
    assert [n["can_send_message"] for n in result["numbers"]] == ["AVAILABLE", "LIMITED", "BLOCKED"]
    assert [n["healthy"] for n in result["numbers"]] == [True, True, False]
    assert result["numbers"][1]["quality_rating"] == "YELLOW"
    assert result["healthy"] is False and result["can_send_message"] == "BLOCKED" and len(result["problems"]) == 1
    assert [call["path"] for call in graph_calls(sim)] == ["/graph/v23.0/%s/phone_numbers" % WABA]


def test_waba_pagination_follows_paging_next_without_the_token_in_the_url(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1), number(NUMBER_2), number(NUMBER_3), page_size=2))
    run = ansible.module("cloud_health", {"waba_id": WABA, "phone_number_id": [NUMBER_3, NUMBER_1]}, env=cloud_env(sim))
    assert run.rc == 0, run
    assert [n["id"] for n in run.result["numbers"]] == [NUMBER_3, NUMBER_1] and run.result["healthy"] is True
    calls = graph_calls(sim)
    assert len(calls) == 2 == run.result["api_calls"]
    assert "after" not in calls[0]["query"] and calls[1]["query"]["after"]
    assert all("access_token" not in call["query"] and call["auth"] == "bearer" for call in calls)


def test_a_number_not_in_the_waba_is_a_problem(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1)))
    run = ansible.module(
        "cloud_health", {"waba_id": WABA, "phone_number_id": [NUMBER_1, NUMBER_2], "wait": True}, env=cloud_env(sim)
    )
    assert run.rc == 2, run
    assert run.result["missing"] == [NUMBER_2] and run.result["polls"] == 1
    assert (
        "Phone number %s is not among the phone numbers of WhatsApp Business Account %s" % (NUMBER_2, WABA)
        in run.result["msg"]
    )
    assert run.result["msg"].startswith("stopped waiting after 1 polls")


def test_paging_next_on_another_host_is_never_requested(simulator, ansible):
    """Pages with cursors are read from api_url with the after cursor, wherever paging.next points; a page with only
    a paging.next elsewhere (an empty page here) is refused, so that the token goes nowhere else."""
    other = simulator({"cloud": {"tokens": [CLOUD_TOKEN]}}, host="127.0.0.2")
    sim = simulator(cloud_scenario(number(NUMBER_1), number(NUMBER_2), page_size=1, next_base=other.url))
    run = ansible.module("cloud_health", {"waba_id": WABA}, env=cloud_env(sim))
    assert run.rc == 0, run
    assert [n["id"] for n in run.result["numbers"]] == [NUMBER_1, NUMBER_2]
    assert [bool(call["query"].get("after")) for call in graph_calls(sim)] == [False, True]
    sim.load(with_pages(cloud_scenario(number(NUMBER_1), number(NUMBER_2), next_base=other.url), [0, 2]))
    run = ansible.module("cloud_health", {"waba_id": WABA}, env=cloud_env(sim))
    assert run.rc == 2, run
    assert (
        "paging.next points to http://127.0.0.2/graph/v23.0/%s/phone_numbers, outside api_url" % WABA
        in run.result["msg"]
    )
    assert run.result["outcome"] == "error" and run.result["can_send_message"] is None
    assert other.requests() == [] and len(graph_calls(sim)) == 1


def test_a_number_on_the_on_premises_api_ends_the_wait_at_once(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1, platform_type="ON_PREMISE")))
    run = ansible.module(
        "cloud_health", {"phone_number_id": NUMBER_1, "wait": True, "wait_timeout": 300}, env=cloud_env(sim)
    )
    assert run.rc == 2, run
    assert run.result["polls"] == 1
    assert (
        "is on the On-Premises API (platform_type ON_PREMISE), which Meta retired: its final client version expired "
        "on 23 October 2025" in run.result["msg"]
    )


def test_check_mode_reads_once_and_does_not_wait(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1, "BLOCKED")))
    run = ansible.module(
        "cloud_health",
        {"phone_number_id": NUMBER_1, "wait": True, "wait_timeout": 300},
        env=cloud_env(sim),
        extra_args=["--check"],
    )
    assert run.rc == 0, run
    assert run.result["waited"] is False and run.result["polls"] == 1 and run.result["healthy"] is False
    assert run.result["msg"].startswith("check mode: read once (not healthy) instead of waiting up to 300 s")
    assert len(graph_calls(sim)) == 1


def test_lookup_reads_once_with_module_defaults_free_options(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1), number(NUMBER_2, "LIMITED")))
    run = ansible.playbook(
        play("""
        - ansible.builtin.debug:
            msg: "{{ lookup('hypersender.whatsapp.cloud_health', waba_id='%s', allow_limited=false) }}"
    """ % WABA),
        env=cloud_env(sim),
    )
    assert run.rc == 0, run
    result = run.result["msg"]
    assert result["healthy"] is False and [n["healthy"] for n in result["numbers"]] == [True, False]
    expired = ansible.playbook(
        play("""
        - ansible.builtin.debug:
            msg: "{{ lookup('hypersender.whatsapp.cloud_health', phone_number_id='%s') }}"
    """ % NUMBER_1),
        env=cloud_env(sim, EXPIRED_TOKEN),
    )
    assert expired.rc == 2 and "hypersender.whatsapp.cloud_health: GET " in expired.output
    assert "code 190" in expired.output and "Traceback" not in expired.output
    assert EXPIRED_TOKEN not in expired.output


def test_lookup_takes_phone_number_ids_as_terms_and_refuses_an_unknown_keyword(simulator, ansible):
    """One convention for lookups: the ids it checks are terms (the keyword form keeps working); a typo fails."""
    sim = simulator(cloud_scenario(number(NUMBER_1), number(NUMBER_2, "LIMITED")))
    run = ansible.playbook(
        play("""
        - ansible.builtin.debug:
            msg: "{{ lookup('hypersender.whatsapp.cloud_health', '%s', phone_number_id='%s') }}"
    """ % (NUMBER_1, NUMBER_2)),
        env=cloud_env(sim),
    )
    assert run.rc == 0, run
    assert [n["id"] for n in run.result["msg"]["numbers"]] == [NUMBER_1, NUMBER_2]
    calls = len(graph_calls(sim))
    typo = ansible.playbook(
        play("""
        - ansible.builtin.debug:
            msg: "{{ lookup('hypersender.whatsapp.cloud_health', '%s', wait=true) }}"
    """ % NUMBER_1),
        env=cloud_env(sim),
    )
    assert typo.rc == 2, typo
    assert (
        "hypersender.whatsapp.cloud_health: unknown option wait; the valid options are allow_limited, " in typo.output
    )
    assert len(graph_calls(sim)) == calls, "no request for a call with a typo"


def test_the_token_never_reaches_the_output_even_when_meta_echoes_it(simulator, ansible):
    """A proxy error body that quotes the Authorization header back: redacted."""
    body = {
        "error": {
            "message": "Bearer %s is not allowed here" % CLOUD_TOKEN,
            "type": "OAuthException",
            "code": 1,
            "fbtrace_id": "Zz",
        }
    }
    sim = simulator(cloud_scenario(number(NUMBER_1), faults=[{"path": "^/graph/", "status": 500, "body": body}]))
    run = ansible.module("cloud_health", {"phone_number_id": NUMBER_1, "retries": 1}, env=cloud_env(sim))
    assert run.rc == 2, run
    assert "Bearer ******** is not allowed here" in run.result["msg"]
    for secret in SECRETS:
        assert secret not in run.output


# --- the role and the playbooks -------------------------------------------------------------------------------------

VERIFY_CLOUD_PLAY = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: hypersender.whatsapp.verify_cloud
"""


def test_verify_cloud_passes_and_prints_the_table(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1), number(NUMBER_2)))
    run = ansible.playbook(VERIFY_CLOUD_PLAY, extra_args=["-e", "verify_cloud_waba_id=%s" % WABA], env=cloud_env(sim))
    assert run.rc == 0, run
    summary = debug_lines(run.output, "verify_cloud: PASSED")
    assert (
        summary[0]
        == "verify_cloud: PASSED, 2 number(s) can send (AVAILABLE) after %s" % summary[0].rsplit("after ", 1)[1]
    )
    assert summary[2].split() == [NUMBER_1, "+1", "555-078-2922", "AVAILABLE", "GREEN", "CLOUD_API", "ok"]


def test_verify_cloud_fails_with_metas_words(simulator, ansible):
    sim = simulator(
        cloud_scenario(
            number(NUMBER_1),
            number(NUMBER_2, {"PHONE_NUMBER": {"can_send_message": "LIMITED"}}),
            waba_health={"WABA": {"can_send_message": "BLOCKED", "errors": [PAYMENT]}},
        )
    )
    run = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=[
            "-e",
            json.dumps(
                {
                    "verify_cloud_phone_number_ids": [NUMBER_1, NUMBER_2],
                    "verify_cloud_allow_limited": False,
                    "verify_cloud_timeout": 0,
                }
            ),
        ],
        env=cloud_env(sim),
    )
    assert run.rc == 2, run
    message = failure_messages(run.output)[-1]
    assert message.startswith("verify_cloud: not every WhatsApp Cloud API number can send after ")
    for number_id in (NUMBER_1, NUMBER_2):
        assert (
            "Phone number %s (+1 555-078-%s) cannot send messages: its WhatsApp Business Account %s is BLOCKED: There "
            "is an error with the payment method (error 141006). Possible solution: There was an error"
            % (number_id, number_id[-4:], WABA)
            in message
        )
    assert "is LIMITED" in message
    assert debug_lines(run.output, "verify_cloud: FAILED")[1].startswith("PHONE NUMBER ID")


def test_verify_cloud_number_errors_name_the_role_variable_before_any_request(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1)))
    run = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=[
            "-e",
            json.dumps(
                {
                    "verify_cloud_phone_number_ids": [NUMBER_1],
                    "verify_cloud_timeout": 100000,
                    "verify_cloud_retries": 11,
                }
            ),
        ],
        env=cloud_env(sim),
    )
    assert run.rc == 2, run
    # Every bad number at once, each named by the variable that set it (verify_cloud_retries is deprecated).
    assert failure_messages(run.output)[-1] == (
        "verify_cloud: verify_cloud_timeout is '100000', expected a number of seconds, at least 0 and at most 86400, "
        "e.g. verify_cloud_timeout: 600; verify_cloud_retries is '11', expected a whole number, at least 0 and at most 10"
    )
    assert graph_calls(sim) == []


def test_deploy_gate_runs_the_cloud_gate_when_its_token_is_given(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1), number(NUMBER_2)))
    env = dict(cloud_env(sim), WA_CLOUD_WABA_ID=WABA)
    run = ansible(["hypersender.whatsapp.deploy_gate"], command="ansible-playbook", env=env)
    assert run.rc == 0, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: PASSED"
    assert summary[1] == "Hypersender instances: not checked (no HYPERSENDER_API_TOKEN)"
    assert summary[3] == "Cloud API numbers:     PASSED, 2 of 2 number(s) can send (AVAILABLE)"


def test_deploy_gate_cloud_failure_fails_the_step(simulator, ansible):
    sim = simulator(
        cloud_scenario(number(NUMBER_1, {"PHONE_NUMBER": {"can_send_message": "BLOCKED", "errors": [PAYMENT]}}))
    )
    run = ansible(
        ["hypersender.whatsapp.deploy_gate", "-e", "verify_cloud_timeout=0", "-e", "verify_cloud_waba_id=%s" % WABA],
        command="ansible-playbook",
        env=cloud_env(sim),
    )
    assert run.rc == 2, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: FAILED"
    assert summary[3] == "Cloud API numbers:     FAILED, 0 of 1 number(s) can send (BLOCKED)"
    assert failure_messages(run.output)[-1].startswith("deploy_gate: FAILED. Cloud API: verify_cloud: not every")


def test_fleet_report_lists_the_wabas_numbers_with_their_health(simulator, ansible):
    sim = simulator(
        cloud_scenario(
            number(NUMBER_1),
            number(NUMBER_2, "LIMITED", quality_rating="YELLOW"),
            number(NUMBER_3, "BLOCKED", platform_type="ON_PREMISE"),
        )
    )
    run = ansible(
        ["hypersender.whatsapp.fleet_report", "-e", "fleet_report_dir=reports"],
        command="ansible-playbook",
        env=dict(cloud_env(sim), WA_CLOUD_WABA_ID=WABA),
    )
    assert run.rc == 0, run
    data = json.loads((ansible.tmp_path / "reports" / "fleet-report.json").read_text())
    assert data["hypersender"] == {"checked": False} and data["onprem"] == {"checked": False}
    assert [n["can_send_message"] for n in data["cloud"]["numbers"]] == ["AVAILABLE", "LIMITED", "BLOCKED"]
    markdown = (ansible.tmp_path / "reports" / "fleet-report.md").read_text()
    assert "## WhatsApp Cloud API numbers" in markdown and "2 of 3 number(s) can send; overall BLOCKED." in markdown
    assert "| `%s` | +1 555-078-2923 | Sim Business | LIMITED | YELLOW | CONNECTED | CLOUD_API |" % NUMBER_2 in markdown
    assert "platform_type ON_PREMISE" in markdown
    summary = debug_lines(run.output, "FLEET REPORT written to")
    assert "Cloud API: 2 of 3 number(s) can send (BLOCKED)" in summary
    assert [graph["path"] for graph in graph_calls(sim)] == ["/graph/v23.0/%s/phone_numbers" % WABA]
    for path in (ansible.tmp_path / "reports").iterdir():
        assert CLOUD_TOKEN not in path.read_text()


def test_fleet_report_escapes_the_numbers_cells(simulator, ansible):
    sim = simulator(cloud_scenario(number(NUMBER_1, verified_name="Shop | <b>x</b>")))
    run = ansible(
        ["hypersender.whatsapp.fleet_report", "-e", "fleet_report_dir=reports"],
        command="ansible-playbook",
        env=dict(cloud_env(sim), WA_CLOUD_WABA_ID=WABA),
    )
    assert run.rc == 0, run
    markdown = (ansible.tmp_path / "reports" / "fleet-report.md").read_text()
    rows = [line for line in markdown.splitlines() if NUMBER_1 in line]
    assert len(rows) == 1 and rows[0].count("|") == 8, rows  # 7 cells between 8 pipes: the name's pipe is an entity
    assert "| Shop &#124; &lt;b>x&lt;/b> |" in rows[0]


def test_verify_cloud_token_in_a_role_variable_stays_secret(simulator, ansible):
    """The token given as a (vaulted, here plain) role variable, not in the environment: never printed at -vvvv."""
    sim = simulator(cloud_scenario(number(NUMBER_1)))
    variables = ansible.tmp_path / "vars.json"
    variables.write_text(
        json.dumps(
            {
                "verify_cloud_api_token": CLOUD_TOKEN,
                "verify_cloud_api_url": sim.cloud_url,
                "verify_cloud_phone_number_ids": [NUMBER_1],
            }
        )
    )
    run = ansible.playbook(VERIFY_CLOUD_PLAY, extra_args=["-e", "@%s" % variables])
    assert run.rc == 0, run
    assert debug_lines(run.output, "verify_cloud: PASSED")[0].startswith("verify_cloud: PASSED, 1 number(s) can send")
    assert [call["auth"] for call in graph_calls(sim)] == ["bearer"]


# --- issue 22: paging past empty pages, the auth outcome, every Graph rate-limit code -----------------------------------


def test_an_empty_middle_page_does_not_end_the_list_and_the_blocked_number_fails_the_wait(simulator, ansible):
    """Three pages: two AVAILABLE numbers, an empty page with paging.next, a BLOCKED number. The wait fails."""
    blocked = {"PHONE_NUMBER": {"can_send_message": "BLOCKED", "errors": [PAYMENT]}}
    sim = simulator(
        with_pages(cloud_scenario(number(NUMBER_1), number(NUMBER_2), number(NUMBER_3, blocked)), [2, 0, 1])
    )
    run = ansible.module("cloud_health", {"waba_id": WABA, "wait": True, "wait_timeout": 0}, env=cloud_env(sim))
    assert run.rc == 2, run
    result = run.result
    assert [n["id"] for n in result["numbers"]] == [NUMBER_1, NUMBER_2, NUMBER_3]
    assert result["healthy"] is False and result["can_send_message"] == "BLOCKED" and result["outcome"] == "not_healthy"
    assert "Phone number %s (+1 555-078-2924) cannot send messages" % NUMBER_3 in result["msg"]
    calls = edge_calls(sim)
    assert len(calls) == 3 == result["api_calls"] and "after" not in calls[0]["query"]
    assert all(call["query"].get("after") for call in calls[1:]) and calls[1]["query"] != calls[2]["query"]
    assert all("access_token" not in call["query"] and call["auth"] == "bearer" for call in calls)


def test_the_lookup_reads_past_leading_and_trailing_empty_pages(simulator, ansible):
    """Another paged read: the lookup, a WABA whose first two pages are empty and whose last number is BLOCKED."""
    sim = simulator(with_pages(cloud_scenario(number(NUMBER_1), number(NUMBER_2, "BLOCKED")), [0, 0, 1, 0, 1]))
    run = ansible.playbook(
        play("""
        - ansible.builtin.debug:
            msg: "{{ lookup('hypersender.whatsapp.cloud_health', waba_id='%s') }}"
    """ % WABA),
        env=cloud_env(sim),
    )
    assert run.rc == 0, run
    result = run.result["msg"]
    assert [n["id"] for n in result["numbers"]] == [NUMBER_1, NUMBER_2]
    assert result["healthy"] is False and result["can_send_message"] == "BLOCKED" and result["outcome"] == "not_healthy"
    assert len(edge_calls(sim)) == 5


def test_verify_cloud_fails_on_a_blocked_number_behind_an_empty_page(simulator, ansible):
    """The gate of the report: it PASSED when an empty page hid the BLOCKED number on page 3."""
    sim = simulator(
        with_pages(cloud_scenario(number(NUMBER_1), number(NUMBER_2), number(NUMBER_3, "BLOCKED")), [1, 0, 2])
    )
    run = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=["-e", json.dumps({"verify_cloud_waba_id": WABA, "verify_cloud_timeout": 0})],
        env=cloud_env(sim),
    )
    assert run.rc == 2, run
    assert "verify_cloud: PASSED" not in run.output
    summary = debug_lines(run.output, "verify_cloud: FAILED")
    assert summary[0].startswith("verify_cloud: FAILED, not every number can send")
    assert [line.split()[0] for line in summary[2:5]] == [NUMBER_1, NUMBER_2, NUMBER_3]
    assert failure_messages(run.output)[-1].startswith("verify_cloud: not every WhatsApp Cloud API number can send")
    assert len(edge_calls(sim)) == 3


TOKEN_REJECTIONS = {
    # name: (fault or None for the simulator's own expired-token answer, what the message must say)
    "expired_190_463": (None, "the access token was rejected: it has expired (subcode 463)"),
    "session_102": (
        {"status": 400, "body": graph_error_body(102, "Session key invalid or no longer valid")},
        "the access token was rejected",
    ),
    "auth_exception_0_http_401": (
        {"status": 401, "body": graph_error_body(0, "(#0) We were unable to authenticate the app user")},
        "the access token was rejected",
    ),
    "html_401_from_a_proxy": (
        {
            "status": 401,
            "raw_body": "<html><body>401 Authorization Required</body></html>",
            "content_type": "text/html",
        },
        "rejected the credentials (HTTP 401)",
    ),
}


def test_a_rejected_token_is_the_auth_failed_outcome_not_blocked(simulator, ansible):
    """Every kind of rejected token: outcome auth_failed, no can_send_message, and what to do; never BLOCKED."""
    for name, (fault, said) in TOKEN_REJECTIONS.items():
        faults = [dict(fault, path="^/graph/")] if fault else []
        sim = simulator(cloud_scenario(number(NUMBER_1), faults=faults))
        token = CLOUD_TOKEN if fault else EXPIRED_TOKEN
        run = ansible.module(
            "cloud_health",
            {"phone_number_id": NUMBER_1, "wait": True, "wait_timeout": 60, "wait_sleep": 1},
            env=cloud_env(sim, token),
        )
        assert run.rc == 2, (name, run)
        result = run.result
        assert result["outcome"] == "auth_failed", (name, result)
        assert result["can_send_message"] is None and result["healthy"] is False and result["problems"] == [], name
        assert said in result["msg"] and "system user" in result["msg"], (name, result["msg"])
        assert result["polls"] == 1 and len(graph_calls(sim)) == 1, name
        assert EXPIRED_TOKEN not in run.output


def test_the_lookup_names_a_token_rejected_with_code_0_and_says_what_to_do(simulator, ansible):
    fault = {"path": "^/graph/", "status": 401, "body": graph_error_body(0, "(#0) We were unable to authenticate")}
    sim = simulator(cloud_scenario(number(NUMBER_1), faults=[fault]))
    run = ansible.playbook(
        play("""
        - ansible.builtin.debug:
            msg: "{{ lookup('hypersender.whatsapp.cloud_health', phone_number_id='%s') }}"
    """ % NUMBER_1),
        env=cloud_env(sim),
    )
    assert run.rc == 2, run
    text = " ".join(run.output.split())
    assert "hypersender.whatsapp.cloud_health: " in text and "the access token was rejected" in text
    assert "create a new token for a system user" in text and "BLOCKED" not in text
    assert len(graph_calls(sim)) == 1


def test_verify_cloud_says_the_token_was_rejected(simulator, ansible):
    """The role formats the module's outcome: a rejected token is not 'not every number can send'."""
    sim = simulator(cloud_scenario(number(NUMBER_1)))
    run = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=["-e", json.dumps({"verify_cloud_phone_number_ids": [NUMBER_1]})],
        env=cloud_env(sim, "sim-cloud-token-revoked-0099"),
    )
    assert run.rc == 2, run
    summary = debug_lines(run.output, "verify_cloud: FAILED")
    assert summary[0].startswith("verify_cloud: FAILED, the WhatsApp Cloud API rejected the access token: GET ")
    assert "create a new token for a system user" in summary[0]
    message = failure_messages(run.output)[-1]
    assert message.startswith("verify_cloud: the WhatsApp Cloud API rejected the access token: GET ")
    assert "BLOCKED" not in message and "not every" not in message
    assert len(graph_calls(sim)) == 1


def test_graph_613_while_waiting_is_a_rate_limit_and_the_wait_ends_ready(simulator, ansible):
    """613 "Calls to this api have exceeded the rate limit", then the number: the wait goes on and passes."""
    fault = {
        "path": "^/graph/",
        "count": 1,
        "status": 400,
        "body": graph_error_body(613, "Calls to this api have exceeded the rate limit."),
    }
    sim = simulator(cloud_scenario(number(NUMBER_1), faults=[fault]))
    run = ansible.module(
        "cloud_health",
        {"phone_number_id": NUMBER_1, "wait": True, "wait_timeout": 120, "wait_sleep": 1},
        env=cloud_env(sim),
    )
    assert run.rc == 0, run
    assert run.result["healthy"] is True and run.result["outcome"] == "healthy"
    assert run.result["polls"] == 2 and run.result["api_calls"] == 2
    assert [call["status"] for call in graph_calls(sim)] == [400, 200]


def test_other_graph_rate_limit_codes_are_retried_by_a_read_without_a_wait(simulator, ansible):
    """130429 and 32 to the lookup (no wait: the client's own retries), then the numbers: it returns them."""
    faults = [
        {"path": "^/graph/", "count": 1, "status": 400, "body": graph_error_body(130429, "(#130429) Rate limit hit")},
        {"path": "^/graph/", "count": 1, "status": 400, "body": graph_error_body(32, "Page request limit reached")},
    ]
    sim = simulator(cloud_scenario(number(NUMBER_1), faults=faults))
    run = ansible.playbook(
        play("""
        - ansible.builtin.debug:
            msg: "{{ lookup('hypersender.whatsapp.cloud_health', phone_number_id='%s') }}"
    """ % NUMBER_1),
        env=cloud_env(sim),
    )
    assert run.rc == 0, run
    assert run.result["msg"]["healthy"] is True
    assert [call["status"] for call in graph_calls(sim)] == [400, 400, 200]


def test_a_wait_rate_limited_to_its_end_is_not_a_number_state(simulator, ansible):
    """Every poll answered 613: the gate fails at its deadline saying no read succeeded, not that numbers cannot send."""
    fault = {"path": "^/graph/", "status": 400, "body": graph_error_body(613, "Calls to this api have exceeded")}
    sim = simulator(cloud_scenario(number(NUMBER_1), faults=[fault]))
    run = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=[
            "-e",
            json.dumps(
                {
                    "verify_cloud_phone_number_ids": [NUMBER_1],
                    "verify_cloud_timeout": 2,
                    "verify_cloud_poll_interval": 1,
                }
            ),
        ],
        env=cloud_env(sim),
    )
    assert run.rc == 2, run
    summary = debug_lines(run.output, "verify_cloud: FAILED")
    assert summary[0].startswith(
        "verify_cloud: FAILED, the Graph API rate limited every read: no read of the WhatsApp Cloud API numbers "
        "succeeded in 2 s ("
    )
    assert "code 613" in summary[0] and "cannot send" not in summary[0]
    assert failure_messages(run.output)[-1].startswith("verify_cloud: the Graph API rate limited every read: ")
    assert graph_calls(sim) and {call["status"] for call in graph_calls(sim)} == {400}
