#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_heal
short_description: Wait for Hypersender WhatsApp instances to be WORKING, restarting them and showing QR codes
version_added: 0.2.0
description:
  - Waits for a fleet of instances to be C(WORKING) (one C(GET /instances) per poll, like
    M(hypersender.whatsapp.instance_info)) inside one deadline, O(wait_timeout), and meanwhile acts on what it can fix.
    A selected UUID the account does not have ends the wait at once (V(missing)); transient API errors do not.
  - Restarts the instances in a status of O(restart), at most O(max_restarts) times each, never more than 5 restarts
    in a minute for the whole account (the API's limit), and keeps waiting.
  - A restart the API refuses (HTTP 429) is not counted as one. No restart is sent before its C(Retry-After) has
    passed, then it is sent again if the deadline allows. A restart that may have begun (HTTP 5xx) is counted and
    not repeated blindly. Either way RV(actions) says why in C(restart_error).
  - With O(show_qr=true), requests a fresh QR code for an instance in C(SCAN_QR_CODE) at most once a minute (the
    API allows one a minute per account, so several instances take turns) and ends the round, returning the code in
    RV(qr) so the caller prints it while the wait goes on.
  - B(Whoever scans the code links their WhatsApp account to the instance.) Use O(show_qr) only where the log is private.
  - A round ends when every instance is C(WORKING) (RV(outcome=passed)), when a UUID is missing (V(missing)) or an
    instance is in a status of O(fail_on) that no restart will fix (V(failed)), when a QR code is to be shown (V(qr)),
    or at the deadline (V(timed_out)). The module's action plugin prints each QR code in the job log and runs the next
    round with RV(heal_state), the deadline and the pacing of the previous ones, until RV(done); one task is the gate.
  - It fails only on bad options (a damaged O(heal_state) included) or an API error that waiting cannot fix; the
    verdict is in RV(outcome), for the caller to report (the role C(hypersender.whatsapp.wait_for_working) does).
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
      - While the gate waits, a line on the controller says so this often (seconds); V(0) prints only the first, what
        it waits for. So that AWX, ansible-runner's C(idle_timeout) or a CI log watcher never see a silent job.
    type: float
    default: 30
  heal_state:
    description: RV(heal_state) of the previous round, unchanged (the action plugin passes it); empty for the first.
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
      - Lists the instances once and says in RV(ignore:msg) whom it would restart and whose QR code it would show
        (RV(ignore:changed) then), with RV(restarted) and RV(qr); no action, no wait.
requirements:
  - pypng (Python library on the host that runs the module), for O(show_qr=true)
seealso:
  - module: hypersender.whatsapp.instance
  - module: hypersender.whatsapp.instance_qr
"""

EXAMPLES = r"""
- name: Wait up to 20 minutes for the shop's instances, restarting failed ones and printing QR codes to scan
  hypersender.whatsapp.fleet_heal:
    name: shop-
    restart: [FAILED, STOPPED]
    show_qr: true
    wait_timeout: 1200
  register: gate
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
done: {description: "Whether the gate is over; false only when a QR code ended the round.", returned: always, type: bool}
outcome: {description: "V(passed), V(missing), V(failed), V(timed_out), V(qr), or in check mode V(check_mode).",
  returned: always, type: str}
instances:
  description: The selected instances at the last poll, as M(hypersender.whatsapp.instance_info) returns them.
  returned: always
  type: list
  elements: dict
count: {description: Number of selected instances., returned: always, type: int}
total: {description: Number of selected instances plus the UUIDs of RV(missing)., returned: always, type: int}
by_status: {description: Number of selected instances in each status., returned: always, type: dict}
ready: {description: UUIDs of the selected instances that are C(WORKING)., returned: always, type: list, elements: str}
not_ready: {description: "UUIDs of the others, those in RV(missing) included.", returned: always, type: list,
  elements: str}
not_ready_details:
  description: For each UUID of RV(not_ready), its C(id), C(name), C(status) (V(not found) if missing) and C(hint).
  returned: always
  type: list
  elements: dict
missing: {description: UUIDs of O(instances) that the account does not have., returned: always, type: list,
  elements: str}
beyond_help: {description: UUIDs of instances in O(fail_on) that will not be restarted (any more)., returned: always,
  type: list, elements: str}
restarted: {description: "UUIDs restarted in this round (in check mode, those that would be).", returned: always,
  type: list, elements: str}
qr:
  description:
    - The QR code of this round, C(id), C(name), C(valid_for) (seconds), C(text) (the drawing, one string per line,
      Unicode half blocks) and C(path) (the PNG under O(qr_dir)).
    - In check mode, the instance whose code would be shown, without C(text).
  returned: when RV(outcome=qr), or in check mode when a code would be shown
  type: dict
actions:
  description: Per instance the gate acted on so far, C(id), C(name), C(restarts), C(qr_shown), C(restart_error).
  returned: always
  type: list
  elements: dict
heal_state: {description: "What the next round needs: the deadline, the actions so far.", returned: always, type: dict}
polls: {description: List requests over all rounds., returned: always, type: int}
elapsed: {description: Seconds since the first round began., returned: always, type: float}
remaining: {description: Seconds left until the gate's deadline., returned: always, type: float}
wait_timeout: {description: Seconds the whole gate may take (O(wait_timeout) of its first round)., returned: always,
  type: float}
fail_on: {description: The statuses that end the wait (O(fail_on))., returned: always, type: list, elements: str}
last_error: {description: "The transient error of the last poll, if it failed; null otherwise.", returned: always,
  type: str}
waited: {description: Whether the gate polled (false in check mode)., returned: always, type: bool}
"""

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._heal_gate import (
    HEAL_ARGUMENT_SPEC,
    HealRound,
    validate_heal_options,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import HYPERSENDER
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule
from ansible_collections.hypersender.whatsapp.plugins.module_utils._qr import HAS_PNG, PNG_IMPORT_ERROR, QrImageError


def main():
    module = WhatsAppModule(HYPERSENDER, HEAL_ARGUMENT_SPEC)
    if module.params["show_qr"] and not HAS_PNG:
        module.fail_json(msg=missing_required_lib("pypng"), exception=PNG_IMPORT_ERROR)
    wanted, state = module.checked(validate_heal_options)
    with module.client() as api:
        gate = HealRound(module.params, api, wanted, state, module.check_mode, module.warn)
        try:
            outcome = gate.run()
        except (ApiError, OptionError, QrImageError) as error:
            module.fail(error, changed=gate.changed, heal_state=gate.state.to_dict())
    module.exit_json(**gate.result(outcome))


if __name__ == "__main__":
    main()
