# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP(S) transport for SimulatorApp, and the Simulator facade used by tests, demos and benchmarks."""

from __future__ import annotations

import shutil
import socket
import ssl
import sys
import tempfile
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import tls
from .app import SimulatorApp
from .response import DROP, ENDLESS, TRUNCATE

HANDSHAKE_TIMEOUT = 10
IDLE_CONNECTION_TIMEOUT = 60
_JOIN_TIMEOUT = 5


class _BadRequest(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so client sessions reuse connections
    server_version = "whatsapp-sim/1.0"
    sys_version = ""
    timeout = IDLE_CONNECTION_TIMEOUT
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per keep-alive request.
    disable_nagle_algorithm = True

    def _dispatch(self):
        try:
            body = self._read_body()
        except _BadRequest as exc:
            self.close_connection = True
            self.send_error(400, str(exc))
            return
        response = self.server.app.handle(self.command, self.path, self.headers, body)
        self._write(response)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            size = int(length)
        except ValueError as exc:
            raise _BadRequest("invalid Content-Length") from exc
        if size < 0:
            raise _BadRequest("invalid Content-Length")
        return self.rfile.read(size)

    def _read_chunked(self):
        chunks = []
        while True:
            line = self.rfile.readline(65537).split(b";", 1)[0].strip()
            try:
                size = int(line, 16)
            except ValueError as exc:
                raise _BadRequest("invalid chunk size") from exc
            if size == 0:
                while self.rfile.readline(65537).strip():  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(3)

    def _write(self, response):
        if response.action == DROP:
            self.close_connection = True
            return
        declared = len(response.body) + (128 if response.action == TRUNCATE else 0)
        self.send_response(response.status)
        headers = {"Content-Type": response.content_type}
        headers.update(response.headers)
        if response.action == ENDLESS:
            headers["Connection"] = "close"
            self.close_connection = True
        else:
            headers["Content-Length"] = str(declared)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            pass
        elif response.action == ENDLESS:
            self._write_endless(response.body or b" ")
        elif response.trickle:
            self._write_trickled(response.body, response.trickle)
        else:
            self.wfile.write(response.body)
        if response.action == TRUNCATE:
            self.wfile.flush()
            self.close_connection = True

    def _write_trickled(self, body, interval):
        """One byte, then `interval` seconds, until the body is out (or the simulator stops)."""
        stop = self.server.app.stop_event
        for index in range(len(body)):
            self.wfile.write(body[index : index + 1])
            self.wfile.flush()
            if stop.wait(interval):
                return

    def _write_endless(self, chunk):
        """`chunk` again and again until the client closes the connection or the simulator stops."""
        stop = self.server.app.stop_event
        try:
            while not stop.is_set():
                self.wfile.write(chunk * max(1, 65536 // len(chunk)))
        except OSError:
            pass

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            sys.stderr.write("whatsapp-sim %s - %s\n" % (self.address_string(), format % args))


class _Server(ThreadingHTTPServer):
    """One daemon worker thread per connection; TLS handshakes happen in the worker, not in the accept loop.

    Workers and open connections are tracked so that close() leaves nothing running, even with idle keep-alive clients.
    """

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, app, ssl_context=None, verbose=False):
        self.app = app
        self.verbose = verbose
        self._ssl_context = ssl_context
        self._track_lock = threading.Lock()
        self._connections = set()
        self._workers = set()
        self._closing = False
        self.connections_accepted = 0
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):
        worker = threading.Thread(
            target=self._serve_connection, args=(request, client_address), name="whatsapp-sim-conn", daemon=True
        )
        with self._track_lock:
            if self._closing:
                self.shutdown_request(request)
                return
            self._workers.add(worker)
            self.connections_accepted += 1
        worker.start()

    def _serve_connection(self, request, client_address):
        connection = request
        try:
            if self._ssl_context is not None:
                request.settimeout(HANDSHAKE_TIMEOUT)
                connection = self._ssl_context.wrap_socket(request, server_side=True)
            with self._track_lock:
                self._connections.add(connection)
                closing = self._closing
            if not closing:
                self.finish_request(connection, client_address)
        except Exception:  # pylint: disable=broad-except
            self.handle_error(connection, client_address)
        finally:
            with self._track_lock:
                self._connections.discard(connection)
                self._workers.discard(threading.current_thread())
            self.shutdown_request(connection)

    def handle_error(self, request, client_address):
        if self.verbose:
            sys.stderr.write("whatsapp-sim: error serving %s\n%s" % (client_address, traceback.format_exc()))

    def close_connections(self):
        with self._track_lock:
            self._closing = True
            connections = list(self._connections)
            workers = list(self._workers)
        for connection in connections:
            try:
                # The plain socket method: SSLSocket.shutdown would tear down TLS state under the worker's feet.
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
            except OSError:
                pass
        for worker in workers:
            worker.join(_JOIN_TIMEOUT)


class Simulator:
    """The simulator as a context manager; the server runs in a daemon thread.

    >>> with Simulator({"hypersender": {"tokens": ["t"]}}) as sim:
    ...     sim.hypersender_url
    """

    def __init__(
        self, scenario, host="127.0.0.1", port=0, tls=False, cert_dir=None, verbose=False
    ):  # pylint: disable=redefined-outer-name
        self._stop_event = threading.Event()
        self._app = SimulatorApp(scenario, self._stop_event)
        self._app.scheme = "https" if tls else "http"
        self._host = host
        self._port = port
        self._tls = tls
        self._cert_dir = cert_dir
        self._own_cert_dir = None
        self._verbose = verbose
        self._server = None
        self._thread = None
        self.ca_file = None

    # -- lifecycle -----------------------------------------------------------------------------------------------------

    def start(self):
        if self._server is not None:
            return self
        self._stop_event.clear()
        context = self._ssl_context() if self._tls else None
        self._server = _Server((self._host, self._port), self._app, context, self._verbose)
        self._app.reset()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="whatsapp-sim", daemon=True
        )
        self._thread.start()
        return self

    def _ssl_context(self):
        directory = self._cert_dir
        if directory is None:
            directory = self._own_cert_dir = tempfile.mkdtemp(prefix="whatsapp-sim-tls-")
        paths = tls.generate(directory)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(paths.cert_file, paths.key_file)
        self.ca_file = paths.ca_file
        return context

    def stop(self):
        if self._server is None:
            return
        self._stop_event.set()  # wakes handlers sleeping in a fault delay
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._app.stop_webhooks(_JOIN_TIMEOUT)
        self._thread.join(_JOIN_TIMEOUT)
        self._server = None
        self._thread = None
        if self._own_cert_dir:
            shutil.rmtree(self._own_cert_dir, ignore_errors=True)
            self._own_cert_dir = None
            self.ca_file = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- addresses -----------------------------------------------------------------------------------------------------

    @property
    def port(self):
        return self._server.server_address[1] if self._server else None

    @property
    def url(self):
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        host = "[%s]" % self._host if ":" in self._host else self._host
        return "%s://%s:%s" % ("https" if self._tls else "http", host, self._server.server_address[1])

    @property
    def hypersender_url(self):
        return self.url + "/api/whatsapp/v1"

    @property
    def hypersender_v2_url(self):
        return self.url + "/api/whatsapp/v2"

    @property
    def onprem_url(self):
        return self.url

    @property
    def cloud_url(self):
        return self.url + "/graph"

    # -- state ---------------------------------------------------------------------------------------------------------

    @property
    def app(self):
        return self._app

    def requests(self):
        return self._app.requests()

    def count(self, path=None, status=None, method=None):
        return self._app.count(path=path, status=status, method=method)

    def reset(self):
        self._app.reset()

    def load(self, scenario):
        self._app.load(scenario)

    def ready_times(self):
        return self._app.ready_times()

    def webhooks(self):
        """The webhooks posted since the last reset, in the order they were answered: ``kind`` (``message.ack`` or
        ``statuses``), ``t`` (when posted), ``answered``, ``status`` (the receiver's HTTP status, 0 when unreachable,
        None when not posted), ``message_id``; for acks ``ack``/``ack_name``, ``instance_id``, ``authorization``
        (``instance`` or ``scenario``; never its value); for Cloud API statuses ``message_status``,
        ``phone_number_id``, ``signature`` (``valid``, ``bad`` or ``missing``), ``errors`` (codes), ``skipped``."""
        return self._app.webhooks()

    def verify_callback(self, url=None, phone_number_id=None, verify_token=None, challenge=None):
        """Call a Cloud API callback as Meta verifies one: ``GET <url>?hub.mode=subscribe&hub.challenge=<n>&
        hub.verify_token=<token>``. ``url`` defaults to the callback of ``phone_number_id`` (its override, its WABA's,
        the app's) or the app's, ``verify_token`` to the one set with that callback. Returns ``url``, ``status``
        (0 when unreachable), ``challenge``, ``body`` and ``verified`` (200 and the challenge echoed)."""
        return self._app.verify_callback(url, phone_number_id, verify_token, challenge)

    @property
    def connections_accepted(self):
        """TCP connections accepted since start (keep-alive clients reuse one)."""
        return self._server.connections_accepted if self._server else 0

    def elapsed(self):
        return self._app.elapsed()
