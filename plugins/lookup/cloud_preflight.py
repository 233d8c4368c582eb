# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cloud_preflight
short_description: Check a WhatsApp Cloud API account before a deployment - token, subscription, numbers, templates
version_added: 0.2.0
description:
  - Makes the checks of the M(hypersender.whatsapp.cloud_preflight) module - the access token, the app's webhook
    subscription, the phone numbers, the named message templates and the account's review - in the same few Graph API
    calls, and returns one dictionary with C(ready), C(calls), C(checks) and C(token), as the module does.
  - The terms are phone number IDs (the numbers to check; none means every number of the account); everything else is
    a keyword argument, a variable, an environment variable or an C(ansible.cfg) setting (section
    C([whatsapp_cloud]), everything but the tokens).
  - Checks that fail are not an error (look at C(ready)); a call that fails is, and the error says what to do.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _terms:
    description: Phone number IDs of the account to check; none checks every number of the account.
    type: list
    elements: str
  waba_id:
    description:
      - The ID of the WhatsApp Business Account to check; if not set, E(WA_CLOUD_WABA_ID). Required.
    type: str
  templates:
    description: The message templates to check, each a dictionary with C(name) and C(language).
    type: list
    elements: dict
  token_expiry_warn_days:
    description: A token that expires within this many days gives a warning naming the date and the days left.
    type: int
    default: 14
  fail_on_quality:
    description: The C(quality_rating) values that fail a number.
    type: list
    elements: str
    default: [RED]
  skip_checks:
    description:
      - Checks to leave out, by name or group, as the module's
        O(hypersender.whatsapp.cloud_preflight#module:skip_checks).
    type: list
    elements: str
    default: []
  app_token:
    description:
      - The app's token, C(<app_id>|<app_secret>), to ask C(debug_token) with; if not set, E(WA_CLOUD_APP_TOKEN).
        Without it, C(debug_token) is asked with the access token itself.
    type: str
    vars:
      - name: whatsapp_cloud_app_token
extends_documentation_fragment:
  - hypersender.whatsapp.cloud
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.cloud.plugins
seealso:
  - module: hypersender.whatsapp.cloud_preflight
"""

EXAMPLES = r"""
- name: Is the account ready for the release? (token from WA_CLOUD_TOKEN, account from WA_CLOUD_WABA_ID)
  ansible.builtin.assert:
    that: preflight.ready
    fail_msg: "{{ preflight.checks | rejectattr('passed') | map(attribute='msg') | join('; ') }}"
  vars:
    preflight: "{{ lookup('hypersender.whatsapp.cloud_preflight', templates=[{'name': 'order_update', 'language': 'en_US'}]) }}"

- name: Two numbers of an account, without the template and subscription checks
  ansible.builtin.debug:
    msg: >-
      {{ lookup('hypersender.whatsapp.cloud_preflight', '106540352242922', '106540352242923',
         waba_id='102290129340398', skip_checks=['subscription']).checks }}
"""

RETURN = r"""
_raw:
  description: One dictionary (with C(query), a list of one dictionary), as the module returns it.
  type: list
  elements: dict
  contains:
    ready:
      description: Whether no error check failed (warnings never make it false).
      type: bool
      sample: true
    calls:
      description: How many HTTP requests were sent to the Graph API, pages and retries included.
      type: int
      sample: 3
    checks:
      description:
        - One dictionary per check with C(name), C(subject), C(passed), C(severity) (V(error) or V(warning)), C(msg)
          (Meta's words) and C(hint) (what to do), as the module returns them.
      type: list
      elements: dict
    token:
      description: C(app_id), C(type), C(expires_at), C(days_left) and C(never_expires) of the token, or null.
      type: dict
"""

from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_preflight_run import (
    CONNECTION_OPTIONS,
    ENV_FALLBACKS,
    PREFLIGHT_OPTIONS,
    run_preflight,
)
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._lookup import WhatsAppLookupBase

# The module's options but phone_number_ids, which are the terms.
LOOKUP_OPTIONS = tuple(name for name in PREFLIGHT_OPTIONS if name != "phone_number_ids")


class LookupModule(WhatsAppLookupBase):

    env_fallbacks = ENV_FALLBACKS

    def run(self, terms, variables=None, **kwargs):
        self.load_options(variables, kwargs)
        with self.api_errors():
            options = self.options(CONNECTION_OPTIONS + LOOKUP_OPTIONS)
            options["phone_number_ids"] = [str(term) for term in terms]
            result, error = run_preflight(options, self.client_options)
            if error is not None:
                raise error
            return [result]
