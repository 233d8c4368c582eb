# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The example rulebook, run by the real ansible-rulebook against the simulator on a scripted timeline.

The timeline moves when the test sees the source has polled (the simulator's request log), not at
fixed times, so a slow machine only makes the test slower.
"""

from __future__ import annotations

from conftest import ACCESS_TOKEN, SHOP_ID, SUPPORT_ID, TOKEN, fleet

RULEBOOK = "hypersender.whatsapp.instance_status"
PLAY = "PLAY [Restart a Hypersender WhatsApp instance that turned FAILED]"
QR_MESSAGE = "WhatsApp instance support (%s) asks for a QR scan (was WORKING)" % SUPPORT_ID


def list_calls(sim):
    return [r for r in sim.requests() if r["path"].endswith("/instances")]


def test_example_rulebook_restarts_failed_and_reports_qr_scan(simulator, rulebook):
    sim = simulator(fleet("WORKING", "WORKING"))
    run = rulebook(RULEBOOK, sim, {"hypersender_poll_interval": 0.5})
    run.wait_until(lambda: len(list_calls(sim)) >= 2, "poll of GET /instances")  # baseline taken, no event
    assert PLAY not in run.output and "asks for a QR scan" not in run.output, "no event without a change"

    sim.load(fleet("FAILED", "SCAN_QR_CODE"))  # both change at once; the log starts again
    run.wait_until(lambda: "was FAILED since" in run.output and QR_MESSAGE in run.output, "actions for both changes")
    health_calls = [r for r in sim.requests() if r["path"].endswith("/%s/health" % SHOP_ID)]
    assert len(health_calls) == 1, "the FAILED rule's playbook read the instance's health once"
    polls_after = len(list_calls(sim))
    run.wait_until(lambda: len(list_calls(sim)) >= polls_after + 4, "more polls")

    output = run.output
    assert run.stop() is not None
    assert output.count(PLAY) == 1, "one playbook run for one change to FAILED:\n" + output[-4000:]
    assert output.count(QR_MESSAGE) == 1, "one message for one change to SCAN_QR_CODE"
    assert "Instance shop (%s) was FAILED since" % SHOP_ID in output
    assert "restarted" in output
    assert [r["method"] for r in sim.requests() if r["path"].endswith("/%s/restart" % SHOP_ID)] == ["POST"]
    assert "failed=0" in output
    for secret in (TOKEN, ACCESS_TOKEN, ACCESS_TOKEN.split("|", 1)[1]):
        assert secret not in output
    assert all(r["auth"] == "bearer" for r in sim.requests())


def test_example_rulebook_reports_an_unreadable_api(simulator, rulebook):
    outage = {"faults": [{"path": "/instances$", "status": 503, "body": {"message": "Service Unavailable"}}]}
    sim = simulator(fleet("WORKING", "WORKING", **outage))
    run = rulebook(RULEBOOK, sim, {"hypersender_poll_interval": 0.5})
    run.wait_until(lambda: "Hypersender API unreadable for 3 polls" in run.output, "the error event's message")
    output = run.output
    assert "server error (HTTP 503) (Service Unavailable)" in output
    assert run.process.poll() is None, "the source keeps going through errors"
    run.stop()
    assert TOKEN not in output
