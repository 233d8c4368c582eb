#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloud_preflight
short_description: Check everything a WhatsApp Cloud API deployment needs besides health, in a few Graph API calls
version_added: 0.2.0
description:
  - Checks, before a deployment, what stops WhatsApp Cloud API numbers from sending or a release from working besides
    C(health_status) - the access token, the app's webhook subscription, every phone number and the message
    templates the release depends on - and returns one list of RV(checks), each with Meta's own words (RV(checks[].msg))
    and what to do (RV(checks[].hint)).
  - B(Token) (C(GET /debug_token)) - valid (C(is_valid)); not expired, and a warning that names the date and the days
    left when it expires within O(token_expiry_warn_days) (C(expires_at) and C(data_access_expires_at); V(0) means it
    never expires); the C(whatsapp_business_messaging) and C(whatsapp_business_management) permissions among its
    C(scopes); O(waba_id) among the C(target_ids) of its C(granular_scopes).
  - B(Subscription) (C(GET /<WABA_ID>/subscribed_apps)) - the token's own app (C(app_id) from C(debug_token)) among
    the subscribed apps; a list of other apps fails, because the account's webhooks then go to them.
  - B(Numbers) (the account's C(phone_numbers) by field expansion) - C(status) V(CONNECTED), C(quality_rating) not in
    O(fail_on_quality), C(name_status) V(APPROVED) or V(AVAILABLE_WITHOUT_REVIEW), C(platform_type) V(CLOUD_API),
    C(code_verification_status) V(VERIFIED) (a warning), and C(health_status) judged as
    M(hypersender.whatsapp.cloud_health) judges it (V(BLOCKED) fails, V(LIMITED) warns); C(throughput.level) and
    C(whatsapp_business_manager_messaging_limit) are reported.
  - B(Templates) (C(GET /<WABA_ID>/message_templates)) - each of O(templates) V(APPROVED) in its language;
    V(PAUSED), V(DISABLED), V(REJECTED) (with C(rejected_reason)) and V(PENDING) fail, and a name that is not found
    fails naming the closest names the account has.
  - B(Account) - C(business_verification_status) V(verified) and C(account_review_status) V(APPROVED) (warnings;
    V(REJECTED) fails, as Meta says a rejected account cannot use its APIs).
  - B(Few calls) - C(debug_token), one call for the account with its numbers (up to 100 numbers, one more call per
    further page), C(subscribed_apps), and C(message_templates) only when O(templates) names some, one call per page
    of 100. The count does not grow with the number of numbers; RV(calls) says how many were made. Meta's rate-limit
    answers are waited out by the client's retry policy (O(retries)).
  - A failed error check makes RV(ready) false; a warning never does. The task fails only when a call fails (an
    unreachable API, an unknown WABA, a rate limit that outlasts the retries); a token that Meta rejects is a failed
    check (C(token_valid)), and the reads stop there.
  - The module only reads; it never changes anything and returns RV(ignore:changed=false), in check mode too.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  waba_id:
    description:
      - The ID of the WhatsApp Business Account to check (digits, from WhatsApp Manager).
      - If not set, the E(WA_CLOUD_WABA_ID) environment variable is used; one of the two is required.
    type: str
  phone_number_ids:
    description:
      - IDs of the account's phone numbers to check (digits, not the phone numbers themselves).
      - By default, every phone number of the account. An ID that is not among the account's numbers fails its
        C(number_found) check.
    type: list
    elements: str
  templates:
    description:
      - The message templates the release sends, each by C(name) and C(language) (the template's language code, as
        in WhatsApp Manager, for example V(en_US)).
      - None by default, and then the templates are not read.
    type: list
    elements: dict
    suboptions:
      name:
        description: The template's name.
        type: str
        required: true
      language:
        description: The template's language code.
        type: str
        required: true
  token_expiry_warn_days:
    description:
      - A token that expires within this many days gives a warning (C(token_expiry)) that names the date and the days
        left. V(0) warns only once it has expired (then the check fails).
    type: int
    default: 14
  fail_on_quality:
    description:
      - The C(quality_rating) values that fail a number (C(number_quality)).
    type: list
    elements: str
    choices: [GREEN, YELLOW, RED, UNKNOWN, NA]
    default: [RED]
  skip_checks:
    description:
      - Checks to leave out, by name or by group (V(token), V(subscription), V(numbers), V(templates), V(waba)).
        A call whose checks are all left out is not made.
    type: list
    elements: str
    choices:
      - token
      - subscription
      - numbers
      - templates
      - waba
      - token_valid
      - token_expiry
      - token_scopes
      - token_waba_access
      - app_subscribed
      - number_found
      - number_status
      - number_quality
      - number_name_status
      - number_platform
      - number_code_verification
      - number_health
      - number_throughput
      - number_messaging_limit
      - template
      - waba_business_verification
      - waba_account_review
    default: []
  app_token:
    description:
      - The app's token, C(<app_id>|<app_secret>), to ask C(debug_token) with. Without it, C(debug_token) is asked
        with O(api_token) itself, which Meta answers for a token of the same app.
      - If not set, the E(WA_CLOUD_APP_TOKEN) environment variable is used.
      - Like O(api_token), it travels only in the C(Authorization) header and never appears in results, messages or
        logs. C(debug_token) takes the token it inspects as its C(input_token) query parameter, as Meta documents; it
        goes to O(api_url) only and is masked in every message.
    type: str
notes:
  - The checks, Meta's fields and what to do when each fails are in the collection's Cloud API preflight guide.
extends_documentation_fragment:
  - hypersender.whatsapp.cloud
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_cloud
seealso:
  - plugin: hypersender.whatsapp.cloud_preflight
    plugin_type: lookup
  - module: hypersender.whatsapp.cloud_health
  - name: debug_token (Graph API reference)
    description: The token's metadata - C(is_valid), C(expires_at), C(scopes), C(granular_scopes).
    link: https://developers.facebook.com/docs/graph-api/reference/debug_token
  - name: Message templates (template management)
    description: Reading a WhatsApp Business Account's templates and their status.
    link: https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management
"""

EXAMPLES = r"""
- name: Check the account before a release that sends two templates (token from WA_CLOUD_TOKEN)
  hypersender.whatsapp.cloud_preflight:
    waba_id: "102290129340398"
    templates:
      - name: order_update
        language: en_US
      - name: delivery_notice
        language: de
  register: preflight
  delegate_to: localhost
  run_once: true

- name: Stop the release when something fails
  ansible.builtin.fail:
    msg: "{{ preflight.checks | rejectattr('passed') | map(attribute='msg') | join('; ') }}"
  when: not preflight.ready

- name: Warn a month ahead, fail on YELLOW too, and leave out the business verification
  hypersender.whatsapp.cloud_preflight:
    waba_id: "102290129340398"
    phone_number_ids:
      - "106540352242922"
    token_expiry_warn_days: 30
    fail_on_quality: [YELLOW, RED]
    skip_checks: [waba_business_verification]
  delegate_to: localhost
"""

RETURN = r"""
ready:
  description: Whether no error check failed (warnings never make it false), and every call succeeded.
  returned: always
  type: bool
  sample: true
calls:
  description: How many HTTP requests the task sent to the Graph API, pages and retries included.
  returned: always
  type: int
  sample: 3
checks:
  description: One entry per check made, in the order token, numbers and account, subscription, templates.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description:
        - The check, one of the names O(skip_checks) takes - C(token_valid), C(token_expiry), C(token_scopes),
          C(token_waba_access), C(app_subscribed), C(number_found), C(number_status), C(number_quality),
          C(number_name_status), C(number_platform), C(number_code_verification), C(number_health),
          C(number_throughput), C(number_messaging_limit), C(template), C(waba_business_verification),
          C(waba_account_review).
      type: str
      sample: number_status
    subject:
      description: What was checked, for example V(phone number 106540352242922 (+1 555-078-3881)).
      type: str
    passed:
      description: Whether it passed.
      type: bool
    severity:
      description: V(error) (a failure makes RV(ready) false) or V(warning).
      type: str
      choices: [error, warning]
    msg:
      description: What Meta says - the field and its value, or Meta's message.
      type: str
      sample: status is FLAGGED
    hint:
      description: What to do; empty when the check passed.
      type: str
  sample:
    - name: token_expiry
      subject: access token (SYSTEM_USER, app 634974688087057)
      passed: false
      severity: warning
      msg: "expires_at 1796976484: the token expires on 2026-12-11 08:08 UTC, in 5 days"
      hint: "replace it before 2026-12-11 08:08 UTC: create a new token for a system user ..."
token:
  description:
    - The token as C(debug_token) describes it, or null when it was not read or is not valid.
    - C(expires_at) is the earlier of C(expires_at) and C(data_access_expires_at) that is set (a UTC date), null
      when the token never expires; C(days_left) the whole days until then.
  returned: always
  type: dict
  sample:
    app_id: "634974688087057"
    type: SYSTEM_USER
    expires_at: null
    days_left: null
    never_expires: true
"""

from ansible.module_utils.basic import env_fallback
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_preflight_run import (
    preflight_argument_spec,
    run_preflight,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule


def argument_spec():
    return preflight_argument_spec(env_fallback)


def main():
    module = WhatsAppModule(argument_spec())
    for secret in (module.params["api_token"], module.params["app_token"]):
        if secret:
            module.no_log_values.add(secret)  # they may come from the environment, unseen by no_log
    try:
        result, error = run_preflight(module.params, module.client_options)
    except OptionError as problem:
        module.fail_json(msg=str(problem))
    if error is not None:
        module.fail(error, changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
