# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A smoke run of the benchmark (scripts/bench --quick): it works end to end. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from ansible.playbook.task import Task
from conftest import COLLECTION_ROOT


@pytest.mark.skipif(
    Task.fattributes["delay"].isa != "float",
    reason="the uri contender polls at fractions of a second, which task delay accepts from ansible-core 2.19 on",
)
def test_quick_benchmark_runs_every_contender(tmp_path):
    figures = tmp_path / "bench.json"
    completed = subprocess.run(
        [sys.executable, str(COLLECTION_ROOT / "tests" / "bench" / "bench.py"), "--quick", "--json", str(figures)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    for heading in ("### 1. Fleet gate", "### 2. Single check", "### 3. How cost grows with N", "### Targets"):
        assert heading in completed.stdout
    rows = json.loads(figures.read_text())["fleet"]
    assert [row["contender"][:3] for row in rows] == ["(a)", "(b)", "(c)", "(c)"]
    assert all(row["rc"] == 0 and row["failed"] == 0 for row in rows), rows
    role = rows[0]
    assert role["calls"] == role["polls"], "the role makes one list call per poll"


def test_canary_benchmark_prints_its_figures():
    completed = subprocess.run(
        [sys.executable, str(COLLECTION_ROOT / "tests" / "bench" / "canary_bench.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert completed.stdout.count("calls a canary:") == 3
    assert "1 list + 1 send + 1 poll = 3   floor: 1 list + 1 send + 1 poll = 3" in completed.stdout
    assert completed.stdout.count("ack's arrival to the task's end:") == 2


def test_cloud_preflight_benchmark_prints_calls_that_do_not_grow_with_the_numbers():
    completed = subprocess.run(
        [
            sys.executable,
            str(COLLECTION_ROOT / "tests" / "bench" / "cloud_preflight_bench.py"),
            "--runs",
            "1",
            "--sizes",
            "1,10",
            "--templates",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    rows = [
        line.split()
        for line in completed.stdout.splitlines()
        if line.split()[:2] in (["1", "preflight"], ["10", "preflight"])
    ]
    assert [(row[0], row[2], row[6]) for row in rows] == [("1", "4", "10"), ("10", "4", "19")]


def test_cloud_canary_benchmark_prints_its_figures():
    completed = subprocess.run(
        [sys.executable, str(COLLECTION_ROOT / "tests" / "bench" / "cloud_canary_bench.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert completed.stdout.count("calls a canary: 1 send + 0 poll = 1 (module's api_calls: 1)") == 3
    assert completed.stdout.count("status's arrival to the task's end:") == 3
