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
  phone_number_id: {description: "The ID of the business phone number that sends (digits, as WhatsApp Manager and the
    app's API Setup page show it; not the phone number itself).", type: str, required: true}
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
  template_language: {description: "The template's language code, as WhatsApp Manager shows it (V(en_US), V(de)).",
    type: str, default: en_US}
  wait_for:
    description:
      - The stage that ends the task successfully. Each needs the number's status webhooks.
      - V(read) needs someone (or something) to open the chat with read receipts on.
    type: str
    choices: [sent, delivered, read]
    default: sent
  wait_timeout: {description: "How many seconds to wait at most for O(wait_for), from the send.", type: float,
    default: 120}
  show_recipient: {description: "Whether results show the recipient's full number, not only its last 4 digits.",
    type: bool, default: false}
extends_documentation_fragment:
  - hypersender.whatsapp.cloud
  - hypersender.whatsapp.receiver
  - hypersender.whatsapp.receiver.meta_webhooks
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
  - {name: Send messages (WhatsApp Cloud API), description: The messages endpoint and its answer.,
    link: "https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages"}
  - name: Webhook overrides
    description: A number's or WhatsApp Business Account's alternate callback URL, and the app's subscription.
    link: https://developers.facebook.com/docs/whatsapp/embedded-signup/webhooks/override
  - {name: "Webhooks, getting started (Graph API)", description: The verification request and the signature of event
      notifications., link: "https://developers.facebook.com/docs/graph-api/webhooks/getting-started"}
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
  register: canary  # canary.stages.delivered: seconds from the send to delivery
"""

RETURN = r"""
phone_number_id: {description: "The number that sent (or would send, in check mode).", returned: "always", type: str,
  sample: "106540352242922"}
to: {description: "The recipient, all but the last 4 digits masked unless O(show_recipient=true).", returned:
  "always", type: str, sample: "********5432"}
template:
  description: The template sent, C(name) and C(language).
  returned: always
  type: dict
  sample: {name: hello_world, language: en_US}
wait_for: {description: "The stage awaited.", returned: "always", type: str}
stage: {description: "The last stage reached, V(accepted), V(sent), V(delivered) or V(read); null when Meta refused
  the send.", returned: "when a send was tried", type: str, sample: "delivered"}
stages:
  description: Seconds from the send to each stage, null for a stage not reached.
  returned: when a send was tried
  type: dict
  sample: {accepted: 0.21, sent: 0.52, delivered: 0.81, read: null}
message_id: {description: "The message's id (C(messages[0].id) of Meta's answer, a C(wamid)); null when Meta refused
  the send.", returned: "when a send was tried", type: str, sample:
  "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}
sends: {description: "How many messages were sent, 1 (or 0 when Meta refused the send).", returned: "when a send was
  tried", type: int}
statuses: {description: "The statuses of this message, in the order they arrived, each with C(status), C(at) (seconds
  from the send) and, for C(failed), C(errors).", returned: "when a send was tried", type: list, elements: dict}
last_status: {description: "The last status seen (C(status), C(at)), null if none.", returned: "when a send was
  tried", type: dict}
other_message_statuses: {description: "Statuses of this number's other messages (ignored).", returned: "when a send
  was tried", type: int}
error:
  description: Meta's error of a refused send or a failed status - C(code), C(title), C(message), C(details), C(href).
  returned: when Meta refused the send with an error code, or a status failed
  type: dict
  sample: {code: 131026, title: Message undeliverable, message: Message undeliverable, details: "Unable to deliver message.", href: null}
api_calls: {description: "Requests made to the Graph API (1, more only when a rate limit was waited out).", returned:
  "when a send was tried", type: int}
receiver:
  description: Where the webhook receiver listened and what it saw.
  returned: once it listened (not in check mode)
  type: dict
  contains:
    listened_on:
      description: Host, port and path.
      type: str
      sample: 127.0.0.1:8089/whatsapp/webhook
    accepted: {description: "Signed requests that carried a status of the number.", type: int}
    ignored: {description: "Signed requests about something else (another number, another webhook field).", type: int}
    unauthorized:
      description: Requests refused (401) because their C(X-Hub-Signature-256) was missing or wrong.
      type: int
    rejected: {description: "Requests to another path, with another method, too large, or not JSON.", type: int}
    dropped: {description: "Statuses dropped because too many were waiting (a flood).", type: int}
    handshakes:
      description: Verification requests answered with the challenge (the verify token matched).
      type: int
    handshakes_refused:
      description: Verification requests refused (403) - another verify token, or none set.
      type: int
elapsed: {description: "Seconds from the send to the end of the run.", returned: "when a send was tried", type: float}
problem: {description: "What went wrong, in Meta's words where it gave some.", returned: "on failure", type: str}
hint: {description: "What to do about it.", returned: "on failure, when there is advice", type: str}
reason:
  description:
    - The kind of failure, for roles that word their own advice. V(options) (an option refused before any request),
      V(receiver) (the receiver could not listen; nothing sent), V(auth_failed) (Meta refused the token), V(rate_limited),
      V(send_refused) (Meta refused the send with an error code), V(api_error) (no usable answer), V(failed) (a failed
      status), or V(timed_out).
  returned: on failure, except when Ansible refuses the options itself
  type: str
  sample: timed_out
check_mode: {description: "True when the task ran in check mode and sent nothing.", returned: "in check mode", type:
  bool}
msg: {description: "What happened, or would happen in check mode.", returned: "always", type: str}
"""

from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import CLOUD
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_canary_run import (
    cloud_canary_argument_spec,
    run_cloud_canary,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule


def main():
    run_cloud_canary(WhatsAppModule(CLOUD, cloud_canary_argument_spec()))


if __name__ == "__main__":
    main()
