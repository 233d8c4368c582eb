# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hypersender WhatsApp Enterprise API: options, validation, calls and parsers."""

from __future__ import annotations

import re

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiClient,
    NotFoundError,
    OptionError,
    RateLimitWindow,
    ResponseFormatError,
    body_excerpt,
    describe,
    error_detail,
    safe_url,
    validate_base_url,
    validate_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._transport import (
    Service,
    ServiceApi,
    transport_argument_spec,
    validate_transport,
    where_set,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    DONE,
    FAILED,
    Watch,
    explain_not_ready,
    format_seconds,
    validate_wait_options,
    wait_argument_spec,
)

DEFAULT_API_URL = "https://app.hypersender.com/api/whatsapp/v1"
TOKEN_ENV = "HYPERSENDER_API_TOKEN"
URL_ENV = "HYPERSENDER_API_URL"
# Option -> environment variable: the modules' env fallbacks, which the lookups and the inventory bind late.
ENV_FALLBACKS = {"api_url": URL_ENV, "api_token": TOKEN_ENV}

STATUSES = ("STOPPED", "STARTING", "WORKING", "SCAN_QR_CODE", "FAILED", "PENDING")
READY_STATUS = "WORKING"

# What to do about an instance that is not WORKING, for failure messages.
STATUS_HINTS = {
    "STOPPED": "start the instance in the Hypersender dashboard",
    "STARTING": "it is still starting; give it more time if it usually takes this long",
    "SCAN_QR_CODE": "scan the QR code in the Hypersender dashboard to link the phone",
    "FAILED": "restart the instance from the Hypersender dashboard and check its logs",
    "PENDING": "it awaits a server assignment; give it more time or contact Hypersender support",
}
# The hints name no option: each caller names its own (a module wait_timeout, the role wait_for_working_timeout).
WAIT_LONGER_STATUSES = ("STARTING", "PENDING")

# The rate limits Hypersender documents, per token: after a 429 the next request to an endpoint waits at least its
# window's share of one request, whatever Retry-After says ("0" or a date in the past would make a flood).
# /instances has no documented limit: it gets the health endpoint's, the one documented read limit of an account.
RATE_LIMIT_WINDOWS = (
    RateLimitWindow("POST", r"/request-new-qr-code$", 1, 60),
    RateLimitWindow("POST", r"/restart$", 5, 60),
    RateLimitWindow("POST", r"^/create-instance$", 5, 60),
    RateLimitWindow("GET", r"/health$", 10, 60),
    RateLimitWindow("GET", r"^/instances$", 10, 60),
)

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
E164_PATTERN = re.compile(r"^\+[1-9][0-9]{6,14}$")

# The connection options every Hypersender module takes (module side of the
# hypersender doc fragment).
CONNECTION_ARGUMENT_SPEC = dict(
    api_url=dict(type="str", default=DEFAULT_API_URL),
    api_token=dict(type="str", no_log=True),
    **transport_argument_spec(),
)

CONNECTION_OPTIONS = tuple(CONNECTION_ARGUMENT_SPEC)

# The instance list's filters (module side of the filters doc fragment).
FILTER_ARGUMENT_SPEC = dict(
    uuid=dict(type="str"),
    name=dict(type="str"),
    phone=dict(type="str"),
    status=dict(type="str", choices=list(STATUSES)),
)
FILTER_OPTIONS = tuple(FILTER_ARGUMENT_SPEC)


class InstanceNotFoundError(NotFoundError):
    """The account has no instance with this UUID."""


def status_wait_argument_spec():
    """The module side of the wait and wait.statuses doc fragments."""
    spec = wait_argument_spec()
    spec.update(
        wait_for=dict(type="list", elements="str", choices=list(STATUSES), default=[READY_STATUS]),
        fail_on=dict(type="list", elements="str", choices=list(STATUSES), default=["FAILED"]),
    )
    return spec


def validate_status_wait_options(params):
    validate_wait_options(params["wait_timeout"], params["wait_sleep"])
    both = sorted(set(params["wait_for"]) & set(params["fail_on"]))
    if both:
        raise OptionError(
            "wait_for and fail_on both name %s: a status cannot be awaited and fatal at once" % ", ".join(both)
        )


UUID_FORM = "8-4-4-4-12 hex digits, e.g. fa3d01c4-1234-4c0d-a12f-df319b612f8c, as shown in the Hypersender dashboard"


