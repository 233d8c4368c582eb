# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""cloud_preflight's result in words (the cloud_preflight_report filter and the verify_cloud gate's report): it decides
nothing; ready and each check's passed and severity are the module's."""

from __future__ import annotations

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


def preflight_report(result, role="cloud_preflight", variables=None):
    """The lines, failure and token clause of a cloud_preflight result (``variables``: option -> role variable)."""
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
