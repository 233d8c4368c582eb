# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stopping ./scripts/test (a CI timeout, Ctrl-C, SIGTERM) leaves none of the processes it started running.

nox runs each session of `nox --parallel` in a session (and process group) of its own, and the tools below it
start more: a session's daemon, a process that starts a session of its own. Each test runs the real runner on
a noxfile whose session starts such a tree, waits until all of it runs, stops the runner and looks for
survivors. The runner needs .venv/nox: the first test of a fresh tree makes it (the runner does).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The session starts: a sleeper in a session of its own (setsid), a double-forked daemon, and a plain child.
# Each writes its pid, and has the marker in its command line.
NOXFILE = """
import nox

@nox.session(python=False)
def tree(session):
    session.run("python3", "-c", {script!r}, *session.posargs, external=True)
"""
SCRIPT = """
import os, subprocess, sys
SLEEP = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(600)"
def sleeper(name):
    return [sys.executable, "-c", SLEEP, os.path.join(sys.argv[1], name), "MARKER"]
subprocess.Popen(["setsid"] + sleeper("setsid"))
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        subprocess.Popen(sleeper("daemon"))
    os._exit(0)
subprocess.run(sleeper("child"))
"""


def marked(marker):
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            pass
    return found


def alive(pid):
    try:
        state = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_a_stopped_run_leaves_no_process_behind(tmp_path, how):
    marker = "hsw-stop-test-%d-%s" % (os.getpid(), how.name)
    pids = tmp_path / "pids"
    pids.mkdir()
    (tmp_path / "noxfile.py").write_text(NOXFILE.format(script=SCRIPT.replace("MARKER", marker)))
    runner = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "test"), "tree", "-f", str(tmp_path / "noxfile.py"), "--", str(pids)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the test stops the runner alone, as a timeout or kill would
    )
    try:
        deadline = time.monotonic() + 300  # a fresh tree installs .venv/nox first
        while {p.name for p in pids.iterdir()} != {"setsid", "daemon", "child"}:
            assert runner.poll() is None, runner.stdout.read()
            assert time.monotonic() < deadline, "the session's processes did not all start"
            time.sleep(0.2)
        started = [int((pids / name).read_text()) for name in ("setsid", "daemon", "child")]
        assert len(marked(marker)) >= 3 and all(alive(pid) for pid in started)
        runner.send_signal(how)
        output = runner.communicate(timeout=120)[0]
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 128 + how, output[-3000:]
    assert "stopping every process of the run" in output
    assert [pid for pid in started if alive(pid)] == []
    assert marked(marker) == [], "processes of the stopped run are still running"
