# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of hypersender.whatsapp.cloud_health (see plugin_utils/_action.py)."""

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import CLOUD, wait_interval
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import wait_argument_spec
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._action import WhatsAppAction, defaults


class ActionModule(WhatsAppAction):

    service = CLOUD
    wait_defaults = defaults(wait_argument_spec(wait_sleep=None))
    request = "read"

    @staticmethod
    def ids(args):
        ids = args.get("phone_number_id") or []
        return [ids] if isinstance(ids, (str, int)) else list(ids)

    def subject(self, args):
        ids, waba_id = self.ids(args), args.get("waba_id")
        if waba_id and ids:
            return "%d number(s) of WhatsApp Business Account %s" % (len(ids), waba_id)
        if waba_id:
            return "every number of WhatsApp Business Account %s" % waba_id
        if ids:
            return "%d phone number(s) %s" % (len(ids), ", ".join(str(i) for i in ids))
        return "every number of the WhatsApp Business Account in WA_CLOUD_WABA_ID"

    def goal(self, args):
        limited = boolean(args.get("allow_limited", True), strict=False)
        return "to be able to send (%s)" % ("AVAILABLE or LIMITED" if limited else "AVAILABLE")

    def interval(self, args):
        """wait_sleep, or the interval the module applies to keep within the hourly Graph API budget (a WABA from
        WA_CLOUD_WABA_ID is one call a read, as a given one)."""
        return wait_interval(args.get("wait_sleep"), self.ids(args), args.get("waba_id"))
