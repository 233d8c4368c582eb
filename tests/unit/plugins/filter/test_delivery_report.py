# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verify_delivery role's sentences: variable checks, plan, summary, one-line form and failure."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.filter.delivery_report import FilterModule, delivery_report
from hypothesis import given
from hypothesis import strategies as st

NUMBER = "201098765432"
INSTANCE = {"id": "fa3d01c4-1234-4c0d-a12f-df319b612f8c", "name": "canary-eu", "status": "WORKING"}
TEXT = "Deploy check (run 3f9c2a7d81b0)"


def settings(**changes):
    values = {
        "instance": "canary-eu",
        "to": "+" + NUMBER,
        "wait_for": "delivered",
        "timeout": 120,
        "poll_interval": 2,
        "resend": 1,
        "show_recipient": False,
        "receiver_host": "127.0.0.1",
        "receiver_port": 8089,
        "receiver_path": "/hypersender/webhook",
        "receiver_authorization_given": True,
    }
    values.update(changes)
    return values


def delivered(**changes):
    result = {
        "changed": True,
        "instance": INSTANCE,
        "to": "********5432",
        "text": TEXT,
        "run_id": "3f9c2a7d81b0",
        "wait_for": "delivered",
        "stage": "delivered",
        "stages": {"queued": 0.02, "sent": 0.61, "delivered": 0.83, "read": None},
        "message_id": "3EB0155CFDC2464F72FD75",
        "sends": 1,
        "resent": False,
        "receiver": {
            "listened_on": "127.0.0.1:8089/hypersender/webhook",
            "accepted": 2,
            "unauthorized": 0,
            "ignored": 0,
        },
        "other_message_acks": 0,
    }
    result.update(changes)
    return result


def test_good_settings_have_no_problems_and_a_plan():
    report = delivery_report({}, settings())
    assert report["problems"] == []
    assert report["plan"] == [
        "verify_delivery: sending a check message through instance canary-eu to ********5432, then waiting up to "
        "120 s for it to be delivered (acks by webhook on 127.0.0.1:8089/hypersender/webhook; sent again once after "
        "half of it without an ack)"
    ]
    assert (report["summary"], report["line"], report["failure"]) == ([], "", "")


def test_the_plan_for_sent_and_check_mode():
    assert delivery_report({}, settings(wait_for="sent"))["plan"][0].endswith("waiting up to 120 s for it to be sent")
    assert delivery_report({}, settings(), check_mode=True)["plan"] == [
        "verify_delivery: check mode, nothing is sent: the instance canary-eu is read once and the message to "
        "********5432 is described"
    ]


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"instance": " "}, "verify_delivery_instance is empty"),
        ({"to": "0123"}, "verify_delivery_to must be the recipient's phone number"),
        ({"timeout": "soon"}, "verify_delivery_timeout must be a number from 1 to 86400, got soon"),
        ({"poll_interval": 0}, "verify_delivery_poll_interval must be a number from 0.1 to 3600, got 0"),
        ({"resend": 1.5}, "verify_delivery_resend must be a whole number from 0 to 5, got 1.5"),
        ({"receiver_port": 70000}, "verify_delivery_receiver_port must be a whole number from 1 to 65535, got 70000"),
        ({"wait_for": "seen"}, "verify_delivery_wait_for must be sent, delivered or read, got seen"),
        (
            {"receiver_authorization_given": "False"},
            "verify_delivery_receiver_authorization is needed to wait for delivered",
        ),
    ],
)
def test_each_wrong_variable_is_named(changes, problem):
    problems = delivery_report({}, settings(**changes))["problems"]
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_sent_needs_no_authorization():
    assert delivery_report({}, settings(wait_for="sent", receiver_authorization_given=False))["problems"] == []


@given(to=st.text(max_size=30))
def test_the_number_never_reaches_a_problem_or_the_plan(to):
    report = delivery_report({}, settings(to=to))
    digits = to.strip().lstrip("+")
    # a number (more than 4 digits, and nothing a number does not have); a text such as 'sende' may well be in a word
    number = sum(map(str.isdigit, digits)) > 4 and set(digits) <= set("0123456789 -")
    for sentence in report["problems"] + report["plan"]:
        assert not number or digits not in sentence


