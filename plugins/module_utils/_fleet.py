# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many instances at once: select, count, and judge a fleet from one list call."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, body_excerpt
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    STATUS_HINTS,
    STATUSES,
    status_list,
    validate_filters,
    validate_status_wait_options,
    validate_uuid,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    DONE,
    FAILED,
    Watch,
    explain_not_ready,
    format_seconds,
)

# A failure message names at most this many instances, then says how many more.
MAX_NAMED = 20
NOT_FOUND = "not found"
# What to do about a selected instance that is not ready, beside the documented statuses' hints.
NOT_FOUND_HINT = (
    "the account has no instance with this UUID: check the UUID and that the API token belongs to its account"
)
UNKNOWN_STATUS_HINT = "a status this collection does not know: check the instance in the Hypersender dashboard"


class FleetView:
    """One poll's verdict on the awaited instances.

    ``not_ready`` and ``fatal`` hold ``(uuid, status)`` pairs; the status of
    a selected UUID the account does not have is :data:`NOT_FOUND`.
    ``conflicts`` maps an id the API listed more than once with different
    statuses to those statuses; the worst one is the id's status.
    """

    def __init__(self, instances, missing, ready, not_ready, fatal, conflicts=None):
        self.instances = instances
        self.missing = missing
        self.ready = ready
        self.not_ready = not_ready
        self.fatal = fatal
        self.conflicts = conflicts or {}

    @property
    def total(self):
        return len(self.ready) + len(self.not_ready)

    def state(self):
        """FAILED when an instance is in fail_on or a selected UUID does not exist (waiting cannot fix either)."""
        if self.fatal or self.missing:
            return FAILED
        if self.total and not self.not_ready:
            return DONE
        return None

    def outcome(self):
        """What decides the verdict: ``missing``, ``fail_on`` or ``ready``; None while it is open (keep waiting)."""
        if self.missing:
            return "missing"
        if self.fatal:
            return "fail_on"
        return "ready" if self.state() == DONE else None

    def result(self):
        ready = set(self.ready)
        return dict(
            instances=[dict(item, ready=item["id"] in ready) for item in self.instances],
            count=len(self.instances),
            total=self.total,
            by_status=count_by_status(self.instances),
            missing=self.missing,
            ready=self.ready,
            not_ready=[uuid for uuid, status in self.not_ready],
            not_ready_details=self.details(),
        )

    def details(self):
        """For each instance not ready, in order: ``id``, ``name``, ``status`` and ``hint`` (what to do)."""
        names = {item["id"]: item.get("name") or "" for item in self.instances}
        return [
            {"id": uuid, "name": names.get(uuid, ""), "status": status, "hint": hint(status)}
            for uuid, status in self.not_ready
        ]

    def warnings(self):
        """Sentences about what the API said that does not add up (duplicate ids)."""
        return [
            "GET /instances lists instance %s %d times with different statuses (%s); it counts as %s, the worst of them"
            % (uuid, len(statuses), ", ".join(body_excerpt(status) for status in statuses), chosen)
            for uuid, (statuses, chosen) in sorted(self.conflicts.items())
        ]


def hint(status):
    """What to do about an instance in ``status`` (or :data:`NOT_FOUND`)."""
    if status == NOT_FOUND:
        return NOT_FOUND_HINT
    return STATUS_HINTS.get(status, UNKNOWN_STATUS_HINT)


def wanted_ids(uuids):
    """The selected UUIDs, lower case, each once, in the order first given."""
    seen = {}
    for uuid in uuids:
        seen.setdefault(str(uuid).strip().lower(), None)
    return list(seen)


def _rank(status, ready_statuses, fail_on):
    """Badness of a status: fatal worst, then not ready, then ready."""
    if status in fail_on:
        return 2
    return 0 if status in ready_statuses else 1


def merge_duplicates(instances, ready_statuses=("WORKING",), fail_on=()):
    """One entry per id (compared without case): for an id listed more than once, the entry with the worst status.

    Returns ``(instances, conflicts)``; ``conflicts`` maps ids listed with different statuses to
    ``(statuses, chosen status)``.
    """
    chosen, order, statuses = {}, [], {}
    for item in instances:
        key = item["id"].lower()
        statuses.setdefault(key, []).append(item["status"])
        if key not in chosen:
            order.append(key)
            chosen[key] = item
        elif _rank(item["status"], ready_statuses, fail_on) > _rank(chosen[key]["status"], ready_statuses, fail_on):
            chosen[key] = item
    conflicts = {
        chosen[key]["id"]: (found, chosen[key]["status"]) for key, found in statuses.items() if len(set(found)) > 1
    }
    return [chosen[key] for key in order], conflicts


def select(instances, wanted):
    """The instances whose id is in ``wanted`` (all when ``wanted`` is empty), and the wanted ids not there.

    ``wanted`` is compared without case; each id counts once.
    """
    if not wanted:
        return list(instances), []
    wanted = wanted_ids(wanted)
    by_id = {}
    for item in instances:
        by_id.setdefault(item["id"].lower(), item)
    return [by_id[uuid] for uuid in wanted if uuid in by_id], [uuid for uuid in wanted if uuid not in by_id]


# The order of by_status, the order reports list the statuses in: ready first, then the closest to it, FAILED last.
REPORT_ORDER = ("WORKING", "SCAN_QR_CODE", "STARTING", "PENDING", "STOPPED", "FAILED")


