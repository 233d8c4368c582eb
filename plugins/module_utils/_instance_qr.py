# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The instance_qr module's logic: its options, and one new QR code, paced at most one a minute per instance."""

from __future__ import annotations

import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import validate_uuid
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import (
    QR_VALID_SECONDS,
    public_instance,
    qr_png_bytes,
    validate_destination,
    write_error,
    write_private_file,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._pacer import QrPacer
from ansible_collections.hypersender.whatsapp.plugins.module_utils._qr import QrImageError, png_to_text


def qr_argument_spec():
    return dict(
        instance=dict(type="str", required=True, aliases=["uuid", "instance_id"]),
        dest=dict(type="path"),
        render=dict(type="str", choices=["text", "none"], default="none"),
        force=dict(type="bool", default=False),
        wait_timeout=dict(type="float", default=90),
        min_interval=dict(type="float", default=60),
    )


def validate_qr_options(params):
    if params["dest"] is None and params["render"] != "text":
        raise OptionError("give dest (a file for the PNG) or render=text (the code in the result), or both")
    if params["wait_timeout"] < 0 or params["min_interval"] < 0:
        raise OptionError("wait_timeout and min_interval must be 0 or more seconds")
    dest = validate_destination(params["dest"], "dest") if params["dest"] is not None else None
    return validate_uuid(params["instance"]), dest


def request_qr(module, actions, instance_id, dest):
    """Request a new QR code for the instance (unless it needs none) and exit the module with it."""
    params = module.params
    deadline = time.monotonic() + params["wait_timeout"]
    result = dict(changed=False, requested=False, paced=0.0)
    try:
        instance = actions.find_by_id(instance_id)
        result["instance"] = instance
        if instance["status"] != "SCAN_QR_CODE" and not params["force"]:
            result["msg"] = "instance %s is %s: no QR code needed (force=true asks for one anyway)" % (
                instance_id,
                instance["status"],
            )
            module.exit_json(**result)
        if module.check_mode:
            result.update(changed=True, requested=True)
            result["msg"] = "check mode: would request a new QR code for instance %s (%s)" % (
                instance_id,
                instance["status"],
            )
            module.exit_json(**result)
        pacer = QrPacer(actions.client.base_url, interval=params["min_interval"])
        pause = pacer.wait_needed(instance_id)
        if pause > 0:
            if time.monotonic() + pause > deadline:
                result.update(changed=False, requested=False)
                message = (
                    "a QR code for instance %s was requested less than %g s ago; Hypersender allows one a minute: "
                    "the last code is still valid for the person scanning it, or retry in %.0f s (or raise "
                    "wait_timeout to wait here)" % (instance_id, params["min_interval"], pause + 0.5)
                )
                module.fail_json(msg=message, **result)
            time.sleep(pause)
            result["paced"] = round(pause, 3)
        pacer.record(instance_id)  # before: a request that fails after reaching the server counts too
        try:
            answer = actions.request_new_qr_code(instance_id, deadline)
        finally:
            pacer.record(instance_id)  # after: the server saw it no later than now
        result.update(changed=True, requested=True)
        png_data = qr_png_bytes(answer)
        result["instance"] = public_instance(answer)
        result["valid_for"] = QR_VALID_SECONDS
        if params["render"] == "text":
            result["qr_code_text"] = png_to_text(png_data)
        if dest:
            try:
                result["dest"] = write_private_file(dest, png_data)
            except OSError as error:
                kept = "it is in qr_code_text" if "qr_code_text" in result else "request another in a minute"
                result["msg"] = "requested a new QR code for instance %s, but could not write it to %s: %s; %s" % (
                    instance_id,
                    dest,
                    write_error(error),
                    kept,
                )
                module.fail_json(**result)
        result["msg"] = (
            "new QR code for instance %s (%s), valid for about %d s: whoever scans it links their WhatsApp "
            "account to the instance" % (instance_id, result["instance"].get("name"), QR_VALID_SECONDS)
        )
    except (ApiError, OptionError, QrImageError) as error:
        module.fail(error, **result)
    module.exit_json(**result)
