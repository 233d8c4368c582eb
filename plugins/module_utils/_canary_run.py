# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The instance_canary module's run: its options, the receiver of the acks, one canary message followed to its
awaited stage (the rules of a run are in _canary, the options and the instance's lookup in _instance_canary)."""

from __future__ import annotations

import secrets

from ansible.module_utils.basic import env_fallback
from ansible_collections.hypersender.whatsapp.plugins.module_utils._canary import (
    WAIT_FOR,
    open_receiver,
    receiver_argument_spec,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_messages import (
    INSTANCE_TOKEN_ENV,
    MessagesApi,
    ack_parser,
    build_messages_client,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._instance_canary import (
    InstanceCanary,
    NotReady,
    resolve_instance,
    validate_canary_options,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import StaticAuthorization

AUTHORIZATION_ENV = "HYPERSENDER_WEBHOOK_AUTHORIZATION"
TEXT = (
    "Deploy check by hypersender.whatsapp.instance_canary (run {run_id}): this message tests that the instance can "
    "send; please ignore it."
)


def canary_argument_spec():
    return dict(
        instance=dict(type="str", required=True),
        to=dict(type="str", required=True, no_log=True),
        text=dict(type="str", default=TEXT),
        wait_for=dict(type="str", choices=list(WAIT_FOR), default="sent"),
        wait_timeout=dict(type="float", default=120),
        wait_sleep=dict(type="float", default=2),
        resend=dict(type="int", default=1),
        show_recipient=dict(type="bool", default=False),
        instance_token=dict(type="str", no_log=True, fallback=(env_fallback, [INSTANCE_TOKEN_ENV])),
        api_v2_url=dict(type="str"),
        **receiver_argument_spec("/hypersender/webhook"),
        receiver_authorization=dict(type="str", no_log=True, fallback=(env_fallback, [AUTHORIZATION_ENV])),
    )


def run_canary(module):
    """Send the canary message, follow it to its awaited stage, and exit the module with what happened."""
    try:
        options = validate_canary_options(module.params, secrets.token_hex(6))
    except OptionError as error:
        module.fail(error, problem=str(error), reason="options")
    if module.params["show_recipient"]:  # asked for: the number is no secret in this run's results
        module.no_log_values.discard(module.params["to"])
    else:
        module.no_log_values.add(options.digits)
    result = dict(changed=False, to=options.recipient, text=options.text, run_id=options.run_id)
    result["wait_for"] = options.wait_for
    try:
        instance, token = resolve_instance(module, options)
    except NotReady as error:
        module.fail_json(msg=str(error), problem=error.problem, hint=error.hint, reason="not_ready", **result)
    except OptionError as error:
        module.fail(error, problem=str(error), reason="options", **result)
    except ApiError as error:
        module.fail(error, problem=str(error), reason="api_error", **result)
    module.no_log_values.add(token)
    result["instance"] = instance
    if module.check_mode:
        result.update(changed=True, check_mode=True, msg=options.plan(instance))
        module.exit_json(**result)
    receiver = (
        open_receiver(
            module, options, result, StaticAuthorization(options.receiver_authorization), ack_parser(instance["id"])
        )
        if options.receiver
        else None
    )
    try:
        with module.checked(build_messages_client, token, **module.client_options) as client:
            outcome = InstanceCanary(
                MessagesApi(client),
                instance["id"],
                options.chat_id,
                options.text,
                wait_for=options.wait_for,
                wait_timeout=options.wait_timeout,
                wait_sleep=options.wait_sleep,
                resend=options.resend,
                acks=receiver,
                webhook_stats=receiver.stats.as_dict if receiver else None,
                recipient=options.recipient,
            ).run()
    finally:
        if receiver is not None:
            receiver.stop()  # whatever happened above: the port is free again
            result["receiver"].update(receiver.stats.as_dict())
    result.update(outcome.report, changed=outcome.report["sends"] > 0)
    if not outcome.ok:
        module.fail_json(
            msg=outcome.message, problem=outcome.problem, hint=outcome.hint, reason=outcome.reason, **result
        )
    result["msg"] = options.success(instance, outcome.report)
    module.exit_json(**result)
