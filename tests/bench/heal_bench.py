# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark scenario 4: the self-healing gate against a ``uri`` loop that restarts and polls.

A fleet with FAILED instances (a restart brings them back) and instances in SCAN_QR_CODE that a person
links by scanning the code the playbook prints: the benchmark plays that person (tests/e2e/qr_scanner.py
decodes each code from the live output with zxing-cpp and posts it to the simulator's /_sim/scan).
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from qr_scanner import LiveQrScanner  # noqa: E402  pylint: disable=wrong-import-position

REAL_WINDOW = 60.0
ROLE_POLL = 10.0
URI_POLL = 5.0

HEAL_ROLE_PLAY = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: hypersender.whatsapp.wait_for_working
      vars:
        wait_for_working_instances: "{{ ids }}"
        wait_for_working_timeout: "{{ timeout }}"
        wait_for_working_poll_interval: "{{ poll }}"
        wait_for_working_rate_window: "{{ window }}"
        wait_for_working_restart: [FAILED]
        wait_for_working_show_qr: true
"""

# The obvious alternative: list, restart every FAILED one, ask a code for every SCAN_QR_CODE one and print it,
# then poll the list until all are WORKING. Each call retries on 429 with until/delay, as people write it.
URI_HEAL_PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    api: "{{ lookup('ansible.builtin.env', 'HYPERSENDER_API_URL') }}"
    auth: {Authorization: "Bearer {{ lookup('ansible.builtin.env', 'HYPERSENDER_API_TOKEN') }}"}
  tasks:
    - name: List the instances
      ansible.builtin.uri:
        url: "{{ api }}/instances"
        headers: "{{ auth }}"
      register: listing

    - name: Restart the failed ones
      ansible.builtin.uri:
        url: "{{ api }}/{{ item.id }}/restart"
        method: POST
        headers: "{{ auth }}"
        status_code: [200, 429]
      register: restart
      until: restart.status == 200
      retries: "{{ retries }}"
      delay: "{{ poll }}"
      loop: "{{ listing.json | selectattr('id', 'in', ids) | selectattr('status', 'equalto', 'FAILED') | list }}"
      loop_control:
        label: "{{ item.id }}"

    - name: Ask a QR code for each instance waiting for one, and print it
      ansible.builtin.include_tasks: "{{ qr_tasks }}"
      loop: "{{ listing.json | selectattr('id', 'in', ids) | selectattr('status', 'equalto', 'SCAN_QR_CODE') | list }}"
      loop_control:
        label: "{{ item.id }}"

    - name: Wait until every instance is WORKING
      ansible.builtin.uri:
        url: "{{ api }}/instances"
        headers: "{{ auth }}"
        status_code: [200, 429]
      register: poll_list
      until: >-
        poll_list.status == 200 and
        (poll_list.json | selectattr('id', 'in', ids) | rejectattr('status', 'equalto', 'WORKING') | list | length) == 0
      retries: "{{ retries }}"
      delay: "{{ poll }}"
"""

URI_QR_TASKS = """
- name: Ask a new QR code
  ansible.builtin.uri:
    url: "{{ api }}/{{ item.id }}/request-new-qr-code"
    method: POST
    headers: "{{ auth }}"
    status_code: [200, 429]
  register: qr
  until: qr.status == 200
  retries: "{{ retries }}"
  delay: "{{ poll }}"

- name: Print it
  ansible.builtin.debug:
    msg: "QR for {{ item.id }}: {{ qr.json.qr_code }}"
"""


def heal_scenario(token, failed, scan, working, scale, seed=42):
    window = REAL_WINDOW / scale
    ids = [str(uuid.UUID(int=seed * 100000 + n, version=4)) for n in range(failed + scan + working)]
    statuses = ["FAILED"] * failed + ["SCAN_QR_CODE"] * scan + ["WORKING"] * working
    instances = []
    for number, (uid, status) in enumerate(zip(ids, statuses)):
        item = {"id": uid, "name": "bench-%03d" % number, "status": status}
        if status == "SCAN_QR_CODE":
            item["access_token"] = None
        instances.append(item)
    actions = {
        "stopped_for": 5.0 / scale,
        "starting_for": 10.0 / scale,
        "qr_valid": window,
        "rate_limits": {
            name: {"requests": limit, "window": window} for name, limit in (("create", 5), ("restart", 5), ("qr", 1))
        },
    }
    scenario = {
        "hypersender": {
            "tokens": [token],
            "rate_limit": {"requests": 10, "window": window},
            "instances": instances,
            "actions": actions,
        }
    }
    return scenario, ids


def run_live(runner, playbook, extra_vars, sim_url, timeout=900):
    """Like Runner.run, with the output read live by a scanner that links the phones."""
    import json  # pylint: disable=import-outside-toplevel

    runner.count += 1
    base = runner.workdir / ("run%03d" % runner.count)
    base.mkdir()
    (base / "playbook.yml").write_text(playbook)
    (base / "qr_tasks.yml").write_text(URI_QR_TASKS)
    extra_vars = dict(extra_vars, qr_tasks=str(base / "qr_tasks.yml"))
    (base / "vars.json").write_text(json.dumps(extra_vars))
    argv = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        str(base / "playbook.yml"),
        "-e",
        "@" + str(base / "vars.json"),
    ]
    started = time.monotonic()
    env = dict(runner.env, BENCH_TIMER_FILE=str(base / "timer.jsonl"))
    process = subprocess.Popen(
        argv, env=env, cwd=str(base), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    scanner = LiveQrScanner(process.stdout, sim_url)
    scanner.start()
    try:
        rc = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    ended = time.monotonic()
    scanner.join(timeout=30)
    (base / "output.log").write_text(scanner.output)
    return {
        "rc": rc,
        "started": started,
        "ended": ended,
        "wall": ended - started,
        "scanned": scanner.scanned,
        "errors": scanner.errors,
        "log": str(base / "output.log"),
    }


def run_heal(sim, runner, token, scale, failed=10, scan=5, working=5):
    scenario, ids = heal_scenario(token, failed, scan, working, scale)
    window = REAL_WINDOW / scale
    # enough for the restarts (5 a window) and the codes (1 a window), with room to spare
    timeout = (failed / 5.0 + scan + 4) * window + 60
    rows = []
    for name, playbook, poll in (
        ("(h) wait_for_working, restart + show_qr", HEAL_ROLE_PLAY, ROLE_POLL / scale),
        ("(u) uri loop: restart, QR, poll", URI_HEAL_PLAY, URI_POLL / scale),
    ):
        reset = sim.load(scenario)
        extra = {"ids": ids, "poll": poll, "timeout": timeout, "window": window, "retries": int(timeout / poll) + 1}
        result = run_live(runner, playbook, extra, sim.url)
        log = sim.requests()
        ready = sim.ready_times()
        last_working = max((t for t in ready.values() if t is not None), default=None)
        all_working = all(t is not None for t in ready.values())
        rows.append(
            {
                "contender": name,
                "size": len(ids),
                "failed": failed,
                "scan": scan,
                "rc": result["rc"],
                "wall": result["wall"],
                "calls": len(log),
                "throttled": sum(1 for r in log if r["status"] == 429),
                "restarts": sum(1 for r in log if r["path"].endswith("/restart") and r["status"] == 200),
                "qr_codes": sum(1 for r in log if r["path"].endswith("/request-new-qr-code") and r["status"] == 200),
                "scanned": sum(1 for dummy, status in result["scanned"] if status == 200),
                "all_working": all_working,
                "end_after_last_working": (result["ended"] - reset - last_working) if all_working else None,
                "log": result["log"],
                "errors": result["errors"],
            }
        )
    return rows


def heal_table(rows):
    lines = [
        "| contender | wall s | API calls | 429s | restarts | QR codes | codes scanned | all WORKING | "
        "end after last WORKING s | rc |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for row in rows:
        after = "%.1f" % row["end_after_last_working"] if row["end_after_last_working"] is not None else "-"
        lines.append(
            "| %s | %.1f | %d | %d | %d | %d | %d | %s | %s | %d |"
            % (
                row["contender"],
                row["wall"],
                row["calls"],
                row["throttled"],
                row["restarts"],
                row["qr_codes"],
                row["scanned"],
                "yes" if row["all_working"] else "no",
                after,
                row["rc"],
            )
        )
    if len(rows) == 2 and rows[0]["calls"]:
        heal, uri = rows
        lines.append("")
        lines.append(
            "Ratios (uri loop / gate): API calls %.2f, wall %.2f; 429s %d against %d."
            % (uri["calls"] / heal["calls"], uri["wall"] / heal["wall"], uri["throttled"], heal["throttled"])
        )
    return "\n".join(lines)
