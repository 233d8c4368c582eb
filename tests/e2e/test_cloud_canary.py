# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.cloud_canary through real ansible / ansible-playbook runs at -vvvv.

The simulator plays the Graph API's messages endpoint and posts the number's signed status webhooks to the module's
receiver, on a timeline that counts from the send (however slowly Ansible starts). Every output is scanned for the
token (the conftest), the app secret, the verify token and the recipient's full number.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import textwrap
import threading
import time

import requests
from conftest import CLOUD_TOKEN
from test_instance_canary import free_port, port_is_free

NUMBER_ID = "106540352242922"
OTHER_NUMBER_ID = "106540352242923"
WABA_ID = "102290129340398"
EXPIRED_TOKEN = "sim-cloud-expired-EAAGm0PX4ZCpsBB"
APP_SECRET = "canary-app-secret-9fK2xLq"
VERIFY_TOKEN = "canary-verify-token-Q7mZ"
PHONE = "201098765432"
MASKED = "********5432"
MESSAGES = r"/graph/v[0-9.]+/%s/messages$" % NUMBER_ID
DELIVERED = [{"after": 0.3, "status": "sent"}, {"after": 0.6, "status": "delivered"}]


def scenario(port, statuses, **cloud):
    number = {"id": NUMBER_ID, "display_phone_number": "+1 555-078-3881", "sends": [{"statuses": statuses}]}
    data = {
        "cloud": {
            "tokens": [CLOUD_TOKEN],
            "expired_tokens": [EXPIRED_TOKEN],
            "app_secret": APP_SECRET,
            "callback_url": "http://127.0.0.1:%d/whatsapp/webhook" % port,
            "wabas": [{"id": WABA_ID, "phone_numbers": [number, {"id": OTHER_NUMBER_ID}]}],
        }
    }
    data["cloud"].update(cloud)
    return data


def env_for(sim, token=CLOUD_TOKEN, **extra):
    # The secrets and the number come from the environment, as in a pipeline: ansible-core prints a failed ad-hoc
    # task's literal arguments (its "Origin"), so a value typed there is the caller's to hide.
    env = {
        "WA_CLOUD_API_URL": sim.url + "/graph",
        "WA_CLOUD_TOKEN": token,
        "WA_CLOUD_APP_SECRET": APP_SECRET,
        "CANARY_TO": "+" + PHONE,
    }
    env.update(extra)
    return env


def args(port, **options):
    values = {
        "phone_number_id": NUMBER_ID,
        "to": "{{ lookup('ansible.builtin.env', 'CANARY_TO') }}",
        "receiver_port": port,
    }
    values.update(options)
    return values


def assert_private(run):
    for secret in (APP_SECRET, VERIFY_TOKEN, EXPIRED_TOKEN, PHONE):
        assert secret not in run.output, "a secret or the recipient's full number reached the output"


def log(sim, path=MESSAGES):
    return [entry for entry in sim.requests() if re.search(path, entry["path"])]


def canary(ansible, sim, port, check=False, env=None, **options):
    run = ansible.module(
        "cloud_canary", args(port, **options), env=env or env_for(sim), extra_args=["--check"] if check else []
    )
    assert_private(run)
    return run


def signed_post(port, payload):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return requests.post(
        "http://127.0.0.1:%d/whatsapp/webhook" % port,
        data=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        timeout=10,
    )


def status_payload(wamid, status):
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": NUMBER_ID},
        "statuses": [{"id": wamid, "status": status, "timestamp": "1764859906", "recipient_id": PHONE}],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }


# -- stages ------------------------------------------------------------------------------------------------------------


def test_sent(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"after": 0.4, "status": "sent"}]))
    run = canary(ansible, sim, port)
    assert run.rc == 0, run
    result = run.result
    assert result["changed"] is True and result["stage"] == "sent" and result["wait_for"] == "sent"
    assert result["to"] == MASKED and result["template"] == {"name": "hello_world", "language": "en_US"}
    assert result["message_id"].startswith("wamid.") and result["sends"] == 1
    assert result["stages"]["accepted"] <= result["stages"]["sent"] and result["stages"]["sent"] >= 0.4
    assert result["stages"]["delivered"] is None
    assert result["receiver"]["accepted"] == 1 and result["receiver"]["unauthorized"] == 0
    # the floor: one request, a POST, and no poll
    assert [(entry["method"], entry["status"]) for entry in sim.requests()] == [("POST", 200)]
    assert result["api_calls"] == 1
    assert re.match(
        r"^phone number %s sent template hello_world \(en_US\) to %s as message %s: accepted after [0-9.]+ s, sent "
        r"after [0-9.]+ s$" % (NUMBER_ID, re.escape(MASKED), re.escape(result["message_id"])),
        result["msg"],
    ), result["msg"]
    assert port_is_free(port)


