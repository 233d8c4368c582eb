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
