# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: delivery_report
short_description: Word the verify_delivery role's checks, plan, summary and failure from instance_canary's result
version_added: 0.2.0
description:
  - The role M(hypersender.whatsapp.instance_canary) runs for C(hypersender.whatsapp.verify_delivery) decides
    nothing itself; this filter words what it says, naming the role's variables, and never prints the recipient's
    full number unless C(show_recipient) is true.
  - Given the role's settings before the module ran (an empty or undefined result), it says what is wrong with
    them (C(problems)) and what the canary will do (C(plan)); given the module's result, what was sent, to whom
    and how long each stage took (C(summary), C(line)), and on failure what went wrong and what to do (C(failure)).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description: The result M(hypersender.whatsapp.instance_canary) registered, or an empty dictionary before it ran.
    type: dict
    required: true
  settings:
    description:
      - The role's variables, without the C(verify_delivery_) prefix - C(instance), C(to), C(wait_for), C(timeout),
        C(poll_interval), C(resend), C(show_recipient), C(receiver_host), C(receiver_port), C(receiver_path),
        C(receiver_authorization_given) (a boolean, never the secret), C(request_timeout), C(retries).
    type: dict
    required: true
  check_mode:
    description:
      - Whether the play runs in check mode (C(ansible_check_mode)). A result the module returned in check mode says
        so itself (C(check_mode)), also when only the task or the play set the C(check_mode) keyword.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Say what the canary sent, to whom, and how long each stage took
  ansible.builtin.debug:
    msg: "{{ (verify_delivery_result | hypersender.whatsapp.delivery_report(settings, ansible_check_mode)).summary }}"
"""

RETURN = r"""
_value:
  description: The sentences, as a dictionary.
  type: dict
  contains:
    problems:
      description: One sentence per role variable that is wrong, naming it; empty when they are fine.
      type: list
      elements: str
    plan:
      description: What the canary will send, to whom (masked), and what it waits for.
      type: str
    summary:
      description: Lines saying what was sent, to whom, through which instance, and each stage's time.
      type: list
      elements: str
    line:
      description: The summary in one line, for the deploy gate's summary.
      type: str
    failure:
      description: What went wrong and what to do, naming the role's variables; empty when the canary passed.
      type: str
"""

import math
import re

from ansible.errors import AnsibleFilterError

PREFIX = "verify_delivery"
STAGES = ("queued", "sent", "delivered", "read")
DIGITS = re.compile(r"^[1-9][0-9]{6,14}$")
BOUNDS = (
    ("timeout", 1, 86400, False),
    ("poll_interval", 0.1, 3600, False),
    ("resend", 0, 5, True),
    ("receiver_port", 1, 65535, True),
    ("request_timeout", 0.001, 3600, False),
    ("retries", 0, 10, True),
)


def _bool(value):
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "on", "1")
    return bool(value)


def _var(name):
    return "%s_%s" % (PREFIX, name)


def _number(value, integer):
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or (integer and number != int(number)):
        return None
    return number


def _seconds(value):
    return "%g" % round(float(value), 2)


def _digits(value):
    text = re.sub(r"[\s\-()]", "", str(value or ""))
    return text[1:] if text.startswith("+") else text


def _masked(value, show):
    digits = _digits(value)
    if _bool(show):
        return digits
    return "*" * max(0, len(digits) - 4) + digits[-4:] if len(digits) > 4 else "****"


def problems(settings):
    """One sentence per role variable that is wrong; never the recipient's number or a secret."""
    found = []
    if not str(settings.get("instance") or "").strip():
        found.append("%s is empty: give the UUID or the name of the instance that sends" % _var("instance"))
    if not DIGITS.match(_digits(settings.get("to"))):
        found.append(
            "%s must be the recipient's phone number with its country code, 7 to 15 digits (e.g. 201234567890)"
            % _var("to")
        )
    for name, low, high, integer in BOUNDS:
        value = settings.get(name)
        number = _number(value, integer)
        if number is None or not low <= number <= high:
            kind = "a whole number" if integer else "a number"
            found.append("%s must be %s from %g to %g, got %s" % (_var(name), kind, low, high, value))
    if settings.get("wait_for") not in ("sent", "delivered", "read"):
        found.append("%s must be sent, delivered or read, got %s" % (_var("wait_for"), settings.get("wait_for")))
    elif settings.get("wait_for") != "sent" and not _bool(settings.get("receiver_authorization_given")):
        found.append(
            "%s is needed to wait for %s: set it (or HYPERSENDER_WEBHOOK_AUTHORIZATION) to the Authorization value "
            "the instance's webhooks carry, or set %s to sent"
            % (_var("receiver_authorization"), settings["wait_for"], _var("wait_for"))
        )
    return found


def _receiver(settings):
    return "%s:%s%s" % (settings.get("receiver_host"), settings.get("receiver_port"), settings.get("receiver_path"))


def plan(settings, check_mode):
    to = _masked(settings.get("to"), settings.get("show_recipient"))
    if check_mode:
        return "%s: check mode, nothing is sent: the instance %s is read once and the message to %s is described" % (
            PREFIX,
            settings.get("instance"),
            to,
        )
    text = "%s: sending a check message through instance %s to %s, then waiting up to %s s for it to be %s" % (
        PREFIX,
        settings.get("instance"),
        to,
        settings.get("timeout"),
        settings.get("wait_for"),
    )
    if settings.get("wait_for") != "sent":
        text += " (acks by webhook on %s" % _receiver(settings)
        resend = _number(settings.get("resend"), True) or 0
        if resend:
            text += "; sent again %s without an ack" % (
                "once after half of it" if resend == 1 else "up to %d times" % resend
            )
        text += ")"
    return text


