# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The self-healing gate's rules: whom to restart, when, and whose QR code to show; no I/O here (_heal_gate).

A gate runs in rounds (one module call each) so that a QR code reaches the job log while the gate
still waits; what a round must remember for the next (the one deadline, restart counts, the times of
recent actions) travels in a plain dict, :class:`HealState`, that fleet_heal's action plugin passes back.
"""

from __future__ import annotations

import math

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, body_excerpt

RESTART_LIMIT = 5  # restarts per window per account (the documentation: 5 requests a minute)
QR_LIMIT = 1  # new QR codes per window per account (1 a minute)
RATE_WINDOW = 60.0


class HealState:
    """What the gate did so far. ``to_dict()`` / ``from_dict()`` carry it between rounds."""

    def __init__(
        self,
        deadline=None,
        started=None,
        polls=0,
        restarts=None,
        restart_times=None,
        restarting=None,
        qr_times=None,
        qr_shown=None,
        restart_failures=None,
        restarts_refused_until=None,
    ):
        self.deadline = deadline  # clock time the whole gate ends, set by its first round
        self.started = started  # clock time of its first round
        self.polls = polls or 0  # list requests over all rounds
        self.restarts = dict(restarts or {})  # id -> restarts sent
        self.restart_times = list(restart_times or [])  # clock times of every restart sent
        self.restarting = dict(restarting or {})  # id -> status before the restart, until another status is seen
        self.qr_times = dict(qr_times or {})  # id -> clock time of its last QR code
        self.qr_shown = dict(qr_shown or {})  # id -> QR codes shown
        self.restart_failures = dict(restart_failures or {})  # id -> the last restart error
        # clock time before which the API refuses restarts (a 429's Retry-After); None when it does not
        self.restarts_refused_until = restarts_refused_until

    @classmethod
    def from_dict(cls, data):
        """The state a previous round returned, checked: a hand-made or damaged one is an :class:`OptionError`
        naming the key and the form it must have, never a Python error."""
        data = data or {}
        if not isinstance(data, dict):
            raise OptionError("heal_state must be the dictionary a previous round returned as heal_state, or empty")
        unknown = sorted(str(key) for key in data if key not in STATE_FORMS)
        if unknown:
            raise OptionError(
                "heal_state has keys no round returns (%s): pass back the heal_state of the previous round unchanged"
                % ", ".join(body_excerpt(key) for key in unknown)
            )
        for key, value in data.items():
            form, check = STATE_FORMS[key]
            if value is not None and not check(value):
                raise OptionError(
                    "heal_state.%s must be %s, as the previous round returned it; got %s"
                    % (key, form, body_excerpt(repr(value))),
                    option="heal_state",
                    value=body_excerpt(repr(value)),
                    expected="the heal_state of the previous round",
                )
        return cls(**data)

    def to_dict(self):
        return dict(
            deadline=self.deadline,
            started=self.started,
            polls=self.polls,
            restarts=self.restarts,
            restart_times=self.restart_times,
            restarting=self.restarting,
            qr_times=self.qr_times,
            qr_shown=self.qr_shown,
            restart_failures=self.restart_failures,
            restarts_refused_until=self.restarts_refused_until,
        )

    def last_qr(self):
        return max(self.qr_times.values()) if self.qr_times else None

    def observe(self, instances):
        """Forget 'restarting' for instances now seen in another status than before their restart."""
        status = {item["id"]: item["status"] for item in instances}
        for uuid, before in list(self.restarting.items()):
            if status.get(uuid, before) != before:
                del self.restarting[uuid]

    def record_restart(self, uuid, before, now, error=None):
        self.restarts[uuid] = self.restarts.get(uuid, 0) + 1
        self.restart_times.append(now)
        if error is None:
            self.restarting[uuid] = before
            self.restart_failures.pop(uuid, None)
        else:
            self.restart_failures[uuid] = error

    def record_refused_restart(self, uuid, error, until=None):
        """A restart the API refused before it ran (HTTP 429 or another 4xx): not a restart, nothing counted.

        ``until``: the clock time its Retry-After names; no restart is sent before it.
        """
        self.restart_failures[uuid] = error
        if until is not None:
            self.restarts_refused_until = max(until, self.restarts_refused_until or until)

    def record_qr(self, uuid, now):
        self.qr_times[uuid] = now
        self.qr_shown[uuid] = self.qr_shown.get(uuid, 0) + 1


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _mapping(values_check):
    return lambda value: isinstance(value, dict) and all(
        isinstance(key, str) and values_check(item) for key, item in value.items()
    )


def _count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# What each key of a heal_state holds: its form in words, and its check.
STATE_FORMS = {
    "deadline": ("a clock time (a number)", _number),
    "started": ("a clock time (a number)", _number),
    "polls": ("a count", _count),
    "restarts": ("a mapping of instance UUIDs to counts", _mapping(_count)),
    "restart_times": ("a list of clock times", lambda value: isinstance(value, list) and all(map(_number, value))),
    "restarting": ("a mapping of instance UUIDs to statuses", _mapping(lambda item: isinstance(item, str))),
    "qr_times": ("a mapping of instance UUIDs to clock times", _mapping(_number)),
    "qr_shown": ("a mapping of instance UUIDs to counts", _mapping(_count)),
    "restart_failures": ("a mapping of instance UUIDs to messages", _mapping(lambda item: isinstance(item, str))),
    "restarts_refused_until": ("a clock time (a number)", _number),
}


def restart_budget(state, now, limit=RESTART_LIMIT, window=RATE_WINDOW):
    """How many restarts may be sent now, and when the next one frees up (None if some are free now)."""
    if state.restarts_refused_until is not None and now < state.restarts_refused_until:
        return 0, state.restarts_refused_until
    recent = sorted(t for t in state.restart_times if t > now - window)
    free = max(0, limit - len(recent))
    next_free = None if free else recent[len(recent) - limit] + window
    return free, next_free


def restart_candidates(instances, state, statuses, max_restarts):
    """Instances in a status of ``statuses`` that may still be restarted, in the list's order."""
    return [
        item
        for item in instances
        if item["status"] in statuses
        and item["id"] not in state.restarting
        and state.restarts.get(item["id"], 0) < max_restarts
    ]


