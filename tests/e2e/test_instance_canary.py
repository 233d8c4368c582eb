# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.instance_canary through real ansible / ansible-playbook runs at -vvvv.

The simulator plays the v2 API and posts the instance's message.ack webhooks to the module's receiver, on a
timeline that counts from each send (however slowly Ansible starts). Every output is scanned for the tokens (the
conftest), the webhook's Authorization value and the recipient's full number.
"""

from __future__ import annotations

import re
import socket
import textwrap

from conftest import ACCESS_TOKEN, TOKEN, WORKING_ID, hypersender_scenario, instance

OTHER_ID = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"
WEBHOOK_AUTHORIZATION = "Bearer canary-webhook-secret-6Jq2"
PHONE = "201098765432"
MASKED = "********5432"
SEND = r"/api/whatsapp/v2/[^/]+/send-text$"
QUEUED = r"/api/whatsapp/v2/[^/]+/queued-requests/"
DELIVERED = [{"after": 0.5, "ack": "SERVER"}, {"after": 0.8, "ack": "DEVICE"}]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port):
    """Nobody listens on ``port`` and a server can bind it (as servers do, with SO_REUSEADDR)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen(1)
    return True


def scenario(port, sends, status="WORKING", **extra):
    canary = instance(
        WORKING_ID,
        status,
        name="canary-eu",
        phone="+201000000001",
        webhook_url="http://127.0.0.1:%d/hypersender/webhook" % port,
        webhook_authorization=WEBHOOK_AUTHORIZATION,
        sends=sends,
    )
    other = instance(OTHER_ID, "WORKING", name="shop-eu", access_token="235|otherinstancetokenotherinstancetoken0123")
    return hypersender_scenario(canary, other, **extra)


def env_for(sim):
    # The number and the webhook's secret come from the environment, as in a pipeline: ansible-core prints a failed
    # ad-hoc task's literal arguments (its "Origin"), so a value typed there is the caller's to hide.
    return {
        "HYPERSENDER_API_URL": sim.hypersender_url,
        "HYPERSENDER_API_TOKEN": TOKEN,
        "HYPERSENDER_WEBHOOK_AUTHORIZATION": WEBHOOK_AUTHORIZATION,
        "CANARY_TO": "+" + PHONE,
    }


def args(port, **options):
    values = {
        "instance": "canary-eu",
        "to": "{{ lookup('ansible.builtin.env', 'CANARY_TO') }}",
        "receiver_port": port,
        "wait_sleep": 0.5,
    }
    values.update(options)
    return values


def assert_private(run):
    assert WEBHOOK_AUTHORIZATION not in run.output and WEBHOOK_AUTHORIZATION.split(" ", 1)[1] not in run.output
    assert PHONE not in run.output, "the recipient's full number reached the output"


def log(sim, path):
    return [entry for entry in sim.requests() if re.search(path, entry["path"])]


def canary(ansible, sim, port, check=False, **options):
    run = ansible.module(
        "instance_canary", args(port, **options), env=env_for(sim), extra_args=["--check"] if check else []
    )
    assert_private(run)
    return run


# -- stages ------------------------------------------------------------------------------------------------------------


def test_sent_only(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.3, "acks": []}]))
    run = canary(ansible, sim, port, wait_for="sent")
    assert run.rc == 0, run
    result = run.result
    assert result["changed"] is True and result["stage"] == "sent"
    assert result["to"] == MASKED and result["instance"] == {"id": WORKING_ID, "name": "canary-eu", "status": "WORKING"}
    assert result["stages"]["sent"] >= 0.3 and result["stages"]["delivered"] is None
    assert result["message_id"].startswith("3EB0") and result["run_id"] in result["text"]
    assert "receiver" not in result
    methods = [(entry["method"], entry["path"].rsplit("/", 2)[-2]) for entry in sim.requests()]
    assert methods[:2] == [("GET", "v1"), ("POST", WORKING_ID)]
    assert all(entry["method"] == "GET" for entry in log(sim, QUEUED)) and len(log(sim, QUEUED)) == result["polls"] >= 1
    # the instance's own token sent it (the simulator accepts no other on v2)
    assert all(entry["status"] == 200 for entry in sim.requests())


