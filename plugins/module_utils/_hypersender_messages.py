# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hypersender's v2 messaging API: send a text, read its queued request, and read the ``message.ack`` webhooks.

What the vendor documents (docs.hypersender.com v2: send-text, queued-requests, webhooks / messages-ack; the
official Laravel SDK hypersender/hypersender-laravel):

- base ``https://app.hypersender.com/api/whatsapp/v2``; instance endpoints take ``Authorization: Bearer <token>``,
  where the token is the instance's ``access_token`` (create-instance calls it the "Bearer token for authenticating
  API requests"; ``/instances`` lists it, null until a phone is linked; the SDK sends it with the instance's id);
- ``POST /{instance}/send-text`` with ``chatId`` (``<digits>@c.us``) and ``text`` answers at once
  ``{queued, message, queued_request_uuid, queued_request_link}``;
- ``GET /{instance}/queued-requests/{uuid}``: ``response_status``/``response_body``/``response_header`` are null
  while processing; then 201 (one example: 200) with ``response_body.key.id`` (one example: ``message_id``), or
  404 (instance not found, or the recipient is not on WhatsApp), 422 (validation), 500;
- ``message.ack`` webhooks: ``data.payload.id`` is ``true_<chatId>_<key.id>`` (the message is its last ``_``
  segment), ``data.instanceId`` the instance, ``ack`` -1..4 (ERROR, PENDING, SERVER, DEVICE, READ, PLAYED).
"""

from __future__ import annotations

import re

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiClient,
    ApiError,
    NotFoundError,
    OptionError,
    RateLimitedError,
    ResponseFormatError,
    body_excerpt,
    clean_text,
    validate_base_url,
    validate_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import DEFAULT_API_URL, read_error
from ansible_collections.hypersender.whatsapp.plugins.module_utils._recipient import recipient_digits
from ansible_collections.hypersender.whatsapp.plugins.module_utils._transport import validate_transport

DEFAULT_API_V2_URL = "https://app.hypersender.com/api/whatsapp/v2"
INSTANCE_TOKEN_ENV = "HYPERSENDER_INSTANCE_TOKEN"

ACK_NAMES = {-1: "ERROR", 0: "PENDING", 1: "SERVER", 2: "DEVICE", 3: "READ", 4: "PLAYED"}
ACK_VALUES = {name: value for value, name in ACK_NAMES.items()}
ACK_ERROR, ACK_SERVER, ACK_DEVICE, ACK_READ = -1, 1, 2, 3

PROCESSING, SENT, FAILED = "processing", "sent", "failed"
SENT_STATUSES = (200, 201)
NOT_ON_WHATSAPP = re.compile(r"not on whatsapp|not a whatsapp|not registered|does not exist", re.I)


def v2_url(api_url, api_v2_url=None):
    """The v2 base URL: ``api_v2_url`` when given, else ``api_url`` with its trailing ``/v1`` as ``/v2``."""
    if api_v2_url:
        return validate_base_url(api_v2_url, "api_v2_url")
    base = validate_base_url(api_url or DEFAULT_API_URL)
    if base == DEFAULT_API_URL:
        return DEFAULT_API_V2_URL
    if not base.endswith("/v1"):
        raise OptionError(
            "api_v2_url is needed: api_url %r does not end in /v1, so the v2 messaging URL cannot be derived from it "
            "(the default is %s)" % (body_excerpt(base), DEFAULT_API_V2_URL)
        )
    return base[: -len("/v1")] + "/v2"


def validate_recipient(value, option="to"):
    """``(digits, chat_id)`` from a phone number given with its country code (:func:`_recipient.recipient_digits`)."""
    digits = recipient_digits(value, option)
    return digits, digits + "@c.us"


def build_messages_client(options, instance_token, **client_kwargs):
    """An :class:`ApiClient` for the v2 instance endpoints, authenticated with the instance's token."""
    base_url = v2_url(options.get("api_url"), options.get("api_v2_url"))
    token = validate_secret(instance_token, "instance_token", INSTANCE_TOKEN_ENV)
    return ApiClient(
        base_url,
        "Bearer " + token,
        service="Hypersender API",
        auth_hint=(
            "Hypersender's v2 endpoints take the instance's own access token: check instance_token, or that the "
            "instance listed for api_token's account has the access token it was created with"
        ),
        error_reader=read_error,
        **dict(validate_transport(options), **client_kwargs),
    )


class QueuedResult:
    """A queued request as the canary needs it: ``state`` processing, sent or failed."""

    def __init__(self, state, status=None, message_id=None, said=None, not_on_whatsapp=False):
        self.state = state
        self.status = status
        self.message_id = message_id
        self.said = said
        self.not_on_whatsapp = not_on_whatsapp


