# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Where a canary's webhook receiver listens (instance_canary, cloud_canary); each module documents its path and
    the secret its webhooks carry."""

    DOCUMENTATION = r"""
options:
  receiver_host:
    description:
      - The address the webhook receiver listens on. V(0.0.0.0) listens on every IPv4 address of the controller.
      - The default suits a reverse proxy with TLS (Hypersender and Meta post webhooks to C(https://) URLs only) that
        forwards the webhook URL to the receiver.
    type: str
    default: 127.0.0.1
  receiver_port:
    description:
      - The port the webhook receiver listens on, from 1 to 65535. It must be free when the task starts; it is free
        again when the task ends, however the task ends.
    type: int
    default: 8089
"""

    # instance_canary's: the path and the static Authorization of Hypersender's webhooks, and how acks get there.
    HYPERSENDER_WEBHOOKS = r"""
options:
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
"""

    # cloud_canary's: the path and the secrets of Meta's signed webhooks, and how the statuses get there.
    META_WEBHOOKS = r"""
options:
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
"""