def test_a_delivered_summary():
    report = delivery_report(delivered(), settings())
    assert report["summary"] == [
        "verify_delivery: PASSED, delivered after 0.83 s: instance canary-eu (%s) sent message "
        "3EB0155CFDC2464F72FD75 to ********5432" % INSTANCE["id"],
        "  text: %r" % TEXT,
        "  stages: queued 0.02 s, sent 0.61 s, delivered 0.83 s, read -",
        "  webhooks on 127.0.0.1:8089/hypersender/webhook: 2 accepted, 0 refused for their Authorization, 0 about "
        "something else",
    ]
    assert report["line"] == (
        "delivered after 0.83 s through instance canary-eu (%s) to ********5432 (message 3EB0155CFDC2464F72FD75)"
        % INSTANCE["id"]
    )
    assert report["failure"] == ""


def test_a_resent_summary_says_so():
    report = delivery_report(delivered(sends=2, resent=True), settings())
    assert report["summary"][2].endswith("(sent 2 times)") and report["line"].endswith(", sent 2 times)")


@pytest.mark.parametrize("flag, in_result", [(True, False), (False, True)])
def test_check_mode_summary(flag, in_result):
    result = {"changed": True, "instance": INSTANCE, "to": "********5432", "text": TEXT, "wait_for": "delivered"}
    if in_result:
        result["check_mode"] = True
    report = delivery_report(result, settings(), check_mode=flag)
    assert report["summary"] == [
        "verify_delivery: CHECK MODE, nothing sent: would send %r to ********5432 through instance canary-eu (%s) "
        "and wait for delivered" % (TEXT, INSTANCE["id"])
    ]
    assert (
        report["line"]
        == "would send to ********5432 through instance canary-eu (%s) and wait for delivered" % INSTANCE["id"]
    )


def timed_out(**receiver):
    base = {"listened_on": "127.0.0.1:8089/hypersender/webhook", "accepted": 0, "unauthorized": 0, "ignored": 0}
    base.update(receiver)
    return delivered(
        failed=True,
        stage="sent",
        stages={"queued": 0.02, "sent": 2.0, "delivered": None, "read": None},
        sends=2,
        resent=True,
        receiver=base,
        reason="timed_out",
        problem="the message to ********5432 reached stage sent but not delivered within 120 s",
        hint="the instance says it works but its messages do not leave",
    )


def test_a_timeout_without_webhooks_points_at_the_receiver_variables():
    failure = delivery_report(timed_out(), settings())["failure"]
    assert failure.startswith(
        "verify_delivery: FAILED at stage sent: the message to ********5432 reached stage sent but not delivered "
        "within 120 s: the instance says it works but its messages do not leave; make the instance's webhook_url "
        "reach verify_delivery_receiver_host, verify_delivery_receiver_port and verify_delivery_receiver_path "
        "(127.0.0.1:8089/hypersender/webhook); raise verify_delivery_timeout (now 120 s) if the instance is only slow. "
    )
    assert failure.endswith(
        "Sent %r to ********5432 through instance canary-eu (%s); stages: queued 0.02 s, sent 2 s, delivered -, read -"
        % (TEXT, INSTANCE["id"])
    )


def test_a_timeout_with_refused_webhooks_points_at_the_authorization():
    failure = delivery_report(timed_out(unauthorized=3), settings())["failure"]
    assert "set verify_delivery_receiver_authorization to the exact Authorization value" in failure
    assert "(3 request(s) were refused)" in failure and "webhook_url" not in failure


@pytest.mark.parametrize(
    "reason, advice",
    [
        ("not_on_whatsapp", "; set verify_delivery_to to a number that has WhatsApp"),
        (
            "receiver",
            "; choose a free verify_delivery_receiver_port (now 8089) or another verify_delivery_receiver_host",
        ),
        ("options", "; check the role's variables (verify_delivery_*)"),
        ("ack_error", ""),
    ],
)
def test_advice_by_reason(reason, advice):
    result = delivered(failed=True, reason=reason, problem="P", hint="H")
    assert delivery_report(result, settings())["failure"].startswith(
        "verify_delivery: FAILED at stage delivered: P: H" + advice
    )


