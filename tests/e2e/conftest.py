# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: real ``ansible`` / ``ansible-playbook`` runs against the bundled simulator.

Every run is made at -vvvv and its whole output is checked for the secrets of
the scenario (API tokens, API keys, instances' access tokens).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(COLLECTION_ROOT / "tests" / "simulator"))

from whatsapp_sim import Simulator  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "sim-token-0123456789"
ONPREM_API_KEY = "sim-onprem-key-0123"
ONPREM_TOKEN = "sim-onprem-bearer-token"
ONPREM_PASSWORD = "secret-password-42"
WORKING_ID = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
QR_ID = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"
ACCESS_TOKEN = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1"
CLOUD_TOKEN = "sim-cloud-token-EAAGm0PX4ZCpsBA"


def _collections_dir():
    """A directory whose ansible_collections/hypersender/whatsapp is this collection."""
    if COLLECTION_ROOT.parent.name == "hypersender" and COLLECTION_ROOT.parents[1].name == "ansible_collections":
        return str(COLLECTION_ROOT.parents[2]), None
    holder = tempfile.TemporaryDirectory(prefix="hsw-collections-")
    link = Path(holder.name) / "ansible_collections" / "hypersender" / "whatsapp"
    link.parent.mkdir(parents=True)
    link.symlink_to(COLLECTION_ROOT, target_is_directory=True)
    return holder.name, holder


@pytest.fixture(scope="session")
def collections_path():
    path, holder = _collections_dir()
    yield path
    if holder is not None:
        holder.cleanup()


def hypersender_scenario(*instances, **extra):
    scenario = {"hypersender": {"tokens": [TOKEN], "instances": list(instances)}}
    scenario["hypersender"].update(extra.pop("hypersender", {}))
    scenario.update(extra)
    return scenario


def instance(uuid=WORKING_ID, status="WORKING", **fields):
    item = {
        "id": uuid,
        "name": fields.pop("name", "Instance-" + uuid[:4]),
        "access_token": fields.pop("access_token", ACCESS_TOKEN),
    }
    if "timeline" in fields:
        item["timeline"] = fields.pop("timeline")
    else:
        item["status"] = status
    item.update(fields)
    return item


@pytest.fixture
def simulator():
    """``simulator(scenario, tls=False)`` starts a simulator that is stopped after the test."""
    started = []

    def start(scenario, **kwargs):
        sim = Simulator(scenario, **kwargs)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


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


SECRETS = (
    TOKEN,
    ONPREM_API_KEY,
    ONPREM_TOKEN,
    ONPREM_PASSWORD,
    ACCESS_TOKEN,
    ACCESS_TOKEN.split("|", 1)[1],
    CLOUD_TOKEN,
)


@pytest.fixture
def ansible(collections_path, tmp_path):
    """Run ``ansible`` (ad-hoc) or ``ansible-playbook`` from this Python's environment.

    ``ansible(["localhost", "-m", ...], env={...})`` or ``ansible.playbook(text, ...)``.
    Every output is asserted free of the known secrets, unless ``secrets_expected`` names some
    a test deliberately asks for.
    """
    bin_dir = Path(sys.executable).parent

    def base_env(extra):
        env = {
            key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "HYPERSENDER_", "WA_"))
        }
        env.update(
            {
                "ANSIBLE_COLLECTIONS_PATH": collections_path,
                "ANSIBLE_STDOUT_CALLBACK": "minimal",
                "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
                "ANSIBLE_LOCALHOST_WARNING": "0",
                "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_FORCE_COLOR": "0",
                "ANSIBLE_RETRY_FILES_ENABLED": "0",
                "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
                "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
                "XDG_CACHE_HOME": str(tmp_path / "cache"),  # instance_qr's pacing files stay inside the test
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "PATH": str(bin_dir) + os.pathsep + env.get("PATH", ""),
                "NO_PROXY": "127.0.0.1,localhost",
            }
        )
        env.update(extra or {})
        return env

    def run(args, env=None, command="ansible", verbosity="-vvvv", secrets_expected=(), timeout=300):
        argv = [str(bin_dir / command)] + list(args) + ([verbosity] if verbosity else [])
        completed = subprocess.run(
            argv, env=base_env(env), cwd=str(tmp_path), capture_output=True, text=True, timeout=timeout, check=False
        )
        outcome = AnsibleRun(argv, completed)
        for secret in SECRETS:
            if secret not in secrets_expected:
                assert secret not in outcome.output, "a secret leaked into the output of %s" % argv
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