def test_delivered(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    run = canary(ansible, sim, port, wait_for="delivered")
    assert run.rc == 0, run
    result = run.result
    assert result["stage"] == "delivered" and result["stages"]["delivered"] >= 0.6
    assert [status["status"] for status in result["statuses"]] == ["sent", "delivered"]
    assert result["last_status"]["status"] == "delivered"
    assert [hook["status"] for hook in sim.webhooks()] == [200, 200]
    assert len(log(sim)) == 1


def test_read(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED + [{"after": 0.8, "status": "read"}]))
    run = canary(ansible, sim, port, wait_for="read")
    assert run.rc == 0, run
    stages = run.result["stages"]
    assert run.result["stage"] == "read" and stages["sent"] <= stages["delivered"] <= stages["read"]


def test_a_status_out_of_order_still_gives_each_stage_its_time(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"after": 0.3, "status": "delivered"}, {"after": 0.5, "status": "sent"}]))
    run = canary(ansible, sim, port, wait_for="delivered")
    assert run.rc == 0, run
    assert run.result["stages"]["sent"] == run.result["stages"]["delivered"], "delivered implies sent by then"


# -- failures ----------------------------------------------------------------------------------------------------------


def test_a_failed_status_fails_at_once_with_metas_code_title_and_what_to_do(simulator, ansible):
    port = free_port()
    statuses = [{"after": 0.3, "status": "sent"}, {"after": 0.5, "status": "failed", "errors": [131026]}]
    sim = simulator(scenario(port, statuses))
    run = canary(ansible, sim, port, wait_for="delivered", wait_timeout=120)
    assert run.rc != 0, run
    result = run.result
    assert result["reason"] == "failed" and result["stage"] == "sent"
    assert result["problem"].startswith(
        "Meta reported the message to %s (%s) failed after " % (MASKED, result["message_id"])
    )
    assert "error 131026 (Message undeliverable): Unable to deliver message" in result["problem"]
    assert result["hint"].startswith("the recipient cannot receive it: the number is not on WhatsApp")
    assert result["error"]["code"] == 131026 and result["error"]["title"] == "Message undeliverable"
    # It ended on the failed status, not at its deadline: the reason is "failed", never "timed_out" (asserted above).
    assert port_is_free(port)


def test_an_unknown_template_is_refused_before_anything_is_awaited(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    run = canary(ansible, sim, port, template_name="no_such_template", wait_for="delivered")
    assert run.rc != 0, run
    result = run.result
    assert result["reason"] == "send_refused" and result["stage"] is None and result["sends"] == 0
    assert result["problem"] == (
        "Meta refused to send template no_such_template (en_US) from phone number %s to %s: error 132001 (Template "
        "name does not exist in the translation): template name (no_such_template) does not exist in en_US"
        % (NUMBER_ID, MASKED)
    )
    assert "check template_name and template_language" in result["hint"]
    assert [entry["status"] for entry in log(sim)] == [404] and sim.webhooks() == []


def test_an_expired_token_fails_saying_to_make_a_new_one_that_may_send(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    run = canary(ansible, sim, port, env=env_for(sim, token=EXPIRED_TOKEN))
    assert run.rc != 0, run
    result = run.result
    assert result["reason"] == "auth_failed" and result["error"]["code"] == 190
    assert "the access token was rejected: it has expired (subcode 463)" in result["problem"]
    assert "whatsapp_business_messaging permission" in result["problem"]
    assert [entry["status"] for entry in log(sim)] == [401]


def test_no_status_before_the_deadline_fails_on_time_naming_the_stage(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, []))
    run = canary(ansible, sim, port, wait_timeout=3)
    assert run.rc != 0, run
    result = run.result
    assert result["reason"] == "timed_out" and result["stage"] == "accepted"
    assert result["problem"] == "Meta accepted the message to %s (%s) but no status of it came within 3 s" % (
        MASKED,
        result["message_id"],
    )
    assert result["hint"].startswith("no status webhook of this number reached the receiver")
    assert result["elapsed"] >= 3
    assert port_is_free(port)


def test_sent_but_never_delivered_fails_on_time_at_stage_sent(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"after": 0.3, "status": "sent"}]))
    run = canary(ansible, sim, port, wait_for="delivered", wait_timeout=3)
    assert run.rc != 0, run
    result = run.result
    assert result["stage"] == "sent" and result["elapsed"] >= 3
    assert result["problem"].startswith(
        "the message to %s (%s) reached stage sent but not delivered within 3 s; last status sent after "
        % (MASKED, result["message_id"])
    )
    assert "recipient's phone may be offline or may have blocked the number" in result["hint"]


