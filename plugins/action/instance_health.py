# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of hypersender.whatsapp.instance_health (see plugin_utils/_action.py)."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    HYPERSENDER,
    status_wait_argument_spec,
)
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._action import WhatsAppAction, defaults, statuses


class ActionModule(WhatsAppAction):

    service = HYPERSENDER
    wait_defaults = defaults(status_wait_argument_spec())
    request = "health request"

    def subject(self, args):
        return "instance %s" % (args.get("instance") or args.get("uuid") or args.get("instance_id"))

    def goal(self, args):
        return "to be %s" % statuses(self.setting(args, "wait_for"))