def count_by_status(instances):
    """Status -> count in :data:`REPORT_ORDER`, every documented status present (0 when none), then unknown ones."""
    counts = dict.fromkeys(REPORT_ORDER, 0)
    for item in instances:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return counts


def judge(instances, wanted, ready_statuses, fail_on):
    """A :class:`FleetView` of ``instances`` (the list call's result) for the ``wanted`` UUIDs."""
    merged, conflicts = merge_duplicates(instances, ready_statuses, fail_on)
    selected, missing = select(merged, wanted)
    ready = [item["id"] for item in selected if item["status"] in ready_statuses]
    not_ready = [(item["id"], item["status"]) for item in selected if item["status"] not in ready_statuses]
    not_ready += [(uuid, NOT_FOUND) for uuid in missing]
    if wanted:
        order = {uuid: position for position, uuid in enumerate(wanted_ids(wanted))}
        not_ready.sort(key=lambda pair: order.get(pair[0].lower(), len(order)))
    fatal = [(uuid, status) for uuid, status in not_ready if status in fail_on]
    selected_ids = {item["id"] for item in selected}
    conflicts = {uuid: found for uuid, found in conflicts.items() if uuid in selected_ids}
    return FleetView(selected, missing, ready, not_ready, fatal, conflicts)


def unknown_statuses(instances):
    """Warnings for statuses this collection does not know, one per status."""
    seen = {}
    for item in instances:
        if item["status"] not in STATUSES:
            seen.setdefault(item["status"], []).append(item["id"])
    return [
        "%d instance(s) report status %r, which this collection does not know; they count as not ready: %s"
        % (len(ids), body_excerpt(status), ", ".join(ids[:MAX_NAMED]) + (" and more" if len(ids) > MAX_NAMED else ""))
        for status, ids in seen.items()
    ]


def describe(pairs):
    named = ", ".join("%s %s" % (uuid, body_excerpt(status)) for uuid, status in pairs[:MAX_NAMED])
    if len(pairs) > MAX_NAMED:
        named += " and %d more" % (len(pairs) - MAX_NAMED)
    return named


def not_ready_message(view, ready_statuses, outcome, fail_on=()):
    """Why a fleet wait failed: which instances, in which status, and what to do (``outcome``: the WaitOutcome)."""
    polls, elapsed = outcome.polls, format_seconds(outcome.elapsed)
    if view is None:
        head = "no poll of GET /instances succeeded in %d polls over %s s" % (polls, elapsed)
    elif view.missing:
        head = (
            "%d of the selected UUIDs are not in this account (or do not match the other filters): %s; "
            "waiting cannot make them appear: check the UUIDs and that api_token belongs to their account"
            % (len(view.missing), ", ".join(view.missing[:MAX_NAMED]))
        )
        if view.fatal:
            head += "; in a status of fail_on %s: %s" % (status_list(fail_on), describe(view.fatal))
    elif view.fatal:
        head = "%d of %d instances reported a status in fail_on %s after %d polls: %s" % (
            len(view.fatal),
            view.total,
            status_list(fail_on),
            polls,
            describe(view.fatal),
        )
    elif not view.total:
        head = "no instance matched the filters after %s s and %d polls: check the filters and api_token's account" % (
            elapsed,
            polls,
        )
    else:
        head = "%d of %d instances not in %s after %s s: %s" % (
            len(view.not_ready),
            view.total,
            status_list(ready_statuses),
            elapsed,
            describe(view.not_ready),
        )
    return explain_not_ready(head, outcome)


def validate_fleet_options(params):
    """The list filters and the selected UUIDs of instance_info, checked before any request."""
    validate_status_wait_options(params)
    if params["wait"] and params["status"]:
        raise OptionError(
            "status filters the list by status, so it cannot be awaited: use instances, uuid, name or phone with wait"
        )
    wanted = wanted_ids(validate_uuid(uuid, option="instances item") for uuid in params["instances"])
    return validate_filters(params), wanted


class FleetWatch(Watch):
    """The selected instances of one list call per read, until all are in a status of ``ready``; a status of
    ``fail_on`` or a selected UUID the account does not have ends the wait, since waiting cannot fix either."""

    def __init__(self, api, filters, wanted, ready, fail_on, include_access_token=False):
        result = dict(changed=False, waited=False, polls=0, elapsed=0.0, not_ready_details=[], last_error=None, total=0)
        super().__init__(result)
        self.api = api
        self.filters = filters
        self.wanted = wanted
        self.ready = ready
        self.fail_on = fail_on
        self.include_access_token = include_access_token
        self.awaited = status_list(ready)
        self.view = None

    def probe(self, deadline):
        instances = self.api.list_instances(
            self.filters, include_access_token=self.include_access_token, deadline=deadline
        )
        return judge(instances, self.wanted, self.ready, self.fail_on)

    def classify(self, view):
        return view.state()

    def shape(self, outcome):
        view = self.view = outcome.value
        result = self.result
        result["last_error"] = str(outcome.last_error) if outcome.last_error is not None else None
        result["outcome"] = (view and view.outcome()) or ("timed_out" if result["waited"] else "not_ready")
        if view is None:
            return []
        result.update(view.result())
        return view.warnings() + unknown_statuses(view.instances)

    def read_once(self):
        return "listed once (%d of %d ready)" % (len(self.view.ready), self.view.total) if self.view else ""

    def failure(self, outcome):
        return not_ready_message(self.view, self.ready, outcome, self.fail_on)
