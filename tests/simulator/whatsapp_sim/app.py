# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's state and request pipeline, independent of the HTTP transport.

Order per request: admin paths (unlogged) -> route (404/405) -> auth (401) -> faults -> rate limit (429) -> handler.
"""

from __future__ import annotations

import hmac
import json
import re
import threading
import time
from urllib.parse import parse_qs, unquote, urlsplit

from . import (
    cloud_account,
    cloud_api,
    cloud_messages,
    hypersender_actions,
    hypersender_api,
    hypersender_messages,
    onprem_api,
    webhooks,
)
from .ratelimit import FixedWindowLimiter
from .response import DROP, ENDLESS, SEND, TRUNCATE, Response
from .scenario import Scenario, ScenarioError

ADMIN_PREFIX = "/_sim"
VERIFY_PATH = "/_sim/cloud/verify"
_HS_HEALTH = re.compile(r"^/api/whatsapp/v1/([^/]*)/health$")


def _route(path):
    """(route name, allowed methods, path argument) or None."""
    if path.startswith(hypersender_api.PREFIX + "/"):
        path = path.rstrip("/")  # Laravel matches routes with or without a trailing slash
        if path == hypersender_api.PREFIX + "/instances":
            return "hs_instances", ("GET", "HEAD"), None
        match = _HS_HEALTH.match(path)
        if match and match.group(1):
            return "hs_health", ("GET", "HEAD"), unquote(match.group(1))
        return hypersender_actions.route(path)
    if path.startswith(hypersender_messages.PREFIX + "/"):
        return hypersender_messages.route(path)
    if path == "/v1/health":
        return "op_health", ("GET", "HEAD"), None
    if path == "/v1/users/login":
        return "op_login", ("POST",), None
    return None


def _authorization(headers):
    """(kind, credential): kind is bearer, apikey, basic or none; the credential never leaves this module's callers."""
    scheme, dummy, credential = (headers.get("Authorization") or "").strip().partition(" ")
    kind = scheme.lower()
    if kind in ("bearer", "apikey", "basic") and credential.strip():
        return kind, credential.strip()
    return "none", None


def _known(secret, candidates):
    return any(hmac.compare_digest(secret.encode("utf-8"), c.encode("utf-8")) for c in candidates)


class _PassThrough:
    """A fault that lets the normal answer through (false, like no fault), maybe trickled."""

    def __init__(self, trickle):
        self.trickle = trickle

    def __bool__(self):
        return False


