# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of hypersender.whatsapp.onprem_health (see plugin_utils/_action.py)."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem import ONPREM
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import wait_argument_spec
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._action import WhatsAppAction, defaults


class ActionModule(WhatsAppAction):

    service = ONPREM
    wait_defaults = defaults(wait_argument_spec(wait_sleep=5))
    request = "GET /v1/health"

    def subject(self, args):
        shards = args.get("shards")
        return "the gateway (topology %s%s)" % (
            args.get("topology") or "auto",
            ", %s shards" % shards if shards else "",
        )

    def goal(self, args):
        return "to be healthy"
