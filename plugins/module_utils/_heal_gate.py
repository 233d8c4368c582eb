# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""fleet_heal's round: poll the fleet, restart what is due, show a QR code when one is due, inside the gate's one
deadline; the rules (whom, when) are in _heal, the state between rounds in :class:`_heal.HealState`.

A round ends when every instance is WORKING (``passed``), when a selected UUID is not in the account
(``missing``) or an instance in fail_on will not be restarted any more (``failed``), when a QR code is to be shown
(``qr``: the caller prints it and calls again with the returned heal_state), at the deadline (``timed_out``), or in
check mode after one look (``check_mode``). Transient API errors (429, 5xx, connection problems) do not end it.
"""

from __future__ import annotations

import os
import re
import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiError,
    OptionError,
    RateLimitedError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._fleet import (
    judge,
    unknown_statuses,
    wanted_ids,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._heal import (
    HealState,
    actions_summary,
    beyond_help,
    next_qr_time,
    qr_choice,
    restart_budget,
    restart_candidates,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import STATUSES, validate_uuid
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import (
    QR_VALID_SECONDS,
    InstanceActions,
    may_have_acted,
    qr_png_bytes,
    validate_destination,
    validate_directory,
    write_error,
    write_private_file,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._qr import png_to_text
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import PROGRESS_INTERVAL, check_numbers

HEAL_ARGUMENT_SPEC = dict(
    instances=dict(type="list", elements="str", default=[]),
    name=dict(type="str"),
    restart=dict(type="list", elements="str", choices=list(STATUSES), default=[]),
    max_restarts=dict(type="int", default=1),
    show_qr=dict(type="bool", default=False),
    qr_dir=dict(type="path"),
    fail_on=dict(type="list", elements="str", choices=[s for s in STATUSES if s != "WORKING"], default=["FAILED"]),
    wait_timeout=dict(type="float", default=600),
    wait_sleep=dict(type="float", default=10),
    rate_window=dict(type="float", default=60),
    progress_interval=dict(type="float", default=PROGRESS_INTERVAL),
    heal_state=dict(type="dict", default={}),
)


def validate_heal_options(params):
    """The selected UUIDs and the state of the previous round, checked before any request."""
    check_numbers({name: params[name] for name in ("max_restarts", "wait_timeout", "wait_sleep", "rate_window")})
    if "WORKING" in params["restart"]:
        raise OptionError("restart must not name WORKING: the gate would restart the instances it waits for")
    if params["qr_dir"]:
        validate_directory(params["qr_dir"], "qr_dir")
    wanted = wanted_ids(validate_uuid(uuid, option="instances item") for uuid in params["instances"])
    return wanted, HealState.from_dict(params["heal_state"])


class HealRound:
    """One round of the gate (``run()``, then ``result(outcome)``); ``check_mode``: one look, no action."""

    def __init__(self, params, api, wanted, state, check_mode=False, warn=None):
        self.params = params
        self.api = api
        self.actions = InstanceActions(api.client)
        self.wanted = wanted
        self.state = state
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)
        self.warned = set()
        now = time.time()
        if state.deadline is None:  # the first round: the gate's one deadline
            state.started, state.deadline = now, now + params["wait_timeout"]
        state.started = state.started if state.started is not None else now
        self.changed = False
        self.restarted = []
        self.qr = None
        self.view = None
        self.last_error = None

    def request_deadline(self):
        """The gate's deadline on the client's clock (the client gives a last request at least a second)."""
        return time.monotonic() + (self.state.deadline - time.time())

    def poll(self):
        """One list request; False when it failed transiently (kept as last_error, the round goes on)."""
        filters = {"name": self.params["name"]} if self.params["name"] else None
        self.state.polls += 1
        try:
            listed = self.api.list_instances(filters, deadline=self.request_deadline())
        except ApiError as error:
            if not error.retryable:
                raise
            self.last_error = error
            return False
        self.last_error = None
        self.view = judge(listed, self.wanted, ["WORKING"], self.params["fail_on"])
        self.state.observe(self.view.instances)
        # What the list itself gets wrong (an id listed twice, a status not in the API's documentation), once each.
        for warning in self.view.warnings() + unknown_statuses(self.view.instances):
            if warning not in self.warned:
                self.warned.add(warning)
                self.warn(warning)
        return True

    def restart_what_is_due(self):
        """Restart what is due and the budget allows; True when more restarts wait for the budget."""
        p = self.params
        candidates = restart_candidates(self.view.instances, self.state, p["restart"], p["max_restarts"])
        free, dummy = restart_budget(self.state, time.time(), window=p["rate_window"])
        for item in candidates[:free]:
            if self.check_mode:
                self.restarted.append(item["id"])
            elif not self.restart(item):
                return True
        return len(candidates) > free

    def restart(self, item):
        """Restart ``item``; False when the API refused it for the account (rate limited): send no more now."""
        try:
            self.actions.restart(item["id"], self.request_deadline())
        except ApiError as error:
            if may_have_acted(error):
                # counted: a 5xx may follow a restart that began; the gate does not repeat it blindly
                self.state.record_restart(item["id"], item["status"], time.time(), error=str(error))
                return True
            # refused before it ran: not a restart; the next one waits for the Retry-After
            until = time.time() + error.retry_after if error.retry_after is not None else None
            self.state.record_refused_restart(item["id"], str(error), until)
            return not isinstance(error, RateLimitedError)
        self.state.record_restart(item["id"], item["status"], time.time())
        self.restarted.append(item["id"])
        self.changed = True
        return True

    def show_qr(self):
        item = qr_choice(self.view.instances, self.state, time.time(), self.params["rate_window"])
        if item is None:
            return None
        if self.check_mode:
            return dict(id=item["id"], name=item.get("name"), valid_for=QR_VALID_SECONDS)
        path = None
        if self.params["qr_dir"]:
            file_name = re.sub(r"[^A-Za-z0-9._-]", "_", item.get("name") or item["id"]) + ".png"
            path = validate_destination(os.path.join(self.params["qr_dir"], file_name), "the QR code file")
        answer = self.actions.request_new_qr_code(item["id"], self.request_deadline())
        self.state.record_qr(item["id"], time.time())
        self.changed = True
        data = qr_png_bytes(answer)
        qr = dict(id=item["id"], name=item.get("name"), valid_for=QR_VALID_SECONDS, text=png_to_text(data))
        if path:
            try:
                qr["path"] = write_private_file(path, data)
            except OSError as error:
                self.warn("could not write the QR code of %s to %s: %s" % (item["id"], path, write_error(error)))
        return qr

    def hopeless(self):
        p = self.params
        return beyond_help(self.view.instances, self.state, p["fail_on"], p["restart"], p["max_restarts"])

    def run(self):
        """Poll and act until the round ends; its outcome."""
        p = self.params
        pending_restarts = False
        while True:
            if self.poll():
                if self.view.missing:
                    return "missing"
                if self.view.total and not self.view.not_ready:
                    return "passed"
                if not self.check_mode and time.time() >= self.state.deadline:
                    # A late look (a round that began or a poll that ended past the deadline) acts on nothing:
                    # no restart, no QR code, no next round.
                    return "failed" if self.hopeless() else "timed_out"
                pending_restarts = self.restart_what_is_due()
                if self.hopeless():
                    return "failed"
                self.qr = self.show_qr() if p["show_qr"] else None
                if self.check_mode:
                    return "check_mode"
                if self.qr is not None:
                    return "qr"
            elif self.check_mode:
                raise self.last_error  # one look, and it failed: nothing to judge
            now = time.time()
            if now >= self.state.deadline:
                return "timed_out"
            self.sleep(now, pending_restarts)

    def sleep(self, now, pending_restarts):
        """Until the next poll: wait_sleep, sooner for a restart or QR code due, later for a Retry-After."""
        p = self.params
        wake = [now + p["wait_sleep"]]
        if pending_restarts:
            wake.append(restart_budget(self.state, now, window=p["rate_window"])[1] or now)
        if p["show_qr"] and self.view is not None:
            wake.append(next_qr_time(self.view.instances, self.state, p["rate_window"]) or wake[0])
        retry_after = getattr(self.last_error, "retry_after", None)
        until = max(min(wake), now + retry_after) if retry_after is not None else min(wake)
        time.sleep(max(0.05, min(until, self.state.deadline) - now))

    def would(self):
        """What check mode would have done, in words (None: nothing)."""
        names = {item["id"]: item.get("name") or item["id"] for item in self.view.instances}
        said = []
        if self.restarted:
            said.append(
                "restart %d instance(s) (%s)"
                % (len(self.restarted), ", ".join("%s %s" % (names[uuid], uuid) for uuid in self.restarted))
            )
        if self.qr:
            said.append("show the QR code of %s (%s)" % (self.qr["name"], self.qr["id"]))
        return " and ".join(said) or None

    def result(self, outcome):
        """The round's result: the fleet as instance_info describes it, what the gate did, and what comes next."""
        state, now, view = self.state, time.time(), self.view
        result = dict(
            changed=self.changed,
            done=outcome != "qr",
            outcome=outcome,
            waited=not self.check_mode,
            restarted=self.restarted,
            polls=state.polls,
            elapsed=round(now - state.started, 3),
            remaining=round(max(0.0, state.deadline - now), 3),
            wait_timeout=round(state.deadline - state.started, 3),
            fail_on=self.params["fail_on"],
            last_error=str(self.last_error) if self.last_error is not None else None,
            instances=[],
            count=0,
            total=0,
            missing=[],
            ready=[],
            not_ready=[],
            not_ready_details=[],
            beyond_help=[],
            actions=[],
            heal_state=state.to_dict(),
        )
        if view is not None:
            result.update(view.result(), beyond_help=[uuid for uuid, dummy in self.hopeless()])
            result["actions"] = actions_summary(view.instances, state)
        if self.qr is not None:
            result["qr"] = self.qr
        if self.check_mode:
            would = self.would() if view is not None else None
            result.update(changed=bool(would), msg="check mode: would %s" % would if would else None)
            if not would:
                result["msg"] = "check mode: nothing to restart or show, %d of %d instances WORKING" % (
                    len(result["ready"]),
                    result["total"],
                )
        return result
