# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cloud_preflight_report
short_description: Word a cloud_preflight result as a role's lines, naming the role's variables
version_added: 0.2.0
description:
  - Turns the result of M(hypersender.whatsapp.cloud_preflight) into what a role prints - a summary, one line per
    failed or warned check (Meta's words, what to do, and the role variable that changes or leaves out the check),
    the failure message, and the clause a deploy gate's line adds when the token expires soon.
  - It decides nothing; RV(hypersender.whatsapp.cloud_preflight#module:ready) and each check's C(passed) and
    C(severity) are the module's.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  _input:
    description: The registered result of the cloud_preflight task (also a failed or skipped one).
    type: dict
    required: true
  role:
    description: The name the lines start with.
    type: str
    default: cloud_preflight
  variables:
    description:
      - Module option to the role variable that sets it (C(skip_checks), C(templates), C(fail_on_quality),
        C(token_expiry_warn_days), C(phone_number_ids), C(waba_id), C(enabled) for the role's switch); an option left
        out is named as the module's.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Print the preflight's failed and warned checks
  ansible.builtin.debug:
    msg: "{{ report.lines }}"
  vars:
    report: >-
      {{ preflight | hypersender.whatsapp.cloud_preflight_report(role='my_gate',
         variables={'skip_checks': 'my_gate_skip_checks', 'templates': 'my_gate_templates'}) }}
"""

RETURN = r"""
_value:
  description: What to print.
  type: dict
  contains:
    summary:
      description: One line - READY or NOT READY, how many checks failed or warned, and in how many Graph calls.
      type: str
    lines:
      description: The summary, then one line per failed check and per warning.
      type: list
      elements: str
    failure:
      description: The message of a fail task, the summary and every failed check; empty when ready.
      type: str
    token_clause:
      description: V(token expires in N days) when the token expiry check warns, else empty.
      type: str
"""

from ansible.errors import AnsibleFilterError

# The option a check's outcome depends on, besides skip_checks.
OPTION_OF = {
    "template": "templates",
    "number_quality": "fail_on_quality",
    "token_expiry": "token_expiry_warn_days",
    "number_found": "phone_number_ids",
    "token_waba_access": "waba_id",
}


def _line(check, role, names):
    kind = "FAILED" if check.get("severity") == "error" else "WARNING"
    text = "%s: %s %s, %s: %s" % (role, kind, check.get("name"), check.get("subject"), check.get("msg"))
    if check.get("hint"):
        text += ". To do: %s" % check["hint"]
    option = OPTION_OF.get(check.get("name"))
    knobs = (["see %s" % names(option)] if option else []) + [
        "to leave it out, add %s to %s" % (check.get("name"), names("skip_checks"))
    ]
    return text + " (%s)" % "; ".join(knobs)


def cloud_preflight_report(result, role="cloud_preflight", variables=None):
    if not isinstance(result, dict):
        raise AnsibleFilterError("cloud_preflight_report: give the registered result of a cloud_preflight task")
    variables = variables or {}

    def names(option):
        return variables.get(option, option)

    if result.get("skipped"):
        summary = "%s: preflight not run (%s is false)" % (role, names("enabled"))
        return {"summary": summary, "lines": [summary], "failure": "", "token_clause": ""}
    checks = [check for check in result.get("checks") or [] if isinstance(check, dict)]
    unpassed = [check for check in checks if not check.get("passed")]
    failed = [check for check in unpassed if check.get("severity") == "error"]
    warned = [check for check in unpassed if check.get("severity") != "error"]
    counts = "%d failed and %d warning%s in %s Graph call%s" % (
        len(failed),
        len(warned),
        "" if len(warned) == 1 else "s",
        result.get("calls", 0),
        "" if result.get("calls") == 1 else "s",
    )
    if result.get("failed"):
        summary = "%s: preflight could not finish, %s: %s" % (role, counts, result.get("msg", "no message"))
    elif result.get("ready"):
        summary = "%s: preflight READY, %d checks, %s" % (role, len(checks), counts)
    else:
        summary = "%s: preflight NOT READY, %s" % (role, counts)
    lines = [summary] + [_line(check, role, names) for check in failed + warned]
    ready = result.get("ready") and not result.get("failed")
    failure = "" if ready else " ".join([summary] + [_line(check, role, names) + "." for check in failed])
    expiry = [check for check in warned if check.get("name") == "token_expiry"]
    days = (result.get("token") or {}).get("days_left")
    token_clause = "token expires in %s day%s" % (days, "" if days == 1 else "s") if expiry and days is not None else ""
    return {"summary": summary, "lines": lines, "failure": failure, "token_clause": token_clause}


class FilterModule:

    def filters(self):
        return {"cloud_preflight_report": cloud_preflight_report}
