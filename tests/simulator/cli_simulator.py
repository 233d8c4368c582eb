# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The simulator in a process of its own (run_simulator.py), for tests that fork jobs: ansible-runner forks a pty
for a job, and a fork from a process running the simulator's threads is best avoided.

Standard library only: tests/e2e and tests/ee (whose venv has no simulator dependencies of its own) both use it.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

RUN_SIMULATOR = Path(__file__).resolve().parent / "run_simulator.py"


class CliSimulator:
    """One simulator process on loopback, serving ``scenario_data``; its files go to ``directory``."""

    def __init__(self, scenario_data, directory):
        scenario_file = directory / "scenario.json"
        scenario_file.write_text(json.dumps(scenario_data))
        url_file = directory / "sim.url"
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, str(RUN_SIMULATOR), "--scenario", str(scenario_file), "--url-file", str(url_file)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not url_file.exists():
            assert self.process.poll() is None and time.monotonic() < deadline, "the simulator did not start"
            time.sleep(0.05)
        self.url = url_file.read_text().strip()
        self.hypersender_url = self.url + "/api/whatsapp/v1"
        self.onprem_url = self.url

    def requests(self):
        with urllib.request.urlopen(self.url + "/_sim/requests", timeout=10) as answer:
            return json.load(answer)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


@contextlib.contextmanager
def simulators(directory):
    """``start(scenario_data)`` -> a :class:`CliSimulator` in a new folder of ``directory``; all stop at the end."""
    started = []

    def start(scenario_data):
        folder = directory / ("sim%d" % len(started))
        folder.mkdir()
        started.append(CliSimulator(scenario_data, folder))
        return started[-1]

    try:
        yield start
    finally:
        for sim in started:
            sim.stop()
