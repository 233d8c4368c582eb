# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the pytest suites that run the collection for real share: tests/e2e, tests/eda and tests/ee import it from
their conftest.py (each puts this directory on sys.path) instead of keeping copies.

The simulator's credentials and ids, scenario builders, the fixtures that give a collections path and start the
simulator (in the test's process, or in a process of its own), a clean environment for Ansible's commands, and the
secret scan. Only the standard library and pytest are imported here: the simulator is imported when a fixture starts
it, since tests/ee's venv has none of its dependencies.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
SIMULATOR_DIR = COLLECTION_ROOT / "tests" / "simulator"
if str(SIMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(SIMULATOR_DIR))

# The credentials the scenarios of tests/e2e and tests/eda accept, and the instances they hold.
TOKEN = "sim-token-0123456789"
ONPREM_API_KEY = "sim-onprem-key-0123"
ONPREM_TOKEN = "sim-onprem-bearer-token"
ONPREM_PASSWORD = "secret-password-42"
CLOUD_TOKEN = "sim-cloud-token-EAAGm0PX4ZCpsBA"
WORKING_ID = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
QR_ID = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"
ACCESS_TOKEN = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1"


def secrets_of(*values):
    """The texts a scan looks for: each value, and the secret part of an instance access token (``<id>|<secret>``)."""
    found = []
    for value in values:
        found.append(value)
        if "|" in value:
            found.append(value.split("|", 1)[1])
    return tuple(found)


SECRETS = secrets_of(TOKEN, ONPREM_API_KEY, ONPREM_TOKEN, ONPREM_PASSWORD, ACCESS_TOKEN, CLOUD_TOKEN)


def leaked(text, secrets, expected=()):
    """The secrets found in ``text``, but those a test deliberately asked to see."""
    return [secret for secret in secrets if secret not in expected and secret in text]


def assert_no_secret(text, secrets, where, expected=()):
    """Fail, naming the positions in ``secrets`` (never the secrets) of those found in ``text``."""
    found = leaked(text, secrets, expected)
    assert not found, "secret(s) %s of the scan leaked into %s" % (
        ", ".join("#%d" % secrets.index(secret) for secret in found),
        where,
    )


def files_holding(root, secrets):
    """Every file under ``root`` that holds one of ``secrets``, relative to it."""
    found = set()
    for path in Path(root).rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            if any(secret.encode() in content for secret in secrets):
                found.add(str(path.relative_to(root)))
    return found


# ---------------------------------------------------------------- scenarios


def instance(uuid=WORKING_ID, status="WORKING", access_token=ACCESS_TOKEN, **fields):
    """One instance of a scenario; ``timeline=[...]`` instead of a status."""
    item = {"id": uuid, "name": fields.pop("name", "Instance-" + uuid[:4]), "access_token": access_token}
    if "timeline" in fields:
        item["timeline"] = fields.pop("timeline")
    else:
        item["status"] = status
    item.update(fields)
    return item


def hypersender_scenario(*instances, tokens=(TOKEN,), **extra):
    """A scenario with these instances; ``hypersender={...}`` adds to its section, other keywords are sections."""
    scenario = {"hypersender": {"tokens": list(tokens), "instances": list(instances)}}
    scenario["hypersender"].update(extra.pop("hypersender", {}))
    scenario.update(extra)
    return scenario


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def collections_path():
    """A directory whose ansible_collections/hypersender/whatsapp is this collection."""
    if COLLECTION_ROOT.parent.name == "hypersender" and COLLECTION_ROOT.parents[1].name == "ansible_collections":
        yield str(COLLECTION_ROOT.parents[2])
        return
    with tempfile.TemporaryDirectory(prefix="hsw-collections-") as holder:
        link = Path(holder) / "ansible_collections" / "hypersender" / "whatsapp"
        link.parent.mkdir(parents=True)
        link.symlink_to(COLLECTION_ROOT, target_is_directory=True)
        yield holder


@pytest.fixture
def simulator():
    """``simulator(scenario, tls=False, host=...)`` starts a simulator in this process, stopped after the test."""
    from whatsapp_sim import Simulator  # pylint: disable=import-outside-toplevel,import-error

    started = []

    def start(scenario, **kwargs):
        sim = Simulator(scenario, **kwargs)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator_process(tmp_path):
    """``simulator_process(scenario)`` starts the simulator in a process of its own (see cli_simulator.py), for
    tests that fork jobs (ansible-runner) or run without the simulator's dependencies (tests/ee)."""
    from cli_simulator import simulators  # pylint: disable=import-outside-toplevel,import-error

    with simulators(tmp_path) as start:
        yield start


def ansible_env(collections_path, tmp_path, bin_dir=None, **extra):
    """The environment for an Ansible command of the venv of ``bin_dir`` (default: this Python's): the caller's,
    without its Ansible, Hypersender and WhatsApp settings; the collection on the collections path; Ansible's home,
    temporary files and caches (instance_qr's pacing files among them) inside ``tmp_path``; then ``extra``."""
    bin_dir = Path(bin_dir or Path(sys.executable).parent)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "HYPERSENDER_", "WA_"))}
    env.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_LOCAL_TEMP": str(Path(tmp_path) / "ansible-local"),
            "ANSIBLE_HOME": str(Path(tmp_path) / "ansible-home"),
            "XDG_CACHE_HOME": str(Path(tmp_path) / "cache"),
            "PATH": str(bin_dir) + os.pathsep + env.get("PATH", ""),
            "NO_PROXY": "127.0.0.1,localhost",
        }
    )
    env.update(extra)
    return env
