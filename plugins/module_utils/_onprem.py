# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WhatsApp Business On-Premises API: credentials and login, the /v1/health parser, the verdict rules."""

from __future__ import annotations

import re
from collections import namedtuple

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    ApiClient,
    NotFoundError,
    OptionError,
    ResponseFormatError,
    body_excerpt,
    clean_text,
    error_detail,
    safe_url,
    validate_base_url,
    validate_ca_path,
    validate_connection_numbers,
    validate_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import format_seconds

SERVICE = "WhatsApp Business On-Premises API"
ENV = {"api_url": "WA_ONPREM_URL", "api_key": "WA_API_KEY", "api_token": "WA_ONPREM_TOKEN",
       "username": "WA_WEB_USERNAME", "password": "WA_WEB_PASSWORD"}
CREDENTIAL_OPTIONS = ("api_key", "api_token", "username", "password")
API_KEY_MIN_LENGTH, API_KEY_MAX_LENGTH = 12, 128

GATEWAY_STATUSES = ("connected", "connecting", "disconnected", "uninitialized", "unregistered")
ROLES = ("primary_master", "secondary_master", "coreapp")
SINGLE, HA, MULTICONNECT, AUTO = "single", "ha", "multiconnect", "auto"
TOPOLOGIES = (AUTO, SINGLE, HA, MULTICONNECT)
# In a cluster the seed counts *connected* nodes; a coreapp still connecting carries no traffic yet.
DEFAULT_HEALTHY_STATUSES = {SINGLE: ("connected", "connecting"), HA: ("connected",), MULTICONNECT: ("connected",)}

# What a gateway_status means and what to do, after "The gateway" or "Node X (role)" (Meta's own words).
STATUS_HINTS = {
    "connecting": "is still connecting to the WhatsApp servers; it counts once it is connected (wait with wait=true)",
    "disconnected": "is disconnected: the Coreapp is not connected to the WhatsApp servers; check the Coreapp's logs "
                    "and its network access to WhatsApp",
    "uninitialized": "is uninitialized: the application could be upgrading or initializing its database schema; retry in "
                     "a few minutes (or wait with wait=true), and contact WhatsApp Support if it persists",
    "unregistered": "is unregistered: register the WhatsApp Business API client, see the Registration documentation",
}

CONNECTION_ARGUMENT_SPEC = dict(
    api_url=dict(type="str"),
    api_key=dict(type="str", no_log=True),
    api_token=dict(type="str", no_log=True),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="float", default=DEFAULT_TIMEOUT),
    retries=dict(type="int", default=DEFAULT_RETRIES),
)
VERDICT_ARGUMENT_SPEC = dict(
    topology=dict(type="str", choices=list(TOPOLOGIES), default=AUTO),
    shards=dict(type="int"),
    healthy_statuses=dict(type="list", elements="str", choices=list(GATEWAY_STATUSES)),
)
CONNECTION_OPTIONS = tuple(CONNECTION_ARGUMENT_SPEC)
VERDICT_OPTIONS = tuple(VERDICT_ARGUMENT_SPEC)

# shape: SINGLE or "cluster"; nodes: [{name, gateway_status, role}]; errors: sentences from an "errors" array beside health
Health = namedtuple("Health", "shape nodes errors", defaults=((),))


class Credentials:
    """One way to authenticate: ``kind`` is api_key, api_token or login; ``secret`` the key, token or password."""

    def __init__(self, kind, secret, username=None):
        self.kind = kind
        self.secret = secret
        self.username = username


