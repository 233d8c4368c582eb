# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's v2 messaging API (send-text, queued requests) and the message.ack webhooks it posts."""

from __future__ import annotations

import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sim_support import FIRST_ID, HS_TOKEN, SECOND_ID, seed_scenario
from whatsapp_sim import ScenarioError, Simulator

# pylint: disable=redefined-outer-name

ACCESS_TOKEN = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1"
AUTH = {"Authorization": "Bearer " + ACCESS_TOKEN}
WEBHOOK_SECRET = "canary-webhook-secret"
CHAT = "201234567890@c.us"


class Receiver:
    """A loopback HTTP server that records every POST: (monotonic time, Authorization header, JSON body)."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # pylint: disable=invalid-name
                length = int(self.headers.get("Content-Length") or 0)
                received.append(
                    (time.monotonic(), self.headers.get("Authorization"), json.loads(self.rfile.read(length)))
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hooks/whatsapp" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, timeout=10):
        end = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < end:
            time.sleep(0.02)
        return self.received


def logged(sim, count, timeout=10):
    """The simulator's webhook log once it holds ``count`` entries (an entry is written after the receiver answered)."""
    end = time.monotonic() + timeout
    while len(sim.webhooks()) < count and time.monotonic() < end:
        time.sleep(0.02)
    return sim.webhooks()


def scenario(webhook_url=None, sends=None, **messaging):
    data = seed_scenario()
    first = data["hypersender"]["instances"][0]
    if webhook_url:
        first.update(webhook_url=webhook_url, webhook_authorization=WEBHOOK_SECRET)
    if sends is not None:
        first["sends"] = sends
    if messaging:
        data["hypersender"]["messaging"] = messaging
    return data


def send(sim, instance=FIRST_ID, body=None, headers=None):
    return requests.post(
        "%s/%s/send-text" % (sim.hypersender_v2_url, instance),
        json={"chatId": CHAT, "text": "deploy check"} if body is None else body,
        headers=AUTH if headers is None else headers,
        timeout=5,
    )


def queued(sim, request_uuid, instance=FIRST_ID, headers=None):
    return requests.get(
        "%s/%s/queued-requests/%s" % (sim.hypersender_v2_url, instance, request_uuid),
        headers=AUTH if headers is None else headers,
        timeout=5,
    )


def processed(sim, request_uuid, timeout=10):
    """Poll until the queued request is processed; (the answer, polls made)."""
    end, polls = time.monotonic() + timeout, 0
    while True:
        polls += 1
        body = queued(sim, request_uuid).json()
        if body["response_status"] is not None or time.monotonic() > end:
            return body, polls
        time.sleep(0.05)


def test_send_is_queued_then_processed_with_the_message_id():
    with Simulator(scenario(sends=[{"processing_for": 0.5, "acks": []}])) as sim:
        answer = send(sim)
        assert answer.status_code == 200
        body = answer.json()
        assert body["queued"] is True and body["message"] == "Processing your request..."
        assert body["queued_request_link"] == "%s/%s/queued-requests/%s" % (
            sim.hypersender_v2_url,
            FIRST_ID,
            body["queued_request_uuid"],
        )
        first = queued(sim, body["queued_request_uuid"]).json()
        assert (first["response_status"], first["response_body"], first["response_header"]) == (None, None, None)
        assert first["request"]["chatId"] == CHAT and first["request"]["text"] == "deploy check"
        done, polls = processed(sim, body["queued_request_uuid"])
        assert polls >= 2
        assert done["response_status"] == 201
        assert done["response_body"]["key"]["id"].startswith("3EB0")
        assert done["response_body"]["key"]["remoteJid"] == "201234567890@s.whatsapp.net"
        log = sim.requests()
        assert [entry["method"] for entry in log] == ["POST"] + ["GET"] * (polls + 1)
        # processing counts from the send, whenever the client came
        assert log[-1]["t"] - log[0]["t"] >= 0.5


@pytest.mark.parametrize(
    "send_spec, status, check",
    [
        ({"response_status": 200, "id_field": "message_id"}, 200, lambda body: body["message_id"].startswith("3EB0")),
        ({"result": "not_on_whatsapp"}, 404, lambda body: "not on whatsapp" in body["message"]),
        ({"result": "instance_not_found"}, 404, lambda body: body == {"message": "Instance not found."}),
        ({"result": "invalid"}, 422, lambda body: body["errors"]["chatId"]),
        ({"result": "error"}, 500, lambda body: body == {"message": "Server Error"}),
    ],
)
def test_queued_outcomes(send_spec, status, check):
    with Simulator(scenario(sends=[dict(send_spec, processing_for=0)])) as sim:
        done, dummy = processed(sim, send(sim).json()["queued_request_uuid"])
        assert done["response_status"] == status
        assert check(done["response_body"])


