# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.cloud_preflight (module and lookup) through real ansible runs against the simulator's
Graph API (scenarios/cloud-preflight.json with the test's token): every check passing and failing, warnings that do
not fail, the calls it makes (the simulator's request log), rate limits, check mode, and no token at -vvvv.
"""

from __future__ import annotations

import copy
import json

import pytest
from conftest import CLOUD_TOKEN, COLLECTION_ROOT
from test_cloud_health import cloud_env, failure_messages, graph_calls, play

SCENARIOS = COLLECTION_ROOT / "tests" / "simulator" / "scenarios"
APP_TOKEN = "634974688087057|sim-app-secret-e2e-7Hq2"
APP_ID = "634974688087057"
READY, NUMBERS_FAIL, OTHER_APP, NO_APP, TEMPLATES_FAIL, REVIEW = (
    "102290129340398",
    "102290129340401",
    "102290129340402",
    "102290129340403",
    "102290129340404",
    "102290129340405",
)
EXAMPLE_TOKEN = "sim-cloud-token-0123456789"
EXPIRING, NO_MANAGEMENT, OTHER_WABA, EXPIRED = (
    "sim-cloud-token-expiring-soon",
    "sim-cloud-token-no-management",
    "sim-cloud-token-other-waba",
    "sim-cloud-token-expired-0042",
)
ORDER_EN = {"name": "order_update", "language": "en_US"}


def preflight_scenario(name="cloud-preflight.json", **cloud):
    """A bundled scenario with the test's token (conftest.CLOUD_TOKEN, scanned for in every output) and app token in
    place of the scenario's own."""
    scenario = json.loads((SCENARIOS / name).read_text())
    section = scenario["cloud"]
    section["tokens"] = [CLOUD_TOKEN]
    section["app_tokens"] = [APP_TOKEN]
    info = section.setdefault("token_info", {})
    if EXAMPLE_TOKEN in info:
        info[CLOUD_TOKEN] = info.pop(EXAMPLE_TOKEN)
    cloud = copy.deepcopy(cloud)
    if "faults" in cloud:
        scenario["faults"] = cloud.pop("faults")
    section.update(cloud)
    return scenario


def env(sim, token=CLOUD_TOKEN, **extra):
    return dict(cloud_env(sim, token), **extra)


def checks_by_name(result):
    return {(item["name"], item["subject"]): item for item in result["checks"]}


def failed(result):
    return [(item["name"], item["severity"]) for item in result["checks"] if not item["passed"]]


def paths(sim):
    return [call["path"].split("/", 3)[-1] for call in graph_calls(sim)]


def preflight(ansible, sim, args, token=CLOUD_TOKEN, extra_args=(), **env_extra):
    run = ansible.module("cloud_preflight", args, env=env(sim, token, **env_extra), extra_args=extra_args)
    assert APP_TOKEN not in run.output and APP_TOKEN.split("|")[1] not in run.output
    return run


# --- passing -----------------------------------------------------------------------------------------------------


def test_every_check_passes_on_a_ready_account_in_four_calls(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = preflight(
        ansible, sim, {"waba_id": READY, "templates": [ORDER_EN, {"name": "order_update", "language": "de"}]}
    )
    assert run.rc == 0, run
    result = run.result
    assert result["ready"] is True and result["changed"] is False and failed(result) == []
    names = {item["name"] for item in result["checks"]}
    assert names == {
        "token_valid",
        "token_expiry",
        "token_scopes",
        "token_waba_access",
        "waba_business_verification",
        "waba_account_review",
        "number_status",
        "number_quality",
        "number_name_status",
        "number_platform",
        "number_code_verification",
        "number_health",
        "number_throughput",
        "number_messaging_limit",
        "app_subscribed",
        "template",
    }
    by = checks_by_name(result)
    assert by[("token_expiry", "access token (SYSTEM_USER, app %s)" % APP_ID)]["msg"] == (
        "expires_at 0: the token does not expire"
    )
    assert result["token"] == {
        "app_id": APP_ID,
        "type": "SYSTEM_USER",
        "expires_at": None,
        "days_left": None,
        "never_expires": True,
    }
    assert (
        by[("number_throughput", "phone number 106540352242923 (+1 555-078-3882)")]["msg"] == "throughput.level is HIGH"
    )
    assert by[("template", "template order_update (en_US)")]["msg"] == "status is APPROVED, quality_score GREEN"
    assert result["calls"] == 4 and paths(sim) == [
        "debug_token",
        READY,
        READY + "/subscribed_apps",
        READY + "/message_templates",
    ]
    calls = graph_calls(sim)
    assert all(call["auth"] == "bearer" and "access_token" not in call["query"] for call in calls)
    assert calls[0]["query"] == {"input_token": "<redacted>"}
    assert "phone_numbers.limit(100){" in calls[1]["query"]["fields"]


def test_the_calls_do_not_grow_with_the_number_of_numbers(simulator, ansible):
    counts = {}
    for size in (1, 60):
        numbers = [{"id": str(106540352243000 + n)} for n in range(size)]
        wabas = [{"id": READY, "phone_numbers": numbers}]
        sim = simulator(preflight_scenario(wabas=wabas, page_size=100))
        run = preflight(ansible, sim, {"waba_id": READY})
        assert run.rc == 0 and run.result["ready"] is True, run
        assert len([c for c in run.result["checks"] if c["name"] == "number_status"]) == size
        counts[size] = (run.result["calls"], len(graph_calls(sim)))
    assert counts[1] == counts[60] == (3, 3)  # no templates named: no message_templates call


def test_numbers_beyond_a_page_cost_one_call_a_page(simulator, ansible):
    numbers = [{"id": str(106540352243000 + n)} for n in range(60)]
    sim = simulator(preflight_scenario(wabas=[{"id": READY, "phone_numbers": numbers}], page_size=25))
    run = preflight(ansible, sim, {"waba_id": READY, "skip_checks": ["token", "subscription"]})
    assert run.rc == 0 and run.result["ready"] is True, run
    assert len({c["subject"] for c in run.result["checks"] if c["name"] == "number_status"}) == 60
    assert paths(sim) == [READY, READY + "/phone_numbers", READY + "/phone_numbers"]
    assert run.result["calls"] == 3


# --- failing, one kind at a time ---------------------------------------------------------------------------------


def test_each_number_check_fails_with_metas_words_and_a_hint(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = preflight(ansible, sim, {"waba_id": NUMBERS_FAIL})
    assert run.rc == 0, run
    result = run.result
    assert result["ready"] is False and result["calls"] == 3
    failures = {(c["name"], c["subject"].split()[2]): c for c in result["checks"] if not c["passed"]}
    assert sorted((name, number, c["severity"]) for (name, number), c in failures.items()) == [
        ("number_code_verification", "106540352242935", "warning"),
        ("number_health", "106540352242936", "error"),
        ("number_name_status", "106540352242933", "error"),
        ("number_platform", "106540352242934", "error"),
        ("number_quality", "106540352242932", "error"),
        ("number_status", "106540352242931", "error"),
    ]
    assert failures[("number_status", "106540352242931")]["msg"] == "status is FLAGGED"
    assert failures[("number_quality", "106540352242932")]["msg"] == "quality_rating is RED"
    assert "migrate" in failures[("number_platform", "106540352242934")]["hint"]
    health = failures[("number_health", "106540352242936")]
    assert "There is an error with the payment method (error 141006)" in health["msg"]
    assert "Please add a new payment method to the account." in health["msg"]
    assert all(c["hint"] for c in failures.values())


def test_quality_fails_on_the_ratings_given(simulator, ansible):
    wabas = [{"id": READY, "phone_numbers": [{"id": "106540352242922", "quality_rating": "YELLOW"}]}]
    sim = simulator(preflight_scenario(wabas=wabas))
    default = preflight(ansible, sim, {"waba_id": READY})
    strict = preflight(ansible, sim, {"waba_id": READY, "fail_on_quality": ["YELLOW", "RED"]})
    assert default.result["ready"] is True and strict.result["ready"] is False
    assert failed(strict.result) == [("number_quality", "error")]


def test_a_token_expiring_soon_warns_naming_date_and_days_and_does_not_fail(simulator, ansible):
    sim = simulator(preflight_scenario(token_info={CLOUD_TOKEN: {"expires_in": 5 * 86400 + 3600}}))
    run = preflight(ansible, sim, {"waba_id": READY, "templates": [ORDER_EN]})
    assert run.rc == 0, run
    result = run.result
    assert result["ready"] is True and failed(result) == [("token_expiry", "warning")]
    warning = [c for c in result["checks"] if c["name"] == "token_expiry"][0]
    assert warning["msg"].startswith("expires_at ") and warning["msg"].endswith(", in 5 days")
    assert " UTC" in warning["msg"] and warning["hint"].startswith("replace it before 20")
    assert result["token"]["days_left"] == 5 and result["token"]["never_expires"] is False
    wide = preflight(ansible, sim, {"waba_id": READY, "token_expiry_warn_days": 3})
    assert failed(wide.result) == []


@pytest.mark.parametrize("with_app_token", [False, True])
def test_an_expired_token_fails_in_metas_words_and_nothing_else_is_read(simulator, ansible, with_app_token):
    sim = simulator(preflight_scenario(expired_tokens=[CLOUD_TOKEN]))
    args = {"waba_id": READY, "templates": [ORDER_EN]}
    if with_app_token:
        args["app_token"] = APP_TOKEN
    run = preflight(ansible, sim, args)
    assert run.rc == 0, run
    result = run.result
    assert result["ready"] is False and failed(result) == [("token_valid", "error")]
    assert (
        "Session has expired" in result["checks"][0]["msg"] and "(code 190, subcode 463)" in result["checks"][0]["msg"]
    )
    assert "system user" in result["checks"][0]["hint"] and result["token"] is None
    assert result["calls"] == 1 and paths(sim) == ["debug_token"]
    assert graph_calls(sim)[0]["status"] == (200 if with_app_token else 401)


def test_a_token_without_the_management_scope_fails_before_the_other_reads(simulator, ansible):
    sim = simulator(preflight_scenario(token_info={CLOUD_TOKEN: {"scopes": ["whatsapp_business_messaging"]}}))
    run = preflight(ansible, sim, {"waba_id": READY})
    assert run.rc == 0 and run.result["ready"] is False, run
    assert failed(run.result) == [("token_scopes", "error")]
    scopes = [c for c in run.result["checks"] if c["name"] == "token_scopes"][0]
    assert scopes["msg"] == "scopes: whatsapp_business_messaging; missing whatsapp_business_management"
    assert run.result["calls"] == 1


def test_a_token_whose_target_ids_miss_the_waba_fails(simulator, ansible):
    granular = [{"scope": "whatsapp_business_management", "target_ids": ["999999999999999"]}]
    sim = simulator(preflight_scenario(token_info={CLOUD_TOKEN: {"granular_scopes": granular}}))
    run = preflight(ansible, sim, {"waba_id": READY})
    assert failed(run.result) == [("token_waba_access", "error")] and run.result["calls"] == 1
    item = [c for c in run.result["checks"] if c["name"] == "token_waba_access"][0]
    assert item["msg"] == "granular_scopes: whatsapp_business_management targets 999999999999999"
    assert "Assign assets" in item["hint"]


def test_with_the_token_checks_skipped_a_forbidden_read_fails_the_task_with_metas_words(simulator, ansible):
    sim = simulator(preflight_scenario(token_info={CLOUD_TOKEN: {"scopes": ["whatsapp_business_messaging"]}}))
    run = preflight(ansible, sim, {"waba_id": READY, "skip_checks": ["token"]})
    assert run.rc != 0, run
    result = run.result
    assert result["ready"] is False and "code 200" in result["msg"] and "whatsapp_business_management" in result["msg"]
    assert result["calls"] == 2  # debug_token (for the subscription's app_id), then the WABA


@pytest.mark.parametrize(
    "waba, said",
    [
        (OTHER_APP, "subscribed_apps: 111111111111111 (Old CRM); the token's app %s is not among them" % APP_ID),
        (NO_APP, "subscribed_apps is empty: no app gets this account's webhooks"),
    ],
)
def test_the_tokens_own_app_must_be_subscribed(simulator, ansible, waba, said):
    sim = simulator(preflight_scenario())
    run = preflight(ansible, sim, {"waba_id": waba})
    assert run.rc == 0 and run.result["ready"] is False, run
    assert failed(run.result) == [("app_subscribed", "error")]
    item = [c for c in run.result["checks"] if c["name"] == "app_subscribed"][0]
    assert item["msg"].startswith(said) and "POST /<WABA_ID>/subscribed_apps" in item["hint"]
    assert APP_ID in item["hint"]


def test_templates_fail_with_their_status_reason_and_close_names(simulator, ansible):
    sim = simulator(preflight_scenario())
    wanted = [
        ORDER_EN,
        {"name": "delivery_notice", "language": "en_US"},
        {"name": "promo_spring", "language": "en_US"},
        {"name": "otp_code", "language": "en_US"},
        {"name": "otp_code", "language": "es"},
        {"name": "promo_sprng", "language": "en_US"},
    ]
    run = preflight(ansible, sim, {"waba_id": TEMPLATES_FAIL, "templates": wanted})
    assert run.rc == 0 and run.result["ready"] is False, run
    messages = [c["msg"] for c in run.result["checks"] if c["name"] == "template"]
    assert messages == [
        "status is PAUSED, quality_score UNKNOWN",
        "status is DISABLED, quality_score UNKNOWN",
        "status is REJECTED, rejected_reason PROMOTIONAL, quality_score UNKNOWN",
        "status is PENDING, quality_score UNKNOWN",
        "otp_code exists in en_US, not in es",
        "no message template named promo_sprng among the account's 4; close matches: promo_spring",
    ]
    assert all(not c["passed"] and c["hint"] for c in run.result["checks"] if c["name"] == "template")


def test_templates_across_three_pages(simulator, ansible):
    templates = [{"name": "t%d" % n, "language": "en_US"} for n in range(5)]
    wabas = [{"id": READY, "phone_numbers": [{"id": "106540352242922"}], "message_templates": templates}]
    sim = simulator(preflight_scenario(wabas=wabas, page_size=2))
    run = preflight(ansible, sim, {"waba_id": READY, "templates": [{"name": "t4", "language": "en_US"}]})
    assert run.rc == 0 and run.result["ready"] is True, run
    assert sim.count(path=r"/message_templates$") == 3 and run.result["calls"] == 6
    assert [c["query"].get("after") is None for c in graph_calls(sim) if c["path"].endswith("message_templates")] == [
        True,
        False,
        False,
    ]


def test_the_account_review_fields_warn(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = preflight(ansible, sim, {"waba_id": REVIEW})
    assert run.rc == 0 and run.result["ready"] is True, run
    assert failed(run.result) == [("waba_business_verification", "warning"), ("waba_account_review", "warning")]
    assert [c["msg"] for c in run.result["checks"] if c["name"].startswith("waba_")] == [
        "business_verification_status is pending",
        "account_review_status is PENDING",
    ]


# --- calls, rate limits, options, check mode, the lookup, secrets ------------------------------------------------


@pytest.mark.parametrize("code", [4, 613, 80007, 80008, 130429])
def test_a_rate_limit_in_the_middle_is_waited_out(simulator, ansible, code):
    scenario = preflight_scenario("cloud-preflight-rate-limit.json")
    scenario["faults"][0]["body"]["error"]["code"] = code
    sim = simulator(scenario)
    run = preflight(ansible, sim, {"waba_id": READY, "templates": [{"name": "template_60", "language": "en_US"}]})
    assert run.rc == 0 and run.result["ready"] is True, run
    templates = [c for c in graph_calls(sim) if c["path"].endswith("/message_templates")]
    assert [c["status"] for c in templates] == [200, 400, 200, 200]
    assert templates[1]["query"]["after"] == templates[2]["query"]["after"]  # the same page, asked again
    assert run.result["calls"] == len(graph_calls(sim)) == 7


def test_a_rate_limit_that_outlasts_the_retries_fails_the_task_saying_so(simulator, ansible):
    scenario = preflight_scenario("cloud-preflight-rate-limit.json")
    scenario["faults"][0].update(skip=0, count=None)
    sim = simulator(scenario)
    run = preflight(ansible, sim, {"waba_id": READY, "templates": [ORDER_EN], "retries": 1})
    assert run.rc != 0, run
    result = run.result
    assert result["ready"] is False and "rate limited" in result["msg"] and "code 80007" in result["msg"]
    assert result["calls"] == 5 and sim.count(path=r"/message_templates$", status=400) == 2
    assert [c["name"] for c in result["checks"]][:1] == ["token_valid"]


def test_bad_options_are_refused_before_any_request(simulator, ansible):
    sim = simulator(preflight_scenario())
    for args, said in (
        ({}, "waba_id is required"),
        ({"waba_id": "+15550783881"}, "waba_id '+15550783881' is not a Graph API ID"),
        ({"waba_id": READY, "phone_number_ids": ["abc"]}, "phone_number_ids 'abc' is not a Graph API ID"),
        ({"waba_id": READY, "skip_checks": ["token", "subscription", "numbers", "waba"]}, "leaves nothing to check"),
        ({"waba_id": READY, "token_expiry_warn_days": 99999}, "from 0 to 3650"),
        ({"waba_id": READY, "templates": [{"name": "x"}]}, "language"),
    ):
        run = preflight(ansible, sim, args)
        assert run.rc != 0 and said in run.result["msg"], (args, run)
    assert graph_calls(sim) == []


def test_an_unknown_waba_fails_the_task_with_the_hint(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = preflight(ansible, sim, {"waba_id": "123456789", "skip_checks": ["token_waba_access"]})
    assert run.rc != 0, run
    assert "waba_id 123456789" in run.result["msg"] and "not the phone number itself" in run.result["msg"]
    assert run.result["calls"] == 2 and run.result["ready"] is False


def test_skipped_groups_make_no_calls(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = preflight(
        ansible, sim, {"waba_id": OTHER_APP, "skip_checks": ["subscription", "token"], "templates": [ORDER_EN]}
    )
    assert run.rc == 0, run
    assert paths(sim) == [OTHER_APP, OTHER_APP + "/message_templates"] and run.result["calls"] == 2
    assert not {"app_subscribed", "token_valid"} & {c["name"] for c in run.result["checks"]}


def test_check_mode_runs_the_same_reads_and_changes_nothing(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = preflight(ansible, sim, {"waba_id": NUMBERS_FAIL}, extra_args=["--check"])
    assert run.rc == 0, run
    assert run.result["changed"] is False and run.result["ready"] is False and run.result["calls"] == 3
    assert all(call["method"] == "GET" for call in graph_calls(sim))


def test_the_lookup_takes_number_ids_as_terms_and_the_rest_as_keywords(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = ansible.playbook(
        play("""
        - name: Two numbers of the account, one of them not in it
          ansible.builtin.set_fact:
            preflight: "{{ lookup('hypersender.whatsapp.cloud_preflight', '106540352242923', '106540352299999',
                           waba_id='102290129340398', templates=[{'name': 'order_update', 'language': 'en_US'}],
                           skip_checks=['waba']) }}"
        - name: Show it
          ansible.builtin.debug:
            var: preflight
    """),
        env=env(sim, WA_CLOUD_APP_TOKEN=APP_TOKEN),
    )
    assert run.rc == 0, run
    assert APP_TOKEN not in run.output
    result = run.results[-1][1]["preflight"]
    subjects = {c["subject"] for c in result["checks"] if c["name"].startswith("number_")}
    assert subjects == {"phone number 106540352242923 (+1 555-078-3882)", "phone number 106540352299999"}
    assert result["ready"] is False and [c["name"] for c in result["checks"] if not c["passed"]] == ["number_found"]
    assert result["calls"] == 4 and not any(c["name"].startswith("waba_") for c in result["checks"])


def test_the_lookup_fails_on_a_failed_call_with_the_error(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = ansible.playbook(
        play("""
        - ansible.builtin.debug:
            msg: "{{ lookup('hypersender.whatsapp.cloud_preflight', waba_id='123456789', skip_checks=['token']) }}"
    """),
        env=env(sim),
    )
    assert run.rc != 0 and "hypersender.whatsapp.cloud_preflight: waba_id 123456789: GET " in run.output, run


@pytest.mark.parametrize("echoed_on", ["/debug_token$", "/subscribed_apps$"])
def test_neither_token_nor_app_token_reaches_the_output_at_vvvv(simulator, ansible, echoed_on):
    """A careless endpoint echoes the Authorization header: the app token's (debug_token) or the token's."""
    sim = simulator(preflight_scenario(faults=[{"path": echoed_on, "echo_authorization": True, "status": 400}]))
    for args, extra in (
        ({"waba_id": READY, "app_token": APP_TOKEN}, {}),
        ({"waba_id": READY}, {"WA_CLOUD_APP_TOKEN": APP_TOKEN}),
    ):
        run = preflight(ansible, sim, args, **extra)  # conftest scans for CLOUD_TOKEN, preflight() for APP_TOKEN
        assert run.rc != 0 and "Access denied for Authorization: Bearer ********" in run.output, run
        assert sim.count(path=echoed_on) >= 1


# --- the verify_cloud role and deploy_gate ---------------------------------------------------------------------------

VERIFY_CLOUD_PLAY = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: hypersender.whatsapp.verify_cloud
"""


def role_vars(**values):
    return ["-e", json.dumps(values)]


def printed_lines(output, first):
    """The list a debug task printed whose first line starts with ``first``."""
    decoder = json.JSONDecoder()
    found = []
    start = 0
    while True:
        index = output.find('"msg": [', start)
        if index < 0:
            break
        lines = decoder.raw_decode(output, output.index("[", index))[0]
        if lines and isinstance(lines[0], str) and lines[0].startswith(first):
            found.append(lines)
        start = index + 1
    assert found, "no lines starting with %r in:\n%s" % (first, output[-4000:])
    return found[-1]


def troubled_account():
    """Numbers that can send, but another app subscribed, a template pending, and a token expiring in 3 days."""
    wabas = [
        {
            "id": READY,
            "phone_numbers": [{"id": "106540352242922"}],
            "subscribed_apps": [{"id": "111111111111111", "name": "Old CRM"}],
            "message_templates": [ORDER_EN, {"name": "otp_code", "language": "en_US", "status": "PENDING"}],
        }
    ]
    return preflight_scenario(wabas=wabas, token_info={CLOUD_TOKEN: {"expires_in": 3 * 86400 + 3600}})


def test_verify_cloud_runs_the_preflight_once_the_numbers_can_send(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=role_vars(verify_cloud_waba_id=READY, verify_cloud_templates=[ORDER_EN]),
        env=env(sim, WA_CLOUD_APP_TOKEN=APP_TOKEN),
    )
    assert run.rc == 0, run
    assert APP_TOKEN not in run.output
    lines = printed_lines(run.output, "verify_cloud: preflight")
    assert lines == ["verify_cloud: preflight READY, 24 checks, 0 failed and 0 warnings in 4 Graph calls"]
    assert paths(sim) == [
        READY + "/phone_numbers",
        "debug_token",
        READY,
        READY + "/subscribed_apps",
        READY + "/message_templates",
    ]


def test_verify_cloud_prints_a_line_per_failed_or_warned_check_and_fails(simulator, ansible):
    sim = simulator(troubled_account())
    run = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=role_vars(
            verify_cloud_waba_id=READY,
            verify_cloud_templates=[ORDER_EN, {"name": "otp_code", "language": "en_US"}],
            verify_cloud_app_token=APP_TOKEN,
        ),
        env=env(sim),
    )
    assert run.rc == 2, run
    lines = printed_lines(run.output, "verify_cloud: preflight")
    assert lines[0] == "verify_cloud: preflight NOT READY, 2 failed and 1 warning in 4 Graph calls"
    assert [line.split(",")[0] for line in lines[1:]] == [
        "verify_cloud: FAILED app_subscribed",
        "verify_cloud: FAILED template",
        "verify_cloud: WARNING token_expiry",
    ]
    assert "(see verify_cloud_templates; to leave it out, add template to verify_cloud_skip_checks)" in lines[2]
    assert lines[3].endswith(
        "(see verify_cloud_token_expiry_warn_days; to leave it out, add token_expiry to verify_cloud_skip_checks)"
    )
    message = failure_messages(run.output)[-1]
    assert message.startswith(lines[0] + " verify_cloud: FAILED app_subscribed, WhatsApp Business Account")
    assert "status is PENDING" in message and "token_expiry" not in message
    assert APP_TOKEN not in run.output


def test_verify_cloud_switch_and_skip_checks(simulator, ansible):
    sim = simulator(troubled_account())
    off = ansible.playbook(
        VERIFY_CLOUD_PLAY, extra_args=role_vars(verify_cloud_waba_id=READY, verify_cloud_preflight=False), env=env(sim)
    )
    assert off.rc == 0 and paths(sim) == [READY + "/phone_numbers"], off
    sim.reset()
    skipped = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=role_vars(
            verify_cloud_waba_id=READY,
            verify_cloud_templates=[{"name": "otp_code", "language": "en_US"}],
            verify_cloud_skip_checks=["subscription", "templates", "token_expiry"],
        ),
        env=env(sim),
    )
    assert skipped.rc == 0, skipped
    assert "subscribed_apps" not in " ".join(paths(sim)) and "message_templates" not in " ".join(paths(sim))
    assert printed_lines(skipped.output, "verify_cloud: preflight")[0].startswith("verify_cloud: preflight READY")


def test_verify_cloud_preflight_true_without_a_waba_fails_before_any_request(simulator, ansible):
    sim = simulator(preflight_scenario())
    run = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=role_vars(verify_cloud_phone_number_ids=["106540352242922"], verify_cloud_preflight=True),
        env=env(sim),
    )
    assert run.rc == 2 and graph_calls(sim) == [], run
    assert failure_messages(run.output)[-1] == (
        "verify_cloud: verify_cloud_preflight is true but the preflight needs the WhatsApp Business Account: set "
        "verify_cloud_waba_id (or WA_CLOUD_WABA_ID), or set verify_cloud_preflight to auto or false"
    )
    auto = ansible.playbook(
        VERIFY_CLOUD_PLAY, extra_args=role_vars(verify_cloud_phone_number_ids=["106540352242922"]), env=env(sim)
    )
    assert auto.rc == 0 and paths(sim) == ["106540352242922"], auto  # no WABA: auto leaves the preflight out


def test_verify_cloud_in_check_mode_prints_the_preflight_and_does_not_fail(simulator, ansible):
    sim = simulator(troubled_account())
    run = ansible.playbook(
        VERIFY_CLOUD_PLAY,
        extra_args=["--check"] + role_vars(verify_cloud_waba_id=READY),
        env=env(sim),
    )
    assert run.rc == 0, run
    assert printed_lines(run.output, "verify_cloud: preflight")[0].startswith("verify_cloud: preflight NOT READY")


def test_deploy_gate_says_the_token_expires_in_n_days_and_passes(simulator, ansible):
    sim = simulator(preflight_scenario(token_info={CLOUD_TOKEN: {"expires_in": 5 * 86400 + 3600}}))
    run = ansible(
        ["hypersender.whatsapp.deploy_gate"], command="ansible-playbook", env=env(sim, WA_CLOUD_WABA_ID=READY)
    )
    assert run.rc == 0, run
    summary = printed_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: PASSED"
    assert summary[3] == "Cloud API numbers:     PASSED, 2 of 2 number(s) can send (AVAILABLE), token expires in 5 days"


def test_deploy_gate_fails_on_a_preflight_failure(simulator, ansible):
    sim = simulator(troubled_account())
    run = ansible(
        ["hypersender.whatsapp.deploy_gate"], command="ansible-playbook", env=env(sim, WA_CLOUD_WABA_ID=READY)
    )
    assert run.rc == 2, run
    summary = printed_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: FAILED"
    assert summary[3].startswith("Cloud API numbers:     FAILED, verify_cloud: preflight NOT READY, 1 failed")
