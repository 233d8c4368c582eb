# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cloud_health
short_description: Read whether WhatsApp Cloud API phone numbers can send messages
version_added: 0.2.0
description:
  - Reads the C(health_status) of WhatsApp Business phone numbers from the WhatsApp Cloud API (Graph API) once and
    returns one dictionary, the same as the result of the M(hypersender.whatsapp.cloud_health) module without
    waiting (the C(numbers), the verdict C(healthy) and the C(problems) as plain sentences).
  - Numbers that cannot send are not an error; a rejected or expired token, a missing permission, an unknown ID or an
    unreachable API are, and the error says which and what to do (a rejected token asks for a new system user token).
  - A WhatsApp Business Account's list of numbers is read page after page until Meta gives no next page; Meta's
    rate-limit errors are retried with backoff (O(retries)).
  - It takes no terms; give the options as keyword arguments, variables, environment variables or C(ansible.cfg)
    settings (section C([whatsapp_cloud]), everything but the token).
  - To wait until the numbers can send, use the module with O(hypersender.whatsapp.cloud_health#module:wait=true).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
extends_documentation_fragment:
  - hypersender.whatsapp.cloud
  - hypersender.whatsapp.cloud.selection
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.cloud.plugins
seealso:
  - module: hypersender.whatsapp.cloud_health
"""

EXAMPLES = r"""
- name: Show whether the WABA's numbers can send (token from WA_CLOUD_TOKEN)
  ansible.builtin.debug:
    msg: "{{ lookup('hypersender.whatsapp.cloud_health', waba_id='102290129340398') }}"

- name: Stop unless this number can send without limits
  ansible.builtin.assert:
    that: cloud.healthy
    fail_msg: "{{ cloud.problems | join(' ') }}"
  vars:
    cloud: "{{ lookup('hypersender.whatsapp.cloud_health', phone_number_id='106540352242922', allow_limited=false) }}"
"""

RETURN = r"""
_raw:
  description:
    - One dictionary (with C(query), a list of one dictionary).
  type: list
  elements: dict
  contains:
    outcome:
      description: V(healthy) when every selected number passes, else V(not_healthy) (a read that fails is an error).
      type: str
      sample: healthy
    numbers:
      description:
        - One entry per selected phone number with its C(id), C(display_phone_number), C(verified_name), C(status),
          C(quality_rating), C(code_verification_status), C(name_status), C(platform_type), C(throughput_level),
          C(account_mode), C(can_send_message), C(entities), C(healthy) and C(problems), as the module returns them.
      type: list
      elements: dict
    can_send_message:
      description: The worst C(can_send_message) of the selected numbers.
      type: str
      sample: AVAILABLE
    healthy:
      description: Whether every selected number passes (and there is at least one).
      type: bool
      sample: true
    problems:
      description: What is wrong and what to do, in plain sentences; empty when healthy.
      type: list
      elements: str
      sample: []
    missing:
      description: IDs of O(phone_number_id) that are not among the numbers of O(waba_id).
      type: list
      elements: str
      sample: []
"""

from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import (
    CONNECTION_OPTIONS,
    ENV_FALLBACKS,
    SELECTION_OPTIONS,
    build_client,
    validate_selection,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_rules import report
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._lookup import WhatsAppLookupBase


class LookupModule(WhatsAppLookupBase):

    env_fallbacks = ENV_FALLBACKS
    no_terms_example = "waba_id='102290129340398'"

    def run(self, terms, variables=None, **kwargs):
        self.load_options(variables, kwargs, terms)
        with self.api_errors():
            ids, waba_id, allow_limited = validate_selection(self.options(SELECTION_OPTIONS))
            api = build_client(self.options(CONNECTION_OPTIONS), **self.client_options)
            with api.client:
                numbers, missing = api.read(ids, waba_id)
            return [report(numbers, allow_limited, missing, waba_id)]
