# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's Cloud API messaging: sends, the signed status webhooks on each send's timeline, where they go
(a number's override, the WABA's, the app's callback), and the verification handshake it makes when told."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from whatsapp_sim import ScenarioError, Simulator

# pylint: disable=redefined-outer-name

TOKEN = "sim-cloud-token-messaging"
APP_SECRET = "messaging-app-secret"
WABA = "102290129340398"
NUMBER = "106540352242922"
OTHER = "106540352242923"
HELLO = {
    "messaging_product": "whatsapp",
    "to": "+20 109 876 5432",
    "type": "template",
    "template": {"name": "hello_world", "language": {"code": "en_US"}},
}


class Hook:
    """A loopback callback: records (path, signature header, raw body) of each POST; answers the verification
    request with the challenge for ``verify_token``."""

    def __init__(self, verify_token="hook-verify-token"):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # pylint: disable=invalid-name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((urlsplit(self.path).path, self.headers.get("X-Hub-Signature-256"), body))
                self._answer(200, b"")

            def do_GET(self):  # pylint: disable=invalid-name
                query = parse_qs(urlsplit(self.path).query)
                if query.get("hub.verify_token") == [verify_token]:
                    return self._answer(200, query["hub.challenge"][0].encode())
                return self._answer(403, b"")

            def _answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    server = Hook()
    yield server
    server.close()


def scenario(callback=None, sends=None, number=None, waba=None, **cloud):
    first = {"id": NUMBER, "display_phone_number": "+1 555-078-3881"}
    first.update(number or {})
    if sends is not None:
        first["sends"] = sends
    account = {"id": WABA, "phone_numbers": [first, {"id": OTHER}]}
    account.update(waba or {})
    data = {"cloud": {"tokens": [TOKEN], "app_secret": APP_SECRET, "wabas": [account]}}
    if callback:
        data["cloud"]["callback_url"] = callback
    data["cloud"].update(cloud)
    return data


def send(sim, number=NUMBER, body=None):
    return requests.post(
        "%s/v23.0/%s/messages" % (sim.cloud_url, number),
        json=body or HELLO,
        headers={"Authorization": "Bearer " + TOKEN},
        timeout=10,
    )


def logged(sim, count, timeout=10):
    end = time.monotonic() + timeout
    while len(sim.webhooks()) < count and time.monotonic() < end:
        time.sleep(0.02)
    return sim.webhooks()


def statuses_of(body):
    return json.loads(body)["entry"][0]["changes"][0]["value"]["statuses"]


def test_a_send_answers_a_wamid_and_its_statuses_follow_signed(hook):
    sends = [{"statuses": [{"after": 0.2, "status": "sent"}, {"after": 0.4, "status": "delivered"}]}]
    with Simulator(scenario(hook.base + "/app", sends)) as sim:
        answer = send(sim)
        assert answer.status_code == 200
        body = answer.json()
        wamid = body["messages"][0]["id"]
        assert body["contacts"] == [{"input": "201098765432", "wa_id": "201098765432"}]
        log = logged(sim, 2)
    assert [(entry["message_status"], entry["status"], entry["signature"]) for entry in log] == [
        ("sent", 200, "valid"),
        ("delivered", 200, "valid"),
    ]
    for path, header, raw in hook.received:
        assert path == "/app"
        assert header == "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        payload = json.loads(raw)
        assert payload["entry"][0]["id"] == WABA
        value = payload["entry"][0]["changes"][0]["value"]
        assert value["metadata"] == {"display_phone_number": "15550783881", "phone_number_id": NUMBER}
        assert value["statuses"][0]["id"] == wamid and value["statuses"][0]["recipient_id"] == "201098765432"


def test_each_send_has_its_own_timeline_counted_from_its_arrival(hook):
    sends = [{"statuses": [{"after": 0.3, "status": "sent"}]}, {"statuses": [{"after": 0.1, "status": "read"}]}]
    with Simulator(scenario(hook.base + "/app", sends)) as sim:
        send(sim)
        time.sleep(0.5)
        send(sim)
        send(sim)  # the last entry repeats
        log = logged(sim, 3)
        posts = [entry["t"] for entry in sim.requests() if entry["path"].endswith("/messages")]
    assert [entry["message_status"] for entry in log] == ["sent", "read", "read"]
    assert [entry["due"] for entry in log] == pytest.approx([posts[0] + 0.3, posts[1] + 0.1, posts[2] + 0.1], abs=0.01)
    assert all(entry["t"] >= entry["due"] for entry in log)


def test_failed_statuses_carry_metas_error_and_odd_statuses_are_what_the_scenario_says(hook):
    statuses = [
        {"after": 0.05, "status": "failed", "errors": [131026]},
        {"after": 0.1, "status": "delivered", "id": "wamid.SOMEONEELSE"},
        {"after": 0.15, "status": "delivered", "phone_number_id": OTHER},
        {"after": 0.2, "status": "read", "signature": "bad"},
        {"after": 0.25, "status": "read", "signature": "missing"},
        {"after": 0.3, "status": "failed", "errors": [{"code": 131047, "details": "Window closed."}]},
    ]
    with Simulator(scenario(hook.base + "/app", [{"statuses": statuses}])) as sim:
        wamid = send(sim).json()["messages"][0]["id"]
        log = logged(sim, len(statuses))
    assert [entry["signature"] for entry in log] == ["valid"] * 3 + ["bad", "missing", "valid"]
    received = list(hook.received)
    failed = statuses_of(received[0][2])[0]
    assert failed["status"] == "failed" and failed["id"] == wamid
    assert failed["errors"][0]["code"] == 131026 and failed["errors"][0]["title"] == "Message undeliverable"
    assert "not a WhatsApp phone number" in failed["errors"][0]["error_data"]["details"]
    assert statuses_of(received[1][2])[0]["id"] == "wamid.SOMEONEELSE"
    assert json.loads(received[2][2])["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] == OTHER
    bad_header, bad_body = received[3][1], received[3][2]
    assert bad_header.startswith("sha256=")
    assert bad_header != "sha256=" + hmac.new(APP_SECRET.encode(), bad_body, hashlib.sha256).hexdigest()
    assert received[4][1] is None
    last = statuses_of(received[5][2])[0]["errors"][0]
    assert (last["code"], last["title"], last["error_data"]["details"]) == (
        131047,
        "Re-engagement message",
        "Window closed.",
    )


def test_the_callback_is_the_numbers_override_then_the_wabas_then_the_apps(hook):
    one = [{"statuses": [{"after": 0.05, "status": "sent"}]}]
    data = scenario(
        hook.base + "/app",
        one,
        number={"override_callback_uri": hook.base + "/number"},
        waba={"override_callback_uri": hook.base + "/waba"},
    )
    data["cloud"]["wabas"][0]["phone_numbers"][1]["sends"] = one
    with Simulator(data) as sim:
        send(sim, NUMBER)
        send(sim, OTHER)
        logged(sim, 2)
    assert sorted(path for path, dummy, dummy in hook.received) == ["/number", "/waba"]
    with Simulator(scenario(hook.base + "/app", one)) as sim:
        send(sim)
        logged(sim, 1)
    assert hook.received[-1][0] == "/app"


def test_no_webhook_when_the_app_is_not_subscribed_to_the_waba(hook):
    data = scenario(hook.base + "/app", [{"statuses": [{"after": 0.05, "status": "sent"}]}], waba={"subscribed": False})
    with Simulator(data) as sim:
        assert send(sim).status_code == 200
        log = logged(sim, 1)
    assert log[0]["status"] is None and log[0]["skipped"] == "not subscribed"
    assert hook.received == []


def test_a_reset_drops_the_statuses_still_scheduled(hook):
    with Simulator(scenario(hook.base + "/app", [{"statuses": [{"after": 0.5, "status": "sent"}]}])) as sim:
        send(sim)
        sim.reset()
        time.sleep(1)
        assert sim.webhooks() == []
    assert hook.received == []


def test_the_verification_handshake_when_told(hook):
    data = scenario(
        hook.base + "/app",
        verify_token="hook-verify-token",
        number={"override_callback_uri": hook.base + "/number", "override_verify_token": "wrong-token"},
    )
    with Simulator(data) as sim:
        app = requests.post(sim.url + "/_sim/cloud/verify", json={}, timeout=10).json()
        number = sim.verify_callback(phone_number_id=NUMBER)
        told = sim.verify_callback(phone_number_id=NUMBER, verify_token="hook-verify-token", challenge=12345)
        unreachable = sim.verify_callback(url="http://127.0.0.1:9/nothing", verify_token="x")
        bad = requests.post(sim.url + "/_sim/cloud/verify", json={"nope": 1}, timeout=10)
    assert app["url"] == hook.base + "/app" and app["verified"] and app["body"] == app["challenge"]
    assert number["url"] == hook.base + "/number" and number["status"] == 403 and not number["verified"]
    assert told == {
        "url": hook.base + "/number",
        "status": 200,
        "challenge": "12345",
        "body": "12345",
        "verified": True,
    }
    assert unreachable["status"] == 0 and not unreachable["verified"]
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "cloud, message",
    [
        ({"templates": [{"name": "hello_world"}]}, "cloud.templates[0]"),
        ({"callback_url": "ftp://x"}, "cloud.callback_url"),
        (
            {
                "wabas": [
                    {"id": "1", "phone_numbers": [{"id": "2", "sends": [{"statuses": [{"after": 0, "status": "x"}]}]}]}
                ]
            },
            "status must be one of",
        ),
        (
            {
                "wabas": [
                    {
                        "id": "1",
                        "phone_numbers": [
                            {"id": "2", "sends": [{"statuses": [{"after": 0, "status": "sent", "signature": "no"}]}]}
                        ],
                    }
                ]
            },
            "signature",
        ),
        ({"wabas": [{"id": "1", "subscribed": "yes"}]}, "subscribed"),
    ],
)
def test_bad_messaging_scenarios_are_refused(cloud, message):
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Simulator({"cloud": cloud})