def argument_spec(env_fallback):
    """The module argument spec. Only api_url falls back to its variable here: select_credentials reads the others."""
    spec = {name: dict(option) for name, option in CONNECTION_ARGUMENT_SPEC.items()}
    spec["api_url"]["fallback"] = (env_fallback, [ENV["api_url"]])
    spec.update((name, dict(option)) for name, option in VERDICT_ARGUMENT_SPEC.items())
    return spec


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
        raise OptionError("no credentials: give api_key (or set WA_API_KEY), api_token (WA_ONPREM_TOKEN), or username "
                          "and password (WA_WEB_USERNAME and WA_WEB_PASSWORD)")
    if len(kinds) > 1:
        names = {"api_key": "api_key", "api_token": "api_token", "login": "username/password"}
        if where == "task options":
            raise OptionError("more than one credential in the task options: %s; give only one of api_key, api_token "
                              "or username and password" % ", ".join(names[kind] for kind in kinds))
        raise OptionError("more than one credential in the environment: %s; unset all but one, or give the one to use as "
                          "a task option (options override the environment)"
                          % ", ".join(ENV[kind] if kind in ENV else "WA_WEB_USERNAME/WA_WEB_PASSWORD" for kind in kinds))
    values = given if where == "task options" else from_env
    if kinds == ["api_key"]:
        return Credentials("api_key", validate_secret(values["api_key"], "api_key", ENV["api_key"],
                                                      API_KEY_MIN_LENGTH, API_KEY_MAX_LENGTH))
    if kinds == ["api_token"]:
        return Credentials("api_token", validate_secret(values["api_token"], "api_token", ENV["api_token"]))
    username = given["username"] or from_env["username"]
    password = given["password"] or from_env["password"]
    if not username or not password:
        missing = "username" if not username else "password"
        raise OptionError("%s is missing: logging in needs both username and password (or %s and %s)"
                          % (missing, ENV["username"], ENV["password"]))
    if ":" in str(username):
        raise OptionError("username must not contain a colon (HTTP Basic authentication cannot carry it)")
    for name, value in (("username", username), ("password", password)):
        try:
            str(value).encode("latin-1")
        except UnicodeEncodeError:
            raise OptionError("%s contains a character HTTP Basic authentication cannot carry (outside latin-1): check "
                              "the value in %s or %s" % (name, name, ENV[name])) from None
    return Credentials("login", str(password), username=str(username))


def check_rules(options):
    """topology, shards and healthy_statuses from the options, checked; the keyword arguments of :func:`verdict`."""
    topology = options.get("topology") or AUTO
    shards = options.get("shards")
    statuses = options.get("healthy_statuses") or None
    if topology not in TOPOLOGIES:
        raise OptionError("topology must be one of %s, got %r" % (", ".join(TOPOLOGIES), body_excerpt(str(topology))))
    if shards is not None:
        if isinstance(shards, bool) or not isinstance(shards, int) or shards < 1:
            raise OptionError("shards must be a whole number of 1 or more, got %r" % (shards,))
        if topology in (SINGLE, HA):
            raise OptionError("shards is for a Multiconnect deployment: use it with topology multiconnect or auto, not %s"
                              % topology)
    if statuses is not None:
        statuses = [statuses] if isinstance(statuses, str) else list(statuses)
        unknown = [status for status in statuses if status not in GATEWAY_STATUSES]
        if unknown:
            raise OptionError("healthy_statuses: unknown gateway_status %s; expected any of %s"
                              % (", ".join(repr(s) for s in unknown), ", ".join(GATEWAY_STATUSES)))
    return {"topology": topology, "shards": shards, "healthy_statuses": statuses}


def build_client(options, credentials, **client_kwargs):
    """An :class:`ApiClient` for the Webapp at api_url, with the credential's header (none yet for a login)."""
    if not _set(options.get("api_url")):
        raise OptionError("api_url is not set: give the Webapp's root URL, e.g. https://wa.example.com:9090, as api_url "
                          "or in the %s environment variable" % ENV["api_url"])
    base_url = validate_base_url(options["api_url"])
    timeout, retries = validate_connection_numbers(options)
    ca_path = validate_ca_path(options.get("ca_path"))
    header, hint = {
        "api_key": ("Apikey ", "check api_key / the WA_API_KEY environment variable against the Webapp's WA_API_KEY "
                               "(the Webapp must be restarted after it changes)"),
        "api_token": ("Bearer ", "check api_token / the WA_ONPREM_TOKEN environment variable; Bearer tokens expire "
                                 "after 7 days, an API key (api_key) does not"),
        "login": (None, "check username and password / the WA_WEB_USERNAME and WA_WEB_PASSWORD environment variables"),
    }[credentials.kind]
    client = ApiClient(base_url, header and header + credentials.secret, service=SERVICE, auth_hint=hint,
                       timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                       validate_certs=options.get("validate_certs", True) is not False, ca_path=ca_path,
                       retries=DEFAULT_RETRIES if retries is None else retries, **client_kwargs)
    client.add_secret(credentials.secret)
    return client


