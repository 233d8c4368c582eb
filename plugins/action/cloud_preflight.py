# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of hypersender.whatsapp.cloud_preflight (see plugin_utils/_action.py): the collection's
whatsapp_cloud_<option> variables (and the deprecated verify_cloud_* ones) set its connection; it does not wait."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import CLOUD
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._action import WhatsAppAction


class ActionModule(WhatsAppAction):

    service = CLOUD
    request = "Graph API call"