def test_a_failure_before_any_send():
    result = {
        "failed": True,
        "instance": INSTANCE,
        "to": "********5432",
        "text": TEXT,
        "reason": "not_ready",
        "problem": "instance canary-eu is SCAN_QR_CODE, not WORKING: no message was sent",
        "hint": "scan the QR code",
        "msg": "ignored when problem is there",
    }
    report = delivery_report(result, settings())
    assert report["failure"] == (
        "verify_delivery: FAILED, nothing sent: instance canary-eu is SCAN_QR_CODE, not WORKING: no message was sent: "
        "scan the QR code"
    )
    assert report["line"] == report["failure"]
    assert report["summary"] == [
        "verify_delivery: nothing sent through instance canary-eu (%s) to ********5432" % INSTANCE["id"]
    ]


def test_a_first_send_that_failed_says_nothing_was_sent():
    """The module ran but its first send failed (an API error): no stage, no message, and no report of a send."""
    result = {
        "failed": True,
        "instance": INSTANCE,
        "to": "********5432",
        "text": TEXT,
        "stage": None,
        "stages": {"queued": None, "sent": None, "delivered": None, "read": None},
        "sends": 0,
        "reason": "api_error",
        "problem": "POST /messages answered 503",
    }
    report = delivery_report(result, settings())
    assert report["failure"] == "verify_delivery: FAILED, nothing sent: POST /messages answered 503"
    assert report["summary"] == [
        "verify_delivery: nothing sent through instance canary-eu (%s) to ********5432" % INSTANCE["id"]
    ]


def test_a_failure_with_only_a_msg():
    report = delivery_report(
        {"failed": True, "msg": "Failed to import the required Python library (requests)"}, settings()
    )
    assert (
        report["failure"]
        == "verify_delivery: FAILED, nothing sent: Failed to import the required Python library (requests)"
    )


def test_the_connection_settings_are_the_modules_not_the_roles():
    """The modules check their connection settings (whatsapp_<service>_* variables, the environment,
    module_defaults); the role has no copy of them to check."""
    assert delivery_report({}, settings(request_timeout=0, retries=True))["problems"] == []


# What the module's action refused: the variable it read, else where a connection option comes from.
REFUSED = {"name": "retries", "value": 11, "expected": "a whole number from 0 to 10"}


@pytest.mark.parametrize(
    "invalid, advice",
    [
        (dict(REFUSED, variable="whatsapp_hypersender_retries"), "; check whatsapp_hypersender_retries"),
        (
            dict(REFUSED, variable=None),
            "; check whatsapp_hypersender_retries, its environment variable or module_defaults for "
            "group/hypersender.whatsapp.hypersender",
        ),
        (dict(REFUSED, name="wait_timeout", variable=None), "; check the role's variables (verify_delivery_*)"),
    ],
)
def test_a_refused_option_names_where_it_comes_from(invalid, advice):
    result = {"failed": True, "msg": "retries must be a whole number from 0 to 10, got 11"}
    result["invalid_options"] = [invalid]
    assert delivery_report(result, settings())["failure"] == (
        "verify_delivery: FAILED, nothing sent: retries must be a whole number from 0 to 10, got 11" + advice
    )


def test_a_refused_cloud_option_names_its_variable():
    invalid = dict(REFUSED, name="timeout", value=0, variable="whatsapp_cloud_timeout")
    result = {"failed": True, "phone_number_id": CLOUD_NUMBER, "msg": "M", "invalid_options": [invalid]}
    assert delivery_report({}, cloud_settings(), cloud=[result])["failure"] == (
        "verify_delivery: FAILED, nothing sent: phone number %s: M; check whatsapp_cloud_timeout" % CLOUD_NUMBER
    )


def test_show_recipient():
    report = delivery_report({}, settings(show_recipient="true"))
    assert NUMBER in report["plan"][0]


