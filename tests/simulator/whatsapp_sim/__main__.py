# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`python -m whatsapp_sim --scenario FILE.json`: prints `READY <base_url>` once listening, runs until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .scenario import Scenario, ScenarioError
from .server import Simulator


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="whatsapp_sim", description=__doc__)
    parser.add_argument("--scenario", help="scenario JSON file (default: the built-in defaults, no instances)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--tls", action="store_true", help="serve HTTPS with a generated CA; its PEM is <cert-dir>/ca.pem"
    )
    parser.add_argument(
        "--cert-dir", help="where to write the certificates (default: a temporary directory, removed on exit)"
    )
    parser.add_argument("--url-file", help="also write the base URL to this file")
    parser.add_argument("--verbose", action="store_true", help="log every request and server error to stderr")
    return parser.parse_args(argv)


def _write_atomically(path, text):
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(partial, path)


def main(argv=None):
    args = _parse_args(argv)
    try:
        scenario = Scenario.from_source(args.scenario if args.scenario else {})
    except (OSError, ScenarioError) as exc:
        sys.stderr.write("whatsapp_sim: cannot load scenario: %s\n" % exc)
        return 2
    stop = threading.Event()

    def _request_stop(signum, frame):  # pylint: disable=unused-argument
        stop.set()

    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    simulator = Simulator(
        scenario, host=args.host, port=args.port, tls=args.tls, cert_dir=args.cert_dir, verbose=args.verbose
    )
    try:
        simulator.start()
    except OSError as exc:
        sys.stderr.write("whatsapp_sim: cannot listen on %s:%s: %s\n" % (args.host, args.port, exc))
        return 2
    try:
        if args.url_file:
            _write_atomically(args.url_file, simulator.url + "\n")
        if simulator.ca_file:
            sys.stderr.write("whatsapp_sim: CA certificate %s\n" % simulator.ca_file)
        sys.stdout.write("READY %s\n" % simulator.url)
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
