# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, ServerError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._status_events import (
    StatusTracker,
    backoff,
    error_event,
    source_settings,
)
from hypothesis import given
from hypothesis import strategies as st

STATUSES = ["STOPPED", "STARTING", "WORKING", "SCAN_QR_CODE", "FAILED", "PENDING"]
UUID_A = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
UUID_B = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"


def item(uuid, status, **extra):
    return dict({"id": uuid, "name": "n-" + uuid[:4], "status": status}, **extra)


def test_first_poll_is_a_baseline_without_events():
    tracker = StatusTracker()
    assert tracker.update([item(UUID_A, "WORKING")], "t1") == []
    assert tracker.update([item(UUID_A, "WORKING")], "t2") == []


def test_one_event_per_change_with_previous_status():
    tracker = StatusTracker()
    tracker.update([item(UUID_A, "WORKING"), item(UUID_B, "WORKING")], "t1")
    events = tracker.update([item(UUID_A, "FAILED", access_token="secret"), item(UUID_B, "WORKING")], "t2")
    assert events == [
        {
            "hypersender": {
                "instance": {"id": UUID_A, "name": "n-fa3d", "status": "FAILED"},
                "previous_status": "WORKING",
                "status": "FAILED",
                "changed_at": "t2",
            }
        }
    ]


def test_initial_snapshot_appearing_and_disappearing_instances():
    tracker = StatusTracker(initial_snapshot=True)
    first = tracker.update([item(UUID_A, "STARTING")], "t1")
    assert [
        (e["hypersender"]["previous_status"], e["hypersender"]["status"], e["hypersender"]["initial"]) for e in first
    ] == [(None, "STARTING", True)]
    second = tracker.update([item(UUID_B, "SCAN_QR_CODE")], "t2")
    assert [
        (e["hypersender"]["instance"]["id"], e["hypersender"]["previous_status"], e["hypersender"]["status"])
        for e in second
    ] == [(UUID_B, None, "SCAN_QR_CODE"), (UUID_A, "STARTING", None)]
    assert all("initial" not in e["hypersender"] for e in second)


@given(st.lists(st.lists(st.sampled_from(STATUSES), min_size=2, max_size=2), min_size=1, max_size=20))
def test_events_match_the_status_changes_exactly(polls):
    tracker = StatusTracker()
    seen = []
    for number, (status_a, status_b) in enumerate(polls):
        events = tracker.update([item(UUID_A, status_a), item(UUID_B, status_b)], "t%d" % number)
        seen.extend(
            (e["hypersender"]["instance"]["id"], e["hypersender"]["previous_status"], e["hypersender"]["status"])
            for e in events
        )
    expected = []
    for before, after in zip(polls, polls[1:]):
        for uuid, old, new in ((UUID_A, before[0], after[0]), (UUID_B, before[1], after[1])):
            if old != new:
                expected.append((uuid, old, new))
    assert sorted(seen) == sorted(expected)


@given(
    st.integers(min_value=1, max_value=200),
    st.floats(min_value=0.01, max_value=100),
    st.floats(min_value=0, max_value=1),
)
def test_backoff_grows_from_the_interval_and_stays_under_the_cap(failures, interval, rand):
    cap = interval * 10
    delay = backoff(failures, interval, cap, lambda: rand)
    assert 0.75 * min(interval, cap) <= delay <= cap
    assert backoff(failures + 1, interval, cap, lambda: 1.0) >= backoff(failures, interval, cap, lambda: 1.0)


def test_error_event_names_the_error_not_the_token():
    event = error_event(ServerError("GET /instances: server error (HTTP 503)", status=503), 3, "t0")
    assert event == {
        "hypersender": {
            "error": {
                "message": "GET /instances: server error (HTTP 503)",
                "type": "ServerError",
                "http_status": 503,
                "retryable": True,
                "failures": 3,
                "since": "t0",
            }
        }
    }


def test_settings_defaults_and_environment():
    settings = source_settings(
        {"eda_feedback_queue": object()},
        {"HYPERSENDER_API_TOKEN": "tok", "HYPERSENDER_API_URL": "http://127.0.0.1:1/api"},
    )
    assert settings["api_token"] == "tok"
    assert settings["api_url"] == "http://127.0.0.1:1/api"
    assert (settings["interval"], settings["error_threshold"], settings["retries"]) == (30.0, 3, 1)
    assert settings["filters"] == {}
    assert (
        source_settings(
            {"api_token": "arg", "interval": "5", "status": "FAILED", "initial_snapshot": "yes"},
            {"HYPERSENDER_API_TOKEN": "env"},
        )["api_token"]
        == "arg"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        ({"intervall": 5}, "unknown argument"),
        ({"interval": 0}, "interval must be a number of seconds, at least 0.001"),
        ({"interval": "nan"}, "interval must be a number of seconds.*got nan"),
        ({"interval": float("inf")}, "interval must be a number of seconds.*got inf"),
        ({"max_backoff": "-inf"}, "max_backoff must be a number of seconds"),
        ({"timeout": "NaN"}, "timeout must be a number of seconds"),
        ({"retries": 2.5}, "retries must be a whole number"),
        ({"error_threshold": True}, "error_threshold must be a number, got True"),
        ({"interval": "soon"}, "interval must be a number"),
        ({"error_threshold": 0}, "error_threshold"),
        ({"interval": 60, "max_backoff": 10}, "max_backoff"),
        ({"status": "BROKEN"}, "unknown status"),
        ({"uuid": "not-a-uuid"}, "not an instance UUID"),
        ({"initial_snapshot": "maybe"}, "true or false"),
    ],
)
def test_bad_settings_are_refused(args, message):
    with pytest.raises(OptionError, match=message):
        source_settings(args, {})