@pytest.mark.parametrize("result, values", [([], {}), ({}, None), ("x", {})])
def test_the_input_shape_is_checked(result, values):
    with pytest.raises(AnsibleFilterError, match="instance_canary's result"):
        delivery_report(result, values)


def test_the_filter_is_registered():
    assert FilterModule().filters()["delivery_report"] is delivery_report


# -- the Cloud API canaries ------------------------------------------------------------------------------------------------

CLOUD_NUMBER = "106540352242922"
WAMID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"


def cloud_settings(**changes):
    values = settings(
        instance="",
        cloud_phone_number_ids=[CLOUD_NUMBER],
        cloud_template_name="hello_world",
        cloud_template_language="en_US",
        cloud_receiver_path="/whatsapp/webhook",
        cloud_app_secret_given=True,
    )
    values.update(changes)
    return values


def cloud_delivered(**changes):
    result = {
        "changed": True,
        "item": CLOUD_NUMBER,
        "phone_number_id": CLOUD_NUMBER,
        "to": "********5432",
        "template": {"name": "hello_world", "language": "en_US"},
        "wait_for": "delivered",
        "stage": "delivered",
        "stages": {"accepted": 0.2, "sent": 0.5, "delivered": 0.8, "read": None},
        "message_id": WAMID,
        "sends": 1,
        "receiver": {"listened_on": "127.0.0.1:8089/whatsapp/webhook", "accepted": 2, "unauthorized": 0, "ignored": 0},
        "other_message_statuses": 0,
    }
    result.update(changes)
    return result


def registered(*results):
    return {"changed": True, "msg": "All items completed", "results": list(results)}


def test_cloud_numbers_alone_need_no_instance_and_get_a_plan_each():
    report = delivery_report(
        {"skipped": True}, cloud_settings(cloud_phone_number_ids=[CLOUD_NUMBER, "106540352242923"])
    )
    assert report["problems"] == []
    assert report["plan"] == [
        "verify_delivery: sending template hello_world (en_US) from Cloud API phone number %s to ********5432, then "
        "waiting up to 120 s for it to be delivered (statuses by webhook on 127.0.0.1:8089/whatsapp/webhook)" % number
        for number in (CLOUD_NUMBER, "106540352242923")
    ]
    assert (report["summary"], report["line"], report["failure"]) == ([], "", "")


def test_both_canaries_plan_in_turn_and_the_hypersender_checks_apply_only_to_an_instance():
    both = delivery_report({}, cloud_settings(instance="canary-eu"))["plan"]
    assert len(both) == 2 and "instance canary-eu" in both[0] and "Cloud API phone number" in both[1]
    assert delivery_report({}, cloud_settings(poll_interval=0, receiver_authorization_given=False))["problems"] == []


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"cloud_phone_number_ids": ["+1 555 078 3881"]}, "verify_delivery_cloud_phone_number_ids must be a list of"),
        ({"cloud_phone_number_ids": "12x"}, "verify_delivery_cloud_phone_number_ids must be a list of"),
        ({"cloud_template_name": "Hello World"}, "verify_delivery_cloud_template_name must be as WhatsApp Manager"),
        ({"cloud_template_language": ""}, "verify_delivery_cloud_template_language must be as WhatsApp Manager"),
        ({"cloud_receiver_path": "hook"}, "verify_delivery_cloud_receiver_path must be a URL path"),
        ({"cloud_app_secret_given": "False"}, "verify_delivery_cloud_app_secret is needed"),
        ({"cloud_phone_number_ids": []}, "verify_delivery_instance is empty and so is verify_delivery_cloud_phone"),
    ],
)
def test_each_wrong_cloud_variable_is_named(changes, problem):
    problems = delivery_report({}, cloud_settings(**changes))["problems"]
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_a_delivered_cloud_summary_and_line():
    report = delivery_report({"skipped": True}, cloud_settings(), cloud=registered(cloud_delivered()))
    assert report["summary"] == [
        "verify_delivery: PASSED, delivered after 0.8 s: phone number %s sent template hello_world (en_US) to "
        "********5432 as message %s" % (CLOUD_NUMBER, WAMID),
        "  stages: accepted 0.2 s, sent 0.5 s, delivered 0.8 s, read -",
        "  webhooks on 127.0.0.1:8089/whatsapp/webhook: 2 accepted, 0 refused for their signature, 0 about something "
        "else",
    ]
    assert report["line"] == "delivered after 0.8 s from phone number %s to ********5432 (message %s)" % (
        CLOUD_NUMBER,
        WAMID,
    )
    assert report["failure"] == ""


