# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of hypersender.whatsapp.instance_canary (see plugin_utils/_action.py): it always waits for
its message (nothing is sent in check mode)."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import HYPERSENDER
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import PROGRESS_INTERVAL
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._action import WhatsAppAction


class ActionModule(WhatsAppAction):

    service = HYPERSENDER
    wait_defaults = dict(wait_timeout=120, wait_sleep=2, progress_interval=PROGRESS_INTERVAL, wait_for="sent")
    always_waits = True
    request = "poll"

    def subject(self, args):
        return "the canary message through instance %s" % args.get("instance")

    def goal(self, args):
        return "to be %s" % self.setting(args, "wait_for")