def validate_uuid(value, option="instance"):
    """``value`` as an instance UUID; ``option`` names it in the message ("instances item" for a list's item)."""
    text = "" if value is None else str(value).strip()
    if not UUID_PATTERN.match(text):
        raise OptionError(
            "%s %r is not an instance UUID (expected %s)" % (option, body_excerpt(text), UUID_FORM),
            option=option.split()[0],
            value=body_excerpt(text),
            expected="an instance UUID (%s)" % UUID_FORM,
        )
    return text


def validate_statuses(values, option):
    """A list of known status names, or :class:`OptionError` naming the bad ones."""
    if isinstance(values, str):
        values = [values]
    values = list(values or [])
    unknown = [value for value in values if value not in STATUSES]
    if unknown:
        raise OptionError(
            "%s: unknown status %s; expected any of %s"
            % (option, ", ".join(repr(v) for v in unknown), ", ".join(STATUSES))
        )
    if not values:
        raise OptionError("%s must name at least one status (%s)" % (option, ", ".join(STATUSES)))
    return values


def validate_phone(value, option="phone"):
    text = str(value).strip()
    if not E164_PATTERN.match(text):
        raise OptionError(
            "%s %r is not an E.164 phone number (a + then 7 to 15 digits, e.g. +201234567890)"
            % (option, body_excerpt(text))
        )
    return text


def validate_filters(options):
    """The API's list filters from the options, checked; empty ones left out."""
    filters = {key: options.get(key) for key in FILTER_OPTIONS if options.get(key) not in (None, "")}
    if "uuid" in filters:
        filters["uuid"] = validate_uuid(filters["uuid"], option="uuid")
    if "phone" in filters:
        filters["phone"] = validate_phone(filters["phone"])
    if "status" in filters:
        filters["status"] = validate_statuses([filters["status"]], "status")[0]
    return filters


def build_client(options, **client_kwargs):
    """An :class:`ApiClient` for the Hypersender API from the connection options (what :func:`connect` wraps).

    ``options`` maps the option names of the doc fragment to values, whether
    they came from a module's params or a lookup's get_option().
    """
    base_url = validate_base_url(options.get("api_url") or DEFAULT_API_URL)
    token = validate_secret(options.get("api_token"), "api_token", TOKEN_ENV)
    transport = validate_transport(options)
    return ApiClient(
        base_url,
        "Bearer " + token,
        service="Hypersender API",
        auth_hint="check " + where_set("hypersender", ["api_token"], [TOKEN_ENV]),
        error_reader=read_error,
        rate_limit_windows=RATE_LIMIT_WINDOWS,
        **dict(transport, **client_kwargs),
    )


def read_error(body):
    """The server's own words from a Hypersender (Laravel) error body: ``message``, and for a validation
    error (HTTP 422, ``{"message", "errors": {field: [..]}}``) every field's complaint."""
    if not isinstance(body, dict):
        return None
    fields = body.get("errors")
    if isinstance(fields, dict) and fields:
        return "; ".join(
            "%s: %s" % (field, " ".join(str(m) for m in (said if isinstance(said, list) else [said])))
            for field, said in fields.items()
        )
    return error_detail(body)


def parse_health(body, instance):
    """The /{instance}/health body as ``{instance_id, status, connected_at}``.

    Unknown status strings pass through: callers treat them as not ready.
    """
    if not isinstance(body, dict):
        raise ResponseFormatError("GET /%s/health: expected a JSON object, got %s" % (instance, describe(body)))
    status = body.get("status")
    if not isinstance(status, str) or not status:
        raise ResponseFormatError(
            "GET /%s/health: the response has no status string (keys: %s)"
            % (instance, ", ".join(sorted(body_excerpt(str(k)) for k in body)) or "none")
        )
    instance_id = body.get("instance_id")
    connected_at = body.get("connected_at")
    return {
        "instance_id": instance_id if isinstance(instance_id, str) and instance_id else instance,
        "status": status,
        "connected_at": connected_at if isinstance(connected_at, str) else None,
    }


INSTANCE_FIELDS = ("id", "name", "phone", "service_type", "status", "created_at")


def parse_instances(body, include_access_token=False):
    """The /instances body as a list of instance dicts with the documented fields.

    ``access_token`` is a live credential of each instance: it is dropped
    unless asked for. A field the API leaves out or gives as null is an
    empty string, so that every consumer can sort and format it.
    """
    if not isinstance(body, list):
        raise ResponseFormatError("GET /instances: expected a JSON array of instances, got %s" % describe(body))
    instances = []
    for position, item in enumerate(body):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("status"), str):
            raise ResponseFormatError(
                "GET /instances: item %d is not an instance with an id and a status: %s" % (position, describe(item))
            )
        instance = {field: _text(item.get(field)) for field in INSTANCE_FIELDS}
        if include_access_token:
            instance["access_token"] = item.get("access_token")
        instances.append(instance)
    return instances