class SimulatorApp:
    scheme = "http"  # the Simulator sets https when it serves TLS (for absolute URLs such as Graph's paging.next)

    def __init__(self, scenario, stop_event=None):
        self._lock = threading.Lock()
        self._stop_event = stop_event or threading.Event()
        self._scenario = Scenario.from_source(scenario)
        self._issued_tokens = {}  # token -> monotonic expiry
        self._webhooks = webhooks.WebhookDispatcher(self.elapsed, self._stop_event)
        self._reset_locked()

    # -- state ---------------------------------------------------------------------------------------------------------

    def _reset_locked(self):
        # The scenario's clock (its timelines, rate-limit windows, the request log's "t") starts at the first API
        # request after a start, reset or load, not before: a client that starts late on a loaded machine still
        # sees the whole story. Requests to /_sim/ do not start it.
        self._t0 = None
        self._log = []
        self._fault_seen = [0] * len(self._scenario.faults)
        self._fault_applied = [0] * len(self._scenario.faults)
        hs = self._scenario.hypersender
        self._health_limiter = FixedWindowLimiter(hs.rate_limit) if hs.rate_limit else None
        self._instances_limiter = FixedWindowLimiter(hs.rate_limit_instances) if hs.rate_limit_instances else None
        self._cloud_limiter = (
            FixedWindowLimiter(self._scenario.cloud.rate_limit) if self._scenario.cloud.rate_limit else None
        )
        self._actions = hypersender_actions.HypersenderActions(hs)
        self._webhooks.reset()
        self._messaging = hypersender_messages.HypersenderMessaging(hs, self._webhooks)
        self._cloud_messaging = cloud_messages.CloudMessaging(self._scenario.cloud, self._webhooks)

    def reset(self):
        with self._lock:
            self._reset_locked()

    def load(self, scenario):
        parsed = Scenario.from_source(scenario)
        with self._lock:
            self._scenario = parsed
            self._issued_tokens = {}
            self._reset_locked()

    @property
    def stop_event(self):
        """Set when the simulator stops: slow writers give up."""
        return self._stop_event

    @property
    def scenario(self):
        return self._scenario

    def elapsed(self):
        t0 = self._t0
        return 0.0 if t0 is None else time.monotonic() - t0

    def requests(self):
        with self._lock:
            return [dict(entry, query=dict(entry["query"])) for entry in self._log]

    def count(self, path=None, status=None, method=None):
        pattern = re.compile(path) if path is not None else None
        with self._lock:
            return sum(
                1
                for entry in self._log
                if (pattern is None or pattern.search(entry["path"]))
                and (status is None or entry["status"] == status)
                and (method is None or entry["method"] == method.upper())
            )

    def ready_times(self):
        return self._scenario.ready_times()

    def webhooks(self):
        """The webhooks posted since the last reset, in the order they were answered."""
        return self._webhooks.log()

    def stop_webhooks(self, timeout):
        self._webhooks.join(timeout)

    def verify_callback(self, url=None, phone_number_id=None, verify_token=None, challenge=None):
        """Meta's verification request (GET with hub.mode, hub.challenge, hub.verify_token) to a Cloud API callback."""
        with self._lock:
            messaging = self._cloud_messaging
        return messaging.verify(url, phone_number_id, verify_token, challenge)

    # -- pipeline ------------------------------------------------------------------------------------------------------

    def handle(self, method, raw_path, headers, body=b""):
        parts = urlsplit(raw_path)
        path = parts.path
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return self._admin(method, path, body)
        with self._lock:
            if self._t0 is None:
                self._t0 = time.monotonic()
        arrived = self.elapsed()
        query = parse_qs(parts.query, keep_blank_values=True)
        kind, credential = _authorization(headers)
        cloud_route = cloud_api.route(path)
        if cloud_route is not None:
            response = self._cloud(
                method, path, query, credential if kind == "bearer" else None, cloud_route, headers, body
            )
        else:
            response = self._api(method, path, query, kind, credential, body, headers)
        with self._lock:
            self._log.append(
                {
                    "t": round(arrived, 6),
                    "method": method,
                    "path": path,
                    # Graph accepts a token as access_token, and debug_token takes one as input_token: their presence
                    # is logged, never their value.
                    "query": {
                        key: "<redacted>" if key in ("access_token", "input_token") else values[-1]
                        for key, values in query.items()
                    },
                    "status": 0 if response.action == DROP else response.status,
                    "auth": kind,
                }
            )
        return response

    def _api(self, method, path, query, kind, credential, body=b"", headers=None):
        scenario = self._scenario
        route = _route(path)
        if route is None:
            fault_response = self._apply_fault(method, path)
            return fault_response or self._not_found(path, scenario)
        name, allowed, argument = route
        if method not in allowed:
            fault_response = self._apply_fault(method, path)
            if fault_response:
                return fault_response
            if name.startswith("hs"):
                return hypersender_api.method_not_allowed(method, path, allowed)
            return onprem_api.method_not_allowed(scenario.onprem, allowed)
        denied = self._authenticate(name, kind, credential, scenario, argument)
        if denied is not None:
            return denied
        fault_response = self._apply_fault(method, path, credential and "%s %s" % (kind.capitalize(), credential))
        if fault_response:
            return fault_response
        limit_headers = {}
        if name == "hs_instances":
            throttled, limit_headers = self._throttle(self._instances_limiter, credential, None)
            response = throttled or hypersender_api.list_instances(scenario, self.elapsed(), query)
        elif name == "hs_health":
            throttled, limit_headers = self._throttle(self._health_limiter, credential, argument)
            response = throttled or hypersender_api.instance_health(scenario, self.elapsed(), argument)
        elif name in ("hs_create", "hs_restart", "hs_qr"):
            throttled, limit_headers = self._throttle(self._actions.limiter(name), credential, argument)
            response = throttled or self._actions.handle(name, argument, body, self.elapsed())
        elif name == "hs2_send":
            throttled, limit_headers = self._throttle(self._messaging.limiter, credential, argument[0])
            base = "%s://%s" % (self.scheme, (headers or {}).get("Host") or "127.0.0.1")
            response = throttled or self._messaging.send_text(argument[0], body, self.elapsed(), base)
        elif name == "hs2_queued":
            response = self._messaging.queued_request(argument[0], argument[1], self.elapsed())
        elif name == "op_health":
            response = onprem_api.health(scenario.onprem, self.elapsed())
        else:
            response = self._login(scenario.onprem)
        response.headers.update(limit_headers)
        response.trickle = getattr(fault_response, "trickle", 0.0)
        return response

    def _cloud(self, method, path, query, token, cloud_route, headers, body=b""):
        """Graph API order: path, method, token (header or access_token parameter), faults, then the management
        rate limit (400 80007) for reads, or the send (with its own limits) for messages."""
        cloud = self._scenario.cloud
        name, version, object_id = cloud_route
        token = token or query.get("access_token", [None])[-1]
        if name == "cloud_unknown":
            return self._apply_fault(method, path) or cloud_api.unknown_path()
        if method not in (("POST",) if name == "cloud_messages" else ("GET", "HEAD")):
            return self._apply_fault(method, path) or cloud_api.unsupported_method(method, object_id)
        if name == "cloud_debug_token":
            # Its own authentication: an app token (app_id|app_secret) or a valid token of the same app.
            denied = cloud_account.debug_token_denied(cloud, token, cloud_api.error)
            return (
                denied
                or self._apply_fault(method, path, headers.get("Authorization"))
                or cloud_account.debug_token(cloud, token, query, cloud_api.error)
            )
        denied = cloud_api.authenticate(cloud, token)
        if denied is not None:
            return denied
        fault_response = self._apply_fault(method, path, headers.get("Authorization"))
        if fault_response:
            return fault_response
        if name == "cloud_messages":
            return self._cloud_messaging.send(object_id, body, self.elapsed())
        waba_id = cloud_api.waba_of(cloud, object_id)
        denied = cloud_account.scope_denied(cloud, token, waba_id, cloud_api.error, cloud_api.unknown_object)
        if denied is not None:
            return denied
        if self._cloud_limiter is not None and waba_id is not None:
            with self._lock:
                decision = self._cloud_limiter.hit((token, waba_id), self.elapsed())
            if not decision.allowed:
                return cloud_api.rate_limited((decision.retry_after + 59) // 60, cloud.rate_limit_code)
        base = "%s://%s" % (self.scheme, headers.get("Host") or "127.0.0.1")
        if name == "cloud_node":
            return cloud_api.node(cloud, object_id, query, self.elapsed(), version, token, base)
        if name in ("cloud_subscribed_apps", "cloud_message_templates"):
            waba = cloud.wabas.get(object_id)
            if waba is None:
                return cloud_api.unknown_object(object_id)
            answer = (
                cloud_account.subscribed_apps if name == "cloud_subscribed_apps" else cloud_account.message_templates
            )
            return answer(cloud, waba, query, version, token, base, cloud_api.error)
        return cloud_api.phone_numbers(cloud, object_id, version, query, self.elapsed(), token, base)

    @staticmethod
    def _not_found(path, scenario):
        if path == onprem_api.PREFIX or path.startswith(onprem_api.PREFIX + "/"):
            return onprem_api.not_found(scenario.onprem)
        return Response.json(404, hypersender_api.ROUTE_NOT_FOUND)

    def _authenticate(self, route_name, kind, credential, scenario, argument=None):
        """None when allowed, else the 401 response."""
        if route_name.startswith("hs2_"):
            # v2 instance endpoints: the instance's own access token, as its create-instance answer gives it.
            if kind == "bearer" and self._messaging.authenticate(argument[0], credential):
                return None
            return Response.json(401, hypersender_api.UNAUTHENTICATED)
        if route_name.startswith("hs_"):
            if kind == "bearer" and _known(credential, scenario.hypersender.tokens):
                return None
            return Response.json(401, hypersender_api.UNAUTHENTICATED)
        onprem = scenario.onprem
        if route_name == "op_login":
            credentials = onprem_api.basic_credentials(credential) if kind == "basic" else None
            if credentials and onprem_api.password_matches(onprem, *credentials):
                return None
            return onprem_api.access_denied(onprem)
        if kind == "apikey" and _known(credential, onprem.api_keys):
            return None
        if kind == "bearer" and (_known(credential, onprem.tokens) or self._issued_token_valid(credential)):
            return None
        return onprem_api.access_denied(onprem)

    def _issued_token_valid(self, token):
        with self._lock:
            expiry = self._issued_tokens.get(token)
        return expiry is not None and time.monotonic() < expiry

    def _login(self, onprem):
        token = onprem_api.new_token()
        with self._lock:
            self._issued_tokens[token] = time.monotonic() + onprem.token_ttl
        return onprem_api.login(onprem, token, onprem.token_ttl)

    def _throttle(self, limiter, credential, instance_id):
        """(429 response or None, rate-limit headers for the eventual response)."""
        if limiter is None:
            return None, {}
        key = credential if limiter.limit.scope == "token" else (credential, instance_id)
        with self._lock:
            decision = limiter.hit(key, self.elapsed())
        if decision.allowed:
            return None, decision.headers()
        return Response.json(429, hypersender_api.TOO_MANY_REQUESTS), decision.headers()

    def _apply_fault(self, method, path, authorization=None):
        """The fault's response, or None (no fault matched, or a delay-only fault that lets the request through)."""
        chosen = None
        with self._lock:
            for index, fault in enumerate(self._scenario.faults):
                if not fault.matches(method, path):
                    continue
                self._fault_seen[index] += 1
                if self._fault_seen[index] <= fault.skip:
                    continue
                if fault.count is not None and self._fault_applied[index] >= fault.count:
                    continue
                self._fault_applied[index] += 1
                chosen = fault
                break
        if chosen is None:
            return None
        if chosen.delay:
            self._stop_event.wait(chosen.delay)
        if chosen.passthrough:
            return _PassThrough(chosen.trickle)
        action = DROP if chosen.drop else TRUNCATE if chosen.truncate else ENDLESS if chosen.endless else SEND
        body = chosen.body
        if chosen.echo_authorization:
            body = json.dumps({"message": "Access denied for Authorization: %s" % authorization}).encode("utf-8")
        response = Response(chosen.status, body, chosen.content_type, chosen.headers, action)
        response.trickle = chosen.trickle
        return response

    # -- admin ---------------------------------------------------------------------------------------------------------

    def _admin(self, method, path, body):
        routes = {
            "/_sim/requests": ("GET", lambda: Response.json(200, self.requests())),
            "/_sim/reset": ("POST", self._admin_reset),
            "/_sim/scenario": ("PUT", lambda: self._admin_load(body)),
            "/_sim/instances": ("GET", lambda: Response.json(200, self.ready_times())),
            "/_sim/status": ("GET", self._admin_status),
            webhooks.WEBHOOKS_PATH: ("GET", lambda: Response.json(200, self.webhooks())),
            VERIFY_PATH: ("POST", lambda: self._admin_verify(body)),
        }
        if path.startswith(hypersender_actions.SCAN_PREFIX):
            routes[path] = (
                "POST",
                lambda: self._actions.scan(unquote(path[len(hypersender_actions.SCAN_PREFIX) :]), body, self.elapsed()),
            )
        routes[hypersender_actions.QR_PAYLOADS_PATH] = ("GET", lambda: Response.json(200, self._actions.qr_payloads()))
        if path not in routes:
            return Response.json(404, {"message": "Not found.", "admin_paths": sorted(routes)})
        allowed, action = routes[path]
        if method != allowed:
            return Response.json(405, {"message": "Use %s for %s." % (allowed, path)}, {"Allow": allowed})
        return action()

    def _admin_verify(self, body):
        try:
            options = json.loads(body.decode("utf-8") or "{}")
            if not isinstance(options, dict) or set(options) - {"url", "phone_number_id", "verify_token", "challenge"}:
                raise ScenarioError("give an object with url, phone_number_id, verify_token and/or challenge")
            return Response.json(200, self.verify_callback(**options))
        except (ValueError, UnicodeDecodeError) as exc:
            return Response.json(400, {"message": str(exc)})

    def _admin_reset(self):
        self.reset()
        return Response.json(200, {"reset": True})

    def _admin_load(self, body):
        try:
            self.load(json.loads(body.decode("utf-8") or "null"))
        except (ValueError, UnicodeDecodeError) as exc:  # ScenarioError and JSONDecodeError are ValueErrors
            kind = "invalid scenario" if isinstance(exc, ScenarioError) else "invalid JSON"
            return Response.json(400, {"message": "%s: %s" % (kind, exc)})
        return Response.json(200, {"loaded": True, "instances": len(self._scenario.hypersender.instances)})

    def _admin_status(self):
        with self._lock:
            logged = len(self._log)
        return Response.json(
            200,
            {
                "elapsed": round(self.elapsed(), 6),
                "requests": logged,
                "instances": len(self._scenario.hypersender.instances),
            },
        )
