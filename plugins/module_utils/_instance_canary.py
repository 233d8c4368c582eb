# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What instance_canary does around the run: its options checked before any request, the instance and its token
found, and the sentences of its plan and success."""

from __future__ import annotations

import re

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    OptionError,
    body_excerpt,
    validate_number,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    READY_STATUS,
    STATUS_HINTS,
    TOKEN_ENV,
    UUID_PATTERN,
    build_client,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import (
    InstanceActions,
    validate_name,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_messages import (
    INSTANCE_TOKEN_ENV,
    mask_number,
    v2_url,
    validate_recipient,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    MAX_WAIT_SLEEP,
    MAX_WAIT_TIMEOUT,
    format_seconds,
)

MAX_RESEND = 5
MAX_TEXT_LENGTH = 4096


class NotReady(Exception):
    """The canary cannot send through this instance; nothing was sent."""

    def __init__(self, problem, hint=None):
        super().__init__(problem if not hint else "%s: %s" % (problem, hint))
        self.problem = problem
        self.hint = hint


class CanaryOptions:  # pylint: disable=too-many-instance-attributes
    """The module's options, checked, and what follows from them."""

    def __init__(self, params, run_id):
        self.run_id = run_id
        name = params["instance"]
        text = "" if name is None else str(name).strip()
        self.instance_uuid = text if UUID_PATTERN.match(text) else None
        self.instance_name = None if self.instance_uuid else validate_name(name, "instance")
        self.digits, self.chat_id = validate_recipient(params["to"])
        self.v2_url = v2_url(params["api_url"], params["api_v2_url"])  # checked before any request
        self.recipient = self.digits if params["show_recipient"] else mask_number(self.digits)
        self.text = _text(params["text"], run_id)
        self.wait_timeout = validate_number(params["wait_timeout"], "wait_timeout", 0.0, MAX_WAIT_TIMEOUT)
        self.wait_sleep = validate_number(params["wait_sleep"], "wait_sleep", 0.0, MAX_WAIT_SLEEP, above_minimum=True)
        self.wait_for = params["wait_for"]
        self.receiver = self.wait_for != "sent"
        self.resend = validate_number(params["resend"], "resend", 0, MAX_RESEND, integer=True) if self.receiver else 0
        self.receiver_host = params["receiver_host"]
        self.receiver_port = params["receiver_port"]
        self.receiver_path = params["receiver_path"]
        self.receiver_authorization = params["receiver_authorization"]
        if self.receiver:
            self._check_receiver()

    def _check_receiver(self):
        host = (self.receiver_host or "").strip()
        if not host or re.search(r"[\s/]", host):
            raise OptionError("receiver_host must be an address of this host, e.g. 127.0.0.1 or 0.0.0.0")
        self.receiver_host = host.strip("[]")
        if not 1 <= (self.receiver_port or 0) <= 65535:
            raise OptionError("receiver_port must be a port from 1 to 65535, got %s" % self.receiver_port)
        path = self.receiver_path or ""
        if not path.startswith("/") or re.search(r"[\s?#]", path):
            raise OptionError(
                "receiver_path must be a URL path starting with / (no query, no white space), got %r"
                % body_excerpt(path)
            )
        value = self.receiver_authorization
        if value is None or not str(value).strip():
            raise OptionError(
                "receiver_authorization is needed to wait for %s: set it (or the HYPERSENDER_WEBHOOK_AUTHORIZATION "
                "environment variable) to the Authorization value the instance's webhooks carry" % self.wait_for
            )
        if value != value.strip() or re.search(r"[\x00-\x1f\x7f]", value):
            raise OptionError("receiver_authorization has leading or trailing white space or control characters")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise OptionError(
                "receiver_authorization contains a character an HTTP header cannot carry (outside latin-1)"
            ) from None

    @property
    def receiver_address(self):
        host = "[%s]" % self.receiver_host if ":" in self.receiver_host else self.receiver_host
        return "%s:%s%s" % (host, self.receiver_port, self.receiver_path)

    def plan(self, instance):
        plan = "check mode: would send %r to %s through instance %s, then wait up to %s s for %s" % (
            self.text,
            self.recipient,
            describe(instance),
            format_seconds(self.wait_timeout),
            self.wait_for,
        )
        if self.receiver:
            plan += ", listening for the instance's webhooks on %s" % self.receiver_address
        return plan

    def success(self, instance, report):
        stages = report["stages"]
        done = ", ".join(
            "%s after %s s" % (stage, format_seconds(stages[stage]))
            for stage in ("sent", "delivered", "read")
            if stages[stage] is not None
        )
        return "instance %s sent message %s to %s: %s%s" % (
            describe(instance),
            report["message_id"],
            self.recipient,
            done,
            "" if report["sends"] == 1 else " (sent %d times)" % report["sends"],
        )


def _text(value, run_id):
    text = "" if value is None else str(value)
    text = text.replace("{run_id}", run_id)
    if not text.strip():
        raise OptionError("text is empty: give the message to send (or leave text out for the default)")
    if len(text) > MAX_TEXT_LENGTH:
        raise OptionError("text is %d characters long; the canary sends at most %d" % (len(text), MAX_TEXT_LENGTH))
    return text


def validate_canary_options(params, run_id):
    return CanaryOptions(params, run_id)


def describe(instance):
    if instance.get("name"):
        return "%s (%s)" % (instance["name"], instance["id"])
    return instance["id"]


def resolve_instance(module, options):
    """(the instance as the result shows it, the token for its v2 endpoints).

    With ``instance_token`` and a UUID nothing is read; otherwise the instance list (``api_token``) names the
    instance, its status (which must be WORKING) and its access token. :class:`NotReady` when it cannot send.
    """
    params = module.params
    token = params.get("instance_token")
    if token and options.instance_uuid:
        return {"id": options.instance_uuid}, token
    if not params.get("api_token"):
        raise OptionError(
            "api_token is empty: set api_token or the %s environment variable to read the instance and its access "
            "token (or give instance_token, or %s, with the instance's UUID)" % (TOKEN_ENV, INSTANCE_TOKEN_ENV)
        )
    with build_client(params, **module.client_options) as client:
        actions = InstanceActions(client)
        if options.instance_uuid:
            listed = actions.find_by_id(options.instance_uuid, include_access_token=True)
        else:
            found = actions.find_by_name(options.instance_name, include_access_token=True)
            if len(found) != 1:
                raise OptionError(
                    "%s instance of this account is named %r (compared as the server does, without case): give "
                    "instance as the UUID" % ("no" if not found else "more than one", options.instance_name)
                )
            listed = found[0]
    access_token = listed.pop("access_token", None)
    if access_token:
        module.no_log_values.add(access_token)
    instance = {"id": listed["id"], "name": listed.get("name"), "status": listed.get("status")}
    if instance["status"] != READY_STATUS:
        raise NotReady(
            "instance %s is %s, not %s: no message was sent" % (describe(instance), instance["status"], READY_STATUS),
            STATUS_HINTS.get(instance["status"], "check the instance in the Hypersender dashboard"),
        )
    token = token or access_token
    if not token:
        raise NotReady(
            "instance %s has no access token in Hypersender's instance list (it gives one once a phone is linked): "
            "no message was sent" % describe(instance),
            "scan the instance's QR code in the Hypersender dashboard, or give instance_token",
        )
    return instance, token
