# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Writes the time of every task and loop item result to a file, for the benchmarks
description:
  - Appends one JSON line per result (task name, host, item, monotonic time, status) to the file named by E(BENCH_TIMER_FILE).
  - Used only by tests/bench/bench.py.
options: {}
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("BENCH_TIMER_FILE")

    def _write(self, status, result, item=False):
        if not self._path:
            return
        with open(self._path, "a", encoding="utf-8") as handle:
            handle.write(
                json.dumps(
                    {
                        "task": result.task_name,
                        "host": result._host.get_name(),
                        "item": item,
                        "status": status,
                        "t": time.monotonic(),
                        "polls": result._result.get("polls"),
                    }
                )
                + "\n"
            )

    def v2_playbook_on_task_start(self, task, is_conditional):
        if self._path:
            with open(self._path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"task": task.get_name(), "status": "start", "t": time.monotonic()}) + "\n")

    def v2_runner_item_on_ok(self, result):
        self._write("ok", result, item=True)

    def v2_runner_item_on_failed(self, result):
        self._write("failed", result, item=True)

    def v2_runner_on_ok(self, result):
        self._write("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write("failed", result)
