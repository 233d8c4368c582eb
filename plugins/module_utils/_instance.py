# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The instance module's logic: its options, create (state=present) and restart (state=restarted), and the wait
after either, inside the task's one deadline."""

from __future__ import annotations

import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    STATUSES,
    HypersenderApi,
    not_ready_message,
    validate_phone,
    validate_status_wait_options,
    validate_uuid,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import (
    InstanceActions,
    public_instance,
    qr_png_bytes,
    restart_classifier,
    validate_destination,
    validate_name,
    validate_webhook_url,
    write_error,
    write_private_file,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import DONE, FAILED

DIFF_FIELDS = ("id", "name", "phone", "status")


def instance_argument_spec():
    return dict(
        state=dict(type="str", choices=["present", "restarted"], default="present"),
        name=dict(type="str"),
        phone=dict(type="str"),
        webhook_url=dict(type="str"),
        instance=dict(type="str", aliases=["uuid", "instance_id"]),
        restart_when=dict(type="list", elements="str", choices=list(STATUSES)),
        return_access_token=dict(type="bool", default=False),
        qr_code_path=dict(type="path"),
    )


def validate_instance_options(params):
    """Validated values of the options that name the instance; raises OptionError before any request."""
    validate_status_wait_options(params)
    values = {"name": None, "phone": None, "webhook_url": None, "instance": None, "qr_code_path": None}
    if params["name"] is not None:
        values["name"] = validate_name(params["name"])
    if params["phone"] is not None:
        values["phone"] = validate_phone(params["phone"])
    if params["webhook_url"] is not None:
        values["webhook_url"] = validate_webhook_url(params["webhook_url"])
    if params["state"] == "present":
        if values["name"] is None:
            raise OptionError("state=present needs name (the instance's name)")
        for option in ("instance", "restart_when"):
            if params[option]:
                raise OptionError(
                    "%s applies to state=restarted only; state=present selects the instance by name" % option
                )
        if params["qr_code_path"]:
            values["qr_code_path"] = validate_destination(params["qr_code_path"], "qr_code_path")
    else:
        if params["instance"] is not None:
            values["instance"] = validate_uuid(params["instance"])
        elif values["name"] is None:
            raise OptionError("state=restarted needs instance (the UUID) or name")
        for option in ("phone", "webhook_url", "qr_code_path"):
            if params[option]:
                raise OptionError("%s applies to state=present only" % option)
    return values


def diff_view(instance):
    return {key: instance.get(key) for key in DIFF_FIELDS if instance.get(key) is not None}


class InstanceModule:
    def __init__(self, module, values, client, deadline):
        self.module = module
        self.params = module.params
        self.values = values
        self.client = client
        self.deadline = deadline  # of the whole task, on time.monotonic(): the action and the wait end by it
        self.actions = InstanceActions(client, deadline_option="wait_timeout")
        self.result = dict(changed=False, created=False, restarted=False, waited=False, polls=0, elapsed=0.0)

    def fail(self, msg):
        self.module.fail(msg, **self.result)

    def present(self):
        name, phone = self.values["name"], self.values["phone"]
        found = self.actions.find_by_name(name, include_access_token=self.params["return_access_token"])
        if len(found) > 1:
            self.fail(
                "%d instances are named %r (compared as the server does, without case): give state=restarted an "
                "instance UUID, or rename one in the dashboard" % (len(found), name)
            )
        if found:
            instance = found[0]
            self.result.update(instance=instance, diff=dict(before=diff_view(instance), after=diff_view(instance)))
            if phone is not None and instance.get("phone") != phone:
                self.fail(
                    "instance %r (%s) exists with phone %s, not %s; Hypersender cannot change an instance's phone: "
                    "use another name for the new number"
                    % (instance["name"], instance["id"], instance.get("phone"), phone)
                )
            same = "" if instance["name"] == name else " (the server takes %r for the same name)" % name
            return "instance %r exists (%s, %s)%s" % (instance["name"], instance["id"], instance["status"], same)
        if phone is None:
            self.fail("no instance is named %r, and phone is needed to create one" % name)
        planned = {"name": name, "phone": phone, "status": "SCAN_QR_CODE"}
        if self.module.check_mode:
            self.result.update(changed=True, created=True, instance=dict(planned), diff=dict(before={}, after=planned))
            return "check mode: would create instance %r with phone %s" % (name, phone)
        answer = self.actions.create(name, phone, self.deadline, self.values["webhook_url"])
        self.result.update(changed=True, created=True, diff=dict(before={}, after=planned))
        instance = public_instance(answer, include_access_token=self.params["return_access_token"])
        self.result.update(instance=instance, diff=dict(before={}, after=diff_view(instance)))
        if self.values["qr_code_path"]:
            self.write_qr_code(instance, answer)
        self.wait(instance, None)
        return "created instance %r (%s)" % (name, instance["id"])

    def write_qr_code(self, instance, answer):
        path = self.values["qr_code_path"]
        try:
            self.result["qr_code_path"] = write_private_file(path, qr_png_bytes(answer))
        except OSError as error:
            self.fail(
                "created instance %r (%s), but could not write its QR code to %s: %s; get a fresh code with "
                "hypersender.whatsapp.instance_qr" % (instance["name"], instance["id"], path, write_error(error))
            )

    def restarted(self):
        token = self.params["return_access_token"]
        if self.values["instance"]:
            instance = self.actions.find_by_id(self.values["instance"], include_access_token=token)
        else:
            found = self.actions.find_by_name(self.values["name"], include_access_token=token)
            if len(found) != 1:
                self.fail(
                    "%s instance is named %r (compared as the server does, without case): give instance (the UUID) "
                    "instead" % ("no" if not found else "more than one", self.values["name"])
                )
            instance = found[0]
        previous = instance["status"]
        self.result.update(instance=instance, previous_status=previous)
        when = self.params["restart_when"]
        if when and previous not in when:
            self.result["diff"] = dict(before=diff_view(instance), after=diff_view(instance))
            self.wait(instance, None)
            return "instance %s is %s, not in restart_when [%s]: not restarted" % (
                instance["id"],
                previous,
                ", ".join(when),
            )
        before = diff_view(instance)
        after = dict(before, status="restarting (STOPPED, STARTING, then its working status)")
        if self.module.check_mode:
            self.result.update(changed=True, restarted=True, diff=dict(before=before, after=after))
            return "check mode: would restart instance %s (now %s)" % (instance["id"], previous)
        self.actions.restart(instance["id"], self.deadline)
        self.result.update(changed=True, restarted=True, diff=dict(before=before, after=after))
        instance["status"] = "STOPPED"  # what the API documents right after a restart; the wait reads the real one
        self.wait(instance, previous)
        self.result["diff"]["after"] = diff_view(instance)
        return "restarted instance %s (was %s)" % (instance["id"], previous)

    def wait(self, instance, previous_status):
        if not self.params["wait"] or self.module.check_mode:
            return
        ready, fail_on = self.params["wait_for"], self.params["fail_on"]
        if previous_status is None:

            def classify(health):
                if health["status"] in ready:
                    return DONE
                return FAILED if health["status"] in fail_on else None

        else:
            classify = restart_classifier(previous_status, ready, fail_on)
        probe = HypersenderApi(self.client).instance_health_probe(instance["id"])
        remaining = max(0.0, self.deadline - time.monotonic())
        outcome = self.module.probe_or_wait(probe, classify, self.result, wait_timeout=remaining)
        if outcome.value is not None:
            instance["status"] = outcome.value["status"]
        if outcome.state != DONE:
            self.fail(
                not_ready_message(
                    instance["id"], outcome.value, ready, outcome, fatal=outcome.state == FAILED, fail_on=fail_on
                )
            )
