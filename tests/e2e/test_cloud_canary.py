# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.cloud_canary's output at -vvvv, scanned for the token (the conftest), the app secret, the
verify token and the recipient's full number. What the module does (stages, failures, the receiver, check mode,
options) is tested by the integration target module_cloud_canary.
"""

from __future__ import annotations

import textwrap

from conftest import CLOUD_TOKEN
from test_instance_canary import free_port

NUMBER_ID = "106540352242922"
OTHER_NUMBER_ID = "106540352242923"
WABA_ID = "102290129340398"
EXPIRED_TOKEN = "sim-cloud-expired-EAAGm0PX4ZCpsBB"
APP_SECRET = "canary-app-secret-9fK2xLq"
VERIFY_TOKEN = "canary-verify-token-Q7mZ"
PHONE = "201098765432"
MASKED = "********5432"


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


def assert_private(run):
    for secret in (APP_SECRET, VERIFY_TOKEN, EXPIRED_TOKEN, PHONE):
        assert secret not in run.output, "a secret or the recipient's full number reached the output"


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
