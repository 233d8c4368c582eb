# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two relay rulebooks, run by the real ansible-rulebook: the collection's delivery_webhook source receives the
simulator's webhooks (Hypersender's acks, Meta's signed statuses), trusts only the verified ones, and the relay
playbooks hand them over to a canary that a real ``ansible`` run keeps listening meanwhile. The canary passes only
if the relayed webhooks reached it, with the credential it checks.

The timelines count from each send; the rulebook is started, and listening, before the canary sends.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from conftest import ACCESS_TOKEN, SHOP_ID, TOKEN, ansible_env, assert_no_secret

SOURCE_PORT_HOST = "127.0.0.1"
PHONE = "201098765432"
MASKED = "********5432"
CLOUD_TOKEN = "sim-cloud-token-relay-EAAGm0PX"
NUMBER_ID = "106540352242922"
APP_SECRET = "relay-app-secret-5Fv8w"
VERIFY_TOKEN = "relay-verify-token-Kd3"
INSTANCE_AUTHORIZATION = "Bearer instance-webhooks-secret-Ty7"
CANARY_AUTHORIZATION = "Bearer canary-receiver-secret-Lp2"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def run_canary(module, args, env, collections_path, tmp_path):
    """``ansible localhost -m hypersender.whatsapp.<module>`` at -vvvv: (rc, its last result, its output)."""
    bin_dir = Path(sys.executable).parent
    full_env = ansible_env(
        collections_path,
        tmp_path / "canary",
        bin_dir,
        ANSIBLE_STDOUT_CALLBACK="minimal",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        **env,
    )
    argv = [
        str(bin_dir / "ansible"),
        "localhost",
        "-m",
        "hypersender.whatsapp." + module,
        "-a",
        json.dumps(args),
        "-vvvv",
    ]
    completed = subprocess.run(
        argv, env=full_env, cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False
    )
    output = completed.stdout + completed.stderr
    start = output.rfind(" => {")
    result = json.JSONDecoder().raw_decode(output, start + 4)[0] if start >= 0 else {}
    return completed.returncode, result, output


# What no output may hold: the credentials, and the recipient's full number.
SECRETS = (
    APP_SECRET,
    VERIFY_TOKEN,
    CLOUD_TOKEN,
    TOKEN,
    ACCESS_TOKEN,
    INSTANCE_AUTHORIZATION.split(" ", 1)[1],
    CANARY_AUTHORIZATION.split(" ", 1)[1],
    PHONE,
)


def assert_secrets_absent(*outputs):
    for index, output in enumerate(outputs):
        assert_no_secret(output, SECRETS, "output #%d" % index)


def test_the_cloud_status_relay_hands_metas_signed_statuses_to_a_running_canary(
    simulator, rulebook, collections_path, tmp_path
):
    source_port, canary_port = free_port(), free_port()
    statuses = [
        {"after": 0.5, "status": "delivered", "signature": "bad"},  # refused by the source, never relayed
        {"after": 1.0, "status": "sent"},
        {"after": 2.0, "status": "delivered"},
    ]
    sim = simulator(
        {
            "cloud": {
                "tokens": [CLOUD_TOKEN],
                "app_secret": APP_SECRET,
                "callback_url": "http://127.0.0.1:%d/whatsapp/webhook" % source_port,
                "wabas": [
                    {"id": "102290129340398", "phone_numbers": [{"id": NUMBER_ID, "sends": [{"statuses": statuses}]}]}
                ],
            }
        }
    )
    relay = rulebook(
        "hypersender.whatsapp.cloud_status_relay",
        sim,
        {"webhook_port": source_port},
        env={
            "WA_CLOUD_APP_SECRET": APP_SECRET,
            "WA_CLOUD_VERIFY_TOKEN": VERIFY_TOKEN,
            "CANARY_RECEIVER_URL": "http://127.0.0.1:%d/whatsapp/webhook" % canary_port,
        },
        extra_args=["-E", "CANARY_RECEIVER_URL"],
    )
    relay.wait_until(lambda: listening(source_port), "the source listening on its port")
    # Meta verifies the callback when it is set: the source answers with the verify token, refuses another one
    assert sim.verify_callback(verify_token=VERIFY_TOKEN)["verified"]
    assert sim.verify_callback(verify_token="not-the-verify-token")["status"] == 403

    rc, result, output = run_canary(
        "cloud_canary",
        {
            "phone_number_id": NUMBER_ID,
            "to": PHONE,
            "wait_for": "delivered",
            "wait_timeout": 300,
            "receiver_port": canary_port,
        },
        {"WA_CLOUD_API_URL": sim.url + "/graph", "WA_CLOUD_TOKEN": CLOUD_TOKEN, "WA_CLOUD_APP_SECRET": APP_SECRET},
        collections_path,
        tmp_path,
    )
    relayed = relay.output
    assert rc == 0, output[-4000:] + "\n--- rulebook ---\n" + relayed[-4000:]
    assert result["stage"] == "delivered" and result["to"] == MASKED
    assert [status["status"] for status in result["statuses"]] == ["sent", "delivered"]
    assert result["receiver"]["accepted"] == 2 and result["receiver"]["unauthorized"] == 0, "relayed and signed right"
    assert [hook["status"] for hook in sim.webhooks()] == [401, 200, 200], "the source refused the bad signature"
    assert relayed.count("PLAY [Hand a Cloud API status over to the canary's receiver]") == 2
    relay.stop()
    assert_secrets_absent(output, relay.output)