def test_both_canaries_in_one_line_and_only_the_failed_ones_in_the_failure():
    failed = cloud_delivered(
        failed=True,
        stage="accepted",
        stages={"accepted": 0.2, "sent": None, "delivered": None, "read": None},
        reason="timed_out",
        problem="Meta accepted the message to ********5432 (%s) but no status of it came within 120 s" % WAMID,
        hint="3 webhook request(s) had a missing or wrong X-Hub-Signature-256",
        receiver={"listened_on": "127.0.0.1:8089/whatsapp/webhook", "accepted": 0, "unauthorized": 3, "ignored": 0},
    )
    report = delivery_report(delivered(), cloud_settings(instance="canary-eu"), cloud=registered(failed))
    assert report["line"].startswith(
        "verify_delivery: FAILED at stage accepted: phone number %s: Meta accepted" % CLOUD_NUMBER
    ), "the deploy gate's line names what failed, not the canary that passed"
    assert "instance canary-eu" not in report["line"]
    passed = delivery_report(delivered(), cloud_settings(instance="canary-eu"), cloud=registered(cloud_delivered()))
    assert passed["line"].startswith("delivered after 0.83 s through instance canary-eu (")
    assert "; delivered after 0.8 s from phone number %s" % CLOUD_NUMBER in passed["line"]
    assert report["failure"].startswith(
        "verify_delivery: FAILED at stage accepted: phone number %s: Meta accepted the message to ********5432 (%s) but "
        "no status of it came within 120 s: 3 webhook request(s) had a missing or wrong X-Hub-Signature-256; set "
        "verify_delivery_cloud_app_secret to the app secret of the app whose webhooks reach the receiver (3 request(s) "
        "were refused); raise verify_delivery_timeout (now 120 s) if the number is only slow. Sent template "
        "hello_world (en_US) from phone number %s to ********5432; stages: accepted 0.2 s, sent -, delivered -, read -"
        % (CLOUD_NUMBER, WAMID, CLOUD_NUMBER)
    )
    assert "instance canary-eu" not in report["failure"]
    assert report["summary"][0].startswith("verify_delivery: PASSED, delivered after 0.83 s: instance canary-eu")
    assert report["summary"][4].startswith("verify_delivery: FAILED at stage accepted: phone number")


def test_a_timeout_without_any_webhook_points_at_the_callback():
    failed = cloud_delivered(failed=True, stage="accepted", reason="timed_out", problem="P", hint="H")
    failed["receiver"] = dict(failed["receiver"], accepted=0)
    failure = delivery_report({}, cloud_settings(), cloud=registered(failed))["failure"]
    assert (
        "make the number's callback URL reach verify_delivery_receiver_host, verify_delivery_receiver_port and "
        "verify_delivery_cloud_receiver_path (127.0.0.1:8089/whatsapp/webhook)" in failure
    )


def test_waiting_for_sent_needs_webhooks_only_from_a_cloud_number():
    """The Hypersender canary polls until sent; a Cloud API number says sent only by webhook."""
    hypersender = dict(timed_out(), stage="queued", wait_for="sent", problem="P", hint="H")
    assert delivery_report(hypersender, settings(wait_for="sent"))["failure"].startswith(
        "verify_delivery: FAILED at stage queued: P: H; raise verify_delivery_timeout (now 120 s) if the instance is "
        "only slow. Sent "
    )
    cloud = cloud_delivered(failed=True, stage="accepted", reason="timed_out", problem="P", hint="H")
    cloud["receiver"] = dict(cloud["receiver"], accepted=0)
    assert delivery_report({}, cloud_settings(wait_for="sent"), cloud=[cloud])["failure"].startswith(
        "verify_delivery: FAILED at stage accepted: phone number %s: P: H; make the number's callback URL reach "
        "verify_delivery_receiver_host, verify_delivery_receiver_port and verify_delivery_cloud_receiver_path "
        "(127.0.0.1:8089/whatsapp/webhook); raise verify_delivery_timeout (now 120 s) if the number is only slow. "
        "Sent template hello_world (en_US) from phone number %s" % (CLOUD_NUMBER, CLOUD_NUMBER)
    )


