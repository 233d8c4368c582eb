# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: real ``ansible`` / ``ansible-playbook`` runs against the bundled simulator.

Every run is made at -vvvv and its whole output is checked for the secrets of
the scenario (API tokens, API keys, instances' access tokens).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

# The shared fixtures and names (tests/support/hsw_support.py), for the tests of this directory to import from here.
from hsw_support import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    ACCESS_TOKEN,
    CLOUD_TOKEN,
    COLLECTION_ROOT,
    ONPREM_API_KEY,
    ONPREM_PASSWORD,
    ONPREM_TOKEN,
    QR_ID,
    SECRETS,
    TOKEN,
    WORKING_ID,
    ansible_env,
    assert_no_secret,
    collections_path,
    hypersender_scenario,
    instance,
    simulator,
    simulator_process,
)

# The simulator in a process of its own, for tests that fork jobs (ansible-runner).
cli_simulator = simulator_process


class AnsibleRun:
    """The outcome of one ansible/ansible-playbook process."""

    def __init__(self, args, completed):
        self.args = args
        self.rc = completed.returncode
        self.output = completed.stdout + completed.stderr

    @property
    def results(self):
        """Every ``host | STATE => {json}`` result the minimal callback printed, in order."""
        found = []
        decoder = json.JSONDecoder()
        for line_start in _result_starts(self.output):
            state = self.output[line_start:].split(" => ", 1)[0].rsplit("| ", 1)[-1].strip()
            brace = self.output.index("{", line_start)
            found.append((state, decoder.raw_decode(self.output, brace)[0]))
        return found

    @property
    def result(self):
        results = self.results
        assert results, "no task result in the output:\n" + self.output[-3000:]
        return results[-1][1]

    def __repr__(self):
        return "AnsibleRun(rc=%s, args=%r)\n%s" % (self.rc, self.args, self.output[-4000:])


def _result_starts(text):
    position = 0
    while True:
        index = text.find(" => {", position)
        if index < 0:
            return
        line_start = text.rfind("\n", 0, index) + 1
        if " | " in text[line_start:index]:
            yield line_start
        position = index + 5


class ScenarioSwitch:
    """Load ``scenario`` into ``sim`` once ``count`` requests whose path matches ``path`` are in its log.

    A test of a wait that must see a state change uses this instead of a timeline: a timeline counts from
    the simulator's start, so on a loaded machine Ansible may start after the change and never wait.  Here
    the change comes after the module has polled ``count`` times, however slowly it started.  Loading
    restarts the request log: ``before`` holds the matching requests logged until then.  (A request that
    arrives between reading the log and loading is in neither: at most one, with wait_sleep >= 0.5.)
    """

    def __init__(self, sim, count, path, scenario):
        self.sim, self.count, self.path, self.scenario = sim, count, path, scenario
        self.before = None  # the matching requests logged before the switch
        self.log = None  # every request logged before the switch
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self):
        while not self._stop.is_set():
            log = self.sim.requests()
            matching = [r for r in log if re.search(self.path, r["path"])]
            if len(matching) >= self.count:
                self.before, self.log = matching, log
                self.sim.load(self.scenario)
                return
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.fixture
def ansible(collections_path, tmp_path):
    """Run ``ansible`` (ad-hoc) or ``ansible-playbook`` from this Python's environment.

    ``ansible(["localhost", "-m", ...], env={...})`` or ``ansible.playbook(text, ...)``.
    Every output is asserted free of the known secrets, unless ``secrets_expected`` names some
    a test deliberately asks for.
    """
    bin_dir = Path(sys.executable).parent

    def base_env(extra):
        env = ansible_env(
            collections_path,
            tmp_path,
            ANSIBLE_STDOUT_CALLBACK="minimal",
            ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        )
        env.update(extra or {})
        return env

    def run(args, env=None, command="ansible", verbosity="-vvvv", secrets_expected=(), timeout=300):
        argv = [str(bin_dir / command)] + list(args) + ([verbosity] if verbosity else [])
        completed = subprocess.run(
            argv, env=base_env(env), cwd=str(tmp_path), capture_output=True, text=True, timeout=timeout, check=False
        )
        outcome = AnsibleRun(argv, completed)
        assert_no_secret(outcome.output, SECRETS, "the output of %s" % argv, expected=secrets_expected)
        return outcome

    def playbook(text, extra_args=(), **kwargs):
        path = tmp_path / "playbook.yml"
        path.write_text(text)
        return run([str(path)] + list(extra_args), command="ansible-playbook", **kwargs)

    def module(name, args, env=None, extra_args=(), **kwargs):
        """Ad-hoc: ``ansible localhost -m hypersender.whatsapp.<name> -a '<json args>'``."""
        argv = ["localhost", "-m", "hypersender.whatsapp." + name] + (["-a", json.dumps(args)] if args else [])
        return run(argv + list(extra_args), env=env, **kwargs)

    run.playbook = playbook
    run.module = module
    run.tmp_path = tmp_path
    return run
