# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario parsing: a JSON document (file or dict) into validated, immutable-ish objects.

Everything time-dependent is expressed in seconds since the scenario clock started: at the first API request
after the simulator started, was reset or loaded a scenario (SimulatorApp); this module only answers "what is true at t".
"""

from __future__ import annotations

import bisect
import datetime
import json
import os
import random
import re
import string
import uuid

HYPERSENDER_STATUSES = ("STOPPED", "STARTING", "WORKING", "SCAN_QR_CODE", "FAILED", "PENDING")
ONPREM_API_VERSION = "2.53.1"

DEFAULT_HYPERSENDER_TOKENS = ["sim-token-0123456789"]
DEFAULT_ONPREM_API_KEYS = ["sim-onprem-key-0123"]
DEFAULT_ONPREM_TOKENS = ["sim-onprem-bearer"]
DEFAULT_ONPREM_USERS = {"admin": "secret-password"}
DEFAULT_RATE_LIMIT = {"requests": 10, "window": 60}
DEFAULT_TOKEN_TTL = 7 * 24 * 3600

_BASE_CREATED_AT = datetime.datetime(2025, 5, 1, 8, 0, 0)
# Keys any object may carry for documentation purposes.
_COMMENT_KEYS = ("description", "comment")


class ScenarioError(ValueError):
    """The scenario document is not valid; the message says where."""


def _check_keys(obj, allowed, where):
    if not isinstance(obj, dict):
        raise ScenarioError("%s must be an object, got %s" % (where, type(obj).__name__))
    unknown = [k for k in obj if k not in allowed and k not in _COMMENT_KEYS and not str(k).startswith("_")]
    if unknown:
        raise ScenarioError(
            "%s: unknown key(s) %s; allowed: %s" % (where, ", ".join(sorted(unknown)), ", ".join(sorted(allowed)))
        )


def _number(value, where, minimum=0.0):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ScenarioError("%s must be a number >= %s, got %r" % (where, minimum, value))
    return float(value)


def _string_list(value, where):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError("%s must be a list of strings" % where)
    return list(value)


class Timeline:
    """A step function of time: the value of the last entry whose `at` <= t (the first one before that)."""

    def __init__(self, entries, value_key, where):
        if not isinstance(entries, list) or not entries:
            raise ScenarioError("%s must be a non-empty list" % where)
        points = []
        for index, entry in enumerate(entries):
            entry_where = "%s[%d]" % (where, index)
            _check_keys(entry, ("at", value_key), entry_where)
            if "at" not in entry or value_key not in entry:
                raise ScenarioError("%s needs 'at' and '%s'" % (entry_where, value_key))
            points.append((_number(entry["at"], entry_where + ".at"), entry[value_key]))
        points.sort(key=lambda p: p[0])
        self._times = [p[0] for p in points]
        self.values = [p[1] for p in points]

    @classmethod
    def constant(cls, value, value_key="value"):
        return cls([{"at": 0, value_key: value}], value_key, "constant")

    def at(self, elapsed):
        index = bisect.bisect_right(self._times, elapsed) - 1
        return self.values[max(index, 0)]

    def first_time_of(self, value):
        """Seconds at which the timeline first takes `value` (0.0 if it starts there), None if never."""
        for index, candidate in enumerate(self.values):
            if candidate == value:
                return 0.0 if index == 0 else self._times[index]
        return None


class Instance:
    """One Hypersender instance; `status_at(t)` drives both /instances and /{id}/health."""

    def __init__(
        self,
        instance_id,
        name,
        phone,
        access_token,
        created_at,
        connected_at,
        timeline,
        webhook_url=None,
        webhook_authorization=None,
        raw_sends=None,
    ):  # pylint: disable=too-many-arguments
        self.id = instance_id
        self.name = name
        self.phone = phone
        self.access_token = access_token
        self.created_at = created_at
        self.connected_at = connected_at
        self.timeline = timeline
        # Where the instance posts its webhooks, the static Authorization header they carry, and what its sends
        # do (parsed by hypersender_messages.MessagingSettings).
        self.webhook_url = webhook_url
        self.webhook_authorization = webhook_authorization
        self.raw_sends = raw_sends
        # (at, status) steps set at run time by actions (restart, scan); they win over the timeline from their `at`.
        self.overrides = []

    def status_at(self, elapsed):
        for at, status in reversed(self.overrides):
            if at <= elapsed:
                return status
        return self.timeline.at(elapsed)

    def ready_at(self):
        planned = self.timeline.first_time_of("WORKING")
        if self.overrides and (planned is None or planned >= self.overrides[0][0]):
            planned = next((at for at, status in self.overrides if status == "WORKING"), None)
        return planned

    def as_listing(self, elapsed):
        return {
            "id": self.id,
            "name": self.name,
            "phone": self.phone,
            "service_type": "whatsapp",
            "status": self.status_at(elapsed),
            "access_token": self.access_token,
            "created_at": self.created_at,
        }

    def as_health(self, elapsed):
        return {"instance_id": self.id, "connected_at": self.connected_at, "status": self.status_at(elapsed)}


def _fake_access_token(rng):
    alphabet = string.ascii_letters + string.digits
    return "%d|%s" % (rng.randint(100, 999), "".join(rng.choice(alphabet) for dummy in range(48)))


def _timestamp(offset_seconds):
    return (_BASE_CREATED_AT + datetime.timedelta(seconds=offset_seconds)).strftime("%Y-%m-%dT%H:%M:%S")


_INSTANCE_KEYS = (
    "id",
    "name",
    "phone",
    "status",
    "timeline",
    "access_token",
    "created_at",
    "connected_at",
    "webhook_url",
    "webhook_authorization",
    "sends",
)


def _parse_instance(raw, index):
    where = "hypersender.instances[%d]" % index
    _check_keys(raw, _INSTANCE_KEYS, where)
    instance_id = raw.get("id")
    if not isinstance(instance_id, str) or not instance_id:
        raise ScenarioError("%s.id must be a non-empty string" % where)
    if ("status" in raw) == ("timeline" in raw):
        raise ScenarioError("%s needs exactly one of 'status' or 'timeline'" % where)
    if "timeline" in raw:
        timeline = Timeline(raw["timeline"], "status", where + ".timeline")
    else:
        timeline = Timeline.constant(raw["status"], "status")
    for value in timeline.values:
        if not isinstance(value, str):
            raise ScenarioError("%s: statuses must be strings, got %r" % (where, value))
    # Seeding with the id keeps defaults stable across runs, resets and reloads.
    rng = random.Random(instance_id)
    created_at = raw.get("created_at", _timestamp(index * 60))
    access_token = raw["access_token"] if "access_token" in raw else _fake_access_token(rng)
    if access_token is not None and not isinstance(access_token, str):
        raise ScenarioError("%s.access_token must be a string or null" % where)
    for key in ("webhook_url", "webhook_authorization"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise ScenarioError("%s.%s must be a string or null" % (where, key))
    return Instance(
        instance_id=instance_id,
        name=raw.get("name", "Instance-%d" % (index + 1)),
        phone=raw.get("phone", "+2010%08d" % (index + 1)),
        access_token=access_token,
        created_at=created_at,
        connected_at=raw.get("connected_at", created_at),
        timeline=timeline,
        webhook_url=raw.get("webhook_url"),
        webhook_authorization=raw.get("webhook_authorization"),
        raw_sends=raw.get("sends"),
    )


_GENERATE_KEYS = ("count", "seed", "working_within", "start_status", "name_prefix")


def _generate_instances(raw):
    """`count` instances with ids and ready times drawn from one seeded RNG: same seed, same fleet."""
    _check_keys(raw, _GENERATE_KEYS, "hypersender.generate")
    count = raw.get("count", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ScenarioError("hypersender.generate.count must be an integer >= 0")
    seed = raw.get("seed", 0)
    within = _number(raw.get("working_within", 30), "hypersender.generate.working_within")
    start_status = raw.get("start_status", "STARTING")
    prefix = raw.get("name_prefix", "sim-instance-")
    rng = random.Random(seed)
    instances = []
    for number in range(1, count + 1):
        instance_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        ready_at = round(rng.uniform(0, within), 3)
        created_at = _timestamp(rng.randint(0, 30 * 24 * 3600))
        instances.append(
            Instance(
                instance_id=instance_id,
                name="%s%04d" % (prefix, number),
                phone="+2011%08d" % number,
                access_token=_fake_access_token(rng),
                created_at=created_at,
                connected_at=created_at,
                timeline=Timeline(
                    [{"at": 0, "status": start_status}, {"at": ready_at, "status": "WORKING"}], "status", "generated"
                ),
            )
        )
    return instances


class RateLimit:
    """Limit settings; `scope` is "token" (one window per bearer token, Laravel's default) or "instance"."""

    def __init__(self, requests, window, scope="token"):
        self.requests = requests
        self.window = window
        self.scope = scope

    @classmethod
    def parse(cls, raw, where):
        if raw is None:
            return None
        _check_keys(raw, ("requests", "window", "scope"), where)
        requests = raw.get("requests", DEFAULT_RATE_LIMIT["requests"])
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
            raise ScenarioError("%s.requests must be an integer >= 1" % where)
        window = _number(raw.get("window", DEFAULT_RATE_LIMIT["window"]), where + ".window", minimum=0.001)
        scope = raw.get("scope", "token")
        if scope not in ("token", "instance"):
            raise ScenarioError("%s.scope must be 'token' or 'instance'" % where)
        return cls(requests, window, scope)


class Hypersender:
    def __init__(self, raw):
        _check_keys(
            raw,
            ("tokens", "rate_limit", "rate_limit_instances", "instances", "generate", "actions", "messaging"),
            "hypersender",
        )
        self.tokens = set(_string_list(raw.get("tokens", DEFAULT_HYPERSENDER_TOKENS), "hypersender.tokens"))
        self.rate_limit = RateLimit.parse(raw.get("rate_limit", DEFAULT_RATE_LIMIT), "hypersender.rate_limit")
        self.rate_limit_instances = RateLimit.parse(raw.get("rate_limit_instances"), "hypersender.rate_limit_instances")
        raw_instances = raw.get("instances", [])
        if not isinstance(raw_instances, list):
            raise ScenarioError("hypersender.instances must be a list")
        self.instances = [_parse_instance(item, index) for index, item in enumerate(raw_instances)]
        if "generate" in raw:
            self.instances.extend(_generate_instances(raw["generate"]))
        self.by_id = {}
        for instance in self.instances:
            if instance.id in self.by_id:
                raise ScenarioError("hypersender: duplicate instance id %r" % instance.id)
            self.by_id[instance.id] = instance
        # imported here: hypersender_actions imports this module
        from .hypersender_actions import ActionSettings  # pylint: disable=import-outside-toplevel
        from .hypersender_messages import MessagingSettings  # pylint: disable=import-outside-toplevel

        self.actions = ActionSettings(raw.get("actions", {}), self.by_id)
        self.messaging = MessagingSettings(raw.get("messaging", {}), self.instances)


class OnPrem:
    def __init__(self, raw):
        _check_keys(raw, ("api_keys", "tokens", "users", "health", "timeline", "version", "token_ttl"), "onprem")
        self.api_keys = set(_string_list(raw.get("api_keys", DEFAULT_ONPREM_API_KEYS), "onprem.api_keys"))
        self.tokens = set(_string_list(raw.get("tokens", DEFAULT_ONPREM_TOKENS), "onprem.tokens"))
        users = raw.get("users", DEFAULT_ONPREM_USERS)
        if not isinstance(users, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in users.items()):
            raise ScenarioError("onprem.users must map user names to passwords")
        self.users = dict(users)
        self.version = str(raw.get("version", ONPREM_API_VERSION))
        self.token_ttl = _number(raw.get("token_ttl", DEFAULT_TOKEN_TTL), "onprem.token_ttl", minimum=0.001)
        if "health" in raw and "timeline" in raw:
            raise ScenarioError("onprem needs at most one of 'health' or 'timeline'")
        if "timeline" in raw:
            self.health = Timeline(raw["timeline"], "health", "onprem.timeline")
        else:
            self.health = Timeline.constant(raw.get("health", {"gateway_status": "connected"}), "health")
        for value in self.health.values:
            if not isinstance(value, dict):
                raise ScenarioError("onprem health values must be objects, got %r" % (value,))

    def meta(self):
        return {"api_status": "stable", "version": self.version}


_FAULT_KEYS = (
    "path",
    "method",
    "count",
    "skip",
    "status",
    "body",
    "raw_body",
    "content_type",
    "headers",
    "delay",
    "truncate",
    "drop",
    "trickle",
    "endless",
    "echo_authorization",
)


class Fault:
    """An injected failure. A fault with only `delay` and/or `trickle` (no status, body, drop, truncate, endless or
    echo_authorization) delays or trickles the normal answer."""

    def __init__(self, raw, index):
        where = "faults[%d]" % index
        _check_keys(raw, _FAULT_KEYS, where)
        try:
            self.path = re.compile(raw.get("path", ".*"))
        except (re.error, TypeError) as exc:
            raise ScenarioError("%s.path is not a valid regex: %s" % (where, exc)) from exc
        self.method = raw["method"].upper() if raw.get("method") else None
        count = raw.get("count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            raise ScenarioError("%s.count must be null or an integer >= 0" % where)
        self.count = count
        self.skip = int(_number(raw.get("skip", 0), where + ".skip"))
        self.delay = _number(raw.get("delay", 0), where + ".delay")
        self.truncate = bool(raw.get("truncate", False))
        self.drop = bool(raw.get("drop", False))
        # Slow and hostile bodies: one byte every `trickle` seconds; an `endless` body; the request's
        # Authorization header echoed in the body's message (as a careless login endpoint might).
        self.trickle = _number(raw.get("trickle", 0), where + ".trickle")
        self.endless = bool(raw.get("endless", False))
        self.echo_authorization = bool(raw.get("echo_authorization", False))
        self.passthrough = not any(
            key in raw for key in ("status", "body", "raw_body", "truncate", "drop", "endless", "echo_authorization")
        )
        self.status = int(raw.get("status", 500))
        headers = raw.get("headers", {})
        if not isinstance(headers, dict):
            raise ScenarioError("%s.headers must be an object" % where)
        self.headers = {str(k): str(v) for k, v in headers.items()}
        if "raw_body" in raw:
            self.body = str(raw["raw_body"]).encode("utf-8")
            self.content_type = raw.get("content_type", "text/plain; charset=utf-8")
        else:
            self.body = json.dumps(raw.get("body", {"message": "Server Error"})).encode("utf-8")
            self.content_type = raw.get("content_type", "application/json")

    def matches(self, method, path):
        return (self.method is None or self.method == method) and self.path.search(path) is not None


class Scenario:
    """The parsed scenario. Build with `Scenario.from_source(dict | path | Scenario)`."""

    def __init__(self, raw):
        _check_keys(raw, ("hypersender", "onprem", "cloud", "faults"), "scenario")
        self.raw = raw
        self.hypersender = Hypersender(raw.get("hypersender", {}))
        self.onprem = OnPrem(raw.get("onprem", {}))
        # Imported here: cloud_api imports this module.
        from .cloud_api import Cloud  # pylint: disable=import-outside-toplevel

        self.cloud = Cloud(raw.get("cloud", {}))
        faults = raw.get("faults", [])
        if not isinstance(faults, list):
            raise ScenarioError("faults must be a list")
        self.faults = [Fault(item, index) for index, item in enumerate(faults)]

    @classmethod
    def from_source(cls, source):
        if isinstance(source, Scenario):
            return source
        if isinstance(source, dict):
            return cls(source)
        if not isinstance(source, (str, os.PathLike)):
            raise ScenarioError("a scenario is an object or the path of a JSON file, got %s" % type(source).__name__)
        with open(source, encoding="utf-8") as handle:
            try:
                return cls(json.load(handle))
            except json.JSONDecodeError as exc:
                raise ScenarioError("%s is not valid JSON: %s" % (source, exc)) from exc

    def ready_times(self):
        """Instance id -> seconds at which it first turns WORKING (None if it never does)."""
        return {instance.id: instance.ready_at() for instance in self.hypersender.instances}
