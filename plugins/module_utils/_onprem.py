# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WhatsApp Business On-Premises API: options, credentials and login, the /v1/health call and parser.

The verdict rules, pure functions of the parsed answer, are in _onprem_rules.py."""

from __future__ import annotations

import re

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiClient,
    NotFoundError,
    OptionError,
    ResponseFormatError,
    body_excerpt,
    clean_text,
    describe,
    error_detail,
    safe_url,
    validate_base_url,
    validate_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem_rules import (
    SINGLE,
    Health,
    contradiction,
    unknown_values,
    verdict,
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
)

SERVICE = "WhatsApp Business On-Premises API"
ENV = {
    "api_url": "WA_ONPREM_URL",
    "api_key": "WA_API_KEY",
    "api_token": "WA_ONPREM_TOKEN",
    "username": "WA_WEB_USERNAME",
    "password": "WA_WEB_PASSWORD",
}
CREDENTIAL_OPTIONS = ("api_key", "api_token", "username", "password")
# Option -> environment variable: the module's env fallbacks, which the lookup binds late. The credential
# variables are no fallbacks: select_credentials reads them, only when no credential option is given.
ENV_FALLBACKS = {"api_url": ENV["api_url"]}
CREDENTIAL_ENV = tuple(ENV[name] for name in CREDENTIAL_OPTIONS)
API_KEY_MIN_LENGTH, API_KEY_MAX_LENGTH = 12, 128

CONNECTION_ARGUMENT_SPEC = dict(
    api_url=dict(type="str"),
    api_key=dict(type="str", no_log=True),
    api_token=dict(type="str", no_log=True),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    **transport_argument_spec(),
)
CONNECTION_OPTIONS = tuple(CONNECTION_ARGUMENT_SPEC)


class Credentials:
    """One way to authenticate: ``kind`` is api_key, api_token or login; ``secret`` the key, token or password."""

    def __init__(self, kind, secret, username=None):
        self.kind = kind
        self.secret = secret
        self.username = username


def _set(value):
    return None if value is None or value == "" else value


def _kinds(values):
    kinds = [name for name in ("api_key", "api_token") if values[name]]
    return kinds + (["login"] if values["username"] or values["password"] else [])


def select_credentials(options, environ):
    """The one credential to use: the task's options first; the environment only when no option names one."""
    given = {name: _set(options.get(name)) for name in CREDENTIAL_OPTIONS}
    from_env = {name: _set(environ.get(ENV[name])) for name in CREDENTIAL_OPTIONS}
    kinds, where = _kinds(given), "task options"
    if not kinds:
        kinds, where = _kinds(from_env), "environment variables"
    if not kinds:
        raise OptionError(
            "no credentials: give api_key (or set WA_API_KEY), api_token (WA_ONPREM_TOKEN), or username "
            "and password (WA_WEB_USERNAME and WA_WEB_PASSWORD)"
        )
    if len(kinds) > 1:
        names = {"api_key": "api_key", "api_token": "api_token", "login": "username/password"}
        if where == "task options":
            raise OptionError(
                "more than one credential in the task options: %s; give only one of api_key, api_token "
                "or username and password" % ", ".join(names[kind] for kind in kinds)
            )
        raise OptionError(
            "more than one credential in the environment: %s; unset all but one, or give the one to use as "
            "a task option (options override the environment)"
            % ", ".join(ENV[kind] if kind in ENV else "WA_WEB_USERNAME/WA_WEB_PASSWORD" for kind in kinds)
        )
    values = given if where == "task options" else from_env
    if kinds == ["api_key"]:
        return Credentials(
            "api_key",
            validate_secret(values["api_key"], "api_key", ENV["api_key"], API_KEY_MIN_LENGTH, API_KEY_MAX_LENGTH),
        )
    if kinds == ["api_token"]:
        return Credentials("api_token", validate_secret(values["api_token"], "api_token", ENV["api_token"]))
    username = given["username"] or from_env["username"]
    password = given["password"] or from_env["password"]
    if not username or not password:
        missing = "username" if not username else "password"
        raise OptionError(
            "%s is missing: logging in needs both username and password (or %s and %s)"
            % (missing, ENV["username"], ENV["password"])
        )
    if ":" in str(username):
        raise OptionError("username must not contain a colon (HTTP Basic authentication cannot carry it)")
    for name, value in (("username", username), ("password", password)):
        try:
            str(value).encode("latin-1")
        except UnicodeEncodeError:
            raise OptionError(
                "%s contains a character HTTP Basic authentication cannot carry (outside latin-1): check "
                "the value in %s or %s" % (name, name, ENV[name])
            ) from None
    return Credentials("login", str(password), username=str(username))