def _describe(value):
    if isinstance(value, dict):
        return "an object with keys %s" % (", ".join(sorted(body_excerpt(str(k)) for k in value)) or "none")
    if isinstance(value, list):
        return "an array of %d items" % len(value)
    if value is None:
        return "null or an empty body"
    return "a %s %r" % (type(value).__name__, body_excerpt(str(value)))


def parse_login(body):
    """The Bearer token from a /v1/users/login body. Never echoes a value, only the keys seen."""
    users = body.get("users") if isinstance(body, dict) else None
    first = users[0] if isinstance(users, list) and users else None
    token = first.get("token") if isinstance(first, dict) else None
    if not isinstance(token, str) or not re.match(r"^[\x21-\x7e]+$", token):
        raise ResponseFormatError("POST /v1/users/login: expected users[0].token, a printable string; got %s"
                                  % (_describe(first) if isinstance(first, dict) else _describe(body)))
    return token


def _node(name, value, where):
    if not isinstance(value, dict) or not isinstance(value.get("gateway_status"), str):
        raise ResponseFormatError("GET /v1/health: %s is not an object with a gateway_status string; got %s"
                                  % (where, _describe(value)))
    role = value.get("role")
    if role is not None and not isinstance(role, str):
        raise ResponseFormatError("GET /v1/health: the role of %s is not a string; got %s" % (where, _describe(role)))
    return {"name": name, "gateway_status": value["gateway_status"], "role": role}


def parse_health(body):
    """A /v1/health body as :class:`Health`: a single instance, or the nodes of a High Availability/Multiconnect map.

    Keys besides ``health`` and ``errors`` (``meta``) are ignored; unknown status and role strings pass through.
    An ``errors`` array beside ``health`` is kept: it makes the verdict unhealthy.
    """
    health = body.get("health") if isinstance(body, dict) else None
    if not isinstance(health, dict):
        got = "health is %s" % _describe(health) if isinstance(body, dict) and "health" in body else "got %s" % _describe(body)
        detail = error_detail(body)
        raise ResponseFormatError("GET /v1/health: expected an object with a health object; %s%s"
                                  % (got, "; it says: %s" % detail if detail else ""))
    errors = _errors_beside(body)
    if "gateway_status" in health:
        return Health(SINGLE, [_node("", health, "health")], errors)
    if not health:
        raise ResponseFormatError("GET /v1/health: health is an empty object, with neither a gateway_status nor any node")
    return Health("cluster", [_node(name, value, "node %r" % body_excerpt(name)) for name, value in health.items()], errors)


def _errors_beside(body):
    """The entries of an ``errors`` array next to ``health``, as sentences: the API reports trouble there too."""
    errors = body.get("errors")
    if errors in (None, [], {}):
        return ()
    if not isinstance(errors, list):
        errors = [errors]
    return tuple(error_detail({"errors": [error]}) if isinstance(error, dict) else clean_text(str(error), 200)
                 for error in errors[:10])


class OnPremApi:
    """The calls the collection makes to the Webapp: a login when the credential is a password, and /v1/health."""

    def __init__(self, client, credentials):
        self.client = client
        self.credentials = credentials
        self.logged_in = credentials.kind != "login"

    def login(self, deadline=None):
        body = self.client.request_json("POST", "/v1/users/login", deadline=deadline,
                                        auth=(self.credentials.username, self.credentials.secret))
        self.client.set_auth_header("Bearer " + parse_login(body))
        self.logged_in = True

    def health(self, deadline=None):
        """One health read; also a probe for :func:`_wait.poll` (a failed login is retried by the next probe)."""
        if not self.logged_in:
            self.login(deadline)
        try:
            return parse_health(self.client.get_json("/v1/health", deadline=deadline))
        except NotFoundError as error:
            raise NotFoundError("%s: is api_url the Webapp's root URL (e.g. https://wa.example.com:9090, without /v1)?"
                                % error, status=404) from None


