# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WhatsApp Cloud API preflight: options, the few Graph calls (through _cloud.CloudApi and the shared client), and
the checks they give (rules: _cloud_preflight). Shared by the module and the lookup.

The calls, whatever the number of phone numbers: ``debug_token``; the WABA node with its numbers by field
expansion (``phone_numbers.limit(100){...}``), plus one call per further page of numbers; ``subscribed_apps``;
``message_templates`` (only when templates are named), one call per page. Rate limits are waited out by the client's
retry policy (Meta's ``estimated_time_to_regain_access``, at most a minute, then backoff; ``retries`` times).
"""

from __future__ import annotations

import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    OptionError,
    validate_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import (
    CONNECTION_ARGUMENT_SPEC,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import ENV_FALLBACKS as CLOUD_ENV_FALLBACKS
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import (
    PermissionDeniedError,
    TokenRejectedError,
    _graph_id,
    build_client,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_preflight import (
    ERROR,
    GROUPS,
    QUALITY_RATINGS,
    SKIPPABLE,
    check,
    fatal_token_problem,
    keep,
    missing_number_check,
    number_checks,
    parse_debug_token,
    parse_number,
    parse_subscribed_apps,
    parse_templates,
    parse_waba,
    ready,
    subscription_check,
    template_checks,
    token_checks,
    token_rejected_check,
    token_summary,
    validate_options,
    waba_checks,
)

APP_TOKEN_ENV = "WA_CLOUD_APP_TOKEN"
ENV_FALLBACKS = dict(CLOUD_ENV_FALLBACKS, app_token=APP_TOKEN_ENV)
NUMBER_FIELDS = (
    "id,display_phone_number,verified_name,status,quality_rating,name_status,code_verification_status,"
    "platform_type,throughput,whatsapp_business_manager_messaging_limit,account_mode,health_status"
)
NUMBERS_PER_PAGE = 100
TEMPLATE_FIELDS = "name,language,status,rejected_reason,quality_score"
TEMPLATES_PER_PAGE = 100
PERMISSION_HINT = (
    "give the token's system user the whatsapp_business_management permission and the WhatsApp Business Account as "
    "an asset (Meta Business Settings, System users), then generate a new token"
)
APP_TOKEN_HINT = (
    "check app_token / the %s environment variable: it is the app's token, <app_id>|<app_secret> (the App ID and "
    "App secret of the app's Settings, Basic)" % APP_TOKEN_ENV
)

PREFLIGHT_ARGUMENT_SPEC = dict(
    waba_id=dict(type="str"),
    phone_number_ids=dict(type="list", elements="str"),
    templates=dict(
        type="list",
        elements="dict",
        options=dict(name=dict(type="str", required=True), language=dict(type="str", required=True)),
    ),
    token_expiry_warn_days=dict(type="int", default=14, no_log=False),
    fail_on_quality=dict(type="list", elements="str", default=["RED"], choices=list(QUALITY_RATINGS)),
    skip_checks=dict(type="list", elements="str", default=[], choices=list(SKIPPABLE)),
    app_token=dict(type="str", no_log=True),
)
CONNECTION_OPTIONS = tuple(CONNECTION_ARGUMENT_SPEC)
PREFLIGHT_OPTIONS = tuple(PREFLIGHT_ARGUMENT_SPEC)


def preflight_argument_spec(env_fallback):
    """The module's argument spec: the Cloud connection, the preflight's options, the environment fallbacks."""
    spec = {name: dict(option) for name, option in CONNECTION_ARGUMENT_SPEC.items()}
    spec.update((name, dict(option)) for name, option in PREFLIGHT_ARGUMENT_SPEC.items())
    for name, env_var in ENV_FALLBACKS.items():
        spec[name]["fallback"] = (env_fallback, [env_var])
    return spec


class Plan:
    """The validated options: what to check, and therefore which calls to make."""

    def __init__(self, options):
        waba_id = options.get("waba_id")
        if waba_id in (None, ""):
            raise OptionError(
                "waba_id is required: the ID of the WhatsApp Business Account to check (WhatsApp Manager, Account "
                "tools), or the %s environment variable" % CLOUD_ENV_FALLBACKS["waba_id"]
            )
        self.waba_id = _graph_id(waba_id, "waba_id")
        ids = options.get("phone_number_ids") or []
        self.ids = list(dict.fromkeys(_graph_id(value, "phone_number_ids") for value in ids))
        self.templates, self.warn_days, self.fail_on_quality, self.skipped = validate_options(options)
        app_token = options.get("app_token")
        self.app_token = validate_secret(app_token, "app_token", APP_TOKEN_ENV) if app_token not in (None, "") else None
        if not any(self.wants(group) for group in GROUPS):
            raise OptionError("skip_checks leaves nothing to check: skip fewer checks")

    def wants(self, group):
        """Whether a check of ``group`` is to be made (not skipped, and for templates: some are named)."""
        if group == "templates" and not self.templates:
            return False
        return any(name not in self.skipped for name in GROUPS[group])


def build(options, plan, **client_kwargs):
    """(the CloudApi of api_token, the CloudApi of app_token or None): one client each, the same transport."""
    api = build_client(options, **client_kwargs)
    app_api = None
    if plan.app_token:
        app_api = build_client(dict(options, api_token=plan.app_token), **client_kwargs)
        app_api.client.auth_hint = APP_TOKEN_HINT
        app_api.client.add_secret(api.client.auth_header.split(" ", 1)[-1])
        api.client.add_secret(plan.app_token)
    return api, app_api


class Preflight:
    """One run: the calls in order, the checks they give. ``result()`` holds what was found even when a call
    failed (the caller reports the error beside it)."""

    def __init__(self, api, app_api, plan, token, now=None):
        self.api, self.app_api, self.plan, self.token = api, app_api, plan, token
        self.now = time.time() if now is None else now
        self.checks = []
        self.info = None
        self.secrets = [secret for secret in (token, plan.app_token) if secret]

    @property
    def calls(self):
        return self.api.client.requests_sent + (self.app_api.client.requests_sent if self.app_api else 0)

    def result(self):
        return {
            "ready": ready(self.checks),
            "calls": self.calls,
            "checks": self.checks,
            "token": token_summary(self.info, self.now),
        }

    def add(self, checks):
        for item in keep(checks, self.plan.skipped):
            for secret in self.secrets:  # Meta's words never carry a token, but a proxy's might
                item["msg"] = item["msg"].replace(secret, "********")
            self.checks.append(item)

    def stopped(self):
        return fatal_token_problem(self.checks)

    def run(self):
        plan = self.plan
        steps = (
            (plan.wants("token") or plan.wants("subscription"), self._token),
            (plan.wants("waba") or plan.wants("numbers"), self._waba_and_numbers),
            (plan.wants("subscription"), self._subscription),
            (plan.wants("templates"), self._templates),
        )
        for wanted, step in steps:
            if not wanted:
                continue
            try:
                step()
            except TokenRejectedError as error:
                if "token_valid" in plan.skipped:
                    raise
                self.add([token_rejected_check(_meta_words(error))])
            except PermissionDeniedError as error:
                if "token_scopes" in plan.skipped:
                    raise
                self.add([check("token_scopes", "access token", False, ERROR, _meta_words(error), PERMISSION_HINT)])
            if self.stopped():
                break
        return self.result()

    def _token(self):
        needs_management = any(self.plan.wants(group) for group in ("subscription", "numbers", "templates", "waba"))
        if self.app_api is not None:
            try:
                body = self.app_api.debug_token(self.token)
            except AuthenticationError as error:
                raise AuthenticationError(
                    "debug_token with app_token: %s: %s" % (_meta_words(error), APP_TOKEN_HINT), status=error.status
                ) from None
        else:
            try:
                body = self.api.debug_token(self.token)
            except NotFoundError as error:  # code 100: this token may not inspect itself
                self.add(
                    [
                        check(
                            "token_valid",
                            "access token",
                            False,
                            ERROR,
                            _meta_words(error),
                            "give app_token (<app_id>|<app_secret>) so that debug_token can be asked with the app's "
                            "token, or skip the token and subscription checks",
                        )
                    ]
                )
                return
        self.info = parse_debug_token(body, "GET /debug_token")
        self.add(token_checks(self.info, self.plan.waba_id, self.now, self.plan.warn_days, needs_management))

    def _waba_and_numbers(self):
        node, raw_numbers = self.api.waba_with_numbers(self.plan.waba_id, NUMBER_FIELDS, NUMBERS_PER_PAGE)
        where = "GET /%s/%s" % (self.api.version, self.plan.waba_id)
        waba, dummy = parse_waba(node, where)
        numbers = [parse_number(raw, where) for raw in raw_numbers]
        checks = []
        if self.plan.wants("waba"):
            checks.extend(waba_checks(waba))
        if self.plan.wants("numbers"):
            by_id = {number["id"]: number for number in numbers}
            selected = self.plan.ids or list(by_id)
            if not selected:
                checks.append(
                    check(
                        "number_found",
                        "WhatsApp Business Account %s" % self.plan.waba_id,
                        False,
                        ERROR,
                        "phone_numbers is empty: the account has no phone number",
                        "add or migrate a number in WhatsApp Manager, or check waba_id",
                    )
                )
            for number_id in selected:
                if number_id in by_id:
                    checks.extend(number_checks(by_id[number_id], self.plan.fail_on_quality))
                else:
                    checks.append(missing_number_check(number_id, self.plan.waba_id))
        self.add(checks)

    def _subscription(self):
        items = self.api.waba_edge(self.plan.waba_id, "subscribed_apps")
        apps = parse_subscribed_apps(items, "GET /%s/subscribed_apps" % self.plan.waba_id)
        self.add([subscription_check(apps, self.info["app_id"] if self.info else None, self.plan.waba_id)])

    def _templates(self):
        items = self.api.waba_edge(
            self.plan.waba_id, "message_templates", {"fields": TEMPLATE_FIELDS, "limit": TEMPLATES_PER_PAGE}
        )
        templates = parse_templates(items, "GET /%s/message_templates" % self.plan.waba_id)
        self.add(template_checks(self.plan.templates, templates))


def _meta_words(error):
    """Meta's own words of a Graph error (its message, code and subcode), else the whole message."""
    graph = getattr(error, "graph_error", None)
    return "Meta says: %s" % graph["message"] if graph else str(error)


def run_preflight(options, client_kwargs, now=None):
    """Validate, build the clients, run: (result, error or None). Option errors raise :class:`OptionError`."""
    plan = Plan(options)
    api, app_api = build(options, plan, **client_kwargs)
    preflight = Preflight(api, app_api, plan, options.get("api_token"), now)
    try:
        with api.client:
            if app_api is None:
                return preflight.run(), None
            with app_api.client:
                return preflight.run(), None
    except ApiError as error:
        result = preflight.result()
        result["ready"] = False  # a call failed: what was not checked is not ready
        return result, error
