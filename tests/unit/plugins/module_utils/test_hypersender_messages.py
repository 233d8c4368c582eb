# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hypersender's v2 messaging layer: the queued request and ack parsers (examples from the vendor's pages and SDK,
and hypothesis), the recipient and URL rules, and the calls through the shared client."""

from __future__ import annotations

import json

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiError,
    OptionError,
    RateLimitedError,
    ResponseFormatError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_messages import (
    DEFAULT_API_V2_URL,
    FAILED,
    PROCESSING,
    SENT,
    AckEvent,
    MessagesApi,
    ack_parser,
    parse_queued,
    v2_url,
    validate_recipient,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._recipient import mask_number
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import make_response
from hypothesis import given
from hypothesis import strategies as st

INSTANCE = "9feef20d-744e-4bcc-8fdd-e5531e0474f0"
# tests/fixtures/Whatsapp/Webhook/message-ack.json of hypersender/hypersender-laravel
SDK_ACK = {
    "event": "message.ack",
    "data": {
        "id": "evt_01xack9g8h7j6k5l4m3n2o1p0",
        "event": "message.ack",
        "metadata": [],
        "me": {"id": "201553730661@c.us", "pushName": "Nagi", "lid": "43898877530298@lid"},
        "payload": {
            "id": "true_201063178738@c.us_ABCD1234EF567890",
            "from": "201063178738@c.us",
            "fromMe": True,
            "ack": 2,
            "ackName": "DEVICE",
        },
        "instanceId": INSTANCE,
        "userId": "9cbff1d0-6c37-4612-a8bb-6db042991361",
    },
}
# The "Response Format" example of the get-queued-request page (201, key.id) and its cURL example (200, message_id)
PAGE_201 = {
    "uuid": "a08358c2-b4d6-4cd6-a882-70e606e4b95f",
    "request": {"text": "Check this https://hypersender.com/", "chatId": "201234567890@c.us"},
    "response_status": 201,
    "response_body": {
        "key": {"id": "3EB0155CFDC2464F72FD75", "fromMe": True, "remoteJid": "201234567890@s.whatsapp.net"},
        "status": "PENDING",
        "message": {"extendedTextMessage": {"text": "Check this https://hypersender.com/"}},
        "messageTimestamp": "1764859906",
    },
    "response_header": {"date": ["Thu, 04 Dec 2025 14:51:46 GMT"], "content-type": ["application/json"]},
}
PAGE_200 = {
    "uuid": "a0816120-7e37-4e8b-8cf3-92deb2cdc133",
    "request": {"chatId": "201234567890@c.us", "text": "Hello world!"},
    "response_status": 200,
    "response_body": {"message_id": "AAAAAA0000BBBBB00CCCCCC"},
    "response_header": {},
}
# tests/fixtures/Whatsapp/send-text-failure.json of the SDK, as a queued request's body
SDK_FAILURE = {
    "message": "The given data was invalid.",
    "errors": {
        "messages": ["The number you want to send the message to is not on whatsapp."],
        "jid": "20121323124131@s.whatsapp.net",
        "exists": False,
    },
    "statusCode": 422,
}


def queued(status, body):
    return {"uuid": "u", "request": {}, "response_status": status, "response_body": body, "response_header": None}


def test_processing_has_null_fields():
    assert parse_queued(queued(None, None)).state == PROCESSING


@pytest.mark.parametrize(
    "page, message_id", [(PAGE_201, "3EB0155CFDC2464F72FD75"), (PAGE_200, "AAAAAA0000BBBBB00CCCCCC")]
)
def test_both_documented_sent_shapes(page, message_id):
    result = parse_queued(page)
    assert (result.state, result.status, result.message_id) == (SENT, page["response_status"], message_id)


@pytest.mark.parametrize(
    "status, body, not_on_whatsapp, said",
    [
        (
            404,
            SDK_FAILURE,
            True,
            "messages: The number you want to send the message to is not on whatsapp.; jid: 20121323124131@s.whatsapp.net; exists: False",
        ),
        (404, {"message": "The number you want to send the message to is not on whatsapp."}, True, None),
        (404, {"message": "Instance not found."}, False, "Instance not found."),
        (
            422,
            {"message": "x", "errors": {"chatId": ["The chat id field is invalid."]}},
            False,
            "chatId: The chat id field is invalid.",
        ),
        (500, {"message": "Server Error"}, False, "Server Error"),
        (500, None, False, None),
    ],
)
def test_failures_keep_the_vendors_words(status, body, not_on_whatsapp, said):
    result = parse_queued(queued(status, body))
    assert (result.state, result.status, result.not_on_whatsapp) == (FAILED, status, not_on_whatsapp)
    if said is not None:
        assert result.said == said


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {"uuid": "u"},
        queued("201", {}),
        queued(True, {}),
        queued(201, {}),
        queued(200, {"key": {"id": ""}}),
    ],
)
def test_undocumented_shapes_are_format_errors(body):
    with pytest.raises(ResponseFormatError):
        parse_queued(body, "GET /x")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@given(body=JSON, status=st.one_of(st.none(), st.integers(-5, 700), st.booleans(), st.text(max_size=4)), answer=JSON)
def test_parse_queued_gives_a_result_or_a_format_error(body, status, answer):
    for candidate in (body, queued(status, answer)):
        try:
            result = parse_queued(candidate)
        except ResponseFormatError:
            continue
        assert result.state in (PROCESSING, SENT, FAILED)
        if result.state == SENT:
            assert isinstance(result.message_id, str) and result.message_id


def test_the_sdk_fixture_is_an_ack():
    assert ack_parser(INSTANCE)(SDK_ACK) == [AckEvent("ABCD1234EF567890", 2)]


def changed(path, value):
    data = json.loads(json.dumps(SDK_ACK))
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    "payload",
    [
        changed(("data", "instanceId"), "c9a1dd76-5678-4f9d-9012-a5b78de100c3"),
        changed(("data", "instanceId"), KeyError),
        changed(("event",), "message.any"),
        changed(("data", "payload", "fromMe"), False),
        changed(("data", "payload", "id"), "no-underscore"),
        changed(("data", "payload", "id"), "true_201063178738@c.us_"),
        changed(("data", "payload", "ack"), 9),
        changed(("data", "payload", "ack"), "2"),
        changed(("data", "payload"), "text"),
        None,
        [],
    ],
)
def test_acks_of_other_instances_kinds_or_shapes_give_nothing(payload):
    assert ack_parser(INSTANCE)(payload) == []


def test_the_ack_name_stands_in_for_a_missing_number():
    payload = changed(("data", "payload", "ack"), KeyError)
    assert ack_parser(INSTANCE)(payload) == [AckEvent("ABCD1234EF567890", 2)]
    assert ack_parser(INSTANCE)(changed(("data", "payload", "ack"), -1)) == [AckEvent("ABCD1234EF567890", -1)]


@given(payload=JSON)
def test_ack_parser_never_raises(payload):
    events = ack_parser(INSTANCE)(payload)
    assert events == [] or (isinstance(payload, dict) and payload.get("event") == "message.ack")


@given(value=st.from_regex(r"\A\+?[1-9][0-9]{6,14}\Z"))
def test_recipients_and_their_mask(value):
    digits, chat_id = validate_recipient(value)
    assert digits == value.lstrip("+") and chat_id == digits + "@c.us"
    masked = mask_number(digits)
    assert len(masked) == len(digits) and masked.endswith(digits[-4:]) and set(masked[:-4]) == {"*"}
    assert digits not in masked


@pytest.mark.parametrize("value", ["+20 123 456 7890", "20-123-456-7890", "(20) 1234567890"])
def test_recipient_separators_are_dropped(value):
    assert validate_recipient(value)[0] == "201234567890"


@pytest.mark.parametrize("value", [None, "", "0987654321", "98765", "9876543219876543", "98765432198@c.us", "abc"])
def test_bad_recipients_are_refused_without_echoing_them(value):
    with pytest.raises(OptionError) as raised:
        validate_recipient(value)
    assert "to must be the recipient's phone number" in str(raised.value)
    if value:
        assert value not in str(raised.value)


@pytest.mark.parametrize(
    "api_url, api_v2_url, expected",
    [
        (None, None, DEFAULT_API_V2_URL),
        ("https://app.hypersender.com/api/whatsapp/v1/", None, DEFAULT_API_V2_URL),
        ("http://127.0.0.1:8080/api/whatsapp/v1", None, "http://127.0.0.1:8080/api/whatsapp/v2"),
        ("https://proxy.example.com/hs", "https://proxy.example.com/hs2", "https://proxy.example.com/hs2"),
    ],
)
def test_the_v2_url(api_url, api_v2_url, expected):
    assert v2_url(api_url, api_v2_url) == expected


def test_a_v2_url_that_cannot_be_derived():
    with pytest.raises(OptionError, match="api_v2_url is needed"):
        v2_url("https://proxy.example.com/hs")


QUEUED = {
    "queued": True,
    "message": "Processing your request...",
    "queued_request_uuid": "a0816120-7e37-4e8b-8cf3-92deb2cdc133",
    "queued_request_link": "https://app.hypersender.com/api/whatsapp/v2/x/queued-requests/a0816120",
}


def test_send_text_posts_the_chat_and_text(scripted_client):
    client, session = scripted_client([make_response(200, QUEUED)])
    uuid = MessagesApi(client).send_text(INSTANCE, "201234567890@c.us", "deploy check", deadline=None)
    assert uuid == QUEUED["queued_request_uuid"]
    assert session.calls[0]["method"] == "POST"
    assert session.calls[0]["url"].endswith("/%s/send-text" % INSTANCE)
    assert session.calls[0]["json"] == {"chatId": "201234567890@c.us", "text": "deploy check"}


def test_send_text_waits_out_a_429_inside_the_deadline(scripted_client, clock):
    limited = make_response(429, {"message": "Too many requests."}, headers={"Retry-After": "8"})
    client, session = scripted_client([limited, make_response(200, QUEUED)])
    MessagesApi(client).send_text(INSTANCE, "201234567890@c.us", "x", deadline=clock.now + 30)
    assert len(session.calls) == 2 and session.calls[1]["at"] - session.calls[0]["at"] == 8


def test_send_text_does_not_wait_past_the_deadline(scripted_client, clock):
    limited = make_response(429, {"message": "Too many requests."}, headers={"Retry-After": "30"})
    client, session = scripted_client([limited])
    with pytest.raises(RateLimitedError, match="HTTP 429.*retry after 30 s"):
        MessagesApi(client).send_text(INSTANCE, "201234567890@c.us", "x", deadline=clock.now + 10)
    assert len(session.calls) == 1


def test_a_send_that_may_have_been_queued_is_not_repeated(scripted_client, clock):
    client, session = scripted_client([make_response(502, {"message": "Bad Gateway"})])
    with pytest.raises(ApiError, match="HTTP 502"):
        MessagesApi(client).send_text(INSTANCE, "201234567890@c.us", "x", deadline=clock.now + 30)
    assert len(session.calls) == 1


@pytest.mark.parametrize("body", [{"queued": True}, [], {"queued_request_uuid": "../x"}])
def test_a_send_answer_without_a_uuid_is_a_format_error(scripted_client, body):
    client, dummy = scripted_client([make_response(200, body)])
    with pytest.raises(ResponseFormatError, match="queued_request_uuid"):
        MessagesApi(client).send_text(INSTANCE, "201234567890@c.us", "x", deadline=None)


def test_queued_request_reads_and_parses(scripted_client):
    client, session = scripted_client([make_response(200, PAGE_201), make_response(404, {"message": "Not found."})])
    api = MessagesApi(client)
    assert api.queued_request(INSTANCE, "u1", deadline=None).message_id == "3EB0155CFDC2464F72FD75"
    assert session.calls[0]["url"].endswith("/%s/queued-requests/u1" % INSTANCE)
    with pytest.raises(ApiError, match="does not know the queued request u2"):
        api.queued_request(INSTANCE, "u2", deadline=None)
