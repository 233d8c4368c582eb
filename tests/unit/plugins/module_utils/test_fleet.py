# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._fleet import (
    MAX_NAMED,
    NOT_FOUND,
    REPORT_ORDER,
    count_by_status,
    judge,
    not_ready_message,
    select,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import STATUSES
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import DONE, FAILED
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import Outcome
from hypothesis import given
from hypothesis import strategies as st

A, B, C, D = ("%08d-0000-4000-8000-000000000000" % n for n in range(4))


def listed(*pairs):
    return [{"id": uuid, "status": status} for uuid, status in pairs]


def test_select_keeps_the_wanted_order_and_names_the_missing():
    instances = listed((A, "WORKING"), (B, "STARTING"), (C, "WORKING"))
    assert select(instances, [C, D, A]) == ([instances[2], instances[0]], [D])
    assert select(instances, []) == (instances, [])


def test_count_by_status_has_every_documented_status():
    counts = count_by_status(listed((A, "WORKING"), (B, "WORKING"), (C, "MIGRATING")))
    assert counts == {
        "STOPPED": 0,
        "STARTING": 0,
        "WORKING": 2,
        "SCAN_QR_CODE": 0,
        "FAILED": 0,
        "PENDING": 0,
        "MIGRATING": 1,
    }


def test_count_by_status_lists_ready_first_failed_last_then_unknown_statuses():
    counts = count_by_status(listed((A, "MIGRATING"), (B, "STOPPED"), (C, "WORKING"), (D, "ARCHIVED")))
    assert list(counts) == [
        "WORKING",
        "SCAN_QR_CODE",
        "STARTING",
        "PENDING",
        "STOPPED",
        "FAILED",
        "MIGRATING",
        "ARCHIVED",
    ]
    assert sorted(REPORT_ORDER) == sorted(STATUSES)


def test_all_ready_is_done():
    view = judge(listed((A, "WORKING"), (B, "WORKING")), [A, B], ["WORKING"], ["FAILED"])
    assert view.state() == DONE
    assert view.result()["ready"] == [A, B] and view.result()["not_ready"] == []


def test_a_missing_uuid_fails_at_once():
    view = judge(listed((A, "WORKING")), [A, B], ["WORKING"], ["FAILED"])
    assert view.state() == FAILED
    assert view.not_ready == [(B, NOT_FOUND)]
    assert view.result()["missing"] == [B]


def test_a_fatal_status_fails_even_if_others_wait():
    view = judge(listed((A, "STARTING"), (B, "FAILED")), [], ["WORKING"], ["FAILED"])
    assert view.state() == FAILED and view.fatal == [(B, "FAILED")]


def test_nothing_selected_is_never_done():
    assert judge([], [], ["WORKING"], ["FAILED"]).state() is None


def test_outcome_says_what_decided_the_verdict_missing_first():
    assert judge(listed((A, "WORKING")), [A], ["WORKING"], ["FAILED"]).outcome() == "ready"
    assert judge(listed((A, "FAILED")), [A, B], ["WORKING"], ["FAILED"]).outcome() == "missing"
    assert judge(listed((A, "FAILED"), (B, "STARTING")), [], ["WORKING"], ["FAILED"]).outcome() == "fail_on"
    assert judge(listed((A, "STARTING")), [], ["WORKING"], ["FAILED"]).outcome() is None
    assert judge([], [], ["WORKING"], ["FAILED"]).outcome() is None


def test_result_counts_the_missing_and_marks_each_instance_ready_or_not():
    result = judge(listed((A, "WORKING"), (B, "SCAN_QR_CODE")), [A, B, C], ["WORKING"], ["FAILED"]).result()
    assert result["total"] == 3 and result["count"] == 2
    assert [(item["id"], item["ready"]) for item in result["instances"]] == [(A, True), (B, False)]


def test_timeout_message_names_each_instance_and_status():
    view = judge(listed((A, "WORKING"), (B, "SCAN_QR_CODE")), [A, B], ["WORKING"], ["FAILED"])
    message = not_ready_message(view, ["WORKING"], Outcome(100, 600.04))
    assert message.startswith("1 of 2 instances not in [WORKING] after 600 s: %s SCAN_QR_CODE" % B)
    view = judge(listed((A, "WORKING"), (B, "SCAN_QR_CODE")), [A, B, C], ["WORKING"], ["FAILED"])
    message = not_ready_message(view, ["WORKING"], Outcome(1, 0.2))
    assert message.startswith(
        "1 of the selected UUIDs are not in this account (or do not match the other filters): %s;" % C
    )
    assert "waiting cannot make them appear" in message


def test_fatal_message():
    view = judge(listed((A, "FAILED"), (B, "STARTING")), [A, B], ["WORKING"], ["FAILED"])
    assert (
        not_ready_message(view, ["WORKING"], Outcome(3, 12), fail_on=["FAILED"])
        == "1 of 2 instances reported a status in fail_on [FAILED] after 3 polls: %s FAILED" % A
    )


def test_long_lists_are_cut():
    uuids = ["%08d-0000-4000-8000-000000000000" % n for n in range(MAX_NAMED + 5)]
    view = judge(listed(*[(uuid, "STARTING") for uuid in uuids]), uuids, ["WORKING"], ["FAILED"])
    assert not_ready_message(view, ["WORKING"], Outcome(2, 10)).count("000 STARTING") == MAX_NAMED
    assert "and 5 more" in not_ready_message(view, ["WORKING"], Outcome(2, 10))


def test_messages_without_any_view_or_match():
    assert (
        not_ready_message(None, ["WORKING"], Outcome(2, 10, "boom"))
        == "no poll of GET /instances succeeded in 2 polls over 10 s; last error: boom"
    )
    assert not_ready_message(judge([], [], ["WORKING"], []), ["WORKING"], Outcome(2, 10)).startswith(
        "no instance matched the filters"
    )


FLEET = st.lists(
    st.tuples(st.sampled_from([A, B, C, D]), st.sampled_from(STATUSES + ("NEW",))), unique_by=lambda pair: pair[0]
)


@given(FLEET, st.lists(st.sampled_from([A, B, C, D]), unique=True), st.sets(st.sampled_from(STATUSES), min_size=1))
def test_done_only_when_every_wanted_instance_is_listed_and_ready(pairs, wanted, ready):
    view = judge(listed(*pairs), wanted, sorted(ready), [])
    statuses = dict(pairs)
    expected_ids = wanted or [uuid for uuid, status in pairs]
    all_ready = bool(expected_ids) and all(statuses.get(uuid) in ready for uuid in expected_ids)
    assert (view.state() == DONE) is all_ready
    assert sorted(view.ready + [uuid for uuid, status in view.not_ready]) == sorted(expected_ids)