def test_a_request_that_stays_processing():
    with Simulator(scenario(sends=[{"result": "processing"}])) as sim:
        request_uuid = send(sim).json()["queued_request_uuid"]
        time.sleep(0.3)
        assert queued(sim, request_uuid).json()["response_status"] is None


def test_sends_follow_the_list_and_the_last_entry_repeats():
    sends = [{"result": "error", "processing_for": 0}, {"processing_for": 0}]
    with Simulator(scenario(sends=sends)) as sim:
        statuses = [processed(sim, send(sim).json()["queued_request_uuid"])[0]["response_status"] for dummy in range(3)]
        assert statuses == [500, 201, 201]
        sim.reset()  # a reset starts the list again
        assert processed(sim, send(sim).json()["queued_request_uuid"])[0]["response_status"] == 500


def test_only_the_instances_own_token_is_accepted():
    with Simulator(scenario()) as sim:
        for headers in ({"Authorization": "Bearer " + HS_TOKEN}, {}, {"Authorization": ACCESS_TOKEN}):
            answer = send(sim, headers=headers)
            assert answer.status_code == 401 and answer.json() == {"message": "Unauthenticated."}
        # the second instance has no access token (not linked): nothing opens it
        assert send(sim, instance=SECOND_ID).status_code == 401
        request_uuid = send(sim).json()["queued_request_uuid"]
        assert queued(sim, request_uuid, headers={"Authorization": "Bearer " + HS_TOKEN}).status_code == 401
        assert queued(sim, "5b2e0c3a-9999-4abc-8def-0123456789ab").status_code == 404


def test_send_validation_is_immediate():
    with Simulator(scenario()) as sim:
        answer = send(sim, body={"chatId": "+20 123", "text": ""})
        assert answer.status_code == 422
        assert answer.json()["errors"] == {
            "chatId": ["The chat id field format is invalid."],
            "text": ["The text field is required."],
        }
        assert answer.json()["message"] == "The chat id field format is invalid. (and 1 more error)"


def test_send_rate_limit_answers_429_with_retry_after():
    with Simulator(scenario(rate_limit={"requests": 2, "window": 30})) as sim:
        answers = [send(sim) for dummy in range(3)]
        assert [answer.status_code for answer in answers] == [200, 200, 429]
        assert 1 <= int(answers[2].headers["Retry-After"]) <= 30
        assert answers[2].json() == {"message": "Too many requests. Please try again later."}
        # polling the queued requests is not limited
        assert queued(sim, answers[0].json()["queued_request_uuid"]).status_code == 200


def test_acks_are_posted_on_the_sends_timeline_with_the_instances_authorization():
    acks = [{"after": 0.6, "ack": "DEVICE"}, {"after": 0.3, "ack": "SERVER"}, {"after": 0.9, "ack": 3}]
    with Receiver() as receiver, Simulator(scenario(receiver.url, [{"processing_for": 0.1, "acks": acks}])) as sim:
        time.sleep(0.5)  # the timeline counts from the send, not from the simulator's start
        sent_at = time.monotonic()
        request_uuid = send(sim).json()["queued_request_uuid"]
        message_id = processed(sim, request_uuid)[0]["response_body"]["key"]["id"]
        received = receiver.wait_for(3)
        assert [body["data"]["payload"]["ackName"] for dummy, dummy, body in received] == ["SERVER", "DEVICE", "READ"]
        assert [body["data"]["payload"]["ack"] for dummy, dummy, body in received] == [1, 2, 3]
        assert all(authorization == WEBHOOK_SECRET for dummy, authorization, dummy in received)
        assert received[0][0] - sent_at >= 0.3 and received[2][0] - sent_at >= 0.9
        for dummy, dummy, body in received:
            assert body["event"] == "message.ack" and body["data"]["instanceId"] == FIRST_ID
            assert body["data"]["payload"]["id"] == "true_%s_%s" % (CHAT, message_id)
            assert body["data"]["payload"]["fromMe"] is True
        log = logged(sim, 3)
        assert [entry["ack_name"] for entry in log] == ["SERVER", "DEVICE", "READ"]
        assert all(entry["status"] == 200 and entry["message_id"] == message_id for entry in log)
        send_t = sim.requests()[0]["t"]
        assert [round(entry["due"] - send_t, 1) for entry in log] == [0.3, 0.6, 0.9]
        assert all(entry["answered"] >= entry["t"] >= entry["due"] for entry in log)


