# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The Hypersender API's instance list filters (C(GET /instances)), for the module, the lookup and the inventory.

    module_utils/_hypersender.py FILTER_ARGUMENT_SPEC is the module side. What a plugin does besides filtering (the
    module's and the lookup's selection of UUIDs, the inventory's hosts) is in its own documentation.
    """

    DOCUMENTATION = r"""
options:
  uuid:
    description:
      - Only the instance with this UUID (the API's exact C(filter[uuid])). Checked before any request.
    type: str
  name:
    description:
      - Only instances whose name contains this text (the API's partial C(filter[name])).
    type: str
  phone:
    description:
      - Only the instance with this phone number, in E.164 form such as V(+201234567890) (the API's exact C(filter[phone])).
      - Checked before any request.
    type: str
  status:
    description:
      - Only instances in this status (the API's C(filter[status])).
    type: str
    choices: [STOPPED, STARTING, WORKING, SCAN_QR_CODE, FAILED, PENDING]
"""
