# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of hypersender.whatsapp.fleet_heal (see plugin_utils/_action.py).

The module works in rounds: a round ends early when a QR code is to be shown. This runs the rounds of one task,
prints each code in the job log while the gate goes on waiting, and returns the last round's result.
"""

from __future__ import annotations

import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.utils.display import Display
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import HYPERSENDER
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import PROGRESS_INTERVAL
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._action import WhatsAppAction, instances_subject
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._reports import qr_lines

display = Display()


class ActionModule(WhatsAppAction):

    service = HYPERSENDER
    wait_defaults = dict(wait_timeout=600, wait_sleep=10, progress_interval=PROGRESS_INTERVAL)
    always_waits = True
    request = "GET /instances"

    def subject(self, args):
        return instances_subject(args)

    def looks_in_check_mode(self, args):
        return True

    def goal(self, args):
        healing = []
        if args.get("restart"):
            restart = args["restart"] if isinstance(args["restart"], list) else [args["restart"]]
            healing.append("restarting those %s" % " or ".join(restart))
        if boolean(args.get("show_qr", False), strict=False):
            healing.append("showing a QR code for those in SCAN_QR_CODE")
        return "to be WORKING" + (", " + " and ".join(healing) if healing else "")

    def execute(self, args, task_vars, result):
        started, changed = time.monotonic(), False
        first = not args.get("heal_state")
        while True:
            with self.progress(args, plan=first, started=started):
                answer = self.run_module(args, task_vars)
            first = False
            changed = changed or bool(answer.get("changed"))
            if answer.get("failed") or answer.get("done", True) or self._task.check_mode or self._task.async_val:
                break
            if answer.get("qr", {}).get("text") and not self._task.no_log:
                for line in qr_lines(answer["qr"], self.label()):
                    display.display(line)
            args = dict(args, heal_state=answer["heal_state"])
        result.update(answer, changed=changed)
        return result
