# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Attributes of the collection's modules.

    The read-only modules take them as they are. The modules that act (instance, instance_qr, fleet_heal) give
    check_mode details of their own, and instance gives diff_mode full support: the keys of an attribute that a
    module sets replace the fragment's, its other keys stay.
    """

    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - The module only reads. In check mode it makes a single probe and does not wait.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: all
    details:
      - It talks HTTPS to an API from wherever it runs, usually the controller (C(delegate_to=localhost)).
"""

    ACTIONGROUP_HYPERSENDER = r"""
attributes:
  action_group:
    description: Use C(group/hypersender.whatsapp.hypersender) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - hypersender.whatsapp.hypersender
"""

    ACTIONGROUP_ONPREM = r"""
attributes:
  action_group:
    description: Use C(group/hypersender.whatsapp.onprem) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - hypersender.whatsapp.onprem
"""

    ACTIONGROUP_CLOUD = r"""
attributes:
  action_group:
    description: Use C(group/hypersender.whatsapp.cloud) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - hypersender.whatsapp.cloud
"""