def applied_topology(shape, topology=AUTO, shards=None):
    if topology != AUTO:
        return topology
    return MULTICONNECT if shards else (SINGLE if shape == SINGLE else HA)


def contradiction(health, topology=AUTO, shards=None):
    """The sentence saying the answer's shape contradicts the expected topology, or None. Waiting cannot fix it."""
    expected = applied_topology(health.shape, topology, shards)
    if health.shape == SINGLE and expected != SINGLE:
        said = "topology is %s" % expected if topology != AUTO else "shards is %d, so a Multiconnect deployment is expected" % shards
        return ("%s, but GET /v1/health describes a single instance (gateway_status %s): check that api_url is the "
                "cluster's Webapp, or set topology to single or auto%s."
                % (said, body_excerpt(health.nodes[0]["gateway_status"]), " without shards" if shards else ""))
    if health.shape != SINGLE and expected == SINGLE:
        return ("topology is single, but GET /v1/health lists %d nodes (%s), as a High Availability or Multiconnect "
                "deployment does: set topology to ha, multiconnect or auto." % (len(health.nodes), _names(health.nodes)))
    return None


def _names(nodes, with_status=False):
    return ", ".join(body_excerpt(node["name"]) + (" %s" % body_excerpt(node["gateway_status"]) if with_status else "")
                     for node in nodes)


def _subject(node):
    if not node["name"]:
        return "The gateway"
    return "Node %s (%s)" % (body_excerpt(node["name"]), body_excerpt(node["role"]) if node["role"] else "no role")


def _status_problem(node):
    status = node["gateway_status"]
    if status in STATUS_HINTS:
        return "%s %s." % (_subject(node), STATUS_HINTS[status])
    if status not in GATEWAY_STATUSES:
        return "%s reports gateway_status %r, which this collection does not know; it counts as not connected." % (
            _subject(node), body_excerpt(status))
    return "%s is %s, which is not one of healthy_statuses." % (_subject(node), status)


def _ha_problems(coreapps, up_coreapps):
    if not coreapps:
        return ["No node has the role coreapp, but High Availability needs one connected coreapp: check that the "
                "coreapp containers run and that api_url is the cluster's Webapp."]
    if not up_coreapps:
        return ["No coreapp is connected to the WhatsApp servers, but High Availability needs exactly one (%s)."
                % _names(coreapps, with_status=True)]
    if len(up_coreapps) > 1:
        return ["%d coreapps are connected (%s), but High Availability has exactly one connected coreapp: check the "
                "masters' logs. If this is a Multiconnect deployment, set topology to multiconnect and shards to %d."
                % (len(up_coreapps), _names(up_coreapps), len(up_coreapps))]
    return []


def _multiconnect_problems(nodes, coreapps, up_coreapps, shards, up):
    problems = []
    if not coreapps:
        problems.append("No node has the role coreapp, but Multiconnect needs one connected coreapp per shard: check "
                        "that the coreapp containers run and that api_url is the deployment's Webapp.")
    elif shards is None and not up_coreapps:
        problems.append("No coreapp is connected to the WhatsApp servers, but Multiconnect needs one per shard (%s)."
                        % _names(coreapps, with_status=True))
    elif shards is not None and len(up_coreapps) < shards:
        problems.append("%d of the %d coreapps that Multiconnect with %d shards needs %s connected (%s)."
                        % (len(up_coreapps), shards, shards, "is" if len(up_coreapps) == 1 else "are",
                           _names(coreapps, with_status=True)))
    elif shards is not None and len(up_coreapps) > shards:
        problems.append("%d coreapps are connected (%s), but shards is %d: set shards to the deployment's number of shards."
                        % (len(up_coreapps), _names(up_coreapps), shards))
    masters = [node for node in nodes if node["role"] == "primary_master"]
    if not masters:
        problems.append("No node has the role primary_master, but in Multiconnect the primary master must be connected "
                        "to the WhatsApp servers too: check the master containers.")
    elif not any(node["gateway_status"] in up for node in masters):
        problems.append("The primary master (%s) is not connected, but in Multiconnect it must be connected to the "
                        "WhatsApp servers too: check its logs and its network access to WhatsApp."
                        % _names(masters, with_status=True))
    return problems


