#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloud_health
short_description: Check, or wait until, WhatsApp Cloud API phone numbers can send messages
version_added: 0.2.0
description:
  - Reads the C(health_status) of WhatsApp Business phone numbers from the WhatsApp Cloud API (Graph API), either
    given by ID (O(phone_number_id)) or all the numbers of a WhatsApp Business Account at once (O(waba_id)), with
    their C(display_phone_number), C(status), C(quality_rating), C(platform_type) and other fields.
  - Judges each number by Meta's C(can_send_message) - V(AVAILABLE) passes, V(LIMITED) passes unless
    O(allow_limited=false), V(BLOCKED) never passes - over the number and every entity behind it (its WhatsApp
    Business Account, the business portfolio, the app). A number on the retired On-Premises API
    (C(platform_type) V(ON_PREMISE)) does not pass either.
  - Returns RV(problems) as plain sentences built from Meta's own C(error_description) and C(possible_solution).
  - Without O(wait), numbers that cannot send do not fail the task; look at RV(healthy). A rejected or expired token,
    a missing permission, an unknown ID or an unreachable API do fail it, at once, saying what to do; RV(outcome)
    tells these apart from numbers that cannot send (a rejected token is V(auth_failed), never V(BLOCKED)).
  - A WhatsApp Business Account's list of numbers is read page after page until Meta gives no next page; an empty
    page in between does not end it.
  - Meta's rate-limit errors (Graph codes 4, 17, 32, 613, 80007, 80008, 130429 and 131056) are retried with backoff, and a wait
    goes on through them until O(wait_timeout).
  - With O(wait=true), polls inside this one task until every selected number passes, and fails with the problems of
    the last read if O(wait_timeout) passes. A number on the On-Premises API ends the wait at once.
  - The module only reads; it never changes anything and always returns RV(ignore:changed=false).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  wait_sleep:
    description:
      - Seconds between two reads when O(wait=true).
      - By default, as often as keeps a wait within the management-call budget Meta gives an app per WhatsApp Business
        Account (200 calls an hour by default) - every 30 seconds for one number or one O(waba_id), and 18 seconds
        per call for a list of O(phone_number_id) without O(waba_id) (every 54 seconds for three numbers).
      - A WhatsApp Business Account whose list of numbers spans several pages takes one call per page; when that
        makes a wait pass the budget, the task warns and says which O(wait_sleep) keeps within it.
      - A smaller value that goes over that budget draws a warning, and Meta may answer with rate-limit errors
        (code 80007), which are retried with backoff.
    type: float
    default: null
extends_documentation_fragment:
  - hypersender.whatsapp.cloud
  - hypersender.whatsapp.cloud.selection
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.wait
  - hypersender.whatsapp.attributes
  - hypersender.whatsapp.attributes.actiongroup_cloud
seealso:
  - plugin: hypersender.whatsapp.cloud_health
    plugin_type: lookup
  - module: hypersender.whatsapp.onprem_health
"""

EXAMPLES = r"""
- name: Read the health of one number (token from WA_CLOUD_TOKEN)
  hypersender.whatsapp.cloud_health:
    phone_number_id: "106540352242922"
  register: cloud
  delegate_to: localhost

- name: Hold the deployment until every number of the WhatsApp Business Account can send (20 minutes at most)
  hypersender.whatsapp.cloud_health:
    waba_id: "102290129340398"
    allow_limited: false
    wait: true
    wait_timeout: 1200
  delegate_to: localhost
  run_once: true

- name: Set the connection once for every Cloud API task of a play
  module_defaults:
    group/hypersender.whatsapp.cloud:
      api_token: "{{ vault_wa_cloud_token }}"
      api_version: v23.0
  block:
    - name: Two numbers, one call each
      hypersender.whatsapp.cloud_health:
        phone_number_id:
          - "106540352242922"
          - "106540352242923"
      register: cloud

    - name: Show what is wrong, if anything
      ansible.builtin.debug:
        var: cloud.problems
