# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many instances at once: select, count, and judge a fleet from one list call."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import STATUSES, status_list
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import DONE, FAILED

# A failure message names at most this many instances, then says how many more.
MAX_NAMED = 20
NOT_FOUND = "not found"


class FleetView:
    """One poll's verdict on the awaited instances.

    ``not_ready`` and ``fatal`` hold ``(uuid, status)`` pairs; the status of
    a selected UUID the account does not have is :data:`NOT_FOUND`.
    """

    def __init__(self, instances, missing, ready, not_ready, fatal):
        self.instances = instances
        self.missing = missing
        self.ready = ready
        self.not_ready = not_ready
        self.fatal = fatal

    @property
    def total(self):
        return len(self.ready) + len(self.not_ready)

    def state(self):
        if self.fatal:
            return FAILED
        if self.total and not self.not_ready:
            return DONE
        return None

    def result(self):
        return dict(instances=self.instances, count=len(self.instances), by_status=count_by_status(self.instances),
                    missing=self.missing, ready=self.ready, not_ready=[uuid for uuid, status in self.not_ready])


def select(instances, wanted):
    """The instances whose id is in ``wanted`` (all when ``wanted`` is empty), and the wanted ids not there."""
    if not wanted:
        return list(instances), []
    by_id = {item["id"]: item for item in instances}
    return [by_id[uuid] for uuid in wanted if uuid in by_id], [uuid for uuid in wanted if uuid not in by_id]


def count_by_status(instances):
    """Status -> count, with every documented status present (0 when none)."""
    counts = dict.fromkeys(STATUSES, 0)
    for item in instances:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return counts


def judge(instances, wanted, ready_statuses, fail_on):
    """A :class:`FleetView` of ``instances`` (the list call's result) for the ``wanted`` UUIDs."""
    selected, missing = select(instances, wanted)
    ready = [item["id"] for item in selected if item["status"] in ready_statuses]
    not_ready = [(item["id"], item["status"]) for item in selected if item["status"] not in ready_statuses]
    not_ready += [(uuid, NOT_FOUND) for uuid in missing]
    if wanted:
        order = {uuid: position for position, uuid in enumerate(wanted)}
        not_ready.sort(key=lambda pair: order[pair[0]])
    fatal = [(uuid, status) for uuid, status in not_ready if status in fail_on]
    return FleetView(selected, missing, ready, not_ready, fatal)


def describe(pairs):
    named = ", ".join("%s %s" % pair for pair in pairs[:MAX_NAMED])
    if len(pairs) > MAX_NAMED:
        named += " and %d more" % (len(pairs) - MAX_NAMED)
    return named


def not_ready_message(view, ready_statuses, wait_timeout, polls, last_error=None, fail_on=()):
    """Why a fleet wait failed: which instances, in which status, and what to do."""
    if view is None:
        message = "no poll of GET /instances succeeded in %d polls over %g s" % (polls, wait_timeout)
    elif view.fatal:
        message = "%d of %d instances reported a status in fail_on %s after %d polls: %s" % (
            len(view.fatal), view.total, status_list(fail_on), polls, describe(view.fatal))
    elif not view.total:
        message = "no instance matched the filters after %g s and %d polls: check the filters and api_token's account" % (
            wait_timeout, polls)
    else:
        message = "%d of %d instances not in %s after %g s: %s" % (
            len(view.not_ready), view.total, status_list(ready_statuses), wait_timeout, describe(view.not_ready))
    if last_error is not None:
        message += "; last error: %s" % last_error
    if view is not None and view.missing and not view.fatal:
        message += "; a UUID not found is not in this account: check the list of instances"
    return message