def test_a_refused_cloud_connection_option_names_the_cloud_variables():
    invalid = dict(REFUSED, variable=None)
    result = {"failed": True, "phone_number_id": CLOUD_NUMBER, "msg": "M", "invalid_options": [invalid]}
    assert delivery_report({}, cloud_settings(), cloud=[result])["failure"] == (
        "verify_delivery: FAILED, nothing sent: phone number %s: M; check whatsapp_cloud_retries, its environment "
        "variable or module_defaults for group/hypersender.whatsapp.cloud" % CLOUD_NUMBER
    )


@pytest.mark.parametrize(
    "reason, code, advice",
    [
        (
            "auth_failed",
            190,
            "; set whatsapp_cloud_api_token (or WA_CLOUD_TOKEN, or api_token in module_defaults for "
            "group/hypersender.whatsapp.cloud) to a system user token with",
        ),
        (
            "send_refused",
            132001,
            "; set verify_delivery_cloud_template_name and verify_delivery_cloud_template_language",
        ),
        ("failed", 131026, "; set verify_delivery_to to a number that can receive the canary"),
        ("receiver", None, "; choose a free verify_delivery_receiver_port (now 8089)"),
        ("rate_limited", 130429, ""),
    ],
)
def test_cloud_advice_by_reason_and_code(reason, code, advice):
    result = {"failed": True, "phone_number_id": CLOUD_NUMBER, "reason": reason, "problem": "P", "hint": "H"}
    if code:
        result["error"] = {"code": code}
    failure = delivery_report({}, cloud_settings(), cloud=[result])["failure"]
    assert failure.startswith(
        "verify_delivery: FAILED, nothing sent: phone number %s: P: H%s" % (CLOUD_NUMBER, advice)
    ), failure


def test_cloud_check_mode():
    result = {
        "changed": True,
        "check_mode": True,
        "phone_number_id": CLOUD_NUMBER,
        "to": "********5432",
        "template": {"name": "hello_world", "language": "en_US"},
        "wait_for": "delivered",
    }
    report = delivery_report({}, cloud_settings(), check_mode=True, cloud=registered(result))
    assert report["plan"] == [
        "verify_delivery: check mode, nothing is sent: the template hello_world (en_US) from Cloud API phone number "
        "%s to ********5432 is described" % CLOUD_NUMBER
    ]
    assert report["line"] == (
        "would send template hello_world (en_US) from phone number %s to ********5432 and wait for delivered"
        % CLOUD_NUMBER
    )


def test_skipped_loops_and_items_count_as_not_run():
    assert delivery_report({}, cloud_settings(), cloud={"skipped": True, "results": []})["summary"] == []
    assert delivery_report({}, cloud_settings(), cloud=registered({"skipped": True, "item": "1"}))["line"] == ""


def test_the_cloud_input_shape_is_checked():
    with pytest.raises(AnsibleFilterError, match="cloud must be what cloud_canary registered"):
        delivery_report({}, cloud_settings(), cloud="x")


@pytest.mark.parametrize(
    "changes",
    [
        {"reason": "timed_out", "problem": "no ack"},  # the canary's own failure
        {"msg": "value of wait_for must be one of: sent, delivered, read"},  # refused by Ansible, before a send
    ],
)
def test_a_cloud_canary_registered_with_failed_when_false_still_fails_the_gate(changes):
    """verify_delivery registers each canary with failed_when: false and fails once, with this report."""
    result = {"changed": False, "item": CLOUD_NUMBER, "failed": False, "failed_when_result": False}
    result.update(changes)
    report = delivery_report({}, cloud_settings(), cloud=registered(result))
    assert report["failure"].startswith("verify_delivery: FAILED"), report