def test_delivered(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": DELIVERED}]))
    run = canary(ansible, sim, port, wait_for="delivered")
    assert run.rc == 0, run
    result = run.result
    assert result["stage"] == "delivered" and result["sends"] == 1 and result["resent"] is False
    stages = result["stages"]
    assert stages["queued"] <= stages["sent"] <= stages["delivered"] and stages["delivered"] >= 0.8
    assert result["last_ack"]["name"] == "DEVICE"
    assert result["receiver"]["accepted"] == 2 and result["receiver"]["unauthorized"] == 0
    assert [hook["status"] for hook in sim.webhooks()] == [200, 200]
    assert result["msg"].startswith(
        "instance canary-eu (%s) sent message %s to %s: sent after" % (WORKING_ID, result["message_id"], MASKED)
    )
    assert len(log(sim, SEND)) == 1


def test_read(simulator, ansible):
    port = free_port()
    acks = DELIVERED + [{"after": 1.0, "ack": "READ"}]
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": acks}]))
    run = canary(ansible, sim, port, wait_for="read")
    assert run.rc == 0, run
    assert run.result["stage"] == "read"
    assert run.result["stages"]["delivered"] <= run.result["stages"]["read"]


# -- failures ------------------------------------------------------------------------------------------------------------


def test_ack_error_fails_at_once(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": [{"after": 0.5, "ack": "ERROR"}]}]))
    run = canary(ansible, sim, port, wait_for="delivered", wait_timeout=60)
    assert run.rc != 0, run
    result = run.result
    assert result["problem"].startswith("WhatsApp reported ack ERROR for message %s after" % result["message_id"])
    assert "scan a new QR code" in result["hint"]
    assert result["sends"] == 1, "waited for the resend at half the deadline instead of failing at once"


def test_working_instance_that_cannot_send(simulator, ansible):
    """The status gate passes (WORKING); the canary fails and names the stage: sent, acks stuck at PENDING."""
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": [{"after": 0.4, "ack": "PENDING"}]}]))
    playbook = textwrap.dedent("""\
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: Status gate
              hypersender.whatsapp.instance_health:
                instance: %(id)s
            - name: Canary
              hypersender.whatsapp.instance_canary:
                instance: %(id)s
                to: "%(phone)s"
                wait_for: delivered
                wait_timeout: 5
                wait_sleep: 0.5
                receiver_port: %(port)d
                receiver_authorization: "%(auth)s"
        """ % {"id": WORKING_ID, "phone": PHONE, "port": port, "auth": WEBHOOK_AUTHORIZATION})
    run = ansible.playbook(playbook, env=env_for(sim))
    assert_private(run)
    assert run.rc == 2, run
    (gate_state, gate), (canary_state, result) = run.results
    assert gate_state == "SUCCESS" and gate["status"] == "WORKING" and gate["healthy"] is True
    assert canary_state == "FAILED!"
    assert result["stage"] == "sent" and result["last_ack"]["name"] == "PENDING"
    assert result["problem"].startswith("the message to %s reached stage sent but not delivered within 5 s" % MASKED)
    assert "last ack PENDING" in result["problem"] and "sent 2 times" in result["problem"]
    assert "messages do not leave" in result["hint"] and "scan a new QR code" in result["hint"]
    assert result["elapsed"] >= 5
    assert len(log(sim, SEND)) == 2 and result["messages"][1]["queued"] >= 2.5  # resent at half the deadline


def test_recipient_not_on_whatsapp(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.2, "result": "not_on_whatsapp"}]))
    run = canary(ansible, sim, port, wait_for="delivered")
    assert run.rc != 0, run
    result = run.result
    assert result["problem"].startswith(
        "Hypersender could not send to %s: its queued request ended with HTTP 404 (" % MASKED
    )
    assert "is not on whatsapp" in result["problem"]
    assert result["hint"].startswith("the recipient is not on WhatsApp")
    assert result["stage"] == "queued" and result["sends"] == 1


def test_not_working_instance_is_refused_before_a_send(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"acks": DELIVERED}], status="SCAN_QR_CODE"))
    run = canary(ansible, sim, port, wait_for="delivered")
    assert run.rc != 0, run
    assert (
        run.result["problem"]
        == "instance canary-eu (%s) is SCAN_QR_CODE, not WORKING: no message was sent" % WORKING_ID
    )
    assert "scan the QR code" in run.result["hint"]
    assert log(sim, SEND) == [] and port_is_free(port)


# -- the receiver ----------------------------------------------------------------------------------------------------------


def test_a_webhook_with_a_wrong_authorization_is_refused_and_counted(simulator, ansible):
    port = free_port()
    acks = [{"after": 0.3, "ack": "DEVICE", "authorization": "Bearer forged"}, {"after": 1.2, "ack": "DEVICE"}]
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": acks}]))
    run = canary(ansible, sim, port, wait_for="delivered")
    assert run.rc == 0, run
    result = run.result
    assert result["receiver"]["unauthorized"] == 1 and result["receiver"]["accepted"] == 1
    assert [hook["status"] for hook in sim.webhooks()] == [401, 200]
    # delivered by the genuine ack only: the forged one, 0.9 s earlier, did not count
    assert result["stages"]["delivered"] >= 1.2 and len(result["messages"][0]["acks"]) == 1


