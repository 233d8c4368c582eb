# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Event-Driven Ansible tests: the real ansible-rulebook (from .venv/eda) against the simulator."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(COLLECTION_ROOT / "tests" / "simulator"))

from whatsapp_sim import Simulator  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "sim-token-0123456789"
ACCESS_TOKEN = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1"
SHOP_ID = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
SUPPORT_ID = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"


def fleet(shop, support, **extra):
    scenario = {
        "hypersender": {
            "tokens": [TOKEN],
            "instances": [
                {"id": SHOP_ID, "name": "shop", "phone": "+201234567890", "access_token": ACCESS_TOKEN, "status": shop},
                {
                    "id": SUPPORT_ID,
                    "name": "support",
                    "phone": "+201234567891",
                    "access_token": ACCESS_TOKEN,
                    "status": support,
                },
            ],
        }
    }
    scenario.update(extra)
    return scenario


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
    started = []

    def start(scenario):
        sim = Simulator(scenario)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


class Rulebook:
    """One ansible-rulebook process; its whole output goes to a file the test reads as it grows."""

    def __init__(self, argv, env, cwd, log):
        self.log = log
        self.handle = open(log, "w")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def output(self):
        return Path(self.log).read_text(errors="replace")

    def wait_until(self, predicate, what, timeout=180):
        """Poll ``predicate()`` until true; fail with the output if the process ends or time runs out."""
        end = time.monotonic() + timeout
        while not predicate():
            assert self.process.poll() is None, "ansible-rulebook ended (rc %s) before %s:\n%s" % (
                self.process.returncode,
                what,
                self.output[-6000:],
            )
            assert time.monotonic() < end, "no %s within %d s:\n%s" % (what, timeout, self.output[-6000:])
            time.sleep(0.2)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.handle.close()
        return self.process.returncode


@pytest.fixture
def rulebook(collections_path, tmp_path):
    """``rulebook(name, sim, variables, env=None, extra_args=())`` starts ansible-rulebook on a rulebook of the
    collection; ``env`` adds environment variables (after the simulator's), ``extra_args`` arguments (e.g. -E)."""
    bin_dir = Path(sys.executable).parent
    executable = bin_dir / "ansible-rulebook"
    assert executable.exists(), "ansible-rulebook is not in %s: run scripts/test eda" % bin_dir
    assert shutil.which("java"), "no java on PATH: ansible-rulebook needs Java 17+ (scripts/ensure-java installs it)"
    started = []

    def start(name, sim, variables=None, env=None, extra_args=()):
        inventory = tmp_path / "inventory.yml"
        inventory.write_text(
            "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
            "      ansible_python_interpreter: %s\n" % sys.executable
        )
        vars_file = tmp_path / "vars.yml"
        vars_file.write_text("".join("%s: %s\n" % item for item in (variables or {}).items()) or "{}\n")
        extra_env = env or {}
        env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "HYPERSENDER_"))}
        env.update(
            {
                "ANSIBLE_COLLECTIONS_PATH": collections_path,
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_FORCE_COLOR": "0",
                "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
                "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
                "HYPERSENDER_API_URL": sim.hypersender_url,
                "HYPERSENDER_API_TOKEN": TOKEN,
                "PATH": str(bin_dir) + os.pathsep + os.environ.get("PATH", ""),
                "NO_PROXY": "127.0.0.1,localhost",
            }
        )
        env.update(extra_env)
        argv = [str(executable), "-r", name, "-i", str(inventory), "--vars", str(vars_file), "-v"] + list(extra_args)
        run = Rulebook(argv, env, str(tmp_path), str(tmp_path / ("rulebook-%d.log" % len(started))))
        started.append(run)
        return run

    yield start
    for run in started:
        run.stop()
