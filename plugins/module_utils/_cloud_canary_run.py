# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cloud_canary module's run: its options, the receiver of Meta's signed status webhooks, one template followed
to its awaited stage (the rules of a run are in _cloud_canary, the stage machine in _canary)."""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback
from ansible_collections.hypersender.whatsapp.plugins.module_utils._canary import (
    WAIT_FOR,
    open_receiver,
    receiver_argument_spec,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud import MESSAGING_PERMISSION
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_canary import (
    APP_SECRET_ENV,
    DEFAULT_RECEIVER_PATH,
    VERIFY_TOKEN_ENV,
    CloudCanary,
    CloudCanaryOptions,
    CloudMessages,
    status_parser,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import HubSignature


def cloud_canary_argument_spec():
    """cloud_canary's own options (the module base adds the Cloud API connection)."""
    return dict(
        phone_number_id=dict(type="str", required=True),
        to=dict(type="str", required=True, no_log=True),
        template_name=dict(type="str", default="hello_world"),
        template_language=dict(type="str", default="en_US"),
        wait_for=dict(type="str", choices=list(WAIT_FOR), default="sent"),
        wait_timeout=dict(type="float", default=120),
        show_recipient=dict(type="bool", default=False),
        app_secret=dict(type="str", no_log=True, fallback=(env_fallback, [APP_SECRET_ENV])),
        verify_token=dict(type="str", no_log=True, fallback=(env_fallback, [VERIFY_TOKEN_ENV])),
        **receiver_argument_spec(DEFAULT_RECEIVER_PATH),
    )


def run_cloud_canary(module):
    """Send the template, follow it by its status webhooks to the awaited stage, and exit the module with it."""
    params = module.params
    for secret in (params["app_secret"], params["verify_token"]):
        if secret:
            module.no_log_values.add(secret)  # from the environment too, unseen by no_log
    try:
        options = CloudCanaryOptions(params)
    except OptionError as error:
        module.fail(error, problem=str(error), reason="options")
    api = module.client(permission=MESSAGING_PERMISSION)
    if params["show_recipient"]:  # asked for: the number is no secret in this run's results
        module.no_log_values.discard(params["to"])
    else:
        module.no_log_values.add(options.digits)
    result = dict(
        changed=False,
        phone_number_id=options.phone_number_id,
        to=options.recipient,
        template=options.template,
        wait_for=options.wait_for,
    )
    if module.check_mode:
        api.client.close()
        result.update(changed=True, check_mode=True, msg=options.plan())
        module.exit_json(**result)
    receiver = open_receiver(
        module,
        options,
        result,
        HubSignature(options.app_secret, options.verify_token),
        status_parser(options.phone_number_id),
    )
    try:
        with api.client:
            outcome = CloudCanary(
                CloudMessages(api.client, api.version),
                options.phone_number_id,
                options.digits,
                options.template_name,
                options.template_language,
                receiver,
                wait_for=options.wait_for,
                wait_timeout=options.wait_timeout,
                webhook_stats=receiver.stats.as_dict,
                recipient=options.recipient,
            ).run()
    finally:
        receiver.stop()  # whatever happened above: the port is free again
        result["receiver"].update(receiver.stats.as_dict())
    result.update(outcome.report, changed=outcome.report["sends"] > 0, api_calls=api.client.requests_sent)
    if not outcome.ok:
        module.fail_json(
            msg=outcome.message, problem=outcome.problem, hint=outcome.hint, reason=outcome.reason, **result
        )
    result["msg"] = options.success(outcome.report)
    module.exit_json(**result)