def connect(options, environ=None, **client_kwargs):
    """The :class:`OnPremApi` for the connection options and the one credential :func:`select_credentials` chose
    from them or, when they name none, from ``environ``."""
    credentials = select_credentials(options, environ or {})
    return OnPremApi(_client(options, credentials, **client_kwargs), credentials)


def _client(options, credentials, **client_kwargs):
    """An :class:`ApiClient` for the Webapp at api_url, with the credential's header (none yet for a login)."""
    if not _set(options.get("api_url")):
        raise OptionError(
            "api_url is not set: give the Webapp's root URL, e.g. https://wa.example.com:9090, as api_url "
            "or in the %s environment variable" % ENV["api_url"]
        )
    base_url = validate_base_url(options["api_url"])
    transport = validate_transport(options)
    header, hint = {
        "api_key": (
            "Apikey ",
            "check %s against the Webapp's WA_API_KEY (the Webapp must be restarted after it changes)"
            % where_set("onprem", ["api_key"], [ENV["api_key"]]),
        ),
        "api_token": (
            "Bearer ",
            "check %s; Bearer tokens expire after 7 days, an API key (api_key) does not"
            % where_set("onprem", ["api_token"], [ENV["api_token"]]),
        ),
        "login": (
            None,
            "check " + where_set("onprem", ["username", "password"], [ENV["username"], ENV["password"]]),
        ),
    }[credentials.kind]
    client = ApiClient(
        base_url,
        header and header + credentials.secret,
        service=SERVICE,
        auth_hint=hint,
        error_reader=read_error,
        **dict(transport, **client_kwargs),
    )
    client.add_secret(credentials.secret)
    return client


def read_error(body):
    """The server's own words from an On-Premises error body: ``message``, or the first entry of its ``errors``
    array (``{"errors": [{"code", "title", "details"}]}``)."""
    detail = error_detail(body)
    errors = body.get("errors") if isinstance(body, dict) else None
    if detail is None and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        detail = clean_text(
            " ".join(str(first[key]) for key in ("code", "title", "details") if first.get(key) not in (None, ""))
        )
    return detail


def parse_login(body):
    """The Bearer token from a /v1/users/login body. Never echoes a value, only the keys seen."""
    users = body.get("users") if isinstance(body, dict) else None
    first = users[0] if isinstance(users, list) and users else None
    token = first.get("token") if isinstance(first, dict) else None
    if not isinstance(token, str) or not re.match(r"^[\x21-\x7e]+$", token):
        raise ResponseFormatError(
            "POST /v1/users/login: expected users[0].token, a printable string; got %s"
            % (describe(first) if isinstance(first, dict) else describe(body))
        )
    return token


def _node(name, value, where):
    if not isinstance(value, dict) or not isinstance(value.get("gateway_status"), str):
        raise ResponseFormatError(
            "GET /v1/health: %s is not an object with a gateway_status string; got %s" % (where, describe(value))
        )
    role = value.get("role")
    if role is not None and not isinstance(role, str):
        raise ResponseFormatError("GET /v1/health: the role of %s is not a string; got %s" % (where, describe(role)))
    return {"name": name, "gateway_status": value["gateway_status"], "role": role}


def parse_health(body):
    """A /v1/health body as :class:`Health`: a single instance, or the nodes of a High Availability/Multiconnect map.

    Keys besides ``health`` and ``errors`` (``meta``) are ignored; unknown status and role strings pass through.
    An ``errors`` array beside ``health`` is kept: it makes the verdict unhealthy.
    """
    health = body.get("health") if isinstance(body, dict) else None
    if not isinstance(health, dict):
        got = (
            "health is %s" % describe(health)
            if isinstance(body, dict) and "health" in body
            else "got %s" % describe(body)
        )
        detail = read_error(body)
        raise ResponseFormatError(
            "GET /v1/health: expected an object with a health object; %s%s"
            % (got, "; it says: %s" % detail if detail else "")
        )
    errors = _errors_beside(body)
    if "gateway_status" in health:
        return Health(SINGLE, [_node("", health, "health")], errors)
    if not health:
        raise ResponseFormatError(
            "GET /v1/health: health is an empty object, with neither a gateway_status nor any node"
        )
    return Health(
        "cluster", [_node(name, value, "node %r" % body_excerpt(name)) for name, value in health.items()], errors
    )


