# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""scripts/bench ee (tests/bench/ee_bench.py) runs (one run each way) and prints every figure it promises; no time is asserted."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import COLLECTION_ROOT, IMAGE


def test_the_benchmark_prints_its_figures(built_image):
    proc = subprocess.run(
        [sys.executable, str(COLLECTION_ROOT / "tests" / "bench" / "ee_bench.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    out = proc.stdout
    assert out.startswith(
        "Execution environment %s (ansible-core %s," % (IMAGE, built_image["packages"]["ansible-core"])
    )
    assert re.search(r"image size: +\d+ MB \(base image \d+ MB\)", out)
    assert re.search(r"ansible-builder build: \d+ s", out)
    assert re.search(r"outside the image: median \d+\.\d\d s", out)
    assert re.search(r"inside the image: +median \d+\.\d\d s", out)
    assert re.search(r"ratio inside/outside \(medians\): \d+\.\d\d", out)
