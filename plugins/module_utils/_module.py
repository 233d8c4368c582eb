# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of the collection does the same way."""

from __future__ import annotations

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR


def ensure_requests(module):
    """Fail with Ansible's standard message when the requests library is missing."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
