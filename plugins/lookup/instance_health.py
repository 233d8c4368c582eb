# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: instance_health
short_description: Read the health of Hypersender WhatsApp instances
version_added: 0.1.0
description:
  - Returns the status of each instance given as a term, from the Hypersender WhatsApp Enterprise API
    (C(GET /{instance}/health)), as one dictionary per term, in order.
  - Each UUID is checked before any request is made. An unknown instance (HTTP 404) is an error, and so is a call
    without a UUID or with an option this lookup does not have.
  - The API allows 10 health requests a minute; rate-limited requests are retried after the server's C(Retry-After).
    For many instances use P(hypersender.whatsapp.instance_info#lookup), which reads them all in one request.
  - To wait for a status, use the M(hypersender.whatsapp.instance_health) module with O(hypersender.whatsapp.instance_health#module:wait=true).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _terms:
    description: Instance UUIDs.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - hypersender.whatsapp.hypersender
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.hypersender.plugins
seealso:
  - module: hypersender.whatsapp.instance_health
"""

EXAMPLES = r"""
- name: Show an instance's status (token from HYPERSENDER_API_TOKEN)
  ansible.builtin.debug:
    msg: "{{ lookup('hypersender.whatsapp.instance_health', 'fa3d01c4-1234-4c0d-a12f-df319b612f8c').status }}"

- name: Stop unless every instance is WORKING
  ansible.builtin.assert:
    that: health | map(attribute='status') | unique == ['WORKING']
    fail_msg: "not every instance is WORKING: {{ health | items2dict(key_name='instance_id', value_name='status') }}"
  vars:
    health: "{{ query('hypersender.whatsapp.instance_health', *instance_ids, api_token=vault_hypersender_token) }}"
"""

RETURN = r"""
_raw:
  description: One dictionary per term.
  type: list
  elements: dict
  contains:
    instance_id:
      description: UUID of the instance.
      type: str
      sample: fa3d01c4-1234-4c0d-a12f-df319b612f8c
    status:
      description: Status of the instance; a status this collection does not know is passed through as it is.
      type: str
      sample: WORKING
    connected_at:
      description: When the instance connected, as the API reports it (null if the API gives none).
      type: str
      sample: "2025-05-26T10:12:45"
"""

from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import HYPERSENDER, validate_uuid
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._lookup import WhatsAppLookupBase


class LookupModule(WhatsAppLookupBase):

    service = HYPERSENDER
    term = "an instance UUID"
    term_example = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
    terms_required = True

    def run(self, terms, variables=None, **kwargs):
        self.load_options(variables, kwargs, terms)
        with self.api_errors():
            instances = [validate_uuid(term, option="term") for term in terms]
            with self.connect() as api:
                return [api.instance_health(instance) for instance in instances]
