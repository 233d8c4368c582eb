#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_heal
short_description: One round of a self-healing wait for Hypersender WhatsApp instances
version_added: 0.2.0
description:
  - Waits for a fleet of instances to be C(WORKING) (one C(GET /instances) per poll, like
    M(hypersender.whatsapp.instance_info)) and meanwhile acts on what it can fix.
  - Restarts the instances in a status of O(restart), at most O(max_restarts) times each, never more than 5 restarts
    in a minute for the whole account (the API's limit), and keeps waiting.
  - A restart the API refuses (HTTP 429) is not counted as one. No restart is sent before its C(Retry-After) has
    passed, then it is sent again if the deadline allows. A restart that may have begun (HTTP 5xx) is counted and
    not repeated blindly. Either way RV(actions) says why in C(restart_error).
  - With O(show_qr=true), requests a fresh QR code for an instance in C(SCAN_QR_CODE) at most once a minute (the
    API allows one a minute per account, so several instances take turns) and ends the round, returning the code in
    RV(qr) so the caller prints it while the wait goes on.
  - B(Whoever scans the code links their WhatsApp account to the instance.) Use O(show_qr) only where the log is private.
  - A round ends when every instance is C(WORKING) (RV(outcome=passed)), when an instance is in a status of O(fail_on)
    that no restart will fix (V(failed)), when a QR code is to be shown (V(qr)), or at the deadline (V(timed_out)).
    Call it again with the returned RV(heal_state) until RV(done); the role C(hypersender.whatsapp.wait_for_working)
    does that.
  - It fails only on bad options or an API error; the verdict is in RV(outcome), for the caller to report.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  instances:
    description: UUIDs of the instances; empty means every instance (of O(name), if given).
    type: list
    elements: str
    default: []
  name:
    description: Only instances whose name contains this text (the API's partial filter).
    type: str
  restart:
    description: Statuses in which an instance is restarted, for example V([FAILED, STOPPED]). Empty restarts nothing.
    type: list
    elements: str
    choices: [STOPPED, STARTING, WORKING, SCAN_QR_CODE, FAILED, PENDING]
    default: []
  max_restarts:
    description: Restarts per instance over all rounds.
    type: int
    default: 1
  show_qr:
    description: Request and return a fresh QR code for instances in C(SCAN_QR_CODE), at most one a minute.
    type: bool
    default: false
  qr_dir:
    description:
      - Directory where each QR code is also written as C(<instance name or id>.png), mode 0600.
      - It must exist and be writable (checked before any request), and each file is checked before its code is
        requested (not a directory, not a symbolic link). If writing fails afterwards, the code is still returned in
        RV(qr) and a warning says why there is no file.
    type: path
  fail_on:
    description:
      - Statuses that end the wait as failed, unless the instance will still be restarted.
    type: list
    elements: str
    choices: [STOPPED, STARTING, SCAN_QR_CODE, FAILED, PENDING]
    default: [FAILED]
  wait_timeout:
    description: Seconds the whole gate may take, counted from the first round (later rounds keep its deadline).
    type: float
    default: 600
  wait_sleep:
    description: Seconds between two polls.
    type: float
    default: 10
  rate_window:
    description:
      - Seconds of the API's rate-limit window for actions (5 restarts and 1 new QR code per window).
      - Hypersender's is a minute; lower it only for a test server with a shorter window.
    type: float
    default: 60
  progress_interval:
    description:
      - While the round waits, a line on the controller says so this often (seconds); V(0) prints only the first,
        what it waits for. So that AWX, ansible-runner's C(idle_timeout) or a CI log watcher never see a silent job.
    type: float
    default: 30
    version_added: 0.2.0
  heal_state:
    description: RV(heal_state) of the previous round; empty for the first.
    type: dict
    default: {}
extends_documentation_fragment:
  - hypersender.whatsapp.hypersender
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_hypersender
attributes:
  check_mode:
    details:
      - Lists the instances once and says whom it would restart and whose QR code it would show; no action, no wait.
requirements:
  - pypng (Python library on the host that runs the module), for O(show_qr=true)
seealso:
  - module: hypersender.whatsapp.instance
  - module: hypersender.whatsapp.instance_qr
"""

EXAMPLES = r"""
- name: One round (the wait_for_working role loops until done)
  hypersender.whatsapp.fleet_heal:
    name: shop-
    restart: [FAILED, STOPPED]
    show_qr: true
    heal_state: "{{ previous.heal_state | default({}) }}"
  register: previous
  delegate_to: localhost
"""

RETURN = r"""
done:
  description: Whether the gate is over (passed, failed or timed out); false when a QR code ended the round.
  returned: always
  type: bool
outcome:
  description: V(passed), V(failed), V(timed_out), V(qr), or in check mode V(check_mode).
  returned: always
  type: str
instances:
  description: The selected instances (id, name, phone, service_type, status, created_at) at the last poll.
  returned: always
  type: list
  elements: dict
ready:
  description: UUIDs of the selected instances that are C(WORKING).
  returned: always
  type: list
  elements: str
not_ready:
  description: (UUID, status) pairs of the others; the status of a UUID the account does not have is C(not found).
  returned: always
  type: list
  elements: list
beyond_help:
  description: (UUID, status) pairs of instances in O(fail_on) that will not be restarted (any more).
  returned: always
  type: list
  elements: list
restarted:
  description: UUIDs restarted in this round (in check mode, those that would be).
  returned: always
  type: list
  elements: str
qr:
  description:
    - The QR code of this round; its C(text) lines draw it with Unicode half blocks.
    - In check mode, the instance whose code would be shown, without C(text).
  returned: when RV(outcome=qr), or in check mode when a code would be shown
  type: dict
  contains:
    id:
      description: UUID of the instance.
      type: str
    name:
      description: Name of the instance.
      type: str
    valid_for:
      description: Seconds the code is valid.
      type: int
    text:
      description: The drawing, one string per line.
      type: list
      elements: str
    path:
      description: The PNG written under O(qr_dir).
      type: str
actions:
  description: Per instance the gate acted on so far, C(id), C(name), C(restarts), C(qr_shown), C(restart_error).
  returned: always
  type: list
  elements: dict
heal_state:
  description: What the next round needs; pass it back as O(heal_state).
  returned: always
  type: dict
polls:
  description: List requests made in this round.
  returned: always
  type: int
"""

import os
import re
import time

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiError,
    OptionError,
    RateLimitedError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._fleet import judge
from ansible_collections.hypersender.whatsapp.plugins.module_utils._heal import (
    HealState,
    actions_summary,
    beyond_help,
    next_qr_time,
    qr_choice,
    restart_budget,
    restart_candidates,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    HYPERSENDER,
    STATUSES,
    HypersenderApi,
    validate_uuid,
)
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
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule
from ansible_collections.hypersender.whatsapp.plugins.module_utils._qr import HAS_PNG, PNG_IMPORT_ERROR, png_to_text
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import PROGRESS_INTERVAL


def argument_spec():
    return dict(
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


def validate_options(params):
    if (
        params["max_restarts"] < 0
        or params["wait_timeout"] < 0
        or params["wait_sleep"] <= 0
        or params["rate_window"] <= 0
    ):
        raise OptionError("max_restarts and wait_timeout must be 0 or more, wait_sleep and rate_window more than 0")
    if "WORKING" in params["restart"]:
        raise OptionError("restart must not name WORKING: the gate would restart the instances it waits for")
    if params["qr_dir"]:
        validate_directory(params["qr_dir"], "qr_dir")
    return [validate_uuid(uuid, option="instances item") for uuid in params["instances"]]


class Round:
    def __init__(self, module, wanted, client):
        self.module = module
        self.params = module.params
        self.wanted = wanted
        self.api = HypersenderApi(client)
        self.actions = InstanceActions(client)
        self.state = HealState.from_dict(self.params["heal_state"])
        if self.state.deadline is None:
            self.state.deadline = time.time() + self.params["wait_timeout"]
        self.result = dict(changed=False, done=False, restarted=[], polls=0)
        self.view = None

    def poll(self):
        filters = {"name": self.params["name"]} if self.params["name"] else None
        listed = self.api.list_instances(
            filters, deadline=time.monotonic() + max(1.0, self.state.deadline - time.time())
        )
        self.result["polls"] += 1
        self.view = judge(listed, self.wanted, ["WORKING"], [])
        self.state.observe(self.view.instances)

    def request_deadline(self):
        """The gate's deadline on the client's clock (the client gives a last request at least a second)."""
        return time.monotonic() + (self.state.deadline - time.time())

    def restart_what_is_due(self):
        p = self.params
        candidates = restart_candidates(self.view.instances, self.state, p["restart"], p["max_restarts"])
        free, dummy = restart_budget(self.state, time.time(), window=p["rate_window"])
        for item in candidates[:free]:
            if self.module.check_mode:
                self.result["restarted"].append(item["id"])
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
        self.result["restarted"].append(item["id"])
        self.result["changed"] = True
        return True

    def show_qr(self):
        item = qr_choice(self.view.instances, self.state, time.time(), self.params["rate_window"])
        if item is None:
            return None
        if self.module.check_mode:
            return dict(id=item["id"], name=item.get("name"), valid_for=QR_VALID_SECONDS)
        path = None
        if self.params["qr_dir"]:
            file_name = re.sub(r"[^A-Za-z0-9._-]", "_", item.get("name") or item["id"]) + ".png"
            path = validate_destination(os.path.join(self.params["qr_dir"], file_name), "the QR code file")
        answer = self.actions.request_new_qr_code(item["id"], self.request_deadline())
        self.state.record_qr(item["id"], time.time())
        self.result["changed"] = True
        data = qr_png_bytes(answer)
        qr = dict(id=item["id"], name=item.get("name"), valid_for=QR_VALID_SECONDS, text=png_to_text(data))
        if path:
            try:
                qr["path"] = write_private_file(path, data)
            except OSError as error:
                self.module.warn("could not write the QR code of %s to %s: %s" % (item["id"], path, write_error(error)))
        return qr

    def run(self):
        p = self.params
        while True:
            self.poll()
            if self.view.total and not self.view.not_ready:
                return "passed"
            pending_restarts = self.restart_what_is_due()
            hopeless = beyond_help(self.view.instances, self.state, p["fail_on"], p["restart"], p["max_restarts"])
            if hopeless:
                return "failed"
            qr = self.show_qr() if p["show_qr"] else None
            if qr is not None:
                self.result["qr"] = qr
            if self.module.check_mode:
                return "check_mode"
            if qr is not None:
                return "qr"
            now = time.time()
            if now >= self.state.deadline:
                return "timed_out"
            wake = [now + p["wait_sleep"], self.state.deadline]
            if pending_restarts:
                wake.append(restart_budget(self.state, now, window=p["rate_window"])[1] or now)
            if p["show_qr"]:
                wake.append(next_qr_time(self.view.instances, self.state, p["rate_window"]) or wake[0])
            time.sleep(max(0.05, min(wake) - now))

    def finish(self, outcome):
        view = self.view
        self.result.update(
            outcome=outcome,
            done=outcome != "qr",
            instances=view.instances,
            ready=view.ready,
            missing=view.missing,
            not_ready=[list(pair) for pair in view.not_ready],
            beyond_help=[
                list(pair)
                for pair in beyond_help(
                    view.instances,
                    self.state,
                    self.params["fail_on"],
                    self.params["restart"],
                    self.params["max_restarts"],
                )
            ],
            actions=actions_summary(view.instances, self.state),
            heal_state=self.state.to_dict(),
        )
        return self.result


def main():
    module = WhatsAppModule(HYPERSENDER, argument_spec())
    if module.params["show_qr"] and not HAS_PNG:
        module.fail_json(msg=missing_required_lib("pypng"), exception=PNG_IMPORT_ERROR)
    wanted = module.checked(validate_options)
    with module.client() as api:
        try:
            gate = Round(module, wanted, api.client)
            outcome = gate.run()
        except (ApiError, OptionError) as error:
            module.fail(error)
    module.exit_json(**gate.finish(outcome))


if __name__ == "__main__":
    main()