def _cluster_problems(nodes, topology, shards, up):
    problems = ["Node %s reports %s, which this collection does not know (expected primary_master, secondary_master or "
                "coreapp), so the deployment cannot be judged healthy." % (
                    body_excerpt(node["name"]), "no role" if node["role"] is None else "the role %r" % body_excerpt(node["role"]))
                for node in nodes if node["role"] not in ROLES]
    coreapps = [node for node in nodes if node["role"] == "coreapp"]
    up_coreapps = [node for node in coreapps if node["gateway_status"] in up]
    if topology == HA:
        problems += _ha_problems(coreapps, up_coreapps)
    else:
        problems += _multiconnect_problems(nodes, coreapps, up_coreapps, shards, up)
    if problems:  # say what the unusual statuses mean; disconnected standbys are normal and named above
        problems += [_status_problem(node) for node in nodes
                     if node["gateway_status"] not in up and node["gateway_status"] not in ("disconnected", "connected")]
    return problems


def verdict(health, topology=AUTO, shards=None, healthy_statuses=None):
    """The result of one /v1/health answer: a pure function of the parsed nodes and the rules.

    Returns ``topology`` (the one applied), ``nodes``, ``connected`` (nodes whose gateway_status is
    ``connected``), ``healthy``, ``problems`` (plain sentences, empty when healthy) and, for a single
    instance, ``gateway_status``.
    """
    applied = applied_topology(health.shape, topology, shards)
    up = tuple(healthy_statuses or DEFAULT_HEALTHY_STATUSES[applied])
    problem = contradiction(health, topology, shards)
    if problem:
        problems = [problem]
    elif applied == SINGLE:
        problems = [] if health.nodes[0]["gateway_status"] in up else [_status_problem(health.nodes[0])]
    else:
        problems = _cluster_problems(health.nodes, applied, shards, up)
    problems += ["GET /v1/health also returned an error: %s." % (error or "(no details)") for error in health.errors]
    report = {"topology": applied, "nodes": [dict(node) for node in health.nodes],
              "connected": sum(1 for node in health.nodes if node["gateway_status"] == "connected"),
              "healthy": not problems, "problems": problems}
    if health.shape == SINGLE:
        report["gateway_status"] = health.nodes[0]["gateway_status"]
    return report


def unknown_values(health):
    """Warnings for the status and role strings this collection does not know."""
    warnings = []
    for node in health.nodes:
        where = "node %s" % body_excerpt(node["name"]) if node["name"] else "the gateway"
        if node["gateway_status"] not in GATEWAY_STATUSES:
            warnings.append("%s reports gateway_status %r, which this collection does not know; it counts as not connected"
                            % (where, body_excerpt(node["gateway_status"])))
        if health.shape != SINGLE and node["role"] not in ROLES:
            warnings.append("%s reports %s, which this collection does not know" % (
                where, "no role" if node["role"] is None else "the role %r" % body_excerpt(node["role"])))
    return warnings


def not_healthy_message(api_url, report, wait_timeout, polls, elapsed, last_error=None, fatal=False):
    """Why a wait for a healthy gateway failed: the last poll's problems, the polls and the time spent."""
    if fatal:
        message = "stopped waiting for the gateway at %s after %d polls (%s s), since waiting cannot fix this" % (
            safe_url(api_url), polls, format_seconds(elapsed))
    else:
        message = "the gateway at %s is not healthy after %s s (%d polls, %s s elapsed)" % (
            safe_url(api_url), format_seconds(wait_timeout), polls, format_seconds(elapsed))
    if report is None:
        return message + "; no poll succeeded" + ("; last error: %s" % last_error if last_error is not None else "")
    message += ": %s" % " ".join(report["problems"])
    if last_error is not None:
        message += " The last poll failed: %s" % last_error
    return message
