# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Waiting inside one task, with the names kubernetes.core made familiar."""

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Whether to poll until the awaited state is reached, inside this one task.
      - Transient errors while polling (rate limiting, server errors, connection problems) do not end the wait;
        the last one is reported if the deadline passes.
      - In check mode the task makes a single probe and does not wait.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait at most when O(wait=true). The last probe is made at the deadline.
    type: float
    default: 300
  wait_sleep:
    description:
      - Seconds between two probes when O(wait=true).
    type: float
    default: 6
  progress_interval:
    description:
      - When the task waits, a line on the controller says what it waits for, then another says how long it has
        waited this often (seconds), so that AWX, ansible-runner's C(idle_timeout) or a CI log watcher never see a
        silent job. V(0) prints only the first. Each line starts with the name of the role the task belongs to,
        else of the module.
      - Printed by the module's action plugin; with C(async) there is none.
    type: float
    default: 30
    version_added: 0.2.0
"""

    STATUSES = r"""
options:
  wait_for:
    description:
      - The instance statuses that count as ready when O(wait=true).
      - Without O(wait), only V(WORKING) counts as healthy.
    type: list
    elements: str
    choices: [STOPPED, STARTING, WORKING, SCAN_QR_CODE, FAILED, PENDING]
    default: [WORKING]
  fail_on:
    description:
      - Statuses that end the wait at once, as a failure.
      - Use V([]) to keep waiting whatever the status.
    type: list
    elements: str
    choices: [STOPPED, STARTING, WORKING, SCAN_QR_CODE, FAILED, PENDING]
    default: [FAILED]
"""