"""

RETURN = r"""
numbers:
  description:
    - One entry per selected phone number, in the order of O(phone_number_id) or of the WhatsApp Business Account's list.
    - A field Meta did not return is null; values this collection does not know are passed through.
  returned: always (empty if no read succeeded)
  type: list
  elements: dict
  contains:
    id:
      description: The phone number's ID.
      type: str
      sample: "106540352242922"
    display_phone_number:
      description: The phone number as WhatsApp shows it.
      type: str
      sample: "+1 555-078-3881"
    verified_name:
      description: The business name shown with the number.
      type: str
    status:
      description: The number's status, for example V(CONNECTED), V(PENDING), V(FLAGGED), V(RESTRICTED), V(BANNED).
      type: str
      sample: CONNECTED
    quality_rating:
      description: V(GREEN), V(YELLOW), V(RED), V(NA) or V(UNKNOWN).
      type: str
      sample: GREEN
    code_verification_status:
      description: Whether the number's ownership was verified, for example V(VERIFIED).
      type: str
    name_status:
      description: The review status of the display name, for example V(APPROVED).
      type: str
    platform_type:
      description: V(CLOUD_API), V(ON_PREMISE) (the retired API, a problem) or V(NOT_APPLICABLE).
      type: str
      sample: CLOUD_API
    throughput_level:
      description: The C(throughput.level) of the number, for example V(STANDARD) or V(HIGH).
      type: str
    account_mode:
      description: V(LIVE) or V(SANDBOX).
      type: str
    can_send_message:
      description:
        - The number's overall C(can_send_message), V(AVAILABLE), V(LIMITED) or V(BLOCKED); worse than Meta's own
          overall value if an entity is worse (Meta's rule applied again), and V(BLOCKED) for a value this
          collection does not know.
      type: str
      sample: AVAILABLE
    entities:
      description:
        - Each entity of C(health_status) with its C(entity_type) (V(PHONE_NUMBER), V(WABA), V(BUSINESS), V(APP)),
          C(id), C(can_send_message), C(additional_info) (a list of sentences, for V(LIMITED)) and C(errors) (a list
          of C(error_code), C(error_description) and C(possible_solution), for V(BLOCKED)).
      type: list
      elements: dict
    healthy:
      description: Whether this number passes.
      type: bool
    problems:
      description: What is wrong with this number and what to do.
      type: list
      elements: str
can_send_message:
  description:
    - The worst C(can_send_message) of the selected numbers; V(BLOCKED) if the WhatsApp Business Account has no number.
    - Null when the numbers could not be read (see RV(outcome)).
  returned: always
  type: str
  sample: LIMITED
outcome:
  description:
    - What the task found, so that a failure to read is never taken for a number's state.
    - V(healthy) - every selected number passes; V(not_healthy) - the numbers were read and RV(problems) says what is
      wrong with them.
    - V(auth_failed) - Meta rejected the access token (invalid, expired or revoked; Graph error 190, 102 or 104, or
      HTTP 401); the message says why and how to create a new system user token.
    - V(permission_denied) - the token may not read these numbers (Graph error 10 or 200-299, or HTTP 403).
    - V(rate_limited) - a wait ended with only rate-limit errors; V(error) - another failure (an unknown ID, an
      unreachable API, a response that is not what Meta documents); the message says what to do.
  returned: always
  type: str
  choices: [healthy, not_healthy, auth_failed, permission_denied, rate_limited, error]
  sample: healthy
healthy:
  description: Whether every selected number passes (and there is at least one).
  returned: always
  type: bool
  sample: false
problems:
  description: What is wrong and what to do, in plain sentences from Meta's own words; empty when RV(healthy) is true.
  returned: always
  type: list
  elements: str
  sample:
    - >-
      Phone number 106540352242922 (+1 555-078-3881) cannot send messages: its WhatsApp Business Account
      102290129340398 is BLOCKED: There is an error with the payment method (error 141006). Possible solution:
      There was an error with your payment method. Please add a new payment method to the account.
missing:
  description: IDs of O(phone_number_id) that are not among the numbers of O(waba_id).
  returned: always
  type: list
  elements: str
  sample: []
waited:
  description: Whether the task polled (false without O(wait) and in check mode).
  returned: always
  type: bool
  sample: true
polls:
  description: How many reads were made (each may include retries of a transient failure, and several calls).
  returned: always
  type: int
  sample: 3
wait_sleep:
  description: The seconds between two reads that were applied (O(wait_sleep), or the default within the budget).
  returned: always
  type: float
  sample: 30.0
api_calls:
  description: How many HTTP requests the task sent to the Graph API, retries and pages included.
  returned: always
  type: int
  sample: 3
elapsed:
  description: Seconds spent in the API calls and between them.
  returned: always
  type: float
  sample: 61.2
"""

from ansible.module_utils.basic import env_fallback
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import (
    budget_warning,
    build_client,
    cloud_argument_spec,
    failure_outcome,
    not_ready_message,
    observed_budget_warning,
    validate_selection,
    wait_interval,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_rules import report, waiting_cannot_fix
from ansible_collections.hypersender.whatsapp.plugins.module_utils._module import WhatsAppModule
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    DONE,
    FAILED,
    validate_wait_options,
    wait_argument_spec,
)


def argument_spec():
    spec = cloud_argument_spec(env_fallback)
    spec.update(wait_argument_spec(wait_sleep=None))
    return spec


def main():
    module = WhatsAppModule(argument_spec())
    params = module.params
    selection = module.checked(validate_selection)
    explicit_sleep = params["wait_sleep"]
    params["wait_sleep"] = wait_interval(explicit_sleep, *selection[:2])
    module.checked(lambda p: validate_wait_options(p["wait_timeout"], p["wait_sleep"]))
    api = module.checked(build_client, **module.client_options)
    with api.client:
        run(module, api, selection, explicit_sleep)


def run(module, api, selection, explicit_sleep):
    params = module.params
    ids, waba_id, allow_limited = selection
    if params["api_token"]:
        module.no_log_values.add(params["api_token"])  # it may come from the environment, unseen by no_log
    if params["wait"] and not module.check_mode and explicit_sleep is not None:
        warning = budget_warning(explicit_sleep, ids, waba_id)
        if warning:
            module.warn(warning)

    result = dict(
        changed=False,
        waited=False,
        polls=0,
        elapsed=0.0,
        healthy=False,
        problems=[],
        numbers=[],
        missing=[],
        outcome=None,
        can_send_message=None,
        wait_sleep=params["wait_sleep"],
        api_calls=0,
    )

    def probe(deadline):
        try:
            return api.read(ids, waba_id, deadline)
        except ApiError as error:
            result["outcome"] = failure_outcome(error)  # in the result of a failure; a later read replaces it
            raise
        finally:
            result["api_calls"] = api.client.requests_sent  # also in a failure's result

    def classify(read):
        verdict = report(read[0], allow_limited, read[1], waba_id)
        if verdict["healthy"]:
            return DONE
        fatal = (
            read[1] or (waba_id and not ids and not read[0]) or any(waiting_cannot_fix(number) for number in read[0])
        )
        return FAILED if fatal else None

    outcome = module.probe_or_wait(probe, classify, result)
    if result["waited"] and explicit_sleep is None:
        warning = observed_budget_warning(result["api_calls"], result["polls"], params["wait_sleep"])
        if warning:
            module.warn(warning)
    verdict = None
    if outcome.value is not None:
        verdict = report(outcome.value[0], allow_limited, outcome.value[1], waba_id)
        result.update(verdict)
    module.exit_after_wait(
        result,
        outcome,
        "read once (%s)" % ("healthy" if result["healthy"] else "not healthy"),
        "the numbers to be able to send",
        lambda: not_ready_message(
            verdict,
            params["wait_timeout"],
            result["polls"],
            result["elapsed"],
            outcome.last_error,
            fatal=outcome.state == FAILED,
        ),
    )


if __name__ == "__main__":
    main()
