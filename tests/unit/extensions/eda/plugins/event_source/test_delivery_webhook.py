# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The delivery_webhook event source, loaded by path as ansible-rulebook loads it, with a fake queue and real
requests on loopback: what it trusts for each sender, the events it puts, its arguments, and that it stops."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import importlib.util
import json
import socket
from pathlib import Path

import pytest
import requests
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._delivery_webhook import source_settings

ROOT = Path(__file__).resolve().parents[6]
SOURCE = ROOT / "extensions" / "eda" / "plugins" / "event_source" / "delivery_webhook.py"
AUTHORIZATION = "Bearer instance-webhook-secret-8Hq"
APP_SECRET = "meta-app-secret-0123456789abcdef"
VERIFY_TOKEN = "meta-verify-token-42"
ACK = {"event": "message.ack", "data": {"payload": {"id": "true_1@c.us_3EB0X", "fromMe": True, "ack": 2}}}
STATUS = {
    "object": "whatsapp_business_account",
    "entry": [
        {"id": "1", "changes": [{"field": "messages", "value": {"statuses": [{"id": "wamid.X", "status": "sent"}]}}]}
    ],
}


def load_source():
    spec = importlib.util.spec_from_file_location("hypersender_delivery_webhook_source", str(SOURCE))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


SOURCE_MODULE = load_source()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakeQueue:
    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)


def signed(body, secret=APP_SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def run_source(args, requests_to_make):
    """Start main(), make ``requests_to_make(base_url)`` (blocking calls, in a thread) once it listens, then cancel
    it; (the events, what the calls returned)."""
    queue = FakeQueue()
    port = free_port()
    args = dict(args, host="127.0.0.1", port=port)
    base = "http://127.0.0.1:%d" % port

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    async def scenario():
        task = asyncio.ensure_future(SOURCE_MODULE["main"](queue, args))
        try:
            for dummy in range(600):
                if listening():
                    break
                assert not task.done(), "the source ended: %r" % (task.exception(),)
                await asyncio.sleep(0.05)
            answers = await asyncio.to_thread(requests_to_make, base)
            for dummy in range(100):  # the last event reaches the queue within one wait of the loop
                if len(queue.events) >= answers.count(200):
                    break
                await asyncio.sleep(0.05)
            assert not task.done(), "the source returned on its own"
            return answers
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    answers = asyncio.run(scenario())
    assert not listening(), "the port is free again once the source stopped"
    return queue.events, answers


def test_hypersender_webhooks_with_the_exact_authorization_make_events():
    def calls(base):
        url = base + "/hypersender/webhook"
        return [
            requests.post(url, json=ACK, headers={"Authorization": AUTHORIZATION}, timeout=5).status_code,
            requests.post(url, json=ACK, headers={"Authorization": "Bearer forged"}, timeout=5).status_code,
            requests.post(url, json=ACK, timeout=5).status_code,
            requests.post(
                base + "/elsewhere", json=ACK, headers={"Authorization": AUTHORIZATION}, timeout=5
            ).status_code,
        ]

    events, answers = run_source({"sender": "hypersender", "authorization": AUTHORIZATION}, calls)
    assert answers == [200, 401, 401, 404]
    assert len(events) == 1 and events[0]["payload"] == ACK
    assert events[0]["meta"]["endpoint"] == "/hypersender/webhook" and events[0]["meta"]["sender"] == "hypersender"
    assert AUTHORIZATION not in json.dumps(events)


def test_meta_webhooks_signed_with_the_app_secret_make_events_and_the_handshake_is_answered(monkeypatch):
    monkeypatch.setenv("WA_CLOUD_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("WA_CLOUD_VERIFY_TOKEN", VERIFY_TOKEN)
    body = json.dumps(STATUS).encode()

    def calls(base):
        url = base + "/whatsapp/webhook"
        headers = {"Content-Type": "application/json"}
        handshake = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
        right = requests.get(url, params=dict(handshake, **{"hub.verify_token": VERIFY_TOKEN}), timeout=5)
        wrong = requests.get(url, params=dict(handshake, **{"hub.verify_token": "nope"}), timeout=5)
        return [
            requests.post(
                url, data=body, headers=dict(headers, **{"X-Hub-Signature-256": signed(body)}), timeout=5
            ).status_code,
            requests.post(
                url, data=body, headers=dict(headers, **{"X-Hub-Signature-256": signed(body, "x")}), timeout=5
            ).status_code,
            requests.post(url, data=body, headers=headers, timeout=5).status_code,
            (right.status_code, right.text),
            wrong.status_code,
        ]

    events, answers = run_source({"sender": "meta"}, calls)
    assert answers == [200, 401, 401, (200, "1158201444"), 403]
    assert [event["payload"] for event in events] == [STATUS]
    assert events[0]["meta"]["sender"] == "meta" and events[0]["meta"]["received_at"].endswith("Z")


@pytest.mark.parametrize(
    "args, message",
    [
        ({}, "sender must be hypersender or meta"),
        ({"sender": "hypersender"}, "authorization is needed"),
        ({"sender": "meta"}, "app_secret is needed"),
        (
            {"sender": "meta", "app_secret": "s", "authorization": "a"},
            "authorization is not an argument of sender meta",
        ),
        ({"sender": "hypersender", "authorization": "a", "verify_token": "v"}, "verify_token is not an argument"),
        ({"sender": "hypersender", "authorization": "a", "port": "http"}, "port must be a port"),
        ({"sender": "hypersender", "authorization": "a", "port": 0}, "receiver_port must be a port"),
        ({"sender": "hypersender", "authorization": " a"}, "authorization has leading or trailing white space"),
        ({"sender": "meta", "app_secret": "s", "path": "hook"}, "receiver_path must be a URL path"),
        ({"sender": "meta", "app_secret": "s", "token": "x"}, "unknown argument(s) token"),
    ],
)
def test_bad_arguments_are_refused_naming_them(args, message):
    with pytest.raises(OptionError) as raised:
        source_settings(args, {})
    assert message in str(raised.value)


def test_a_wrong_secret_is_never_echoed():
    for args in (
        {"sender": "hypersender", "authorization": AUTHORIZATION + "\n"},
        {"sender": "meta", "app_secret": " " + APP_SECRET},
    ):
        with pytest.raises(OptionError) as raised:
            source_settings(args, {})
        assert AUTHORIZATION not in str(raised.value) and APP_SECRET not in str(raised.value)


def test_the_source_stops_at_once_on_a_bad_argument_or_a_busy_port():
    with pytest.raises(ValueError, match="delivery_webhook: app_secret is needed"):
        asyncio.run(SOURCE_MODULE["main"](FakeQueue(), {"sender": "meta"}))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        args = {"sender": "meta", "app_secret": "s", "host": "127.0.0.1", "port": busy.getsockname()[1]}
        with pytest.raises(ValueError, match="delivery_webhook: cannot listen for webhooks on 127.0.0.1"):
            asyncio.run(SOURCE_MODULE["main"](FakeQueue(), args))


def test_ansible_rulebooks_own_arguments_are_ignored_and_the_port_may_be_a_string():
    host, port, path, sender, dummy = source_settings(
        {"sender": "hypersender", "authorization": "a", "port": "5001", "eda_feedback_queue": object()}, {}
    )
    assert (host, port, path, sender) == ("0.0.0.0", 5001, "/hypersender/webhook", "hypersender")