def qr_choice(instances, state, now, window=RATE_WINDOW):
    """The instance in SCAN_QR_CODE whose code to show now (the one shown least recently), or None.

    One code a window for the whole account, and never two for one instance inside a window.
    """
    last = state.last_qr()
    if last is not None and now < last + window:
        return None
    waiting = [
        item
        for item in instances
        if item["status"] == "SCAN_QR_CODE"
        and (item["id"] not in state.qr_times or now >= state.qr_times[item["id"]] + window)
    ]
    if not waiting:
        return None
    return min(waiting, key=lambda item: state.qr_times.get(item["id"], float("-inf")))


def next_qr_time(instances, state, window=RATE_WINDOW):
    """When a code could next be shown (None: no instance waits for one)."""
    times = [state.qr_times.get(item["id"]) for item in instances if item["status"] == "SCAN_QR_CODE"]
    if not times:
        return None
    per_instance = min((t + window if t is not None else float("-inf")) for t in times)
    last = state.last_qr()
    return max(per_instance, last + window if last is not None else float("-inf"))


def beyond_help(instances, state, fail_on, restart_statuses, max_restarts):
    """(id, status) of instances in ``fail_on`` that the gate will not restart (any more)."""
    return [
        (item["id"], item["status"])
        for item in instances
        if item["status"] in fail_on
        and item["id"] not in state.restarting
        and (item["status"] not in restart_statuses or state.restarts.get(item["id"], 0) >= max_restarts)
    ]


def actions_summary(instances, state):
    """Per instance the gate acted on: {id, name, restarts, qr_shown, restart_error}."""
    names = {item["id"]: item.get("name") for item in instances}
    touched = sorted(
        set(state.restarts) | set(state.qr_shown) | set(state.restart_failures),
        key=lambda uuid: (names.get(uuid) or "", uuid),
    )
    return [
        dict(
            id=uuid,
            name=names.get(uuid),
            restarts=state.restarts.get(uuid, 0),
            qr_shown=state.qr_shown.get(uuid, 0),
            restart_error=state.restart_failures.get(uuid),
        )
        for uuid in touched
    ]
