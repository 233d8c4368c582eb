# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: delivery_report
short_description: Word the verify_delivery role's checks, plan, summary and failure from its canaries' results
version_added: 0.2.0
description:
  - The modules the role C(hypersender.whatsapp.verify_delivery) runs - M(hypersender.whatsapp.instance_canary) for
    a Hypersender instance, M(hypersender.whatsapp.cloud_canary) for each WhatsApp Cloud API number - decide; this
    filter only words what they say, naming the role's variables, and never prints the recipient's full number
    unless C(show_recipient) is true.
  - Given the role's settings before the modules ran (empty or undefined results), it says what is wrong with
    them (C(problems)) and what the canaries will do (C(plan)); given the modules' results, what was sent, to whom
    and how long each stage took (C(summary), C(line)), and on failure what went wrong and what to do (C(failure)).
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description:
      - The result M(hypersender.whatsapp.instance_canary) registered, or an empty dictionary before it ran (a skipped
        task's result counts as none, when no instance was given).
    type: dict
    required: true
  settings:
    description:
      - The role's variables, without the C(verify_delivery_) prefix - C(instance), C(to), C(wait_for), C(timeout),
        C(poll_interval), C(resend), C(show_recipient), C(receiver_host), C(receiver_port), C(receiver_path),
        C(receiver_authorization_given) (a boolean, never the secret), C(cloud_phone_number_ids),
        C(cloud_template_name), C(cloud_template_language), C(cloud_receiver_path) and C(cloud_app_secret_given) (a
        boolean).
    type: dict
    required: true
  cloud:
    description:
      - What M(hypersender.whatsapp.cloud_canary) registered in a loop over the Cloud API numbers (its C(results)), or a
        list of its results; none before it ran.
    type: raw
    default: null
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
    msg: >-
      {{ (verify_delivery_result | hypersender.whatsapp.delivery_report(settings, ansible_check_mode,
          cloud=verify_delivery_cloud_result | default(None))).summary }}
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
      description: One line per canary - what it will send, from where, to whom (masked), and what it waits for.
      type: list
      elements: str
    summary:
      description: Lines saying what each canary sent, to whom, through which instance or number, and each stage's time.
      type: list
      elements: str
    line:
      description: The summary in one line, for the deploy gate's summary.
      type: str
    failure:
      description: What went wrong and what to do for each canary that failed, naming the role's variables; empty when
        every canary passed.
      type: str
"""

import math
import re
from typing import Callable, NamedTuple, Optional

from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._reports import CONNECTION_OPTIONS

PREFIX = "verify_delivery"
STAGES = ("queued", "sent", "delivered", "read")
CLOUD_STAGES = ("accepted", "sent", "delivered", "read")
DIGITS = re.compile(r"^[1-9][0-9]{6,14}$")
GRAPH_ID = re.compile(r"^[0-9]{1,32}$")
TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
TEMPLATE_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(_[A-Za-z]{2,4})?$")
BOUNDS = (
    ("timeout", 1, 86400, False),
    ("receiver_port", 1, 65535, True),
)
# Only the Hypersender canary polls and resends.
HYPERSENDER_BOUNDS = (
    ("poll_interval", 0.1, 3600, False),
    ("resend", 0, 5, True),
)


def _bool(value):
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "on", "1")
    return bool(value)


def _var(name):
    return "%s_%s" % (PREFIX, name)


def _options_advice(result, service):
    """What to check when the module refused an option: the variable that set it (the module's action says which),
    a connection option's own variable, environment variable and module_defaults, else the role's variables."""
    advice = []
    for item in result.get("invalid_options") or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        if item.get("variable"):
            advice.append("check %s" % item["variable"])
        elif item["name"] in CONNECTION_OPTIONS:
            advice.append(
                "check whatsapp_%s_%s, its environment variable or module_defaults for group/hypersender.whatsapp.%s"
                % (service, item["name"], service)
            )
    if not advice and (result.get("reason") == "options" or result.get("invalid_options")):
        advice.append("check the role's variables (%s_*)" % PREFIX)
    return "; ".join(advice) or None


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


def _cloud_numbers(settings):
    """The Cloud API numbers the role sends from (one ID given as a string counts as a list of one)."""
    numbers = settings.get("cloud_phone_number_ids") or []
    if isinstance(numbers, (str, int)):
        numbers = [numbers]
    return [str(number).strip() for number in numbers] if isinstance(numbers, (list, tuple)) else [None]


def _bounds_problems(settings, bounds):
    found = []
    for name, low, high, integer in bounds:
        value = settings.get(name)
        number = _number(value, integer)
        if number is None or not low <= number <= high:
            kind = "a whole number" if integer else "a number"
            found.append("%s must be %s from %g to %g, got %s" % (_var(name), kind, low, high, value))
    return found


def problems(settings):
    """One sentence per role variable that is wrong; never the recipient's number or a secret."""
    found = []
    instance = str(settings.get("instance") or "").strip()
    numbers = _cloud_numbers(settings)
    if not instance and not numbers:
        found.append(
            "%s is empty and so is %s: nothing to prove; give the UUID or the name of the Hypersender instance that "
            "sends, and/or the IDs of the WhatsApp Cloud API numbers that send"
            % (_var("instance"), _var("cloud_phone_number_ids"))
        )
    if not DIGITS.match(_digits(settings.get("to"))):
        found.append(
            "%s must be the recipient's phone number with its country code, 7 to 15 digits (e.g. 201234567890)"
            % _var("to")
        )
    found.extend(_bounds_problems(settings, BOUNDS))
    if instance:
        found.extend(_bounds_problems(settings, HYPERSENDER_BOUNDS))
    if settings.get("wait_for") not in ("sent", "delivered", "read"):
        found.append("%s must be sent, delivered or read, got %s" % (_var("wait_for"), settings.get("wait_for")))
    elif instance and settings.get("wait_for") != "sent" and not _bool(settings.get("receiver_authorization_given")):
        found.append(
            "%s is needed to wait for %s: set it (or HYPERSENDER_WEBHOOK_AUTHORIZATION) to the Authorization value "
            "the instance's webhooks carry, or set %s to sent"
            % (_var("receiver_authorization"), settings["wait_for"], _var("wait_for"))
        )
    if numbers:
        found.extend(_cloud_problems(settings, numbers))
    return found


def _cloud_problems(settings, numbers):
    found = []
    if not all(number and GRAPH_ID.match(number) for number in numbers):
        found.append(
            "%s must be a list of the numbers' IDs (digits, as WhatsApp Manager shows them; not the phone numbers)"
            % _var("cloud_phone_number_ids")
        )
    for name, pattern, example in (
        ("cloud_template_name", TEMPLATE_NAME, "hello_world"),
        ("cloud_template_language", TEMPLATE_LANGUAGE, "en_US"),
    ):
        if not pattern.match(str(settings.get(name) or "")):
            found.append(
                "%s must be as WhatsApp Manager shows it (e.g. %s), got %s" % (_var(name), example, settings.get(name))
            )
    path = str(settings.get("cloud_receiver_path") or "")
    if not path.startswith("/") or re.search(r"[\s?#]", path):
        found.append("%s must be a URL path starting with /, got %s" % (_var("cloud_receiver_path"), path))
    if not _bool(settings.get("cloud_app_secret_given")):
        found.append(
            "%s is needed to trust the Cloud API numbers' status webhooks: set it (or WA_CLOUD_APP_SECRET) to the app "
            "secret of the app whose webhooks reach the receiver" % _var("cloud_app_secret")
        )
    return found


def _receiver(settings, path="receiver_path"):
    """Where the role's receiver listens: its host, port and the path of one canary's webhooks."""
    return "%s:%s%s" % (settings.get("receiver_host"), settings.get("receiver_port"), settings.get(path))


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


def _stages(result, names=STAGES):
    stages = result.get("stages") or {}
    return ", ".join(
        "%s %s" % (stage, "-" if stages.get(stage) is None else "%s s" % _seconds(stages[stage])) for stage in names
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
    if not result.get("sends"):
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
        return _failure(result, settings, HYPERSENDER)
    return "%s through instance %s to %s (message %s%s)" % (
        _reached(result),
        _instance(result, settings),
        to,
        result.get("message_id"),
        "" if result.get("sends") == 1 else ", sent %d times" % result["sends"],
    )


def _hypersender_advice(result):
    """What the role's user can change for a failure only the Hypersender canary has."""
    if result.get("reason") == "not_on_whatsapp":
        return "set %s to a number that has WhatsApp" % _var("to")
    return None


def _hypersender_sent(result, settings):
    return "%r to %s through instance %s" % (result.get("text"), result.get("to"), _instance(result, settings))


def _no_subject(result):  # pylint: disable=unused-argument
    """The Hypersender canary's failure names its instance in its own words."""
    return ""


# -- the Cloud API canary (cloud_canary), one result per number ------------------------------------------------------


def _cloud_results(cloud):
    """The cloud_canary results of a registered loop (``results``), a list, or one result; skipped ones left out."""
    if cloud in (None, ""):
        return []
    if isinstance(cloud, dict):
        cloud = cloud.get("results", [] if cloud.get("skipped") else [cloud])
    if not isinstance(cloud, list):
        raise AnsibleFilterError("delivery_report: cloud must be what cloud_canary registered (in a loop), or a list")
    return [item for item in cloud if isinstance(item, dict) and not item.get("skipped")]


def _template(result, settings):
    template = result.get("template") if isinstance(result.get("template"), dict) else {}
    return "%s (%s)" % (
        template.get("name") or settings.get("cloud_template_name"),
        template.get("language") or settings.get("cloud_template_language"),
    )


def cloud_plan(settings, number, check_mode):
    to = _masked(settings.get("to"), settings.get("show_recipient"))
    sent = "template %s from Cloud API phone number %s to %s" % (_template({}, settings), number, to)
    if check_mode:
        return "%s: check mode, nothing is sent: the %s is described" % (PREFIX, sent)
    return "%s: sending %s, then waiting up to %s s for it to be %s (statuses by webhook on %s)" % (
        PREFIX,
        sent,
        settings.get("timeout"),
        settings.get("wait_for"),
        _receiver(settings, "cloud_receiver_path"),
    )


def _number_of(result):
    return result.get("phone_number_id") or result.get("item") or "?"


def cloud_summary(result, settings, check_mode):
    check_mode = check_mode or bool(result.get("check_mode"))
    to = result.get("to") or _masked(settings.get("to"), settings.get("show_recipient"))
    template, number = _template(result, settings), _number_of(result)
    if check_mode and not result.get("failed"):
        return [
            "%s: CHECK MODE, nothing sent: would send template %s from phone number %s to %s and wait for %s"
            % (PREFIX, template, number, to, result.get("wait_for") or settings.get("wait_for"))
        ]
    if not result.get("sends"):
        return ["%s: nothing sent from phone number %s to %s" % (PREFIX, number, to)]
    head = "PASSED, %s" % _reached(result) if not result.get("failed") else "FAILED at stage %s" % result.get("stage")
    lines = [
        "%s: %s: phone number %s sent template %s to %s as message %s"
        % (PREFIX, head, number, template, to, result.get("message_id")),
        "  stages: %s" % _stages(result, CLOUD_STAGES),
    ]
    receiver = result.get("receiver")
    if isinstance(receiver, dict) and "accepted" in receiver:
        lines.append(
            "  webhooks on %s: %d accepted, %d refused for their signature, %d about something else"
            % (
                receiver.get("listened_on"),
                receiver.get("accepted", 0),
                receiver.get("unauthorized", 0),
                receiver.get("ignored", 0) + result.get("other_message_statuses", 0),
            )
        )
    return lines


def cloud_line(result, settings, check_mode):
    check_mode = check_mode or bool(result.get("check_mode"))
    to = result.get("to") or _masked(settings.get("to"), settings.get("show_recipient"))
    if check_mode and not result.get("failed"):
        return "would send template %s from phone number %s to %s and wait for %s" % (
            _template(result, settings),
            _number_of(result),
            to,
            result.get("wait_for") or settings.get("wait_for"),
        )
    if result.get("failed") or not result.get("sends"):
        return _failure(result, settings, CLOUD)
    return "%s from phone number %s to %s (message %s)" % (
        _reached(result),
        _number_of(result),
        to,
        result.get("message_id"),
    )


def _cloud_advice(result):
    """What the role's user can change for a failure only the Cloud API canary has."""
    code = (result.get("error") or {}).get("code") if isinstance(result.get("error"), dict) else None
    if result.get("reason") == "auth_failed":
        return (
            "set whatsapp_cloud_api_token (or WA_CLOUD_TOKEN, or api_token in module_defaults for "
            "group/hypersender.whatsapp.cloud) to a system user token with the whatsapp_business_messaging permission"
        )
    if code == 132001:
        return "set %s and %s to a template the account has" % (
            _var("cloud_template_name"),
            _var("cloud_template_language"),
        )
    if code in (131026, 131030):
        return "set %s to a number that can receive the canary" % _var("to")
    return None


def _cloud_sent(result, settings):
    return "template %s from phone number %s to %s" % (
        _template(result, settings),
        _number_of(result),
        result.get("to"),
    )


def _cloud_subject(result):
    return "phone number %s: " % _number_of(result)


# -- both --------------------------------------------------------------------------------------------------------------


class _Canary(NamedTuple):
    """What one canary's failure says in its own words; the rest of the sentence is the same for both."""

    service: str  # its whatsapp_<service>_* variables and module_defaults group
    stages: tuple
    subject: str  # what sends, and may be only slow
    subject_of: Callable[[dict], str]  # what the failure names before the problem
    sent: Callable[[dict, dict], str]  # what was sent, from where, to whom
    advice: Callable[[dict], Optional[str]]  # the advice for the failures only this canary has
    polled: tuple  # the stages the canary learns by polling: waiting for them needs no webhook
    callback: str  # where the subject's webhooks are set
    receiver_path: str  # the role variable (without prefix) of the path its webhooks reach
    secret: str  # the role variable (without prefix) the receiver checks its webhooks with
    secret_is: str  # what that variable must hold


HYPERSENDER = _Canary(
    service="hypersender",
    stages=STAGES,
    subject="instance",
    subject_of=_no_subject,
    sent=_hypersender_sent,
    advice=_hypersender_advice,
    polled=("sent",),
    callback="the instance's webhook_url",
    receiver_path="receiver_path",
    secret="receiver_authorization",
    secret_is="the exact Authorization value the instance's webhooks send",
)
CLOUD = _Canary(
    service="cloud",
    stages=CLOUD_STAGES,
    subject="number",
    subject_of=_cloud_subject,
    sent=_cloud_sent,
    advice=_cloud_advice,
    polled=(),
    callback="the number's callback URL",
    receiver_path="cloud_receiver_path",
    secret="cloud_app_secret",
    secret_is="the app secret of the app whose webhooks reach the receiver",
)


def _advice(result, settings, canary):
    """What the role's user can change, in its variables, for this kind of failure."""
    reason = result.get("reason")
    if reason == "receiver":
        return "choose a free %s (now %s) or another %s" % (
            _var("receiver_port"),
            settings.get("receiver_port"),
            _var("receiver_host"),
        )
    if reason == "options" or result.get("invalid_options"):
        return _options_advice(result, canary.service)
    own = canary.advice(result)
    if own or reason != "timed_out":
        return own
    receiver = result.get("receiver") if isinstance(result.get("receiver"), dict) else {}
    advice = []
    if receiver.get("unauthorized"):
        advice.append(
            "set %s to %s (%d request(s) were refused)"
            % (_var(canary.secret), canary.secret_is, receiver["unauthorized"])
        )
    elif settings.get("wait_for") not in canary.polled and not receiver.get("accepted"):
        advice.append(
            "make %s reach %s, %s and %s (%s)"
            % (
                canary.callback,
                _var("receiver_host"),
                _var("receiver_port"),
                _var(canary.receiver_path),
                _receiver(settings, canary.receiver_path),
            )
        )
    advice.append(
        "raise %s (now %s s) if the %s is only slow" % (_var("timeout"), settings.get("timeout"), canary.subject)
    )
    return "; ".join(advice)


def _failed_where(result):
    if result.get("stage"):
        return " at stage %s" % result["stage"]
    return "" if result.get("sends") else ", nothing sent"


def _failure(result, settings, canary):
    """What went wrong, what to do, and what was sent; empty when the canary passed."""
    if not result.get("failed"):
        return ""
    said = result.get("problem") or result.get("msg") or "the canary failed"
    text = "%s: FAILED%s: %s%s" % (PREFIX, _failed_where(result), canary.subject_of(result), said)
    if result.get("hint"):
        text += ": %s" % result["hint"]
    advice = _advice(result, settings, canary)
    if advice:
        text += "; %s" % advice
    if result.get("sends"):
        text += ". Sent %s; stages: %s" % (canary.sent(result, settings), _stages(result, canary.stages))
    return text


def _failed_if_said(result):
    """A canary registered with failed_when: false (the role fails once, with this report) still failed: a failure has
    its reason or the options it refused, or a message without a send outside check mode (refused before a send)."""
    refused = "msg" in result and "sends" not in result and not result.get("check_mode")
    if (result.get("reason") or result.get("invalid_options") or refused) and not result.get("failed"):
        return dict(result, failed=True)
    return result


def delivery_report(result, settings, check_mode=False, cloud=None):
    if result is None or result == "":
        result = {}
    if not isinstance(result, dict) or not isinstance(settings, dict):
        raise AnsibleFilterError("delivery_report: give instance_canary's result (or {}) and the role's settings")
    check_mode = bool(check_mode)
    hypersender = _failed_if_said(result) if result and not result.get("skipped") else None
    clouds = [_failed_if_said(item) for item in _cloud_results(cloud)]
    plans = [plan(settings, check_mode)] if str(settings.get("instance") or "").strip() else []
    plans += [cloud_plan(settings, number, check_mode) for number in _cloud_numbers(settings) if number]
    summaries, lines, failures = [], [], []
    if hypersender:
        summaries += summary(hypersender, settings, check_mode)
        lines.append(line(hypersender, settings, check_mode))
        failures.append(_failure(hypersender, settings, HYPERSENDER))
    for item in clouds:
        summaries += cloud_summary(item, settings, check_mode)
        lines.append(cloud_line(item, settings, check_mode))
        failures.append(_failure(item, settings, CLOUD))
    # The deploy gate's line: every canary's, or when some failed, only theirs (what failed, not what passed).
    failed_lines = [text for text, said in zip(lines, failures) if said]
    return {
        "problems": problems(settings),
        "plan": plans,
        "summary": summaries,
        "line": "; ".join(failed_lines or lines),
        "failure": " ".join(text for text in failures if text),
    }


class FilterModule:

    def filters(self):
        return {"delivery_report": delivery_report}