def test_a_rate_limited_send_is_waited_out(simulator, ansible):
    port = free_port()
    fault = {
        "path": MESSAGES,
        "method": "POST",
        "count": 1,
        "status": 400,
        "body": {
            "error": {
                "message": "(#130429) Rate limit hit",
                "type": "OAuthException",
                "code": 130429,
                "fbtrace_id": "A1",
            }
        },
    }
    data = scenario(port, DELIVERED)
    data["faults"] = [fault]
    sim = simulator(data)
    run = canary(ansible, sim, port, wait_for="delivered")
    assert run.rc == 0, run
    assert [entry["status"] for entry in log(sim)] == [400, 200]
    assert run.result["api_calls"] == 2 and run.result["stage"] == "delivered"


# -- the receiver ----------------------------------------------------------------------------------------------------------


def test_bad_and_missing_signatures_are_refused_and_counted(simulator, ansible):
    port = free_port()
    statuses = [
        {"after": 0.2, "status": "delivered", "signature": "bad"},
        {"after": 0.3, "status": "delivered", "signature": "missing"},
        {"after": 1.0, "status": "delivered"},
    ]
    sim = simulator(scenario(port, statuses))
    run = canary(ansible, sim, port, wait_for="delivered")
    assert run.rc == 0, run
    result = run.result
    assert result["receiver"]["unauthorized"] == 2 and result["receiver"]["accepted"] == 1
    assert [hook["status"] for hook in sim.webhooks()] == [401, 401, 200]
    # delivered by the signed status only: the two refused ones, 0.8 s earlier, did not count
    assert result["stages"]["delivered"] >= 1.0 and len(result["statuses"]) == 1


def test_refused_signatures_name_the_app_secret_when_nothing_else_came(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"after": 0.2, "status": "sent", "signature": "bad"}]))
    run = canary(ansible, sim, port, wait_timeout=3)
    assert run.rc != 0, run
    assert run.result["hint"].startswith("1 webhook request(s) had a missing or wrong X-Hub-Signature-256")


def test_statuses_of_another_message_or_number_are_ignored(simulator, ansible):
    port = free_port()
    statuses = [
        {"after": 0.2, "status": "delivered", "id": "wamid.HBgLSOMEONEELSE"},
        {"after": 0.3, "status": "delivered", "phone_number_id": OTHER_NUMBER_ID},
    ]
    sim = simulator(scenario(port, statuses))
    run = canary(ansible, sim, port, wait_for="delivered", wait_timeout=3)
    assert run.rc != 0, run
    result = run.result
    assert result["stage"] == "accepted" and result["statuses"] == []
    assert result["other_message_statuses"] == 1
    assert result["receiver"]["accepted"] == 1 and result["receiver"]["ignored"] == 1
    assert result["hint"].startswith("statuses of this number's other messages arrive, but none of this one")