def _errors_beside(body):
    """The entries of an ``errors`` array next to ``health``, as sentences: the API reports trouble there too."""
    errors = body.get("errors")
    if errors in (None, [], {}):
        return ()
    if not isinstance(errors, list):
        errors = [errors]
    return tuple(
        read_error({"errors": [error]}) if isinstance(error, dict) else clean_text(str(error), 200)
        for error in errors[:10]
    )


class OnPremApi(ServiceApi):
    """The calls the collection makes to the Webapp: a login when the credential is a password, and /v1/health."""

    def __init__(self, client, credentials):
        super().__init__(client, secrets=[credentials.secret])
        self.credentials = credentials
        self.logged_in = credentials.kind != "login"

    def login(self, deadline=None):
        body = self.client.request_json(
            "POST", "/v1/users/login", deadline=deadline, auth=(self.credentials.username, self.credentials.secret)
        )
        self.client.set_auth_header("Bearer " + parse_login(body))
        self.logged_in = True

    def health(self, deadline=None):
        """One health read; also a probe for :func:`_wait.poll` (a failed login is retried by the next probe)."""
        if not self.logged_in:
            self.login(deadline)
        try:
            return parse_health(self.client.get_json("/v1/health", deadline=deadline))
        except NotFoundError as error:
            raise NotFoundError(
                "%s: is api_url the Webapp's root URL (e.g. https://wa.example.com:9090, without /v1)?" % error,
                status=404,
            ) from None


ONPREM = Service("onprem", CONNECTION_ARGUMENT_SPEC, ENV_FALLBACKS, connect, env_read_by_rule=CREDENTIAL_ENV)


def not_healthy_message(api_url, report, wait_timeout, outcome, fatal=False):
    """Why a wait for a healthy gateway failed: the last poll's problems, the polls and the time spent."""
    if fatal:
        head = "stopped waiting for the gateway at %s after %d polls (%s s), since waiting cannot fix this" % (
            safe_url(api_url),
            outcome.polls,
            format_seconds(outcome.elapsed),
        )
    else:
        head = "the gateway at %s is not healthy after %s s (%d polls, %s s elapsed)" % (
            safe_url(api_url),
            format_seconds(wait_timeout),
            outcome.polls,
            format_seconds(outcome.elapsed),
        )
    if report is None:
        head += "; no poll succeeded"
    return explain_not_ready(head, outcome, problems=report["problems"] if report else ())


class GatewayWatch(Watch):
    """The gateway's /v1/health, probed once or until healthy by ``rules`` (the verdict options); an answer that
    contradicts the topology ends the wait, since waiting cannot change it."""

    awaited = "the gateway to be healthy"

    def __init__(self, api, rules, api_url, wait_timeout):
        super().__init__(
            dict(changed=False, waited=False, polls=0, elapsed=0.0, healthy=False, problems=[], nodes=[], connected=0)
        )
        self.api = api
        self.rules = rules
        self.api_url = api_url
        self.wait_timeout = wait_timeout
        self.report = None

    def probe(self, deadline):
        return self.api.health(deadline)

    def classify(self, health):
        if verdict(health, **self.rules)["healthy"]:
            return DONE
        return FAILED if contradiction(health, self.rules["topology"], self.rules["shards"]) else None

    def shape(self, outcome):
        if outcome.value is None:
            return []
        self.report = verdict(outcome.value, **self.rules)
        self.result.update(self.report)
        return unknown_values(outcome.value)

    def read_once(self):
        return "probed once (%s)" % ("healthy" if self.result["healthy"] else "not healthy")

    def failure(self, outcome):
        fatal = outcome.state == FAILED
        return not_healthy_message(self.api_url, self.report, self.wait_timeout, outcome, fatal=fatal)