def _instance(result, settings):
    instance = result.get("instance") or {}
    if instance.get("name"):
        return "%s (%s)" % (instance["name"], instance.get("id"))
    return instance.get("id") or str(settings.get("instance"))


def _stages(result):
    stages = result.get("stages") or {}
    return ", ".join(
        "%s %s" % (stage, "-" if stages.get(stage) is None else "%s s" % _seconds(stages[stage])) for stage in STAGES
    )


def _reached(result):
    stage = result.get("stage")
    at = (result.get("stages") or {}).get(stage)
    return "%s after %s s" % (stage, _seconds(at)) if stage and at is not None else str(stage)


def _webhooks(result):
    receiver = result.get("receiver")
    if not isinstance(receiver, dict) or "accepted" not in receiver:
        return None
    return "webhooks on %s: %d accepted, %d refused for their Authorization, %d about something else" % (
        receiver.get("listened_on"),
        receiver.get("accepted", 0),
        receiver.get("unauthorized", 0),
        receiver.get("ignored", 0) + result.get("other_message_acks", 0),
    )


def summary(result, settings, check_mode):
    check_mode = check_mode or bool(result.get("check_mode"))
    to = result.get("to") or _masked(settings.get("to"), settings.get("show_recipient"))
    if check_mode and not result.get("failed"):
        return [
            "%s: CHECK MODE, nothing sent: would send %r to %s through instance %s and wait for %s"
            % (
                PREFIX,
                result.get("text"),
                to,
                _instance(result, settings),
                result.get("wait_for") or settings.get("wait_for"),
            )
        ]
    if "sends" not in result:
        return ["%s: nothing sent through instance %s to %s" % (PREFIX, _instance(result, settings), to)]
    head = "PASSED, %s" % _reached(result) if not result.get("failed") else "FAILED at stage %s" % result.get("stage")
    lines = [
        "%s: %s: instance %s sent %s to %s"
        % (
            PREFIX,
            head,
            _instance(result, settings),
            "message %s" % result["message_id"] if result.get("message_id") else "a message",
            to,
        ),
        "  text: %r" % result.get("text"),
        "  stages: %s%s" % (_stages(result), "" if result.get("sends") == 1 else " (sent %d times)" % result["sends"]),
    ]
    webhooks = _webhooks(result)
    if webhooks:
        lines.append("  " + webhooks)
    return lines


def line(result, settings, check_mode):
    check_mode = check_mode or bool(result.get("check_mode"))
    to = result.get("to") or _masked(settings.get("to"), settings.get("show_recipient"))
    if check_mode and not result.get("failed"):
        return "would send to %s through instance %s and wait for %s" % (
            to,
            _instance(result, settings),
            result.get("wait_for") or settings.get("wait_for"),
        )
    if result.get("failed") or "sends" not in result:
        return failure(result, settings)
    return "%s through instance %s to %s (message %s%s)" % (
        _reached(result),
        _instance(result, settings),
        to,
        result.get("message_id"),
        "" if result.get("sends") == 1 else ", sent %d times" % result["sends"],
    )


def _advice(result, settings):
    """What the role's user can change, in its variables, for this kind of failure."""
    reason = result.get("reason")
    receiver = result.get("receiver") if isinstance(result.get("receiver"), dict) else {}
    if reason == "not_on_whatsapp":
        return "set %s to a number that has WhatsApp" % _var("to")
    if reason == "receiver":
        return "choose a free %s (now %s) or another %s" % (
            _var("receiver_port"),
            settings.get("receiver_port"),
            _var("receiver_host"),
        )
    if reason == "options":
        return "check the role's variables (%s_*)" % PREFIX
    if reason != "timed_out":
        return None
    advice = []
    if receiver.get("unauthorized"):
        advice.append(
            "set %s to the exact Authorization value the instance's webhooks send (%d request(s) were refused)"
            % (_var("receiver_authorization"), receiver["unauthorized"])
        )
    elif settings.get("wait_for") != "sent" and not receiver.get("accepted"):
        advice.append(
            "make the instance's webhook_url reach %s, %s and %s (%s)"
            % (_var("receiver_host"), _var("receiver_port"), _var("receiver_path"), _receiver(settings))
        )
    advice.append("raise %s (now %s s) if the instance is only slow" % (_var("timeout"), settings.get("timeout")))
    return "; ".join(advice)


def failure(result, settings):
    if not result.get("failed"):
        return ""
    said = result.get("problem") or result.get("msg") or "the canary failed"
    text = "%s: FAILED%s: %s" % (
        PREFIX,
        " at stage %s" % result["stage"] if result.get("stage") else ", nothing sent" if "sends" not in result else "",
        said,
    )
    if result.get("hint"):
        text += ": %s" % result["hint"]
    advice = _advice(result, settings)
    if advice:
        text += "; %s" % advice
    if result.get("sends"):
        text += ". Sent %r to %s through instance %s; stages: %s" % (
            result.get("text"),
            result.get("to"),
            _instance(result, settings),
            _stages(result),
        )
    return text


def delivery_report(result, settings, check_mode=False):
    if result is None or result == "":
        result = {}
    if not isinstance(result, dict) or not isinstance(settings, dict):
        raise AnsibleFilterError("delivery_report: give instance_canary's result (or {}) and the role's settings")
    if result.get("reason") and not result.get("failed"):
        # registered with failed_when: false (the role fails once, with this report): every failure has its reason
        result = dict(result, failed=True)
    return {
        "problems": problems(settings),
        "plan": plan(settings, bool(check_mode)),
        "summary": summary(result, settings, bool(check_mode)) if result else [],
        "line": line(result, settings, bool(check_mode)) if result else "",
        "failure": failure(result, settings) if result else "",
    }


class FilterModule:

    def filters(self):
        return {"delivery_report": delivery_report}