def test_events_for_another_message_or_instance_are_ignored(simulator, ansible):
    port = free_port()
    acks = [
        {"after": 0.3, "ack": "DEVICE", "message_id": "3EB0SOMEONEELSE00000000"},
        {"after": 0.4, "ack": "READ", "instance_id": OTHER_ID},
        {"after": 0.5, "ack": "DEVICE", "event": "message.any"},
    ]
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": acks}]))
    run = canary(ansible, sim, port, wait_for="delivered", wait_timeout=4, resend=0)
    assert run.rc != 0, run
    result = run.result
    assert result["stage"] == "sent" and result["last_ack"] is None
    assert result["other_message_acks"] == 1
    assert result["receiver"]["accepted"] == 1 and result["receiver"]["ignored"] == 2
    assert [hook["status"] for hook in sim.webhooks()] == [200, 200, 200]


def test_no_ack_before_the_deadline_fails_on_time_and_frees_the_port(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": []}]))
    run = canary(ansible, sim, port, wait_for="delivered", wait_timeout=3, resend=0)
    assert run.rc != 0, run
    result = run.result
    assert result["problem"].startswith("the message to %s reached stage sent but not delivered within 3 s" % MASKED)
    assert "last ack none" in result["problem"]
    assert "no webhook of this instance reached the receiver" in result["hint"]
    assert result["elapsed"] >= 3 and result["sends"] == 1
    assert port_is_free(port)
    # and the next run listens on the same port
    sim.load(scenario(port, [{"processing_for": 0.2, "acks": DELIVERED}]))
    again = canary(ansible, sim, port, wait_for="delivered")
    assert again.rc == 0, again
    assert port_is_free(port)


def test_a_resend_that_then_gets_its_ack(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": []}, {"processing_for": 0.2, "acks": DELIVERED}]))
    run = canary(ansible, sim, port, wait_for="delivered", wait_timeout=6)
    assert run.rc == 0, run
    result = run.result
    assert result["sends"] == 2 and result["resent"] is True
    assert result["message_id"] == result["messages"][1]["message_id"] != result["messages"][0]["message_id"]
    assert result["stages"]["delivered"] >= 3.8  # half the deadline, then the second message's ack
    assert len(log(sim, SEND)) == 2 and result["messages"][1]["queued"] >= 3


def test_429_on_send_waits_for_retry_after(simulator, ansible):
    port = free_port()
    fault = {
        "path": SEND,
        "method": "POST",
        "count": 1,
        "status": 429,
        "headers": {"Retry-After": "2"},
        "body": {"message": "Too many requests. Please try again later."},
    }
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": DELIVERED}], faults=[fault]))
    run = canary(ansible, sim, port, wait_for="delivered")
    assert run.rc == 0, run
    sends = log(sim, SEND)
    assert [entry["status"] for entry in sends] == [429, 200]
    assert sends[1]["t"] - sends[0]["t"] >= 2
    assert run.result["sends"] == 1


def test_check_mode_sends_nothing_and_says_what_it_would_send(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"acks": DELIVERED}]))
    run = canary(ansible, sim, port, check=True, wait_for="delivered", text="release 4.2 check {run_id}")
    assert run.rc == 0, run
    result = run.result
    assert result["changed"] is True
    assert result["msg"] == (
        "check mode: would send 'release 4.2 check %s' to %s through instance canary-eu (%s), then wait up to 120 s "
        "for delivered, listening for the instance's webhooks on 127.0.0.1:%d/hypersender/webhook"
        % (result["run_id"], MASKED, WORKING_ID, port)
    )
    assert [entry["method"] for entry in sim.requests()] == ["GET"]
    assert log(sim, SEND) == [] and sim.webhooks() == []


def test_secrets_and_the_number_stay_out_of_a_failed_run_at_vvvv(simulator, ansible):
    """A failing run prints most: its arguments, the failure, the result. None carries a secret or the number."""
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.2, "result": "not_on_whatsapp"}]))
    run = canary(ansible, sim, port, wait_for="delivered")  # canary() checks the Authorization value and the number
    assert run.rc != 0 and "<redacted>" not in run.output
    assert ACCESS_TOKEN not in run.output and TOKEN not in run.output
    assert MASKED in run.output and "jid: ********@s.whatsapp.net" in run.output  # the vendor's words, number hidden


def test_show_recipient(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"processing_for": 0.2, "acks": []}]))
    run = ansible.module("instance_canary", args(port, wait_for="sent", show_recipient=True), env=env_for(sim))
    assert run.rc == 0, run
    assert run.result["to"] == PHONE and "201098765432@c.us" not in run.output
