# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The webhook receiver over real loopback sockets: who is trusted, what is counted, and that the port is freed."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time

import pytest
import requests
from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import (
    HubSignature,
    ReceiverError,
    StaticAuthorization,
    WebhookReceiver,
)

SECRET = "Bearer wh-secret-0123456789"
PATH = "/hypersender/webhook"


class Parser:
    """Records what it was given; an event per payload whose ``kind`` is ``ack``."""

    def __init__(self):
        self.seen = []

    def __call__(self, payload):
        self.seen.append(payload)
        return [payload] if isinstance(payload, dict) and payload.get("kind") == "ack" else []


@pytest.fixture
def parser():
    return Parser()


@pytest.fixture
def receiver(parser):
    with WebhookReceiver("127.0.0.1", 0, PATH, StaticAuthorization(SECRET), parser) as started:
        yield started


def url(receiver, path=PATH):
    return "http://127.0.0.1:%d%s" % (receiver.port, path)


def post(receiver, payload, authorization=SECRET, path=PATH, headers=None):
    sent = dict(headers or {})
    if authorization is not None:
        sent["Authorization"] = authorization
    return requests.post(url(receiver, path), json=payload, headers=sent, timeout=5)


def port_is_free(port):
    """Nobody listens on ``port`` (a connection is refused) and a server can bind it, as servers do (SO_REUSEADDR:
    the connections the receiver closed may sit in TIME_WAIT, which holds no listener)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        pass
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind(("127.0.0.1", port))
        probe.listen(1)
        return True
    except OSError:
        return False
    finally:
        probe.close()


def test_an_authorized_event_is_handed_over_with_its_arrival_time(receiver, parser):
    before = time.monotonic()
    answer = post(receiver, {"kind": "ack", "n": 1})
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    arrived, event = receiver.next_event(5)
    assert event == {"kind": "ack", "n": 1}
    assert before <= arrived <= time.monotonic()
    assert receiver.next_event(0.05) is None
    assert receiver.stats.as_dict() == {
        "accepted": 1,
        "ignored": 0,
        "unauthorized": 0,
        "rejected": 0,
        "dropped": 0,
        "handshakes": 0,
        "handshakes_refused": 0,
    }
    assert parser.seen == [{"kind": "ack", "n": 1}]


@pytest.mark.parametrize(
    "authorization",
    [None, "", "wh-secret-0123456789", "bearer wh-secret-0123456789", SECRET + " ", SECRET[:-1], "Bearer x"],
)
def test_anything_but_the_exact_authorization_is_401_counted_and_never_parsed(receiver, parser, authorization):
    answer = post(receiver, {"kind": "ack"}, authorization=authorization)
    assert answer.status_code == 401
    assert receiver.stats.as_dict()["unauthorized"] == 1
    assert parser.seen == [] and receiver.next_event(0.05) is None
    assert SECRET not in answer.text


def test_two_authorization_headers_are_refused(receiver, parser):
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=5) as connection:
        body = b'{"kind": "ack"}'
        connection.sendall(
            b"POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nAuthorization: other\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (PATH.encode(), SECRET.encode(), len(body), body)
        )
        assert connection.recv(100).startswith(b"HTTP/1.1 401")
    assert parser.seen == []


def test_events_that_concern_someone_else_are_ignored_with_200(receiver, parser):
    answer = post(receiver, {"kind": "message.any"})
    assert answer.status_code == 200
    assert receiver.next_event(0.05) is None
    assert receiver.stats.as_dict()["ignored"] == 1
    assert parser.seen == [{"kind": "message.any"}]


def test_wrong_path_method_size_and_body_are_rejected(parser):
    with WebhookReceiver("127.0.0.1", 0, PATH, StaticAuthorization(SECRET), parser, max_body=64) as receiver:
        assert post(receiver, {"kind": "ack"}, path="/other").status_code == 404
        assert requests.get(url(receiver), headers={"Authorization": SECRET}, timeout=5).status_code == 405
        assert requests.put(url(receiver), headers={"Authorization": SECRET}, timeout=5).status_code == 405
        assert post(receiver, {"kind": "ack", "padding": "x" * 100}).status_code == 413
        not_json = requests.post(
            url(receiver), data=b"<html>", headers={"Authorization": SECRET, "Content-Type": "text/html"}, timeout=5
        )
        assert not_json.status_code == 400
        chunked = requests.post(
            url(receiver), data=iter([b'{"kind":', b'"ack"}']), headers={"Authorization": SECRET}, timeout=5
        )
        assert chunked.status_code == 411
        assert receiver.stats.as_dict()["rejected"] == 6
        assert parser.seen == [] and receiver.next_event(0.05) is None


def test_a_silent_connection_does_not_hold_the_receiver(receiver):
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=5):
        assert post(receiver, {"kind": "ack"}).status_code == 200
        assert receiver.next_event(5) is not None


def test_the_port_is_free_after_the_with_block_however_it_ends(parser):
    with pytest.raises(RuntimeError):
        with WebhookReceiver("127.0.0.1", 0, PATH, StaticAuthorization(SECRET), parser) as receiver:
            port = receiver.port
            assert not port_is_free(port)
            post(receiver, {"kind": "ack"})  # a connection was served: its TIME_WAIT must not hold the port either
            raise RuntimeError("the task failed")
    assert not receiver.listening
    assert port_is_free(port)
    with WebhookReceiver("127.0.0.1", port, PATH, StaticAuthorization(SECRET), parser) as again:
        assert post(again, {"kind": "ack"}).status_code == 200
    receiver.stop()  # a second stop is harmless


def test_a_busy_port_is_a_clear_error(parser):
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    try:
        receiver = WebhookReceiver("127.0.0.1", holder.getsockname()[1], PATH, StaticAuthorization(SECRET), parser)
        with pytest.raises(ReceiverError, match=r"cannot listen for webhooks on 127\.0\.0\.1:\d+ .*receiver_port"):
            receiver.start()
    finally:
        holder.close()


def test_a_flood_is_capped_and_counted(parser, monkeypatch):
    from ansible_collections.hypersender.whatsapp.plugins.module_utils import _webhook_receiver

    monkeypatch.setattr(_webhook_receiver, "MAX_PENDING_EVENTS", 2)
    with WebhookReceiver("127.0.0.1", 0, PATH, StaticAuthorization(SECRET), parser) as receiver:
        for number in range(4):
            assert post(receiver, {"kind": "ack", "n": number}).status_code == 200
        assert receiver.stats.as_dict()["dropped"] == 2
        assert [receiver.next_event(1)[1]["n"] for dummy in range(2)] == [0, 1]


# -- the Cloud API's checks: an HMAC of the raw body, and the verification handshake ---------------------------------

APP_SECRET = "cloud-app-secret-0123"
VERIFY_TOKEN = "cloud-verify-token"


def signed(body, secret=APP_SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def hub(parser):
    with WebhookReceiver("127.0.0.1", 0, PATH, HubSignature(APP_SECRET, VERIFY_TOKEN), parser) as started:
        yield started


@pytest.mark.parametrize(
    "signature, status",
    [
        (signed, 200),
        (lambda body: signed(body).upper().replace("SHA256=", "sha256="), 200),
        (lambda body: signed(body, "another-secret"), 401),
        (lambda body: signed(body + b" "), 401),
        (lambda body: signed(body)[7:], 401),
        (lambda body: None, 401),
    ],
)
def test_hub_signature_of_the_raw_body(hub, parser, signature, status):
    body = json.dumps({"kind": "ack"}).encode()
    headers = {"Content-Type": "application/json"}
    if signature(body) is not None:
        headers["X-Hub-Signature-256"] = signature(body)
    answer = requests.post(url(hub), data=body, headers=headers, timeout=5)
    assert answer.status_code == status
    assert (parser.seen == [{"kind": "ack"}]) == (status == 200)


@pytest.mark.parametrize(
    "query, status, text",
    [
        ({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}, 200, "1158201444"),
        ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1158201444"}, 403, ""),
        ({"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}, 403, ""),
        ({}, 403, ""),
    ],
)
def test_hub_verification_handshake(hub, query, status, text):
    answer = requests.get(url(hub), params=query, timeout=5)
    assert (answer.status_code, answer.text) == (status, text)
    counts = hub.stats.as_dict()
    assert (counts["handshakes"], counts["handshakes_refused"]) == ((1, 0) if status == 200 else (0, 1))
    assert counts["accepted"] == counts["unauthorized"] == 0, "a handshake is no event and no refused signature"