def test_the_canary_ack_relay_hands_the_instances_acks_to_a_running_canary(
    simulator, rulebook, collections_path, tmp_path
):
    source_port, canary_port = free_port(), free_port()
    acks = [
        {"after": 0.5, "ack": "DEVICE", "authorization": "Bearer forged"},  # refused by the source, never relayed
        {"after": 1.0, "ack": "SERVER"},
        {"after": 2.0, "ack": "DEVICE"},
    ]
    sim = simulator(
        {
            "hypersender": {
                "tokens": [TOKEN],
                "instances": [
                    {
                        "id": SHOP_ID,
                        "name": "canary-eu",
                        "status": "WORKING",
                        "access_token": ACCESS_TOKEN,
                        "webhook_url": "http://127.0.0.1:%d/hypersender/webhook" % source_port,
                        "webhook_authorization": INSTANCE_AUTHORIZATION,
                        "sends": [{"processing_for": 0.2, "acks": acks}],
                    }
                ],
            }
        }
    )
    relay = rulebook(
        "hypersender.whatsapp.canary_ack_relay",
        sim,
        {"webhook_port": source_port},
        env={
            "HYPERSENDER_WEBHOOK_AUTHORIZATION": INSTANCE_AUTHORIZATION,
            "CANARY_RECEIVER_AUTHORIZATION": CANARY_AUTHORIZATION,
            "CANARY_RECEIVER_URL": "http://127.0.0.1:%d/hypersender/webhook" % canary_port,
        },
        extra_args=["-E", "CANARY_RECEIVER_URL"],
    )
    relay.wait_until(lambda: listening(source_port), "the source listening on its port")

    rc, result, output = run_canary(
        "instance_canary",
        {
            "instance": "canary-eu",
            "to": PHONE,
            "wait_for": "delivered",
            "wait_timeout": 300,
            "wait_sleep": 0.5,
            "receiver_port": canary_port,
        },
        {
            "HYPERSENDER_API_URL": sim.hypersender_url,
            "HYPERSENDER_API_TOKEN": TOKEN,
            "HYPERSENDER_WEBHOOK_AUTHORIZATION": CANARY_AUTHORIZATION,
        },
        collections_path,
        tmp_path,
    )
    relayed = relay.output
    assert rc == 0, output[-4000:] + "\n--- rulebook ---\n" + relayed[-4000:]
    assert result["stage"] == "delivered" and result["sends"] == 1
    assert result["receiver"]["accepted"] == 2 and result["receiver"]["unauthorized"] == 0
    assert [hook["status"] for hook in sim.webhooks()] == [401, 200, 200], "the source refused the forged ack"
    assert relayed.count("PLAY [Hand a message.ack over to the canary's receiver]") == 2
    relay.stop()
    assert_secrets_absent(output, relay.output)
