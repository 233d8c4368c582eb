# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A long wait under ansible-runner with an idle_timeout shorter than the wait: the roles' progress lines keep it alive.

AWX and ansible-runner end a job that prints nothing for ``idle_timeout`` seconds. While a role's module waits, its
action plugin prints a progress line every progress interval, so the job survives (with no async job lines).
"""

from __future__ import annotations

import importlib.util

import pytest
from conftest import WORKING_ID, hypersender_scenario, instance
from test_awx_runner import (  # noqa: F401 pylint: disable=unused-import
    event_stdout,
    private_data_dir,
    runner_env,
)

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("ansible_runner") is None, reason="ansible-runner is not installed in this venv"
    ),
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]

# Well above the progress interval, on a loaded machine.
IDLE_TIMEOUT = 20
# The instance turns WORKING this long after the simulator starts: well past the idle timeout, however long
# the runner takes to start.
READY_AT = 50


def test_wait_longer_than_the_runner_idle_timeout_passes(
    cli_simulator, runner_env, tmp_path
):  # noqa: F811 pylint: disable=redefined-outer-name
    import ansible_runner  # pylint: disable=import-outside-toplevel

    sim = cli_simulator(
        hypersender_scenario(
            instance(WORKING_ID, timeline=[{"at": 0, "status": "STARTING"}, {"at": READY_AT, "status": "WORKING"}])
        )
    )
    pdd = private_data_dir(
        tmp_path / "job",
        sim,
        {
            "wait_for_working_instances": [WORKING_ID],
            "wait_for_working_timeout": 120,
            "wait_for_working_poll_interval": 2,
            "wait_for_working_progress_interval": 2,
            "deploy_gate_onprem": False,
        },
    )
    (pdd / "env" / "settings").write_text("---\nprocess_isolation: false\nidle_timeout: %d\n" % IDLE_TIMEOUT)
    result = ansible_runner.run(private_data_dir=str(pdd), playbook="site.yml", quiet=True)
    stdout = event_stdout(list(result.events))
    assert result.status == "successful", stdout[-4000:]
    # The gate's own progress lines kept the job alive, without async's job lines.
    assert "wait_for_working: still waiting, " in stdout
    assert "ASYNC" not in stdout and "jid=" not in stdout
    calls = [call for call in sim.requests() if call["path"].endswith("/instances")]
    # The precondition of the test, read from the simulator's log: the wait outlasted the idle timeout.
    assert calls[-1]["t"] - calls[0]["t"] > IDLE_TIMEOUT, calls
