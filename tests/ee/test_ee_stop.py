# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stopping ./scripts/test while scripts/ee-build makes its Debian base image (a CI timeout, Ctrl-C) leaves no
debootstrap running and no partial rootfs behind. The build runs under the real runner, from a noxfile whose one
session runs scripts/ee_build.py with an empty cache of its own, so that debootstrap starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import COLLECTION_ROOT

NOXFILE = """
import nox

@nox.session(python=False)
def build(session):
    session.run({python!r}, {script!r}, external=True)
"""


def debootstraps(cache):
    """Pids of the debootstrap processes writing below `cache`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"debootstrap" in arg for arg in argv[:2]) and any(str(cache).encode() in arg for arg in argv):
            found.append(int(cmdline.parent.name))
    return found


def test_a_stopped_base_image_build_leaves_no_debootstrap_and_no_rootfs(tmp_path):
    cache = tmp_path / "ee-cache"
    script = str(COLLECTION_ROOT / "scripts" / "ee_build.py")
    (tmp_path / "noxfile.py").write_text(NOXFILE.format(python=sys.executable, script=script))
    runner = subprocess.Popen(
        [sys.executable, str(COLLECTION_ROOT / "scripts" / "test"), "build", "-f", str(tmp_path / "noxfile.py")],
        env=dict(os.environ, HSW_EE_CACHE=str(cache)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while not (debootstraps(cache) and any(cache.glob("rootfs-*/*"))):
            assert runner.poll() is None, runner.stdout.read()
            assert time.monotonic() < deadline, "debootstrap did not start"
            time.sleep(0.5)
        time.sleep(2)  # let it write
        runner.send_signal(signal.SIGTERM)
        output = runner.communicate(timeout=120)[0]
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 128 + signal.SIGTERM, output[-3000:]
    assert debootstraps(cache) == []
    assert list(cache.glob("rootfs-*")) == [], "the partial rootfs was left behind"