def test_the_verification_handshake_during_a_run(simulator, ansible):
    """Meta verifies a callback when it is set: while the canary listens, the right verify token gets the challenge
    back, a wrong one 403. Then a status signed with the app secret ends the run."""
    port = free_port()
    sim = simulator(scenario(port, [{"after": 0.0, "status": "sent"}]))
    seen = {}

    def meta():
        end = time.monotonic() + 240
        while not sim.webhooks() and time.monotonic() < end:
            time.sleep(0.05)
        seen["wrong"] = sim.verify_callback(verify_token="not-the-verify-token")
        seen["right"] = sim.verify_callback(verify_token=VERIFY_TOKEN)
        seen["delivered"] = signed_post(port, status_payload(sim.webhooks()[0]["message_id"], "delivered")).status_code

    thread = threading.Thread(target=meta, daemon=True)
    thread.start()
    run = canary(ansible, sim, port, env=env_for(sim, WA_CLOUD_VERIFY_TOKEN=VERIFY_TOKEN), wait_for="delivered")
    thread.join(30)
    assert run.rc == 0, run
    assert seen["wrong"]["status"] == 403 and not seen["wrong"]["verified"]
    assert seen["right"]["verified"] and seen["right"]["body"] == seen["right"]["challenge"]
    assert seen["delivered"] == 200
    receiver = run.result["receiver"]
    assert (receiver["handshakes"], receiver["handshakes_refused"], receiver["accepted"]) == (1, 1, 2)


def test_a_busy_port_fails_before_anything_is_sent(simulator, ansible):
    import socket  # pylint: disable=import-outside-toplevel

    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen(1)
        run = canary(ansible, sim, port)
    assert run.rc != 0, run
    assert run.result["reason"] == "receiver" and "choose a free receiver_port" in run.result["problem"]
    assert sim.requests() == []


# -- check mode, options and secrets ---------------------------------------------------------------------------------------


def test_check_mode_sends_nothing_and_says_what_it_would_send(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    run = canary(ansible, sim, port, check=True, wait_for="delivered")
    assert run.rc == 0, run
    result = run.result
    assert result["changed"] is True and result["check_mode"] is True and "receiver" not in result
    assert result["msg"] == (
        "check mode: would send template hello_world (en_US) from phone number %s to %s, then wait up to 120 s for "
        "delivered, listening for the number's status webhooks on 127.0.0.1:%d/whatsapp/webhook"
        % (NUMBER_ID, MASKED, port)
    )
    assert sim.requests() == [] and sim.webhooks() == []


def test_options_are_checked_before_any_request(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, DELIVERED))
    run = canary(ansible, sim, port, env=env_for(sim, WA_CLOUD_APP_SECRET=""))
    assert run.rc != 0 and run.result["reason"] == "options", run
    assert run.result["problem"].startswith("app_secret is empty: set it (or the WA_CLOUD_APP_SECRET environment")
    bad_id = canary(ansible, sim, port, phone_number_id="+1 555 078 3881")
    assert bad_id.rc != 0 and "that looks like a phone number" in bad_id.result["problem"], bad_id
    assert sim.requests() == []


SECRET_PLAY = textwrap.dedent("""\
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Canary with every secret in the task's arguments
          hypersender.whatsapp.cloud_canary:
            phone_number_id: "%(number)s"
            to: "%(phone)s"
            api_url: "%(url)s"
            api_token: "%(token)s"
            app_secret: "%(secret)s"
            verify_token: "%(verify)s"
            wait_for: delivered
            wait_timeout: 60
            receiver_port: %(port)d
    """)


def test_the_token_the_app_secret_and_the_number_stay_out_of_a_failed_run_at_vvvv(simulator, ansible):
    """A failing task prints most: its arguments, the failure, the result; none carries a secret or the number."""
    port = free_port()
    statuses = [
        {
            "after": 0.2,
            "status": "failed",
            "errors": [{"code": 131026, "details": "Recipient %s is not on WhatsApp." % PHONE}],
        }
    ]
    sim = simulator(scenario(port, statuses))
    play = SECRET_PLAY % {
        "number": NUMBER_ID,
        "phone": PHONE,
        "url": sim.url + "/graph",
        "token": CLOUD_TOKEN,
        "secret": APP_SECRET,
        "verify": VERIFY_TOKEN,
        "port": port,
    }
    run = ansible.playbook(play)  # the conftest scans for the Cloud API token
    assert_private(run)
    assert run.rc == 2, run
    result = run.result
    assert result["reason"] == "failed" and MASKED in run.output
    assert "Recipient ******** is not on WhatsApp" in result["problem"]  # Meta's words, the number hidden
    assert "<redacted>" not in run.output


def test_show_recipient(simulator, ansible):
    port = free_port()
    sim = simulator(scenario(port, [{"after": 0.2, "status": "sent"}]))
    run = ansible.module("cloud_canary", args(port, show_recipient=True), env=env_for(sim))
    assert run.rc == 0, run
    assert run.result["to"] == PHONE and MASKED not in run.result["msg"]