def test_acks_for_another_message_instance_or_with_a_wrong_authorization():
    acks = [
        {"after": 0.1, "ack": "DEVICE", "message_id": "3EB0OTHERMESSAGE0000"},
        {"after": 0.2, "ack": "DEVICE", "instance_id": SECOND_ID},
        {"after": 0.3, "ack": "DEVICE", "authorization": "wrong"},
        {"after": 0.4, "ack": "READ", "event": "message.any"},
    ]
    with Receiver() as receiver, Simulator(scenario(receiver.url, [{"processing_for": 0, "acks": acks}])) as sim:
        send(sim)
        received = receiver.wait_for(4)
        payloads = [body["data"]["payload"]["id"] for dummy, dummy, body in received]
        assert payloads[0].endswith("_3EB0OTHERMESSAGE0000")
        assert received[1][2]["data"]["instanceId"] == SECOND_ID
        assert received[2][1] == "wrong"
        assert received[3][2]["event"] == "message.any"
        assert [entry["authorization"] for entry in logged(sim, 4)] == ["instance", "instance", "scenario", "instance"]


def test_a_reset_drops_scheduled_webhooks_and_an_unreachable_receiver_is_logged():
    with Receiver() as receiver, Simulator(
        scenario(receiver.url, [{"acks": [{"after": 0.5, "ack": "DEVICE"}]}])
    ) as sim:
        send(sim)
        sim.reset()
        time.sleep(0.8)
        assert receiver.received == [] and sim.webhooks() == []
    unreachable = "http://127.0.0.1:9/nothing-listens-here"
    with Simulator(scenario(unreachable, [{"acks": [{"after": 0, "ack": "SERVER"}]}])) as sim:
        send(sim)
        assert logged(sim, 1)[0]["status"] == 0
        assert requests.get(sim.url + "/_sim/webhooks", timeout=5).json() == sim.webhooks()


def test_a_working_instance_whose_sends_stay_pending():
    """The unlinked-device case: WORKING, the send is processed (201, status PENDING), and only PENDING acks come."""
    sends = [{"processing_for": 0, "acks": [{"after": 0.1, "ack": "PENDING"}]}]
    with Receiver() as receiver, Simulator(scenario(receiver.url, sends)) as sim:
        health = requests.get(
            "%s/%s/health" % (sim.hypersender_url, FIRST_ID), headers={"Authorization": "Bearer " + HS_TOKEN}, timeout=5
        )
        assert health.json()["status"] == "WORKING"
        done, dummy = processed(sim, send(sim).json()["queued_request_uuid"])
        assert done["response_status"] == 201 and done["response_body"]["status"] == "PENDING"
        time.sleep(0.5)
        assert [body["data"]["payload"]["ackName"] for dummy, dummy, body in receiver.received] == ["PENDING"]


def test_a_created_instance_keeps_its_webhook_url():
    with Simulator(seed_scenario()) as sim:
        created = requests.post(
            sim.hypersender_url + "/create-instance",
            json={"phone": "+201000000001", "name": "canary", "webhook_url": "https://controller.example.com/hook"},
            headers={"Authorization": "Bearer " + HS_TOKEN},
            timeout=5,
        ).json()
        assert sim.app.scenario.hypersender.by_id[created["id"]].webhook_url == "https://controller.example.com/hook"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"sends": []}, "sends must be a non-empty list"),
        ({"sends": [{"result": "lost"}]}, "result must be one of"),
        ({"sends": [{"acks": [{"after": 1, "ack": "SEEN"}]}]}, "ack must be one of"),
        ({"sends": [{"acks": [{"ack": "SERVER"}]}]}, "needs 'after' and 'ack'"),
        ({"sends": [{"id_field": "uuid"}]}, "id_field must be"),
        ({"webhook_url": 5}, "webhook_url must be a string"),
    ],
)
def test_invalid_messaging_scenarios_fail_loudly(change, message):
    data = copy.deepcopy(seed_scenario())
    data["hypersender"]["instances"][0].update(change)
    with pytest.raises(ScenarioError, match=message):
        Simulator(data)
