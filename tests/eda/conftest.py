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
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

# The shared fixtures and names (tests/support/hsw_support.py), for the tests of this directory to import from here.
from hsw_support import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    ACCESS_TOKEN,
    QR_ID,
    TOKEN,
    WORKING_ID,
    ansible_env,
    assert_no_secret,
    collections_path,
    hypersender_scenario,
    instance,
    simulator,
)

# The two instances the example rulebook watches.
SHOP_ID = WORKING_ID
SUPPORT_ID = QR_ID


def fleet(shop, support, **extra):
    """The two instances the example rulebook watches, shop and support, in these statuses."""
    return hypersender_scenario(
        instance(SHOP_ID, shop, name="shop", phone="+201234567890"),
        instance(SUPPORT_ID, support, name="support", phone="+201234567891"),
        **extra,
    )


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
        env = ansible_env(
            collections_path,
            tmp_path,
            bin_dir,
            **dict({"HYPERSENDER_API_URL": sim.hypersender_url, "HYPERSENDER_API_TOKEN": TOKEN}, **(env or {})),
        )
        argv = [str(executable), "-r", name, "-i", str(inventory), "--vars", str(vars_file), "-v"] + list(extra_args)
        run = Rulebook(argv, env, str(tmp_path), str(tmp_path / ("rulebook-%d.log" % len(started))))
        started.append(run)
        return run

    yield start
    for run in started:
        run.stop()
