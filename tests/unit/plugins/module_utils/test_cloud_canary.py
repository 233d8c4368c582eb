# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Cloud API canary: its stages and failures on a fake clock, the status parser (examples and hypothesis), the
send through the shared client, Meta's errors as the canary words them, and its options."""

from __future__ import annotations

import copy

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils import _canary, _cloud_canary
from ansible_collections.hypersender.whatsapp.plugins.module_utils._canary import DONE, FAILED_AT_ONCE, TIMED_OUT
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    OptionError,
    RateLimitedError,
    ResponseFormatError,
    TransportError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import (
    MESSAGING_PERMISSION,
    TokenRejectedError,
    build_client,
    read_graph_error,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_canary import (
    CloudCanary,
    CloudCanaryOptions,
    CloudMessages,
    StatusEvent,
    status_parser,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_rules import message_error_hint
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import (
    FakeClock,
    ScriptedSession,
    make_response,
)
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.test_canary import FakeAcks
from hypothesis import given
from hypothesis import strategies as st

NUMBER = "106540352242922"
WAMID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
TOKEN = "EAAG-unit-test-messaging-token"
# The "Status messages webhook" example of Meta's messages webhook reference, trimmed to what the canary reads.
META_STATUS = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": NUMBER},
                        "statuses": [
                            {
                                "id": WAMID,
                                "status": "failed",
                                "timestamp": "1750263773",
                                "recipient_id": "16505551234",
                                "errors": [
                                    {
                                        "code": 131026,
                                        "title": "Message undeliverable",
                                        "message": "Message undeliverable",
                                        "error_data": {"details": "Message Undeliverable."},
                                        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                                    }
                                ],
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}


class FakeSender:
    """Answers the send with a wamid, or raises ``error``."""

    def __init__(self, clock, error=None, wamid=WAMID):
        self.clock = clock
        self.error = error
        self.wamid = wamid
        self.calls = []

    def send_template(self, phone_number_id, to, name, language, deadline):
        self.calls.append((phone_number_id, to, name, language, deadline - self.clock.now))
        if self.error is not None:
            raise self.error
        return self.wamid


@pytest.fixture
def clock():
    return FakeClock()


def run(clock, events=(), error=None, stats=None, **options):
    options.setdefault("wait_timeout", 60)
    sender = FakeSender(clock, error)
    statuses = FakeAcks(clock, [(clock.now + offset, event) for offset, event in events])
    canary = CloudCanary(
        sender,
        NUMBER,
        "201098765432",
        "hello_world",
        "en_US",
        statuses,
        webhook_stats=(lambda: stats) if stats is not None else None,
        recipient="********5432",
        clock=clock,
        sleep=clock.sleep,
        **options,
    )
    return canary.run(), sender


def status(state, wamid=WAMID, errors=()):
    return StatusEvent(wamid, state, list(errors))


# -- stages ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wait_for, stage", [("sent", "sent"), ("delivered", "delivered"), ("read", "read")])
def test_each_awaited_stage_ends_the_run_when_its_status_arrives(clock, wait_for, stage):
    events = [(1, status("sent")), (2, status("delivered")), (3, status("read"))]
    outcome, sender = run(clock, events, wait_for=wait_for)
    assert outcome.state == DONE and outcome.report["stage"] == stage
    assert outcome.report["stages"][stage] == {"sent": 1, "delivered": 2, "read": 3}[stage]
    assert outcome.report["message_id"] == WAMID and outcome.report["sends"] == 1
    assert sender.calls == [(NUMBER, "201098765432", "hello_world", "en_US", 60)]


def test_a_later_status_implies_the_earlier_stages(clock):
    outcome, dummy = run(clock, [(2, status("read")), (3, status("sent"))], wait_for="read")
    stages = outcome.report["stages"]
    assert outcome.state == DONE and stages["sent"] == stages["delivered"] == stages["read"] == 2


def test_a_failed_status_ends_the_run_at_once_with_metas_words(clock):
    event = status_parser(NUMBER)(META_STATUS)[0]
    outcome, dummy = run(clock, [(1, status("sent")), (2, event)], wait_for="delivered")
    assert outcome.state == FAILED_AT_ONCE and outcome.reason == "failed"
    assert outcome.problem == (
        "Meta reported the message to ********5432 (%s) failed after 2 s: error 131026 (Message undeliverable)" % WAMID
    )
    assert outcome.hint == message_error_hint(131026) and outcome.report["elapsed"] == 2
    assert outcome.report["error"]["code"] == 131026 and outcome.report["stage"] == "sent"


def test_a_failed_status_after_the_awaited_stage_does_not_fail_the_run(clock):
    outcome, dummy = run(clock, [(1, status("sent")), (1, status("failed", errors=[{"code": 131026}]))])
    assert outcome.state == DONE


def test_statuses_of_other_messages_are_counted_and_ignored(clock):
    events = [(1, status("delivered", "wamid.OTHER")), (2, status("sent"))]
    outcome, dummy = run(clock, events, wait_for="delivered", wait_timeout=5)
    assert outcome.state == TIMED_OUT and outcome.report["other_message_statuses"] == 1
    assert [item["status"] for item in outcome.report["statuses"]] == ["sent"]
    assert outcome.report["stage"] == "sent" and outcome.hint == _canary.SERVER_ONLY_HINT


@pytest.mark.parametrize(
    "stats, events, hint",
    [
        ({"unauthorized": 2, "accepted": 0}, [], _cloud_canary.WRONG_SIGNATURE_HINT % 2),
        ({"unauthorized": 0, "accepted": 0}, [], _cloud_canary.NO_WEBHOOK_HINT),
        ({"unauthorized": 0, "accepted": 1}, [(1, status("sent", "wamid.OTHER"))], _cloud_canary.OTHER_STATUSES_HINT),
    ],
)
def test_no_status_at_all_fails_at_the_deadline_saying_what_the_receiver_saw(clock, stats, events, hint):
    outcome, dummy = run(clock, events, stats=stats, wait_timeout=10)
    assert outcome.state == TIMED_OUT and outcome.reason == "timed_out" and outcome.hint == hint
    assert outcome.report["stage"] == "accepted" and outcome.report["elapsed"] == 10
    assert (
        outcome.problem == "Meta accepted the message to ********5432 (%s) but no status of it came within 10 s" % WAMID
    )


def test_delivered_but_not_read(clock):
    outcome, dummy = run(clock, [(1, status("delivered"))], wait_for="read", wait_timeout=10)
    assert outcome.state == TIMED_OUT and outcome.hint == _canary.NOT_READ_HINT
    assert outcome.problem.endswith("reached stage delivered but not read within 10 s; last status delivered after 1 s")


def test_a_status_source_is_required(clock):
    with pytest.raises(ValueError):
        CloudCanary(FakeSender(clock), NUMBER, "1", "hello_world", "en_US", None)


# -- a refused send --------------------------------------------------------------------------------------------------------

WHERE = "POST https://graph.example.test/v23.0/%s/messages" % NUMBER


def graph_error_body(code, message, details=None, subcode=None):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A1"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.mark.parametrize(
    "status, body, reason, said",
    [
        (
            404,
            graph_error_body(
                132001,
                "(#132001) Template name does not exist in the translation",
                "template name (hello_world) does not exist in de",
            ),
            "send_refused",
            "error 132001 (Template name does not exist in the translation): template name (hello_world) does not "
            "exist in de",
        ),
        (400, graph_error_body(100, "(#100) Invalid parameter", "Param to is invalid."), "send_refused", "error 100"),
        (
            400,
            graph_error_body(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit"),
            "rate_limited",
            "error 131056",
        ),
    ],
)
def test_a_send_meta_refuses_fails_at_once_with_its_code_and_advice(clock, status, body, reason, said):
    error = read_graph_error(status, body, WHERE, permission=MESSAGING_PERMISSION)
    outcome, dummy = run(clock, error=error)
    assert outcome.state == FAILED_AT_ONCE and outcome.reason == reason
    assert outcome.problem.startswith(
        "Meta refused to send template hello_world (en_US) from phone number %s to ********5432: %s" % (NUMBER, said)
    )
    code = body["error"]["code"]
    assert outcome.hint == message_error_hint(code) and outcome.report["error"]["code"] == code
    assert outcome.report["stage"] is None and outcome.report["sends"] == 0 and outcome.report["message_id"] is None


def test_an_expired_token_says_to_make_one_that_may_send(clock):
    body = graph_error_body(190, "Error validating access token: Session has expired", subcode=463)
    error = read_graph_error(401, body, WHERE, permission=MESSAGING_PERMISSION)
    assert isinstance(error, TokenRejectedError) and (error.code, error.subcode) == (190, 463)
    outcome, dummy = run(clock, error=error)
    assert outcome.reason == "auth_failed" and outcome.hint is None
    assert "it has expired (subcode 463)" in outcome.problem
    assert "whatsapp_business_messaging permission" in outcome.problem


def test_a_send_without_an_answer_is_an_api_error(clock):
    outcome, dummy = run(clock, error=TransportError("%s: cannot connect (connection refused)" % WHERE))
    assert outcome.reason == "api_error" and "connection refused" in outcome.problem and "error" not in outcome.report


@pytest.mark.parametrize("code", [100, 130429, 131026, 131030, 131047, 131049, 131056, 132001, 80007, 4, 999999])
def test_every_code_gets_advice(code):
    hint = message_error_hint(code)
    assert hint and ("error codes page" in hint) == (code == 999999)


# -- the status parser -------------------------------------------------------------------------------------------------


def test_metas_example_gives_one_failed_status_with_its_error():
    assert status_parser(NUMBER)(META_STATUS) == [
        StatusEvent(
            WAMID,
            "failed",
            [
                {
                    "code": 131026,
                    "title": "Message undeliverable",
                    "message": "Message undeliverable",
                    "details": "Message Undeliverable.",
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                }
            ],
        )
    ]


def changed(path, value):
    payload = copy.deepcopy(META_STATUS)
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return payload


@pytest.mark.parametrize(
    "payload",
    [
        changed(("object",), "page"),
        changed(("entry", 0, "changes", 0, "field"), "message_template_status_update"),
        changed(("entry", 0, "changes", 0, "value", "metadata", "phone_number_id"), "999"),
        changed(("entry", 0, "changes", 0, "value", "statuses", 0, "status"), "deleted"),
        changed(("entry", 0, "changes", 0, "value", "statuses", 0, "id"), 12),
        changed(("entry", 0, "changes", 0, "value", "statuses"), None),
        changed(("entry",), {"id": "x"}),
        [],
        "statuses",
    ],
)
def test_payloads_about_something_else_give_nothing(payload):
    assert status_parser(NUMBER)(payload) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@given(value=JSON, errors=JSON)
def test_the_parser_never_raises_and_keeps_only_well_formed_statuses(value, errors):
    payload = changed(("entry", 0, "changes", 0, "value"), value)
    for event in status_parser(NUMBER)(payload):
        assert event.status in ("sent", "delivered", "read", "failed") and isinstance(event.message_id, str)
    odd = changed(("entry", 0, "changes", 0, "value", "statuses", 0, "errors"), errors)
    (event,) = status_parser(NUMBER)(odd)
    assert all(set(error) == {"code", "title", "message", "details", "href"} for error in event.errors)


# -- the send, through the shared client -------------------------------------------------------------------------------


@pytest.fixture
def messages(clock, monkeypatch):
    def build(script, retries=3):
        api = build_client(
            {"api_url": "https://graph.example.test", "api_token": TOKEN, "retries": retries},
            MESSAGING_PERMISSION,
            clock=clock,
            sleep=clock.sleep,
            rand=lambda: 0.5,
        )
        session = ScriptedSession(clock, script)
        monkeypatch.setattr(api.client._session, "request", session)
        return CloudMessages(api.client, api.version), session

    return build


ACCEPTED = {"messaging_product": "whatsapp", "contacts": [{"input": "1", "wa_id": "1"}], "messages": [{"id": WAMID}]}


def test_the_send_is_one_post_of_a_template(messages, clock):
    api, session = messages([make_response(200, ACCEPTED)])
    assert api.send_template(NUMBER, "201098765432", "hello_world", "en_US", clock.now + 60) == WAMID
    (call,) = session.calls
    assert call["method"] == "POST" and call["url"] == "https://graph.example.test/v23.0/%s/messages" % NUMBER
    assert call["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "201098765432",
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }


def test_a_rate_limited_send_is_sent_again_after_the_graph_floor_within_the_deadline(messages, clock):
    limited = make_response(400, graph_error_body(130429, "(#130429) Rate limit hit"))
    api, session = messages([limited, limited, make_response(200, ACCEPTED)])
    assert api.send_template(NUMBER, "1234567", "hello_world", "en_US", clock.now + 60) == WAMID
    assert len(session.calls) == 3 and clock.sleeps == [18.0, 18.0]  # Graph's 429 floor: Meta gives no Retry-After


def test_a_rate_limited_send_is_not_repeated_past_the_deadline_or_the_retries(messages, clock):
    limited = make_response(400, graph_error_body(131056, "(#131056) pair rate limit hit"))
    api, session = messages([limited])
    with pytest.raises(RateLimitedError):
        api.send_template(NUMBER, "1234567", "hello_world", "en_US", clock.now + 0.5)
    assert len(session.calls) == 1 and clock.sleeps == []
    api, session = messages([limited, limited], retries=1)
    with pytest.raises(RateLimitedError):
        api.send_template(NUMBER, "1234567", "hello_world", "en_US", clock.now + 60)
    assert len(session.calls) == 2


@pytest.mark.parametrize("answer", [{}, {"messages": []}, {"messages": [{"id": ""}]}, {"messages": "x"}, []])
def test_an_answer_without_a_wamid_is_a_format_error(messages, clock, answer):
    api, dummy = messages([make_response(200, answer)])
    with pytest.raises(ResponseFormatError, match=r"messages\[0\]\.id"):
        api.send_template(NUMBER, "1234567", "hello_world", "en_US", clock.now + 60)


def test_a_server_error_on_the_send_is_not_repeated(messages, clock):
    api, session = messages(
        [make_response(500, {"error": {"message": "x", "type": "t", "code": 2, "fbtrace_id": "A"}})]
    )
    with pytest.raises(Exception):
        api.send_template(NUMBER, "1234567", "hello_world", "en_US", clock.now + 60)
    assert len(session.calls) == 1


# -- options ---------------------------------------------------------------------------------------------------------------

PARAMS = {
    "phone_number_id": NUMBER,
    "to": "+20 109 876 5432",
    "show_recipient": False,
    "template_name": "hello_world",
    "template_language": "en_US",
    "wait_for": "delivered",
    "wait_timeout": 120,
    "receiver_host": "127.0.0.1",
    "receiver_port": 8089,
    "receiver_path": "/whatsapp/webhook",
    "app_secret": "app-secret",
    "verify_token": None,
}


def test_options_and_the_plan():
    options = CloudCanaryOptions(PARAMS)
    assert (options.digits, options.recipient) == ("201098765432", "********5432")
    assert options.plan() == (
        "check mode: would send template hello_world (en_US) from phone number %s to ********5432, then wait up to "
        "120 s for delivered, listening for the number's status webhooks on 127.0.0.1:8089/whatsapp/webhook" % NUMBER
    )
    assert options.verify_token is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"phone_number_id": "+15550783881"}, "that looks like a phone number"),
        ({"to": "12"}, "to must be the recipient's phone number"),
        ({"template_name": "Hello World"}, "template_name 'Hello World' is not valid"),
        ({"template_language": "english"}, "template_language 'english' is not valid"),
        ({"app_secret": ""}, "app_secret is empty: set it (or the WA_CLOUD_APP_SECRET"),
        ({"app_secret": "secret\n"}, "app_secret has leading or trailing white space"),
        ({"verify_token": " token"}, "verify_token has leading or trailing white space"),
        ({"receiver_port": 0}, "receiver_port must be a port from 1 to 65535"),
        ({"receiver_path": "hook"}, "receiver_path must be a URL path"),
        ({"wait_timeout": -1}, "wait_timeout must be"),
    ],
)
def test_bad_options_are_refused_before_any_request(change, message):
    with pytest.raises(OptionError) as raised:
        CloudCanaryOptions(dict(PARAMS, **change))
    assert message in str(raised.value)
    assert "secret\n" not in str(raised.value) and " token" not in str(raised.value)


def test_the_client_built_to_send_names_the_permission_to_send(messages, clock):
    expired = make_response(401, graph_error_body(190, "Error validating access token", subcode=463))
    api, dummy = messages([expired])
    with pytest.raises(TokenRejectedError) as raised:
        api.send_template(NUMBER, "1234567", "hello_world", "en_US", clock.now + 60)
    assert "whatsapp_business_messaging permission" in str(raised.value) and TOKEN not in str(raised.value)
    assert (raised.value.code, raised.value.subcode, raised.value.title) == (190, 463, "Error validating access token")


def test_graph_errors_carry_metas_code_title_and_details():
    body = graph_error_body(132001, "(#132001) Template name does not exist in the translation", "template name (x)")
    error = read_graph_error(404, body, WHERE)
    assert (error.code, error.subcode) == (132001, None)
    assert error.title == "Template name does not exist in the translation" and error.details == "template name (x)"
    assert "whatsapp_business_management" not in str(error)
