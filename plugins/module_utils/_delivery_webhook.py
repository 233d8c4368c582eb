# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rules of the delivery_webhook event source: its arguments checked (with the environment fallbacks), the
receiver's check for each sender, and the event a verified request makes.

The source listens with :class:`_webhook_receiver.WebhookReceiver`, the receiver the canaries open, and trusts what
they trust: Hypersender's static ``Authorization`` value (:class:`_webhook_receiver.StaticAuthorization`), or Meta's
``X-Hub-Signature-256`` with the app secret, and the verify-token handshake (:class:`_webhook_receiver.HubSignature`).
"""

from __future__ import annotations

import datetime

from ansible_collections.hypersender.whatsapp.plugins.module_utils._canary import (
    validate_receiver,
    validate_webhook_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import (
    HubSignature,
    StaticAuthorization,
)

SENDERS = ("hypersender", "meta")
SOURCE_OPTIONS = ("sender", "host", "port", "path", "authorization", "app_secret", "verify_token")
DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 5000
DEFAULT_PATHS = {"hypersender": "/hypersender/webhook", "meta": "/whatsapp/webhook"}
AUTHORIZATION_ENV = "HYPERSENDER_WEBHOOK_AUTHORIZATION"
APP_SECRET_ENV = "WA_CLOUD_APP_SECRET"
VERIFY_TOKEN_ENV = "WA_CLOUD_VERIFY_TOKEN"


def source_settings(args, environ):
    """``(host, port, path, sender, authenticator)`` of the source's arguments; :class:`OptionError` for a wrong one.

    Keys starting with ``eda_`` are ansible-rulebook's own and are ignored. The secrets fall back to the environment
    and never reach a message.
    """
    args = dict(args or {})
    unknown = sorted(key for key in args if key not in SOURCE_OPTIONS and not str(key).startswith("eda_"))
    if unknown:
        raise OptionError(
            "unknown argument(s) %s; the arguments are %s" % (", ".join(unknown), ", ".join(SOURCE_OPTIONS))
        )
    sender = args.get("sender")
    if sender not in SENDERS:
        raise OptionError("sender must be hypersender or meta (whose webhooks the source receives), got %r" % sender)
    try:
        port = int(str(args.get("port", DEFAULT_PORT)).strip())
    except ValueError:
        raise OptionError("port must be a port from 1 to 65535, got %r" % args.get("port")) from None
    host, port, path = validate_receiver(
        str(args.get("host") or DEFAULT_HOST), port, str(args.get("path") or DEFAULT_PATHS[sender])
    )
    other = ("app_secret", "verify_token") if sender == "hypersender" else ("authorization",)
    given = [name for name in other if args.get(name)]
    if given:
        raise OptionError(
            "%s is not an argument of sender %s: Hypersender sends a static Authorization value, Meta signs with the "
            "app secret" % (", ".join(given), sender)
        )
    if sender == "hypersender":
        authorization = validate_webhook_secret(
            args.get("authorization") or environ.get(AUTHORIZATION_ENV),
            "authorization",
            missing="authorization is needed: set it (or the %s environment variable) to the Authorization value the "
            "instance's webhooks carry" % AUTHORIZATION_ENV,
            header=True,
        )
        return host, port, path, sender, StaticAuthorization(authorization)
    app_secret = validate_webhook_secret(
        args.get("app_secret") or environ.get(APP_SECRET_ENV),
        "app_secret",
        missing="app_secret is needed: set it (or the %s environment variable) to the app secret of the app whose "
        "webhooks reach the source (App Dashboard, App settings, Basic)" % APP_SECRET_ENV,
    )
    verify_token = validate_webhook_secret(args.get("verify_token") or environ.get(VERIFY_TOKEN_ENV), "verify_token")
    return host, port, path, sender, HubSignature(app_secret, verify_token)


def parse_any_object(payload):
    """The receiver's parser for the source: every verified JSON object is an event (the rules choose)."""
    return [payload] if isinstance(payload, dict) else []


def webhook_event(payload, path, sender, received_at=None):
    """The event a verified request makes, shaped as ansible.eda.webhook's (``event.payload``, ``event.meta``); no
    header of the request (its secret) is in it."""
    received_at = received_at or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"payload": payload, "meta": {"endpoint": path, "sender": sender, "received_at": received_at}}