def parse_queued(body, where="the queued request"):
    """A ``GET /{instance}/queued-requests/{uuid}`` body as a :class:`QueuedResult`; :class:`ResponseFormatError`
    for a body that is none of the documented shapes."""
    if not isinstance(body, dict) or "response_status" not in body:
        raise ResponseFormatError("%s: expected an object with response_status, got %s" % (where, _describe(body)))
    status = body.get("response_status")
    if status is None:
        return QueuedResult(PROCESSING)
    if isinstance(status, bool) or not isinstance(status, int):
        raise ResponseFormatError("%s: response_status is %s, not an HTTP status" % (where, _describe(status)))
    answer = body.get("response_body")
    if status in SENT_STATUSES:
        message_id = _message_id(answer)
        if message_id is None:
            raise ResponseFormatError(
                "%s: processed with HTTP %d but its response_body has no key.id or message_id (%s)"
                % (where, status, _describe(answer))
            )
        return QueuedResult(SENT, status, message_id)
    said = read_error(answer) if isinstance(answer, dict) else None
    return QueuedResult(
        FAILED, status, said=clean_text(said) if said else None, not_on_whatsapp=_not_on_whatsapp(answer)
    )


def _message_id(answer):
    if not isinstance(answer, dict):
        return None
    key = answer.get("key")
    candidates = [key.get("id") if isinstance(key, dict) else None, answer.get("message_id")]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip() and len(candidate) <= 200:
            return candidate.strip()
    return None


def _not_on_whatsapp(answer):
    if not isinstance(answer, dict):
        return False
    errors = answer.get("errors")
    if isinstance(errors, dict) and errors.get("exists") is False:
        return True
    return bool(NOT_ON_WHATSAPP.search(str(answer.get("message") or "")))


def _describe(value):
    if isinstance(value, dict):
        return "an object with keys %s" % (", ".join(sorted(str(key) for key in value))[:200] or "none")
    if isinstance(value, list):
        return "an array of %d items" % len(value)
    if value is None:
        return "null"
    return "a %s %r" % (type(value).__name__, body_excerpt(str(value)))


class AckEvent:
    """One ``message.ack`` for the awaited instance: the message (last ``_`` segment of ``payload.id``), the ack."""

    def __init__(self, message_id, ack):
        self.message_id = message_id
        self.ack = ack
        self.name = ACK_NAMES[ack]

    def __eq__(self, other):
        return isinstance(other, AckEvent) and (self.message_id, self.ack) == (other.message_id, other.ack)

    def __repr__(self):
        return "AckEvent(%r, %s)" % (self.message_id, self.name)


def ack_parser(instance_id):
    """A receiver parser: the acks of messages ``instance_id`` sent; every other payload gives none."""

    def parse(payload):
        if not isinstance(payload, dict) or payload.get("event") != "message.ack":
            return []
        data = payload.get("data")
        if not isinstance(data, dict) or data.get("instanceId") != instance_id:
            return []
        inner = data.get("payload")
        if not isinstance(inner, dict) or inner.get("fromMe") is not True:
            return []
        ack = inner.get("ack")
        if ack is None:  # the number is the backward-compatible field; the name says the same
            ack = ACK_VALUES.get(inner.get("ackName")) if isinstance(inner.get("ackName"), str) else None
        if isinstance(ack, bool) or not isinstance(ack, int) or ack not in ACK_NAMES:
            return []
        identifier = inner.get("id")
        if not isinstance(identifier, str) or "_" not in identifier:
            return []
        message_id = identifier.rsplit("_", 1)[1].strip()
        if not message_id or len(message_id) > 200:
            return []
        return [AckEvent(message_id, ack)]

    return parse


class MessagesApi:
    """The v2 calls of the canary, on one :class:`ApiClient`."""

    def __init__(self, client):
        self.client = client

    def send_text(self, instance, chat_id, text, deadline):
        """The queued request's uuid of a new send. A 429 (refused before anything was queued) is sent again once
        its Retry-After has passed, while that is inside ``deadline``; no other failure is repeated."""
        path = "/%s/send-text" % instance
        while True:
            try:
                body = self.client.request_json(
                    "POST", path, deadline=deadline, json_body={"chatId": chat_id, "text": text}
                )
                break
            except RateLimitedError as error:
                if not self.client.sleep_out_retry_after(error, deadline):
                    raise
            except NotFoundError:
                raise NotFoundError(
                    "instance %s not found by Hypersender's v2 API (HTTP 404) when sending" % instance, status=404
                ) from None
        uuid = body.get("queued_request_uuid") if isinstance(body, dict) else None
        if not isinstance(uuid, str) or not uuid.strip() or "/" in uuid:
            raise ResponseFormatError(
                "POST %s: expected a queued answer with queued_request_uuid, got %s" % (path, _describe(body))
            )
        return uuid.strip()

    def queued_request(self, instance, uuid, deadline):
        path = "/%s/queued-requests/%s" % (instance, uuid)
        try:
            body = self.client.get_json(path, deadline=deadline)
        except NotFoundError:
            raise ApiError(
                "Hypersender does not know the queued request %s of instance %s (HTTP 404)" % (uuid, instance),
                status=404,
            ) from None
        return parse_queued(body, "GET %s" % path)