def _text(value):
    return "" if value is None else value if isinstance(value, str) else str(value)


class HypersenderApi(ServiceApi):
    """The Hypersender reads the collection makes (the actions are in _hypersender_actions)."""

    def instance_health(self, instance, deadline=None):
        try:
            body = self.client.get_json("/%s/health" % instance, deadline=deadline)
        except NotFoundError as error:
            raise InstanceNotFoundError(
                "instance %s not found (%s): either the Hypersender account of this token has no such instance "
                "(check the UUID in the dashboard and that the API token belongs to the same account), or api_url is not "
                "the API's base URL (it is %s; expected one ending in /api/whatsapp/v1, as %s)"
                % (instance, str(error).split(": ", 1)[-1], safe_url(self.client.base_url), DEFAULT_API_URL),
                status=404,
            ) from None
        return parse_health(body, instance)

    def list_instances(self, filters=None, include_access_token=False, deadline=None):
        params = {"filter[%s]" % key: value for key, value in (filters or {}).items() if value not in (None, "")}
        body = self.client.get_json("/instances", params=params or None, deadline=deadline)
        return parse_instances(body, include_access_token=include_access_token)

    def instance_health_probe(self, instance):
        """A probe for :func:`_wait.poll`: one health read inside the wait's deadline."""
        return lambda deadline: self.instance_health(instance, deadline=deadline)


def connect(options, environ=None, **client_kwargs):
    """The :class:`HypersenderApi` for the connection options; the environment is read through the fallbacks."""
    client = build_client(options, **client_kwargs)
    return HypersenderApi(client, secrets=[client.auth_header.split(" ", 1)[1]])


class InstanceWatch(Watch):
    """One instance's health, read once or until a status of ``ready`` (or of ``fail_on``, which ends the wait)."""

    def __init__(self, api, instance, ready, fail_on):
        super().__init__(dict(changed=False, instance_id=instance, waited=False, healthy=False, polls=0, elapsed=0.0))
        self.api = api
        self.instance = instance
        self.ready = ready
        self.fail_on = fail_on
        self.awaited = status_list(ready)

    def probe(self, deadline):
        return self.api.instance_health(self.instance, deadline=deadline)

    def classify(self, health):
        if health["status"] in self.ready:
            return DONE
        return FAILED if health["status"] in self.fail_on else None

    def shape(self, outcome):
        health = outcome.value
        if health is None:
            return []
        self.result.update(health, healthy=outcome.state == DONE)
        if health["status"] in STATUSES:
            return []
        return [
            "instance %s reports status %r, which this collection does not know; it counts as not ready"
            % (self.instance, health["status"])
        ]

    def read_once(self):
        return "probed once (status %s)" % self.result.get("status")

    def failure(self, outcome):
        fatal = outcome.state == FAILED
        return not_ready_message(self.instance, outcome.value, self.ready, outcome, fatal=fatal, fail_on=self.fail_on)


HYPERSENDER = Service("hypersender", CONNECTION_ARGUMENT_SPEC, ENV_FALLBACKS, connect)


def status_list(statuses):
    return "[%s]" % ", ".join(statuses)


def not_ready_message(instance, health, ready, outcome, fatal=False, fail_on=()):
    """Why a wait for one instance failed, and what to do about it (``outcome``: the :class:`_wait.WaitOutcome`)."""
    status = health["status"] if health else None
    polls, elapsed = outcome.polls, format_seconds(outcome.elapsed)
    if fatal:
        head = "instance %s reported %s, a status in fail_on %s, after %d polls" % (
            instance,
            status,
            status_list(fail_on),
            polls,
        )
    elif status is None:
        head = "instance %s not in %s after %s s; no poll succeeded in %d polls" % (
            instance,
            status_list(ready),
            elapsed,
            polls,
        )
    else:
        head = "instance %s not in %s after %s s; last status %s after %d polls" % (
            instance,
            status_list(ready),
            elapsed,
            body_excerpt(status),
            polls,
        )
    hint = STATUS_HINTS.get(status)
    if hint and status in WAIT_LONGER_STATUSES and not fatal:
        hint += " (raise wait_timeout)"
    return explain_not_ready(head, outcome, hint=hint)
