# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""deploy_gate's deploy_gate_delivery switch through real ansible-playbook runs at -vvvv, and the verify_delivery role's
output at -vvvv with its secrets in variables. The role's checks of its variables and its connection settings are
tested by the integration target role_verify_delivery."""

from __future__ import annotations

import json
import socket
import textwrap

from conftest import CLOUD_TOKEN, TOKEN, WORKING_ID, hypersender_scenario, instance
from test_roles_playbooks import debug_lines, failure_messages

OTHER_ID = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"
WEBHOOK_AUTHORIZATION = "Bearer verify-delivery-webhook-secret-7Kx"
PHONE = "201098765432"
MASKED = "********5432"
SEND = "/send-text"
DELIVERED = [{"after": 0.5, "ack": "SERVER"}, {"after": 0.8, "ack": "DEVICE"}]
PENDING = [{"after": 0.4, "ack": "PENDING"}]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scenario(port, acks, other_status="WORKING"):
    canary = instance(
        WORKING_ID,
        "WORKING",
        name="canary-eu",
        webhook_url="http://127.0.0.1:%d/hypersender/webhook" % port,
        webhook_authorization=WEBHOOK_AUTHORIZATION,
        sends=[{"processing_for": 0.2, "acks": acks}],
    )
    return hypersender_scenario(canary, instance(OTHER_ID, other_status, name="shop-eu"))


def env_for(sim):
    return {
        "HYPERSENDER_API_URL": sim.hypersender_url,
        "HYPERSENDER_API_TOKEN": TOKEN,
        "HYPERSENDER_WEBHOOK_AUTHORIZATION": WEBHOOK_AUTHORIZATION,
    }


def gate_vars(port, **extra):
    values = {
        "wait_for_working_all": True,
        "wait_for_working_timeout": 3,
        "wait_for_working_poll_interval": 1,
        "deploy_gate_delivery": True,
        "verify_delivery_instance": "canary-eu",
        "verify_delivery_to": PHONE,
        "verify_delivery_wait_for": "delivered",
        "verify_delivery_timeout": 6,
        "verify_delivery_poll_interval": 0.5,
        "verify_delivery_receiver_port": port,
    }
    values.update(extra)
    return ["-e", json.dumps(values)]


def assert_private(run):
    assert WEBHOOK_AUTHORIZATION not in run.output and WEBHOOK_AUTHORIZATION.split(" ", 1)[1] not in run.output
    assert PHONE not in run.output, "the recipient's full number reached the output"


def sends(sim):
    return [entry for entry in sim.requests() if entry["path"].endswith(SEND)]


def test_deploy_gate_proves_delivery_after_the_status_gate(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    run = ansible(["hypersender.whatsapp.deploy_gate"] + gate_vars(port), command="ansible-playbook", env=env_for(sim))
    assert_private(run)
    assert run.rc == 0, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: PASSED"
    assert summary[1].startswith("Hypersender instances: PASSED, 2 of 2 instances WORKING")
    assert summary[4].startswith("Delivery canary:       PASSED, delivered after ")
    assert (
        summary[4].endswith(")")
        and "through instance canary-eu (%s) to %s (message 3EB0" % (WORKING_ID, MASKED) in summary[4]
    )
    assert len(summary) == 5
    # the send came after the status gate's reads
    log = sim.requests()
    first_send = next(index for index, entry in enumerate(log) if entry["path"].endswith(SEND))
    assert any(entry["path"].endswith("/instances") for entry in log[:first_send])
    assert len(sends(sim)) == 1
    plan = [line for line in run.output.splitlines() if "verify_delivery: sending a check message" in line]
    assert plan and MASKED in plan[0]
    lines = debug_lines(run.output, "verify_delivery: PASSED, delivered after ")
    assert lines[1].startswith("  text: 'Deploy check by hypersender.whatsapp.instance_canary (run ")
    assert lines[2].startswith("  stages: queued ") and lines[3].endswith(
        "2 accepted, 0 refused for their Authorization, 0 about something else"
    )


def test_deploy_gate_skips_delivery_when_a_status_gate_failed(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED, other_status="SCAN_QR_CODE"))
    run = ansible(["hypersender.whatsapp.deploy_gate"] + gate_vars(port), command="ansible-playbook", env=env_for(sim))
    assert_private(run)
    assert run.rc == 2, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: FAILED" and summary[1].startswith("Hypersender instances: FAILED, ")
    assert summary[4] == "Delivery canary:       not run, a status gate failed"
    assert sends(sim) == []


def test_deploy_gate_fails_when_the_message_does_not_get_through(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, PENDING))
    run = ansible(["hypersender.whatsapp.deploy_gate"] + gate_vars(port), command="ansible-playbook", env=env_for(sim))
    assert_private(run)
    assert run.rc == 2, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: FAILED"
    assert summary[1].startswith("Hypersender instances: PASSED")
    assert summary[4].startswith(
        "Delivery canary:       FAILED, verify_delivery: FAILED at stage sent: the message to %s reached stage sent "
        "but not delivered within 6 s" % MASKED
    )
    assert "last ack PENDING" in summary[4] and "raise verify_delivery_timeout (now 6 s)" in summary[4]
    assert failure_messages(run.output)[-1].startswith(
        "deploy_gate: FAILED. Delivery: verify_delivery: FAILED at stage sent"
    )
    assert len(sends(sim)) == 2  # resent once at half the deadline


def test_deploy_gate_sends_nothing_by_default(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    run = ansible(
        ["hypersender.whatsapp.deploy_gate", "-e", json.dumps({"wait_for_working_all": True})],
        command="ansible-playbook",
        env=env_for(sim),
    )
    assert run.rc == 0, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert len(summary) == 4 and not any(line.startswith("Delivery canary:") for line in summary)
    assert sends(sim) == []


def test_deploy_gate_check_mode_sends_nothing(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    run = ansible(
        ["hypersender.whatsapp.deploy_gate", "-C"] + gate_vars(port), command="ansible-playbook", env=env_for(sim)
    )
    assert_private(run)
    assert run.rc == 0, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[4] == (
        "Delivery canary:       CHECK MODE, not waited: would send to %s through instance canary-eu (%s) and wait "
        "for delivered" % (MASKED, WORKING_ID)
    )
    assert sends(sim) == []


ROLE_PLAY = textwrap.dedent("""\
    - hosts: localhost
      gather_facts: false
      vars:
        verify_delivery_instance: canary-eu
        verify_delivery_to: "%(phone)s"
        verify_delivery_wait_for: delivered
        verify_delivery_poll_interval: 0.5
        verify_delivery_receiver_port: %(port)s
        verify_delivery_receiver_authorization: "%(auth)s"
        whatsapp_hypersender_api_token: "%(token)s"
      roles:
        - hypersender.whatsapp.verify_delivery
    """)


def test_the_role_with_its_secrets_in_variables_at_vvvv(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    play = ROLE_PLAY % {"phone": PHONE, "port": port, "auth": WEBHOOK_AUTHORIZATION, "token": TOKEN}
    run = ansible.playbook(play, env={"HYPERSENDER_API_URL": sim.hypersender_url})
    assert_private(run)
    assert run.rc == 0, run
    assert debug_lines(run.output, "verify_delivery: PASSED, delivered after ")


def test_the_eda_relay_playbook_hands_an_ack_to_a_canary_receiver(ansible, collections_path):
    """What the example rulebook canary_ack_relay runs for each message.ack: the webhook's body reaches the receiver
    a canary opens, with the Authorization value it expects, and the value is never printed."""
    import sys  # pylint: disable=import-outside-toplevel

    sys.path.insert(0, collections_path)
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_messages import (  # pylint: disable=import-outside-toplevel
        AckEvent,
        ack_parser,
    )
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import (  # pylint: disable=import-outside-toplevel
        StaticAuthorization,
        WebhookReceiver,
    )

    ack = {
        "event": "message.ack",
        "data": {
            "event": "message.ack",
            "payload": {
                "id": "true_%s@c.us_3EB0RELAYED000000000" % PHONE[:4],
                "fromMe": True,
                "ack": 2,
                "ackName": "DEVICE",
            },
            "instanceId": WORKING_ID,
        },
    }
    receiver = WebhookReceiver(
        "127.0.0.1", 0, "/hypersender/webhook", StaticAuthorization(WEBHOOK_AUTHORIZATION), ack_parser(WORKING_ID)
    )
    with receiver:
        url = "http://127.0.0.1:%d/hypersender/webhook" % receiver.port
        extra = {"canary_receiver_url": url, "ansible_eda": {"event": {"payload": ack}}}
        run = ansible(
            ["hypersender.whatsapp.eda_canary_ack_relay", "-e", json.dumps(extra)],
            command="ansible-playbook",
            env={"CANARY_RECEIVER_AUTHORIZATION": WEBHOOK_AUTHORIZATION},
        )
        assert run.rc == 0, run
        arrived = receiver.next_event(5)
    assert arrived is not None and arrived[1] == AckEvent("3EB0RELAYED000000000", 2)
    assert receiver.stats.as_dict()["accepted"] == 1
    assert_private(run)


# -- the Cloud API numbers --------------------------------------------------------------------------------------------------

CLOUD_NUMBER = "106540352242922"
APP_SECRET = "verify-delivery-app-secret-4Rt"
CLOUD_DELIVERED = [{"after": 0.3, "status": "sent"}, {"after": 0.6, "status": "delivered"}]


def with_cloud(data, port, statuses):
    """``data`` with a Cloud API section whose number posts ``statuses`` to the receiver on ``port``."""
    data["cloud"] = {
        "tokens": [CLOUD_TOKEN],
        "app_secret": APP_SECRET,
        "callback_url": "http://127.0.0.1:%d/whatsapp/webhook" % port,
        "wabas": [
            {"id": "102290129340398", "phone_numbers": [{"id": CLOUD_NUMBER, "sends": [{"statuses": statuses}]}]}
        ],
    }
    return data


def cloud_env(sim, hypersender=True):
    env = env_for(sim) if hypersender else {}
    env.update(WA_CLOUD_API_URL=sim.url + "/graph", WA_CLOUD_TOKEN=CLOUD_TOKEN, WA_CLOUD_APP_SECRET=APP_SECRET)
    return env


def cloud_sends(sim):
    return [entry for entry in sim.requests() if entry["path"].endswith("/%s/messages" % CLOUD_NUMBER)]


def assert_cloud_private(run):
    assert_private(run)
    assert APP_SECRET not in run.output


def test_deploy_gate_proves_delivery_from_the_cloud_numbers_it_checks(simulator, ansible):
    """Only the Cloud API is configured: its gate reads the number, then the canary sends a template from it."""
    port = free_port()
    sim = simulator(with_cloud({}, port, CLOUD_DELIVERED))
    extra = gate_vars(port, verify_cloud_phone_number_ids=[CLOUD_NUMBER], verify_delivery_instance="")
    run = ansible(["hypersender.whatsapp.deploy_gate"] + extra, command="ansible-playbook", env=cloud_env(sim, False))
    assert_cloud_private(run)
    assert run.rc == 0, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: PASSED"
    assert summary[1].startswith("Hypersender instances: not checked") and summary[3].startswith(
        "Cloud API numbers:     PASSED"
    )
    assert summary[4].startswith("Delivery canary:       PASSED, delivered after ")
    assert "from phone number %s to %s (message wamid." % (CLOUD_NUMBER, MASKED) in summary[4]
    # the canary came after the gate's read, one POST and no poll
    log = sim.requests()
    assert [entry["method"] for entry in log] == ["GET", "POST"] and len(cloud_sends(sim)) == 1
    lines = debug_lines(run.output, "verify_delivery: PASSED, delivered after ")
    assert lines[0].endswith(
        "phone number %s sent template hello_world (en_US) to %s as message %s"
        % (CLOUD_NUMBER, MASKED, lines[0].rsplit(" ", 1)[-1])
    )
    assert lines[2].endswith("2 accepted, 0 refused for their signature, 0 about something else")


def test_deploy_gate_runs_both_canaries_and_fails_on_the_cloud_one(simulator, ansible):
    port = free_port()
    failed = [{"after": 0.3, "status": "failed", "errors": [131026]}]
    sim = simulator(with_cloud(scenario(port, DELIVERED), port, failed))
    extra = gate_vars(port, verify_cloud_phone_number_ids=[CLOUD_NUMBER])
    run = ansible(["hypersender.whatsapp.deploy_gate"] + extra, command="ansible-playbook", env=cloud_env(sim))
    assert_cloud_private(run)
    assert run.rc == 2, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[0] == "DEPLOY GATE: FAILED"
    assert summary[1].startswith("Hypersender instances: PASSED") and summary[3].startswith(
        "Cloud API numbers:     PASSED"
    )
    assert summary[4].startswith(
        "Delivery canary:       FAILED, verify_delivery: FAILED at stage accepted: phone number %s: Meta reported the "
        "message to %s (wamid." % (CLOUD_NUMBER, MASKED)
    )
    assert "error 131026 (Message undeliverable)" in summary[4]
    assert "set verify_delivery_to to a number that can receive the canary" in summary[4]
    assert "instance canary-eu" not in summary[4], "the Hypersender canary passed: it is not in the failure"
    # both canaries ran, the Hypersender one first
    assert len(sends(sim)) == 1 and len(cloud_sends(sim)) == 1
    assert sends(sim)[0]["t"] < cloud_sends(sim)[0]["t"]
    assert failure_messages(run.output)[-1].startswith(
        "deploy_gate: FAILED. Delivery: verify_delivery: FAILED at stage"
    )


def test_deploy_gate_check_mode_sends_from_no_cloud_number(simulator, ansible):
    port = free_port()
    sim = simulator(with_cloud({}, port, CLOUD_DELIVERED))
    extra = gate_vars(port, verify_cloud_phone_number_ids=[CLOUD_NUMBER], verify_delivery_instance="")
    run = ansible(
        ["hypersender.whatsapp.deploy_gate", "-C"] + extra, command="ansible-playbook", env=cloud_env(sim, False)
    )
    assert_cloud_private(run)
    assert run.rc == 0, run
    summary = debug_lines(run.output, "DEPLOY GATE:")
    assert summary[4] == (
        "Delivery canary:       CHECK MODE, not waited: would send template hello_world (en_US) from phone number %s "
        "to %s and wait for delivered" % (CLOUD_NUMBER, MASKED)
    )
    assert cloud_sends(sim) == []


CLOUD_ROLE_PLAY = textwrap.dedent("""\
    - hosts: localhost
      gather_facts: false
      vars:
        verify_delivery_to: "%(phone)s"
        verify_delivery_wait_for: delivered
        verify_delivery_timeout: 20
        verify_delivery_receiver_port: %(port)s
        verify_delivery_cloud_phone_number_ids: ["%(number)s"]
        whatsapp_cloud_api_url: "%(url)s"
        whatsapp_cloud_api_token: "%(token)s"
        verify_delivery_cloud_app_secret: "%(secret)s"
      roles:
        - hypersender.whatsapp.verify_delivery
    """)


def test_the_role_with_the_cloud_secrets_in_variables_at_vvvv(simulator, ansible):
    port = free_port()
    sim = simulator(with_cloud({}, port, CLOUD_DELIVERED))
    play = CLOUD_ROLE_PLAY % {
        "phone": PHONE,
        "port": port,
        "number": CLOUD_NUMBER,
        "url": sim.url + "/graph",
        "token": CLOUD_TOKEN,
        "secret": APP_SECRET,
    }
    run = ansible.playbook(play)
    assert_cloud_private(run)
    assert run.rc == 0, run
    assert debug_lines(run.output, "verify_delivery: PASSED, delivered after ")
    assert len(cloud_sends(sim)) == 1 and not any("/api/whatsapp/" in entry["path"] for entry in sim.requests())
