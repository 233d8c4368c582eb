# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of hypersender.whatsapp.instance_qr (see plugin_utils/_action.py): it never waits."""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import HYPERSENDER
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._action import WhatsAppAction


class ActionModule(WhatsAppAction):

    service = HYPERSENDER
