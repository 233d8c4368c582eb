# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A webhook receiver that lives as long as one task: it listens, checks, parses, and hands events over.

A canary module opens it before it sends, waits on :meth:`WebhookReceiver.next_event` and closes it however the
task ends (``with WebhookReceiver(...) as receiver:``), so the port is free again afterwards.

Two parts are pluggable, so that each API's canary brings its own:

- the *authenticator* decides whether a request is trusted, before its body is parsed: :class:`StaticAuthorization`
  (Hypersender: the instance's static ``Authorization`` header, compared for exact equality) or
  :class:`HubSignature` (the WhatsApp Cloud API: ``X-Hub-Signature-256``, an HMAC-SHA256 of the raw body keyed
  with the app secret, and the ``hub.verify_token`` handshake on GET). A request it refuses gets 401 (403 for a
  failed handshake), is counted, and its body is never parsed; handshakes are counted apart (``handshakes``,
  ``handshakes_refused``);
- the *parser* turns a trusted JSON body into the events the caller waits for, and returns none for the others
  (another event kind, another instance): they are answered 200 and counted as ignored.

Nothing a request carries (headers, body, the secret it presents) reaches a message, a count or a log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# An ack is under 2 KB; an instance's other events (an incoming message with a preview) stay well under this.
MAX_BODY_BYTES = 1024 * 1024
# Seconds a connection may take to send its request: a slow or silent client cannot hold a handler.
REQUEST_TIMEOUT = 5.0
# Events waiting to be taken: more are dropped (and counted), so a flood cannot fill the memory.
MAX_PENDING_EVENTS = 1000


class ReceiverError(Exception):
    """The receiver could not listen; ``str(error)`` says why and what to do."""


class StaticAuthorization:
    """Trusts a request whose one ``Authorization`` header equals ``expected`` exactly (constant-time compare).

    No scheme is added or stripped: Hypersender sends the value set for the instance's webhooks as it is.
    """

    def __init__(self, expected):
        self._expected = expected.encode("latin-1")

    def handshake(self, query):  # pylint: disable=unused-argument
        """No GET handshake: None (the receiver answers 405)."""
        return None

    def authorized(self, headers, body):  # pylint: disable=unused-argument
        values = headers.get_all("Authorization") or []
        if len(values) != 1:
            return False
        try:
            presented = values[0].encode("latin-1")
        except UnicodeEncodeError:
            return False
        return hmac.compare_digest(presented, self._expected)


class HubSignature:
    """Meta's webhook checks: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app
    secret>`` on POST, and the subscription handshake on GET, which echoes ``hub.challenge`` only when
    ``hub.mode`` is ``subscribe`` and ``hub.verify_token`` matches."""

    def __init__(self, app_secret, verify_token=None):
        self._key = app_secret.encode("utf-8")
        self._verify_token = verify_token.encode("utf-8") if verify_token else None

    def handshake(self, query):
        """(status, text) for a GET with ``query`` (parse_qs form)."""
        mode = (query.get("hub.mode") or [""])[-1]
        token = (query.get("hub.verify_token") or [""])[-1].encode("utf-8")
        challenge = (query.get("hub.challenge") or [""])[-1]
        if self._verify_token is None or mode != "subscribe" or not hmac.compare_digest(token, self._verify_token):
            return 403, ""
        return 200, challenge

    def authorized(self, headers, body):
        values = headers.get_all("X-Hub-Signature-256") or []
        if len(values) != 1 or not values[0].startswith("sha256="):
            return False
        expected = "sha256=" + hmac.new(self._key, body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(values[0].strip().lower().encode("ascii", "replace"), expected.encode("ascii"))


class ReceiverStats:
    """What the receiver saw, by kind; thread-safe. Never holds a request's content."""

    KINDS = ("accepted", "ignored", "unauthorized", "rejected", "dropped", "handshakes", "handshakes_refused")

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(self.KINDS, 0)

    def add(self, kind):
        with self._lock:
            self._counts[kind] += 1

    def as_dict(self):
        with self._lock:
            return dict(self._counts)


class WebhookReceiver:
    """An HTTP server on ``host``:``port`` that accepts POSTs to ``path`` for as long as it is open.

    ``authenticator`` is a :class:`StaticAuthorization` or :class:`HubSignature` (or anything with their two
    methods); ``parser(payload)`` returns a list of events (empty for a payload that concerns someone else).
    Each event reaches :meth:`next_event` with its arrival time on ``clock``.
    """

    def __init__(
        self, host, port, path, authenticator, parser, max_body=MAX_BODY_BYTES, clock=time.monotonic
    ):  # pylint: disable=too-many-arguments
        self.host = host
        self.requested_port = port
        self.path = path
        self.authenticator = authenticator
        self.parser = parser
        self.max_body = max_body
        self.stats = ReceiverStats()
        self._clock = clock
        self._events = queue.Queue(MAX_PENDING_EVENTS)
        self._server = None
        self._thread = None

    # -- lifecycle -----------------------------------------------------------------------------------------------------

    def start(self):
        handler = _handler_for(self)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_class = type("_ReceiverServer", (_Server,), {"address_family": family})
        try:
            self._server = server_class((self.host, self.requested_port), handler)
        except (OSError, OverflowError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise ReceiverError(
                "cannot listen for webhooks on %s:%s (%s): choose a free receiver_port, or a receiver_host this "
                "controller has" % (self.host, self.requested_port, reason)
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="webhook-receiver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop listening and close the socket; safe to call more than once."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        self._thread.join(REQUEST_TIMEOUT)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
        return False

    @property
    def port(self):
        """The port it listens on (the one the OS chose when ``port`` was 0)."""
        return self._server.server_address[1] if self._server else self.requested_port

    @property
    def listening(self):
        return self._server is not None

    # -- events --------------------------------------------------------------------------------------------------------

    def next_event(self, timeout):
        """(arrival time, event) of the next event, or None when none came within ``timeout`` seconds."""
        try:
            return self._events.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def _deliver(self, events):
        arrived = self._clock()
        for event in events:
            try:
                self._events.put_nowait((arrived, event))
            except queue.Full:
                self.stats.add("dropped")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # a connection left in TIME_WAIT by the last run does not block the port


def _handler_for(receiver):
    """A request handler class bound to ``receiver``."""

    class Handler(BaseHTTPRequestHandler):
        timeout = REQUEST_TIMEOUT
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
        server_version = "hypersender.whatsapp-receiver"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # pylint: disable=invalid-name
            self.close_connection = True
            if urlsplit(self.path).path != receiver.path:
                return self._answer(404, "not found", "rejected")
            body = self._read_body()
            if body is None:
                return None
            if not receiver.authenticator.authorized(self.headers, body):
                return self._answer(401, "unauthorized", "unauthorized")
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return self._answer(400, "not JSON", "rejected")
            events = list(receiver.parser(payload) or [])
            receiver._deliver(events)  # pylint: disable=protected-access
            return self._answer(200, "ok", "accepted" if events else "ignored")

        def do_GET(self):  # pylint: disable=invalid-name
            self.close_connection = True
            parts = urlsplit(self.path)
            if parts.path != receiver.path:
                return self._answer(404, "not found", "rejected")
            answer = receiver.authenticator.handshake(parse_qs(parts.query))
            if answer is None:
                return self._answer(405, "use POST", "rejected", {"Allow": "POST"})
            status, text = answer
            return self._answer(status, text, "handshakes" if status == 200 else "handshakes_refused", text_only=True)

        def _other(self):
            self.close_connection = True
            self._answer(405, "use POST", "rejected", {"Allow": "POST"})

        do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _other

        def _read_body(self):
            """The body within the size cap, or None after answering why not."""
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                self._answer(411, "send a Content-Length", "rejected")
                return None
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                self._answer(400, "bad Content-Length", "rejected")
                return None
            if length > receiver.max_body:
                self._answer(413, "too large", "rejected")
                return None
            try:
                body = self.rfile.read(length)
            except OSError:  # the client was too slow (REQUEST_TIMEOUT) or went away
                receiver.stats.add("rejected")
                return None
            if len(body) != length:
                receiver.stats.add("rejected")
                return None
            return body

        def _answer(self, status, text, kind, headers=None, text_only=False):
            receiver.stats.add(kind)
            data = (text if text_only else json.dumps({"status": text})).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if text_only else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass

        def log_message(self, format, *args):  # pylint: disable=redefined-builtin
            """Silent: a module's stderr is no place for requests (and a path may carry anything)."""

    return Handler
