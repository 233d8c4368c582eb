# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: instance_info
short_description: List Hypersender WhatsApp instances
version_added: 0.1.0
description:
  - Returns the instances of the Hypersender account (C(GET /instances)), filtered the way the API filters them,
    in one request.
  - Terms, if any, are instance UUIDs to select from the list; a UUID the account does not have is an error, and so
    is an option this lookup does not have.
  - The C(access_token) of each instance is left out unless O(return_access_token=true).
  - To wait for instances to be ready, use the M(hypersender.whatsapp.instance_info) module
    with O(hypersender.whatsapp.instance_info#module:wait=true).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _terms:
    description: UUIDs of the instances to select; each is checked before any request.
    type: list
    elements: str
    required: false
  return_access_token:
    description:
      - Include each instance's C(access_token). Use it only where the result is not printed or logged.
    type: bool
    default: false
extends_documentation_fragment:
  - hypersender.whatsapp.filters
  - hypersender.whatsapp.hypersender
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.hypersender.plugins
seealso:
  - module: hypersender.whatsapp.instance_info
"""

EXAMPLES = r"""
- name: Names of the instances that are WORKING
  ansible.builtin.debug:
    msg: "{{ query('hypersender.whatsapp.instance_info', status='WORKING') | map(attribute='name') }}"

- name: Status of two given instances, in one request
  ansible.builtin.debug:
    msg: "{{ query('hypersender.whatsapp.instance_info', 'fa3d01c4-1234-4c0d-a12f-df319b612f8c',
             'c9a1dd76-5678-4f9d-9012-a5b78de100c3') | items2dict(key_name='id', value_name='status') }}"
"""

RETURN = r"""
_raw:
  description: The selected instances.
  type: list
  elements: dict
  contains:
    id:
      description: UUID of the instance.
      type: str
    name:
      description: Name of the instance; empty when the API gives none.
      type: str
    phone:
      description: Phone number in E.164 form; empty when the API gives none.
      type: str
    service_type:
      description: Service type.
      type: str
    status:
      description: Status; a status this collection does not know is passed through as it is.
      type: str
    created_at:
      description: Creation time; empty when the API gives none.
      type: str
    access_token:
      description: The instance's access token; only with O(return_access_token=true).
      type: str
"""

from ansible.errors import AnsibleLookupError
from ansible.utils.display import Display
from ansible_collections.hypersender.whatsapp.plugins.module_utils._fleet import (
    FleetView,
    merge_duplicates,
    select,
    unknown_statuses,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    FILTER_OPTIONS,
    HYPERSENDER,
    validate_filters,
    validate_uuid,
)
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._lookup import WhatsAppLookupBase

display = Display()


class LookupModule(WhatsAppLookupBase):

    service = HYPERSENDER
    term = "an instance UUID"

    def run(self, terms, variables=None, **kwargs):
        self.load_options(variables, kwargs, terms)
        with self.api_errors():
            wanted = [validate_uuid(term, option="term") for term in terms]
            filters = validate_filters(self.options(FILTER_OPTIONS))
            with self.connect() as api:
                instances = api.list_instances(filters, include_access_token=self.get_option("return_access_token"))
        instances, conflicts = merge_duplicates(instances)
        for warning in FleetView(instances, [], [], [], [], conflicts).warnings() + unknown_statuses(instances):
            display.warning("%s: %s" % (self.fqcn, warning))
        selected, missing = select(instances, wanted)
        if missing:
            raise AnsibleLookupError(
                "%s: no instance %s in this account (filters: %s): check the UUIDs"
                % (self.fqcn, ", ".join(missing), filters or "none")
            )
        return selected
