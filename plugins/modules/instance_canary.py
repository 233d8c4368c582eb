#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: instance_canary
short_description: Prove that a Hypersender WhatsApp instance really sends, by sending it a message
version_added: 0.2.0
description:
  - An instance can report C(WORKING) while every message it sends stays at ack C(PENDING) or fails, until someone
    scans a new QR code. This module sends one real message through the instance and follows it through its
    stages, each with its time in RV(stages) - V(queued) (Hypersender accepted the send), V(sent) (its queued request
    was processed, HTTP 201 or 200, and names the message), V(delivered) (an ack C(DEVICE) or higher came back), and
    V(read) (an ack C(READ) or higher) - until it reaches O(wait_for) or O(wait_timeout) passes.
  - It sends with Hypersender's v2 API (C(POST /{instance}/send-text)), then reads the queued request
    (C(GET /{instance}/queued-requests/{uuid})) once every O(wait_sleep) seconds until it is processed.
  - Acks come by webhook. With O(wait_for=delivered) or O(wait_for=read) the module listens on O(receiver_host),
    O(receiver_port) and O(receiver_path) for as long as the task runs, before it sends, and stops listening when the
    task ends, however it ends. The instance's webhooks must reach that address (see the notes). A webhook request
    whose C(Authorization) header is not exactly O(receiver_authorization) is answered 401, counted in
    RV(receiver.unauthorized), and never read; events of other instances and acks of other messages are ignored.
  - Without an ack after half of O(wait_timeout), the message is sent once more (O(resend)), as the maintainers of the
    engine behind Hypersender advise; an ack of either message counts.
  - A send that fails (the queued request ends with HTTP 404, 422 or 500) and an ack C(ERROR) fail the task at once,
    with Hypersender's words and what to do. A wait that reaches the deadline fails naming the stage reached and the
    last ack seen.
  - Which token sends. Hypersender's instance endpoints take the instance's own access token as Bearer token, the
    C(access_token) that C(POST /create-instance) returns ("Bearer token for authenticating API requests") and
    C(GET /instances) lists (null until a phone is linked), and that the official SDK sends for its instance. So the
    module reads it from the instance list with O(api_token), the account's token, unless O(instance_token) is
    given. The access token never appears in results, messages or logs.
  - The recipient's number is masked in results and messages (all but its last 4 digits) unless
    O(show_recipient=true).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  instance:
    description:
      - The instance that sends, by its UUID or its name (trimmed and compared without case, as Hypersender compares
        names).
    type: str
    required: true
  to:
    description:
      - The recipient's phone number with its country code, digits only (V(201234567890)); a leading V(+), spaces and
        dashes are dropped. The module sends to C(<digits>@c.us).
      - Use a number kept for this purpose (a colleague's phone, a test number) whose phone is always online, since
        C(delivered) needs its phone to confirm.
    type: str
    required: true
  text:
    description:
      - The message. C({run_id}) in it is replaced by this run's id (RV(run_id)).
      - By default it says that it is a deploy check and carries the run id, so two runs never send the same text.
    type: str
    default: "Deploy check by hypersender.whatsapp.instance_canary (run {run_id}): this message tests that the instance can send; please ignore it."
  wait_for:
    description:
      - The stage that ends the task successfully.
      - V(sent) needs no webhook. V(delivered) and V(read) need the instance's webhooks to reach the receiver.
      - V(read) needs someone (or something) to open the chat with read receipts on.
    type: str
    choices: [sent, delivered, read]
    default: sent
  wait_timeout:
    description:
      - How many seconds to wait at most for O(wait_for), from the first send.
    type: float
    default: 120
  wait_sleep:
    description:
      - Seconds between two reads of a queued request that is not processed yet.
    type: float
    default: 2
  resend:
    description:
      - How many times to send the message again while no ack (C(SERVER) or higher) has come; the sends are spread
        evenly over O(wait_timeout) (with V(1), at half of it). Only with O(wait_for=delivered) or O(wait_for=read).
    type: int
    default: 1
  show_recipient:
    description:
      - Whether results show the recipient's full number instead of its last 4 digits.
    type: bool
    default: false
  instance_token:
    description:
      - The instance's access token, sent as Bearer token to the v2 endpoints.
      - If not set, the E(HYPERSENDER_INSTANCE_TOKEN) environment variable is used; if neither is set, the module reads
        the instance's C(access_token) from C(GET /instances) with O(api_token).
      - With it and a UUID in O(instance), O(api_token) is not needed and the instance's status is not read first.
    type: str
  api_v2_url:
    description:
      - Base URL of Hypersender's v2 API.
      - If not set, O(api_url) with its trailing C(/v1) replaced by C(/v2)
        (V(https://app.hypersender.com/api/whatsapp/v2) by default).
    type: str
  receiver_path:
    description:
      - The path the webhooks are posted to; other paths get 404.
    type: str
    default: /hypersender/webhook
  receiver_authorization:
    description:
      - The exact C(Authorization) header value the instance's webhooks carry (Hypersender sends a static value set
        for the instance's webhooks, with no C(Bearer) added and no signature).
      - Required with O(wait_for=delivered) or O(wait_for=read). If not set, the
        E(HYPERSENDER_WEBHOOK_AUTHORIZATION) environment variable is used.
      - Compared in constant time; never appears in results, messages or logs.
    type: str
notes:
  - >-
    How the ack reaches the controller. (1) A dedicated canary instance whose C(webhook_url) points at the controller,
    for example through a reverse proxy that serves C(https://controller.example.com/hypersender/webhook) and forwards
    to O(receiver_host):O(receiver_port); M(hypersender.whatsapp.instance) creates such an instance with
    O(hypersender.whatsapp.instance#module:webhook_url). (2) An instance whose webhooks already go to an
    Event-Driven Ansible rulebook: the rulebook forwards C(message.ack) events to the receiver with the
    C(Authorization) value it expects (the collection's rulebook C(canary_ack_relay) does, with its event source
    C(hypersender.whatsapp.delivery_webhook), which checks the instance's own value first).
  - The module waits inside one task; run it with C(delegate_to=localhost) or on the host that receives the webhooks.
extends_documentation_fragment:
  - hypersender.whatsapp.hypersender
  - hypersender.whatsapp.receiver
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_hypersender
attributes:
  check_mode:
    details:
      - Reads the instance list (unless O(instance_token) and a UUID make it unneeded), sends nothing and does not
        listen; says in RV(msg) what it would send, to whom and where it would listen.
seealso:
  - module: hypersender.whatsapp.instance_health
  - module: hypersender.whatsapp.instance
  - module: hypersender.whatsapp.instance_qr
  - name: Hypersender send-text (v2)
    description: The send-text endpoint and its queued answer.
    link: https://docs.hypersender.com/v2/api-reference/whatsapp/send-messages/send-text
  - name: Hypersender queued requests (v2)
    description: What a queued request holds while processing and once processed.
    link: https://docs.hypersender.com/v2/api-reference/whatsapp/queued-requests/get-queued-request
  - name: Hypersender message.ack webhook
    description: The ack values and the event's payload.
    link: https://docs.hypersender.com/docs/whatsapp-webhooks/messages-ack
"""

EXAMPLES = r"""
- name: Prove that the shop's instance sends (queued request processed)
  hypersender.whatsapp.instance_canary:
    instance: shop-eu
    to: "{{ canary_phone }}"
  delegate_to: localhost

- name: Prove delivery; the canary instance's webhook_url reaches this controller
  hypersender.whatsapp.instance_canary:
    instance: fa3d01c4-1234-4c0d-a12f-df319b612f8c
    to: "{{ canary_phone }}"
    wait_for: delivered
    wait_timeout: 120
    receiver_host: 127.0.0.1
    receiver_port: 8089
    receiver_authorization: "{{ vault_canary_webhook_authorization }}"
  delegate_to: localhost
  register: canary

- name: Say how long delivery took
  ansible.builtin.debug:
    msg: "delivered after {{ canary.stages.delivered }} s (message {{ canary.message_id }})"
"""

RETURN = r"""
instance:
  description: The instance that sent (as listed; only its id when it was not read).
  returned: always
  type: dict
  contains:
    id:
      description: UUID of the instance.
      type: str
    name:
      description: Name of the instance (absent when it was not read).
      type: str
    status:
      description: Its status before the send (absent when it was not read).
      type: str
to:
  description: The recipient, all but the last 4 digits masked unless O(show_recipient=true).
  returned: always
  type: str
  sample: "********7890"
text:
  description: The text sent (or that would be sent, in check mode).
  returned: always
  type: str
run_id:
  description: This run's id, in the default text.
  returned: always
  type: str
  sample: 3f9c2a7d81b0
wait_for:
  description: The stage awaited.
  returned: always
  type: str
stage:
  description: The last stage reached, V(queued), V(sent), V(delivered) or V(read); null before the first send.
  returned: when a send was tried
  type: str
  sample: delivered
stages:
  description: Seconds from the first send to each stage, null for a stage not reached.
  returned: when a send was tried
  type: dict
  sample: {queued: 0.05, sent: 0.62, delivered: 0.81, read: null}
message_id:
  description: The WhatsApp message id (C(key.id)) of the message that got furthest.
  returned: when a send was tried
  type: str
  sample: 3EB0155CFDC2464F72FD75
messages:
  description: Each send, with its queued request, message id, times and acks.
  returned: when a send was tried
  type: list
  elements: dict
sends:
  description: How many messages were sent (2 after a resend).
  returned: when a send was tried
  type: int
resent:
  description: Whether the message was sent again.
  returned: when a send was tried
  type: bool
polls:
  description: Reads of queued requests.
  returned: when a send was tried
  type: int
last_ack:
  description: The last ack seen (C(ack), C(name), C(at)), null if none.
  returned: when a send was tried
  type: dict
other_message_acks:
  description: Acks of this instance for messages the canary did not send (ignored).
  returned: when a send was tried
  type: int
receiver:
  description: Where the webhook receiver listened and what it saw.
  returned: with O(wait_for=delivered) or O(wait_for=read), once it listened (not in check mode)
  type: dict
  contains:
    listened_on:
      description: Host, port and path.
      type: str
      sample: 127.0.0.1:8089/hypersender/webhook
    accepted:
      description: Requests with the right C(Authorization) that carried an ack of the instance.
      type: int
    ignored:
      description: Requests with the right C(Authorization) about something else (another event or instance).
      type: int
    unauthorized:
      description: Requests refused (401) because their C(Authorization) was not exactly O(receiver_authorization).
      type: int
    rejected:
      description: Requests to another path, with another method, too large, or not JSON.
      type: int
    dropped:
      description: Acks dropped because too many were waiting (a flood).
      type: int
    handshakes:
      description: Verification requests (GET) answered; always 0 here, Hypersender makes none (a GET gets 405).
      type: int
    handshakes_refused:
      description: Verification requests refused; always 0 here.
      type: int
elapsed:
  description: Seconds from the first send to the end of the run.
  returned: when a send was tried
  type: float
problem:
  description: What went wrong, in Hypersender's words where it gave some.
  returned: on failure
  type: str
hint:
  description: What to do about it.
  returned: on failure, when there is advice
  type: str
reason:
  description:
    - The kind of failure, for roles that word their own advice. V(options) (an option refused before any request),
      V(not_ready) (the instance is not WORKING or has no access token; nothing sent), V(receiver) (the receiver
      could not listen; nothing sent), V(api_error) (a request failed), V(not_on_whatsapp), V(send_failed) (the
      queued request ended with HTTP 404, 422 or 500), V(ack_error), or V(timed_out).
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

import secrets

from ansible.module_utils.basic import env_fallback
from ansible_collections.hypersender.whatsapp.plugins.module_utils._canary import WAIT_FOR, receiver_argument_spec
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import connection_argument_spec
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_messages import (
    INSTANCE_TOKEN_ENV,
    MessagesApi,
    ack_parser,
    build_messages_client,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._instance_canary import (
    InstanceCanary,
    NotReady,
    resolve_instance,
    validate_canary_options,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule
from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import (
    ReceiverError,
    StaticAuthorization,
    WebhookReceiver,
)

AUTHORIZATION_ENV = "HYPERSENDER_WEBHOOK_AUTHORIZATION"
TEXT = (
    "Deploy check by hypersender.whatsapp.instance_canary (run {run_id}): this message tests that the instance can "
    "send; please ignore it."
)


def argument_spec():
    spec = connection_argument_spec(env_fallback)
    spec.update(
        instance=dict(type="str", required=True),
        to=dict(type="str", required=True, no_log=True),
        text=dict(type="str", default=TEXT),
        wait_for=dict(type="str", choices=list(WAIT_FOR), default="sent"),
        wait_timeout=dict(type="float", default=120),
        wait_sleep=dict(type="float", default=2),
        resend=dict(type="int", default=1),
        show_recipient=dict(type="bool", default=False),
        instance_token=dict(type="str", no_log=True, fallback=(env_fallback, [INSTANCE_TOKEN_ENV])),
        api_v2_url=dict(type="str"),
        **receiver_argument_spec("/hypersender/webhook"),
        receiver_authorization=dict(type="str", no_log=True, fallback=(env_fallback, [AUTHORIZATION_ENV])),
    )
    return spec


def main():
    module = WhatsAppModule(argument_spec())
    try:
        options = validate_canary_options(module.params, secrets.token_hex(6))
    except OptionError as error:
        module.fail(error, problem=str(error), reason="options")
    if module.params["show_recipient"]:  # asked for: the number is no secret in this run's results
        module.no_log_values.discard(module.params["to"])
    else:
        module.no_log_values.add(options.digits)
    result = dict(changed=False, to=options.recipient, text=options.text, run_id=options.run_id)
    result["wait_for"] = options.wait_for
    try:
        instance, token = resolve_instance(module, options)
    except NotReady as error:
        module.fail_json(msg=str(error), problem=error.problem, hint=error.hint, reason="not_ready", **result)
    except OptionError as error:
        module.fail(error, problem=str(error), reason="options", **result)
    except ApiError as error:
        module.fail(error, problem=str(error), reason="api_error", **result)
    module.no_log_values.add(token)
    result["instance"] = instance
    if module.check_mode:
        result.update(changed=True, check_mode=True, msg=options.plan(instance))
        module.exit_json(**result)
    receiver = open_receiver(module, options, instance, result) if options.receiver else None
    try:
        with module.checked(build_messages_client, token, **module.client_options) as client:
            outcome = InstanceCanary(
                MessagesApi(client),
                instance["id"],
                options.chat_id,
                options.text,
                wait_for=options.wait_for,
                wait_timeout=options.wait_timeout,
                wait_sleep=options.wait_sleep,
                resend=options.resend,
                acks=receiver,
                webhook_stats=receiver.stats.as_dict if receiver else None,
                recipient=options.recipient,
            ).run()
    finally:
        if receiver is not None:
            receiver.stop()  # whatever happened above: the port is free again
            result["receiver"].update(receiver.stats.as_dict())
    result.update(outcome.report, changed=outcome.report["sends"] > 0)
    if not outcome.ok:
        module.fail_json(
            msg=outcome.message, problem=outcome.problem, hint=outcome.hint, reason=outcome.reason, **result
        )
    result["msg"] = options.success(instance, outcome.report)
    module.exit_json(**result)


def open_receiver(module, options, instance, result):
    """The receiver, listening before anything is sent; a port it cannot have fails the task before a send."""
    receiver = WebhookReceiver(
        options.receiver_host,
        options.receiver_port,
        options.receiver_path,
        StaticAuthorization(options.receiver_authorization),
        ack_parser(instance["id"]),
    )
    result["receiver"] = {"listened_on": options.receiver_address}
    try:
        return receiver.start()
    except ReceiverError as error:
        module.fail(error, problem=str(error), reason="receiver", **result)
    return None  # not reached: fail exits


if __name__ == "__main__":
    main()
