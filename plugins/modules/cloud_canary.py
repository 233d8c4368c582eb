#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloud_canary
short_description: Prove that a WhatsApp Cloud API number really sends, by sending a template and following its statuses
version_added: 0.2.0
description:
  - A number's C(health_status) can read V(AVAILABLE) while the token that sends for it has expired (Graph error 190)
    or while its messages are accepted and never delivered. This module sends one real template message from the
    number and follows it through its stages, each with its time in RV(stages) - V(accepted) (Meta answered the send
    with the message's id, a C(wamid)), V(sent), V(delivered) and V(read) (each from a status webhook Meta posts) -
    until it reaches O(wait_for) or O(wait_timeout) passes.
  - It makes one request, C(POST /<api_version>/<phone_number_id>/messages) with a template (free text would need a
    customer service window open with the recipient). Nothing is polled - the statuses come by webhook - so the module
    listens on O(receiver_host), O(receiver_port) and O(receiver_path) from before it sends until the task ends,
    however it ends. The number's status webhooks must reach that address (see the notes).
  - Only requests whose C(X-Hub-Signature-256) header is C(sha256=) and the HMAC-SHA256 of the raw body keyed with
    O(app_secret) are read; the others are answered 401, counted in RV(receiver.unauthorized) and never read.
    Statuses of other messages (counted in RV(other_message_statuses)) and of other numbers are ignored. With
    O(verify_token), the receiver also answers Meta's verification request
    (C(GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...)) with the challenge, and any other with 403.
  - A send Meta refuses (an unknown template, code 132001; an expired token, code 190; a bad parameter, code 100)
    and a C(failed) status fail the task at once with Meta's code, title and details, and what to do. Meta's rate
    limits on a send (codes 130429, 131056, 80007, 4) are waited out with backoff while that fits in O(wait_timeout).
    A wait that reaches the deadline fails naming the stage reached and the last status seen; a C(sent) that never
    becomes C(delivered) (the recipient's phone is offline, or has blocked the number) ends so.
  - The recipient's number is masked in results and messages (all but its last 4 digits) unless
    O(show_recipient=true). The token, the app secret and the verify token never appear in results, messages or logs.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  phone_number_id:
    description:
      - The ID of the business phone number that sends (digits, as WhatsApp Manager and the app's API Setup page show
        it; not the phone number itself).
    type: str
    required: true
  to:
    description:
      - The recipient's phone number with its country code, digits only (V(201234567890)); a leading V(+), spaces and
        dashes are dropped.
      - Use a number kept for this purpose (a colleague's phone, a test phone) whose phone is always online, since
        V(delivered) needs its phone to confirm. A test number of Meta's sends only to the numbers on its allowed list.
    type: str
    required: true
  template_name:
    description:
      - An approved message template of the number's WhatsApp Business Account, without parameters. Meta creates
        V(hello_world) in every new account.
    type: str
    default: hello_world
  template_language:
    description:
      - The template's language code, as WhatsApp Manager shows it (V(en_US), V(pt_BR), V(de)).
    type: str
    default: en_US
  wait_for:
    description:
      - The stage that ends the task successfully. Each needs the number's status webhooks.
      - V(read) needs someone (or something) to open the chat with read receipts on.
    type: str
    choices: [sent, delivered, read]
    default: sent
  wait_timeout:
    description:
      - How many seconds to wait at most for O(wait_for), from the send.
    type: float
    default: 120
  show_recipient:
    description:
      - Whether results show the recipient's full number instead of its last 4 digits.
    type: bool
    default: false
  receiver_path:
    description:
      - The path Meta posts the webhooks to (the path of the callback URL); other paths get 404.
    type: str
    default: /whatsapp/webhook
  app_secret:
    description:
      - The app secret of the Meta app whose webhooks reach the receiver (App Dashboard, App settings, Basic). Meta signs
        every webhook with it; the receiver trusts a request only when its C(X-Hub-Signature-256) matches.
      - Needed. If not set, the E(WA_CLOUD_APP_SECRET) environment variable is used; without either, the task fails
        before any request.
      - Compared in constant time; never appears in results, messages or logs.
    type: str
  verify_token:
    description:
      - The verify token set with the callback URL (the app's Verify Token field, or the C(verify_token) given with an
        C(override_callback_uri)). With it, the receiver answers Meta's verification request while the task runs;
        without it, it answers every verification request with 403.
      - If not set, the E(WA_CLOUD_VERIFY_TOKEN) environment variable is used.
      - Never appears in results, messages or logs.
    type: str
notes:
  - >-
    How the statuses reach the controller. Meta posts a number's status webhooks to the number's alternate callback
    (C(override_callback_uri), set with C(POST /<PHONE_NUMBER_ID>) and C(webhook_configuration)), else its WhatsApp
    Business Account's, else the app's callback URL, and only when the app is subscribed to the WhatsApp Business
    Account (C(POST /<WABA_ID>/subscribed_apps)). (1) A dedicated canary number whose callback points at the
    controller, through a reverse proxy with a valid TLS certificate (Meta calls C(https://) URLs only) that forwards
    to O(receiver_host):O(receiver_port). Meta verifies a callback when it is set, so set it while the receiver
    listens with O(verify_token) (a canary run with a long O(wait_timeout)), or let the collection's EDA event source
    answer. (2) Numbers whose webhooks already go to an Event-Driven Ansible rulebook: the collection's rulebook
    C(cloud_status_relay) hands each status over to the receiver, signed with the same app secret. See the
    collection's canary guide.
  - The module waits inside one task; run it with C(delegate_to=localhost) or on the host that receives the webhooks.
extends_documentation_fragment:
  - hypersender.whatsapp.cloud
  - hypersender.whatsapp.receiver
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_cloud
attributes:
  check_mode:
    details:
      - Sends nothing, reads nothing and does not listen; says in RV(msg) what it would send, from which number, to whom,
        and where it would listen.
seealso:
  - module: hypersender.whatsapp.cloud_health
  - module: hypersender.whatsapp.instance_canary
  - name: Send messages (WhatsApp Cloud API)
    description: The messages endpoint and its answer.
    link: https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages
  - name: Webhook overrides
    description: A number's or WhatsApp Business Account's alternate callback URL, and the app's subscription.
    link: https://developers.facebook.com/docs/whatsapp/embedded-signup/webhooks/override
  - name: Webhooks, getting started (Graph API)
    description: The verification request and the signature of event notifications.
    link: https://developers.facebook.com/docs/graph-api/webhooks/getting-started
"""

EXAMPLES = r"""
- name: Prove that the support number sends (token, app secret from the environment)
  hypersender.whatsapp.cloud_canary:
    phone_number_id: "106540352242922"
    to: "{{ canary_phone }}"
  delegate_to: localhost

- name: Prove delivery; the number's callback reaches this controller through a TLS proxy
  hypersender.whatsapp.cloud_canary:
    phone_number_id: "106540352242922"
    to: "{{ canary_phone }}"
    template_name: deploy_check
    template_language: en
    wait_for: delivered
    wait_timeout: 180
    receiver_port: 8090
    app_secret: "{{ vault_meta_app_secret }}"
    verify_token: "{{ vault_meta_verify_token }}"
  delegate_to: localhost
  register: canary

- name: Say how long delivery took
  ansible.builtin.debug:
    msg: "delivered after {{ canary.stages.delivered }} s (message {{ canary.message_id }})"
"""

RETURN = r"""
phone_number_id:
  description: The number that sent (or would send, in check mode).
  returned: always
  type: str
  sample: "106540352242922"
to:
  description: The recipient, all but the last 4 digits masked unless O(show_recipient=true).
  returned: always
  type: str
  sample: "********5432"
template:
  description: The template sent, C(name) and C(language).
  returned: always
  type: dict
  sample: {name: hello_world, language: en_US}
wait_for:
  description: The stage awaited.
  returned: always
  type: str
stage:
  description: The last stage reached, V(accepted), V(sent), V(delivered) or V(read); null when Meta refused the send.
  returned: when a send was tried
  type: str
  sample: delivered
stages:
  description: Seconds from the send to each stage, null for a stage not reached.
  returned: when a send was tried
  type: dict
  sample: {accepted: 0.21, sent: 0.52, delivered: 0.81, read: null}
message_id:
  description: The message's id (C(messages[0].id) of Meta's answer, a C(wamid)); null when Meta refused the send.
  returned: when a send was tried
  type: str
  sample: wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA
sends:
  description: How many messages were sent, 1 (or 0 when Meta refused the send).
  returned: when a send was tried
  type: int
statuses:
  description: The statuses of this message, in the order they arrived, each with C(status), C(at) (seconds from the
    send) and, for C(failed), C(errors).
  returned: when a send was tried
  type: list
  elements: dict
last_status:
  description: The last status seen (C(status), C(at)), null if none.
  returned: when a send was tried
  type: dict
other_message_statuses:
  description: Statuses of this number's other messages (ignored).
  returned: when a send was tried
  type: int
error:
  description: Meta's error of a refused send or a failed status - C(code), C(title), C(message), C(details), C(href).
  returned: when Meta refused the send with an error code, or a status failed
  type: dict
  sample: {code: 131026, title: Message undeliverable, message: Message undeliverable, details: "Unable to deliver message.", href: null}
api_calls:
  description: Requests made to the Graph API (1, more only when a rate limit was waited out).
  returned: when a send was tried
  type: int
receiver:
  description: Where the webhook receiver listened and what it saw.
  returned: once it listened (not in check mode)
  type: dict
  contains:
    listened_on:
      description: Host, port and path.
      type: str
      sample: 127.0.0.1:8089/whatsapp/webhook
    accepted:
      description: Signed requests that carried a status of the number.
      type: int
    ignored:
      description: Signed requests about something else (another number, another webhook field).
      type: int
    unauthorized:
      description: Requests refused (401) because their C(X-Hub-Signature-256) was missing or wrong.
      type: int
    rejected:
      description: Requests to another path, with another method, too large, or not JSON.
      type: int
    dropped:
      description: Statuses dropped because too many were waiting (a flood).
      type: int
    handshakes:
      description: Verification requests answered with the challenge (the verify token matched).
      type: int
    handshakes_refused:
      description: Verification requests refused (403) - another verify token, or none set.
      type: int
elapsed:
  description: Seconds from the send to the end of the run.
  returned: when a send was tried
  type: float
problem:
  description: What went wrong, in Meta's words where it gave some.
  returned: on failure
  type: str
hint:
  description: What to do about it.
  returned: on failure, when there is advice
  type: str
reason:
  description:
    - The kind of failure, for roles that word their own advice. V(options) (an option refused before any request),
      V(receiver) (the receiver could not listen; nothing sent), V(auth_failed) (Meta refused the token), V(rate_limited),
      V(send_refused) (Meta refused the send with an error code), V(api_error) (no usable answer), V(failed) (a failed
      status), or V(timed_out).
  returned: on failure, except when Ansible refuses the options itself
  type: str
  sample: timed_out
check_mode:
  description: True when the task ran in check mode and sent nothing.
  returned: in check mode
  type: bool
msg:
  description: What happened, or would happen in check mode.
  returned: always
  type: str
"""

from ansible.module_utils.basic import env_fallback
from ansible_collections.hypersender.whatsapp.plugins.module_utils._canary import WAIT_FOR, receiver_argument_spec
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import (
    MESSAGING_PERMISSION,
    build_client,
    connection_argument_spec,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_canary import (
    APP_SECRET_ENV,
    DEFAULT_RECEIVER_PATH,
    VERIFY_TOKEN_ENV,
    CloudCanary,
    CloudCanaryOptions,
    CloudMessages,
    status_parser,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule
from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import (
    HubSignature,
    ReceiverError,
    WebhookReceiver,
)


def argument_spec():
    spec = connection_argument_spec(env_fallback)
    spec.update(
        phone_number_id=dict(type="str", required=True),
        to=dict(type="str", required=True, no_log=True),
        template_name=dict(type="str", default="hello_world"),
        template_language=dict(type="str", default="en_US"),
        wait_for=dict(type="str", choices=list(WAIT_FOR), default="sent"),
        wait_timeout=dict(type="float", default=120),
        show_recipient=dict(type="bool", default=False),
        app_secret=dict(type="str", no_log=True, fallback=(env_fallback, [APP_SECRET_ENV])),
        verify_token=dict(type="str", no_log=True, fallback=(env_fallback, [VERIFY_TOKEN_ENV])),
        **receiver_argument_spec(DEFAULT_RECEIVER_PATH),
    )
    return spec


def main():
    module = WhatsAppModule(argument_spec())
    params = module.params
    for secret in (params["api_token"], params["app_secret"], params["verify_token"]):
        if secret:
            module.no_log_values.add(secret)  # from the environment too, unseen by no_log
    try:
        options = CloudCanaryOptions(params)
        api = build_client(params, MESSAGING_PERMISSION, **module.client_options)
    except OptionError as error:
        module.fail(error, problem=str(error), reason="options")
    if params["show_recipient"]:  # asked for: the number is no secret in this run's results
        module.no_log_values.discard(params["to"])
    else:
        module.no_log_values.add(options.digits)
    result = dict(
        changed=False,
        phone_number_id=options.phone_number_id,
        to=options.recipient,
        template=options.template,
        wait_for=options.wait_for,
    )
    if module.check_mode:
        api.client.close()
        result.update(changed=True, check_mode=True, msg=options.plan())
        module.exit_json(**result)
    receiver = open_receiver(module, options, result)
    try:
        with api.client:
            outcome = CloudCanary(
                CloudMessages(api.client, api.version),
                options.phone_number_id,
                options.digits,
                options.template_name,
                options.template_language,
                receiver,
                wait_for=options.wait_for,
                wait_timeout=options.wait_timeout,
                webhook_stats=receiver.stats.as_dict,
                recipient=options.recipient,
            ).run()
    finally:
        receiver.stop()  # whatever happened above: the port is free again
        result["receiver"].update(receiver.stats.as_dict())
    result.update(outcome.report, changed=outcome.report["sends"] > 0, api_calls=api.client.requests_sent)
    if not outcome.ok:
        module.fail_json(
            msg=outcome.message, problem=outcome.problem, hint=outcome.hint, reason=outcome.reason, **result
        )
    result["msg"] = options.success(outcome.report)
    module.exit_json(**result)


def open_receiver(module, options, result):
    """The receiver, listening before anything is sent; a port it cannot have fails the task before a send."""
    receiver = WebhookReceiver(
        options.receiver_host,
        options.receiver_port,
        options.receiver_path,
        HubSignature(options.app_secret, options.verify_token),
        status_parser(options.phone_number_id),
    )
    result["receiver"] = {"listened_on": options.receiver_address}
    try:
        return receiver.start()
    except ReceiverError as error:
        module.fail(error, problem=str(error), reason="receiver", **result)
    return None  # not reached: fail exits


if __name__ == "__main__":
    main()
