# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.delivery_webhook: an Event-Driven Ansible source of verified delivery webhooks."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

DOCUMENTATION = r"""
---
short_description: Verified webhooks of Hypersender instances or WhatsApp Cloud API numbers
description:
  - An ansible-rulebook event source that listens for the webhooks of Hypersender instances (C(message.ack) and the
    others) or of WhatsApp Cloud API numbers (Meta's C(messages) webhooks, with their C(statuses)), checks each
    request as the collection's delivery canaries do, and puts one event on the queue per verified request.
  - O(sender=hypersender) trusts a request whose one C(Authorization) header is exactly O(authorization) (Hypersender
    sends the static value set for the instance's webhooks). O(sender=meta) trusts a request whose
    C(X-Hub-Signature-256) is C(sha256=) and the HMAC-SHA256 of the raw body keyed with O(app_secret), and answers
    Meta's verification request (C(GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...)) with the
    challenge when the verify token is O(verify_token), with 403 otherwise. A request it does not trust gets 401 and
    makes no event; comparisons take constant time.
  - "Each event is C({payload: <the JSON body>, meta: {endpoint, sender, received_at}}), as ansible.eda.webhook shapes
    its events, so rules written for it keep working; no header of the request (its secret) is in an event."
  - Requests to another path get 404, bodies over 1 MiB 413, non-JSON bodies 400. The source stops listening when
    ansible-rulebook stops it. Invalid arguments stop it at once, with a message that says which.
  - Requires the collection C(hypersender.whatsapp) on the collections path of ansible-rulebook (the source imports
    the collection's receiver); no other Python package.
options:
  sender:
    description: Whose webhooks the source receives, and so how it checks them.
    type: str
    choices: [hypersender, meta]
    required: true
  host:
    description: The address to listen on.
    type: str
    default: 0.0.0.0
  port:
    description: The port to listen on.
    type: int
    default: 5000
  path:
    description: The path the webhooks are posted to; other paths get 404.
    type: str
    default: /hypersender/webhook for hypersender, /whatsapp/webhook for meta
  authorization:
    description:
      - O(sender=hypersender) only. The exact C(Authorization) value the instance's webhooks carry. Default the
        E(HYPERSENDER_WEBHOOK_AUTHORIZATION) environment variable; one of them is needed.
    type: str
  app_secret:
    description:
      - O(sender=meta) only. The app secret that signs the webhooks (App Dashboard, App settings, Basic). Default the
        E(WA_CLOUD_APP_SECRET) environment variable; one of them is needed.
    type: str
  verify_token:
    description:
      - O(sender=meta) only. The verify token set with the callback URL. Default the E(WA_CLOUD_VERIFY_TOKEN)
        environment variable; without either, every verification request gets 403.
    type: str
"""

EXAMPLES = r"""
- name: Hand the statuses of Cloud API numbers over to a running cloud_canary
  hosts: localhost
  sources:
    - hypersender.whatsapp.delivery_webhook:
        sender: meta
        port: 5000
  rules:
    - name: A status of a message
      condition: event.payload.object == "whatsapp_business_account"
      action:
        run_playbook:
          name: hypersender.whatsapp.eda_cloud_status_relay
"""


# ansible-rulebook runs a source by path (runpy), from a collections directory that may not be on sys.path: this
# file's 8th parent (<dir>/ansible_collections/hypersender/whatsapp/extensions/eda/plugins/event_source/<file>).
try:
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
except ImportError:
    sys.path.append(str(Path(__file__).parents[7]))
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError

# pylint: disable=wrong-import-position
from ansible_collections.hypersender.whatsapp.plugins.module_utils._delivery_webhook import (
    parse_any_object,
    source_settings,
    webhook_event,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import (
    ReceiverError,
    WebhookReceiver,
)

# How long one wait for a request lasts before the loop looks again (it never ends on its own).
WAIT_SECONDS = 1.0


class SourceArgumentError(ValueError):
    """An argument of the source is invalid, or it cannot listen (ansible-rulebook prints the message and stops)."""


async def main(queue, args):
    """Listen until cancelled; put one event on ``queue`` per verified request."""
    try:
        host, port, path, sender, authenticator = source_settings(args, os.environ)
    except OptionError as exc:
        raise SourceArgumentError("hypersender.whatsapp.delivery_webhook: %s" % exc) from None
    receiver = WebhookReceiver(host, port, path, authenticator, parse_any_object)
    try:
        receiver.start()
    except ReceiverError as exc:
        raise SourceArgumentError("hypersender.whatsapp.delivery_webhook: %s" % exc) from None
    try:
        while True:
            arrived = await asyncio.to_thread(receiver.next_event, WAIT_SECONDS)
            if arrived is not None:
                await queue.put(webhook_event(arrived[1], path, sender))
    finally:
        receiver.stop()


if __name__ == "__main__":
    # A quick look without ansible-rulebook: WA_CLOUD_APP_SECRET=... python delivery_webhook.py

    class _PrintQueue:
        async def put(self, event):
            print(event, flush=True)

    asyncio.run(main(_PrintQueue(), {"sender": "meta", "host": "127.0.0.1"}))
