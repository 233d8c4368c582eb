# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the roles and playbooks print, worded from the modules' results: the one place of the gates' text.

A module decides (states, problems, hints, the outcome) and a role calls it, formats its result with the
filters built on this file, and prints. Roles name their own variables here: a module's option errors come
back as facts (``invalid_options``) and are said with the role's variables.
"""

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import format_seconds
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._preflight_report import preflight_report
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._table import table

# A role's variable for each option of its module (connection options: the service's variables).
ROLE_VARIABLES = {
    "wait_for_working": dict(
        instances="wait_for_working_instances",
        name="wait_for_working_name",
        wait_timeout="wait_for_working_timeout",
        wait_sleep="wait_for_working_poll_interval",
        progress_interval="wait_for_working_progress_interval",
        fail_on="wait_for_working_fail_on",
        restart="wait_for_working_restart",
        max_restarts="wait_for_working_max_restarts",
        show_qr="wait_for_working_show_qr",
        qr_dir="wait_for_working_qr_dir",
        rate_window="wait_for_working_rate_window",
    ),
    "verify_gateway": dict(
        topology="verify_gateway_topology",
        shards="verify_gateway_shards",
        healthy_statuses="verify_gateway_healthy_statuses",
        wait_timeout="verify_gateway_timeout",
        wait_sleep="verify_gateway_poll_interval",
        progress_interval="verify_gateway_progress_interval",
    ),
    "verify_cloud": dict(
        phone_number_id="verify_cloud_phone_number_ids",
        waba_id="verify_cloud_waba_id",
        allow_limited="verify_cloud_allow_limited",
        wait_timeout="verify_cloud_timeout",
        wait_sleep="verify_cloud_poll_interval",
        progress_interval="verify_cloud_progress_interval",
        # cloud_preflight's options (``enabled``: the role's switch)
        enabled="verify_cloud_preflight",
        phone_number_ids="verify_cloud_phone_number_ids",
        templates="verify_cloud_templates",
        skip_checks="verify_cloud_skip_checks",
        token_expiry_warn_days="verify_cloud_token_expiry_warn_days",
        app_token="verify_cloud_app_token",
    ),
}
ROLE_SERVICES = {"wait_for_working": "hypersender", "verify_gateway": "onprem", "verify_cloud": "cloud"}
# A value to show in an example of a role's number variable.
EXAMPLE_VALUES = {
    "timeout": "600",
    "poll_interval": "10",
    "progress_interval": "30",
    "max_restarts": "2",
    "shards": "2",
}

INSTANCE_COLUMNS = [
    {"key": "id", "header": "INSTANCE", "width": 36},
    {"key": "name", "header": "NAME", "width": 24, "truncate": True, "default": "-"},
    {"key": "status", "header": "STATUS", "width": 13},
    {"key": "ready", "header": "READY", "default": False},
]
ACTION_COLUMNS = [
    {"key": "id", "header": "INSTANCE", "width": 36},
    {"key": "name", "header": "NAME", "width": 24, "truncate": True},
    {"key": "restarts", "header": "RESTARTS", "width": 8, "align": "right"},
    {"key": "qr_shown", "header": "QR SHOWN", "width": 8, "align": "right"},
    {"key": "restart_error", "format": "restart failed: %s"},
]
NODE_COLUMNS = [
    {"key": "name", "header": "NODE", "width": 32, "default": "(single instance)"},
    {"key": "role", "header": "ROLE", "width": 16, "default": "-"},
    {"key": "gateway_status", "header": "GATEWAY STATUS", "default": "-"},
]
NUMBER_COLUMNS = [
    {"key": "id", "header": "PHONE NUMBER ID", "width": 18},
    {"key": "display_phone_number", "header": "NUMBER", "width": 20, "default": "-"},
    {"key": "can_send_message", "header": "CAN SEND", "width": 10, "default": "-"},
    {"key": "quality_rating", "header": "QUALITY", "width": 8, "default": "-"},
    {"key": "platform_type", "header": "PLATFORM", "width": 10, "default": "-"},
    {"key": "healthy", "header": "GATE", "labels": {True: "ok", False: "FAILS"}},
]


CONNECTION_OPTIONS = (
    "api_url",
    "api_token",
    "api_key",
    "api_version",
    "username",
    "password",
    "validate_certs",
    "ca_path",
    "timeout",
    "retries",
)


def role_variable(role, option):
    """The variable of ``role`` that sets its module's ``option`` (the option itself if the role has none)."""
    if option in ROLE_VARIABLES[role]:
        return ROLE_VARIABLES[role][option]
    if option in CONNECTION_OPTIONS:
        return "whatsapp_%s_%s" % (ROLE_SERVICES[role], option)
    return option


def option_problem(role, result):
    """A module's option errors said with the role's variables and the forms they expect, or None."""
    problems = [
        _option_problem(role, invalid, result.get("msg"))
        for invalid in result.get("invalid_options") or []
        if isinstance(invalid, dict) and invalid.get("name")
    ]
    return "; ".join(problems) or None


def _option_problem(role, invalid, message):
    """One option error: the variable that set it (the one the module's action read, else the role's)."""
    variable = invalid.get("variable") or role_variable(role, invalid["name"])
    if invalid.get("expected") is None:
        return "%s (set by %s)" % (message, variable)
    example = EXAMPLE_VALUES.get(variable[len(role) + 1 :]) if variable.startswith(role + "_") else None
    if role == "wait_for_working" and invalid["name"] == "instances":
        return "an item of %s is %r, not %s" % (variable, invalid.get("value"), invalid["expected"])
    return "%s is %r, expected %s%s" % (
        variable,
        invalid.get("value"),
        invalid["expected"],
        ", e.g. %s: %s" % (variable, example) if example else "",
    )


def after(result):
    """' after 3.2 s' for a result that waited, else ''."""
    return " after %.1f s" % result.get("elapsed", 0) if result.get("waited") else ""


def problems_block(problems):
    return ["Problems:"] + ["- %s" % problem for problem in problems] if problems else []


def report(role, passed, summary, failure="", line=""):
    """A role's report: whether the gate passed, the summary lines, the failure message, and the verdict in a few
    words (the deploy gate's summary line; its reason is said once, in the failure)."""
    return dict(role=role, passed=passed, summary=summary, failure="" if passed else failure, line=line)


def unread_in_check_mode(result, check_mode):
    """Whether a check-mode probe failed: check mode never fails a module on a verdict, so a failed result there is
    an error (a rejected credential, an unreachable API, a module that could not run), which fails the role too."""
    return bool(check_mode and result.get("failed"))


def error_report(role, result):
    """The report of a module call that decided nothing: an option error, or an error of the API."""
    reason = option_problem(role, result) or result.get("msg") or "the module gave no result"
    message = "%s: %s" % (role, reason)
    return report(role, False, ["%s: FAILED, %s" % (role, reason)], message, "no verdict")


# --- wait_for_working --------------------------------------------------------------------------------------------


def wait_for_working(result, check_mode=False):
    """The report of the wait_for_working role from fleet_heal's result."""
    role = "wait_for_working"
    if "outcome" not in result or result.get("invalid_options"):
        return error_report(role, result)
    # A gate that did not wait ran in check mode, which a play's check_mode: true may not show to its roles.
    check_mode = check_mode or result["outcome"] == "check_mode" or result.get("waited") is False
    passed = check_mode or result["outcome"] == "passed"
    counted = "%d of %d instances %sWORKING" % (
        len(result["ready"] if passed else result["not_ready"]),
        result["total"],
        "" if passed else "not ",
    )
    timing = " after %.1f s (%d polls)" % (result["elapsed"], result["polls"])
    if check_mode:
        headline = "%s: CHECK MODE, one probe and no waiting: %s" % (role, counted)
    elif result["total"]:
        headline = "%s: %s, %s%s" % (role, "PASSED" if passed else "FAILED", counted, timing)
    else:
        headline = "%s: FAILED, no instance matched%s%s" % (
            role,
            timing,
            "; last error: %s" % result["last_error"] if result.get("last_error") else "",
        )
    not_found = [item for item in result.get("not_ready_details", []) if item["status"] == "not found"]
    summary = [headline] + table(result.get("instances", []) + not_found, INSTANCE_COLUMNS) + heal_summary(result)
    line = counted + ("" if check_mode else timing)
    return report(role, passed, summary, fleet_failure(role, result), line)


def fleet_failure(role, result):
    """Why the instances are not ready: each with its status, the last error, and what to do, once per status."""
    details = result.get("not_ready_details") or []
    if not details:
        return "%s: %s" % (role, result.get("msg") or "no instance matched the selection before the deadline")
    stopped = {
        "missing": "(stopped at once: %d UUID(s) not in the account, which waiting cannot change):"
        % len(result.get("missing", [])),
        "failed": "(stopped at once: a status in %s_fail_on %s):" % (role, ", ".join(result.get("fail_on", []))),
        "timed_out": "after %s s:" % format_seconds(result.get("wait_timeout", 0)),
    }.get(result.get("outcome"), "")
    named = ", ".join(
        "%s%s %s" % (item["id"], " (%s)" % item["name"] if item.get("name") else "", item["status"]) for item in details
    )
    hints = {}
    for item in details:
        hints.setdefault(item["status"], item["hint"])
    message = "%s: %d of %d instances not WORKING %s %s." % (
        role,
        len(result["not_ready"]),
        result["total"],
        stopped,
        named,
    )
    if result.get("last_error"):
        message += " Last error while polling: %s." % result["last_error"].strip()
    message += " What to do: %s." % "; ".join("%s: %s" % pair for pair in hints.items())
    if result.get("outcome") == "timed_out":
        message += " To give them more time, raise %s_timeout." % role
    return " ".join(message.split())


def heal_summary(result):
    """What the self-healing did (or would do, in check mode): a line of counts and a table of the instances acted
    on; nothing when it did nothing."""
    acted = result.get("actions") or []
    would = result.get("outcome") == "check_mode" and (result.get("restarted") or result.get("qr"))
    if not acted and not would:
        return []
    check_note = ""
    if would:
        check_note = " (check mode: would restart %d%s)" % (
            len(result.get("restarted", [])),
            ", would show the QR code of %s" % result["qr"].get("name") if result.get("qr") else "",
        )
    headline = "wait_for_working: self-healing %s: %d restart(s) of %d instance(s), %d QR code(s) shown for %d " % (
        result.get("outcome"),
        sum(item["restarts"] for item in acted),
        len([item for item in acted if item["restarts"]]),
        sum(item["qr_shown"] for item in acted),
        len([item for item in acted if item["qr_shown"]]),
    )
    return [headline + "instance(s)" + check_note] + (table(acted, ACTION_COLUMNS) if acted else [])


def qr_lines(qr, label="wait_for_working"):
    """The headline, the drawing of a QR code to scan and a closing line, for the job log (the closing line ends the
    drawing for a reader or a log parser at once, not at the next output, which may come a minute later)."""
    headline = (
        "%s: QR code for instance %s (%s), valid for about %s s; scan it in WhatsApp, Settings > "
        "Linked devices. Whoever scans it links their WhatsApp account to this instance."
        % (label, qr.get("name"), qr.get("id"), qr.get("valid_for", 60))
    )
    if qr.get("path"):
        headline += " Also written to %s" % qr["path"]
    closing = "%s: end of the QR code of instance %s; waiting for it to be scanned" % (label, qr.get("name"))
    return [headline] + list(qr.get("text") or []) + [closing]


# --- verify_gateway ----------------------------------------------------------------------------------------------


def verify_gateway(result, check_mode=False):
    """The report of the verify_gateway role from onprem_health's result."""
    role = "verify_gateway"
    if result.get("invalid_options") or unread_in_check_mode(result, check_mode):
        return error_report(role, result)
    name, nodes, found = result.get("topology_name"), result.get("nodes") or [], result.get("problems") or []
    healthy = bool(result.get("healthy"))
    if check_mode:
        headline = "%s: CHECK MODE, one probe and no waiting: %s, %s, %d node(s)" % (
            role,
            "healthy" if healthy else "NOT healthy",
            name,
            len(nodes),
        )
    elif healthy:
        headline = "%s: PASSED, %s gateway healthy, %d node(s)%s" % (role, name, len(nodes), after(result))
    elif nodes or found:
        headline = "%s: FAILED, %s gateway not healthy%s" % (role, name, after(result))
    else:
        headline = "%s: FAILED, %s" % (role, result.get("msg") or "no result")
    if found:
        failure = "%s: the %s gateway is not healthy%s: %s" % (role, name, after(result), " ".join(found))
    else:
        failure = "%s: %s" % (role, result.get("msg") or "the gateway is not healthy")
    line = "%s, %s, %d node(s), %d connected" % (
        name,
        "healthy" if healthy else "NOT healthy",
        len(nodes),
        result.get("connected", 0),
    )
    summary = [headline] + (table(nodes, NODE_COLUMNS) if nodes else []) + problems_block(found)
    return report(role, healthy or check_mode, summary, failure, line)


# --- verify_cloud ------------------------------------------------------------------------------------------------


# cloud_health's outcome when it could not read the numbers, in words (a rejected token is not a number's state).
UNREAD = {
    "auth_failed": "the WhatsApp Cloud API rejected the access token",
    "permission_denied": "the access token may not read these numbers",
    "rate_limited": "the Graph API rate limited every read",
}


def verify_cloud(result, check_mode=False, preflight=None):
    """The report of the verify_cloud role from cloud_health's result, and cloud_preflight's when it ran."""
    role = "verify_cloud"
    if result.get("outcome") in UNREAD:
        reason = "%s: %s" % (UNREAD[result["outcome"]], result.get("msg", ""))
        failed = report(role, False, ["%s: FAILED, %s" % (role, reason)], "%s: %s" % (role, reason), "no verdict")
        return dict(failed, preflight_lines=[])
    if result.get("invalid_options") or unread_in_check_mode(result, check_mode):
        return dict(error_report(role, result), preflight_lines=[])
    numbers, found = result.get("numbers") or [], result.get("problems") or []
    healthy = bool(result.get("healthy"))
    if check_mode:
        headline = "%s: CHECK MODE, one read and no waiting: %s, %d number(s)" % (
            role,
            "every number can send" if healthy else "NOT every number can send",
            len(numbers),
        )
    elif healthy:
        headline = "%s: PASSED, %d number(s) can send (%s)%s" % (
            role,
            len(numbers),
            result.get("can_send_message"),
            after(result),
        )
    elif numbers or found:
        headline = "%s: FAILED, not every number can send%s" % (role, after(result))
    else:
        headline = "%s: FAILED, %s" % (role, result.get("msg") or "no result")
    if found:
        failure = "%s: not every WhatsApp Cloud API number can send%s: %s" % (role, after(result), " ".join(found))
    else:
        failure = "%s: %s" % (role, result.get("msg") or "the numbers could not be read")
    line = "%d of %d number(s) can send (%s)" % (
        len([number for number in numbers if number.get("healthy")]),
        len(numbers),
        result.get("can_send_message"),
    )
    summary = [headline] + (table(numbers, NUMBER_COLUMNS) if numbers else []) + problems_block(found)
    passed = healthy or check_mode
    if preflight and not preflight.get("skipped"):
        words = preflight_report(_said_failure(role, preflight), role, ROLE_VARIABLES[role])
        if passed and words["failure"] and not check_mode:
            passed, failure, line = False, words["failure"], words["summary"]
        elif words["token_clause"]:
            line += ", " + words["token_clause"]
        return dict(report(role, passed, summary, failure, line), preflight_lines=words["lines"])
    return dict(report(role, passed, summary, failure, line), preflight_lines=[])


def _said_failure(role, result):
    """A module result registered with failed_when: false that failed (it has a msg then), as a failed one; its
    option errors said with the role's variables."""
    if not result.get("msg") or result.get("failed"):
        return result
    return dict(result, failed=True, msg=option_problem(role, result) or result["msg"])


def preflight_switch(switch, waba_id, role="verify_cloud"):
    """Whether a role's preflight runs: ``switch`` auto (when the WABA is known), true (it must be) or false;
    ``problem``: why the role must stop before any request, or ''."""
    variable = ROLE_VARIABLES[role]["enabled"]
    if str(switch).strip().lower() == "auto":
        return {"run": bool(waba_id), "problem": ""}
    try:
        enabled = boolean(switch, strict=True)
    except TypeError:
        return {"run": False, "problem": "%s: %s is %r, expected auto, true or false" % (role, variable, switch)}
    if enabled and not waba_id:
        return {
            "run": False,
            "problem": "%s: %s is true but the preflight needs the WhatsApp Business Account: set %s (or "
            "WA_CLOUD_WABA_ID), or set %s to auto or false"
            % (role, variable, ROLE_VARIABLES[role]["waba_id"], variable),
        }
    return {"run": enabled, "problem": ""}


GATES = {"wait_for_working": wait_for_working, "verify_gateway": verify_gateway, "verify_cloud": verify_cloud}


# --- the playbooks -----------------------------------------------------------------------------------------------

# The deploy gate's gates: its switch, its role, its name in the failure, its label in the summary, its credential
# (None: the delivery canary, which runs only when asked and once the status gates passed).
DEPLOY_GATES = (
    ("hypersender", "wait_for_working", "Hypersender", "Hypersender instances:", "HYPERSENDER_API_TOKEN"),
    ("onprem", "verify_gateway", "On-Premises", "On-Premises gateway:  ", "WA_ONPREM_URL"),
    ("cloud", "verify_cloud", "Cloud API", "Cloud API numbers:    ", "WA_CLOUD_TOKEN"),
    ("delivery", "verify_delivery", "Delivery", "Delivery canary:      ", None),
)


def deploy_gate(reports, switches, check_mode=False):
    """The deploy gate's summary and failure from the roles' reports (``reports``: gate -> report, or None for a
    gate that did not run) and its switches (gate -> true, false or auto)."""
    lines, failures = [], []
    for gate, dummy, name, label, credential in DEPLOY_GATES:
        found = reports.get(gate)
        if credential is None and not found:
            if switches.get(gate) is True or str(switches.get(gate)).lower() == "true":
                lines.append("%s not run, a status gate failed" % label)
        elif not found:
            why = "no %s" % credential if switches.get(gate) == "auto" else "deploy_gate_%s is false" % gate
            lines.append("%s not checked (%s)" % (label, why))
        elif not found.get("passed", not found.get("failure")):
            # the verdict in a few words; its reason is said once, in the failure
            lines.append("%s FAILED, %s" % (label, found["line"]))
            failures.append("%s: %s" % (name, found["failure"]))
        else:
            lines.append("%s %s %s" % (label, "CHECK MODE, not waited:" if check_mode else "PASSED,", found["line"]))
    verdict = "FAILED" if failures else "CHECK MODE (nothing waited for)" if check_mode else "PASSED"
    failure = "deploy_gate: FAILED. %s" % " ".join(failures) if failures else ""
    return dict(summary=["DEPLOY GATE: %s" % verdict] + lines, failure=failure)


# What the fleet report holds of each module's result, once read: a section per service.
def _read(result, decided):
    """A section's start: not checked (skipped), an error (the module decided nothing), or None (read)."""
    if not result or result.get("skipped"):
        return {"checked": False}
    if not decided:
        return {"checked": True, "error": result.get("msg") or "no result"}
    return None


def fleet_report(results, path, generated_at):
    """The fleet_report playbook's data (its JSON file and Markdown template), summary lines and failure message,
    from the results of instance_info (``hypersender``), onprem_health (``onprem``) and cloud_health (``cloud``)."""
    hs, op, cl = (results.get(name) or {} for name in ("hypersender", "onprem", "cloud"))
    hypersender = _read(hs, "count" in hs) or dict(
        checked=True,
        count=hs["count"],
        by_status=hs["by_status"],
        instances=sorted(hs["instances"], key=lambda item: (item.get("status") or "", item.get("name") or "")),
    )
    onprem = _read(op, "topology" in op) or dict(
        checked=True,
        topology=op.get("topology"),
        topology_name=op.get("topology_name"),
        healthy=op.get("healthy"),
        gateway_status=op.get("gateway_status"),
        nodes=op.get("nodes"),
        problems=op.get("problems"),
    )
    cloud = _read(cl, cl.get("numbers") or cl.get("problems")) or dict(
        checked=True,
        healthy=cl.get("healthy"),
        can_send_message=cl.get("can_send_message"),
        numbers=cl.get("numbers"),
        problems=cl.get("problems"),
    )
    data = dict(generated_at=generated_at, hypersender=hypersender, onprem=onprem, cloud=cloud)
    sections = (("Hypersender", hypersender), ("On-Premises", onprem), ("Cloud API", cloud))
    errors = ["%s: %s" % (name, section["error"]) for name, section in sections if "error" in section]
    failure = "fleet_report: the report is written, but %s" % "; ".join(errors) if errors else ""
    return dict(data=data, summary=fleet_summary(data, path), failure=failure)


def fleet_summary(data, path):
    hs, op, cl = data["hypersender"], data["onprem"], data["cloud"]
    lines = ["FLEET REPORT written to %s.md and .json" % path]
    if not hs["checked"]:
        lines.append("Hypersender: not checked (no HYPERSENDER_API_TOKEN)")
    elif "error" in hs:
        lines.append("Hypersender: ERROR %s" % hs["error"])
    else:
        counts = ", ".join("%d %s" % (count, status) for status, count in hs["by_status"].items() if count)
        lines.append("Hypersender: %d instance(s)%s" % (hs["count"], ": " + counts if counts else ""))
    if not op["checked"]:
        lines.append("On-Premises: not checked (no WA_ONPREM_URL)")
    elif "error" in op:
        lines.append("On-Premises: ERROR %s" % op["error"])
    else:
        lines.append(
            "On-Premises: %s, %s"
            % (op["topology_name"] or "unknown topology", "healthy" if op["healthy"] else "NOT healthy")
        )
        lines += [
            "node %-32s  %-16s  %s"
            % (node["name"] or "(single instance)", node["role"] or "-", node["gateway_status"] or "-")
            for node in op["nodes"]
        ]
        lines += ["problem: %s" % problem for problem in op["problems"]]
    if not cl["checked"]:
        lines.append("Cloud API: not checked (no WA_CLOUD_TOKEN)")
    elif "error" in cl:
        lines.append("Cloud API: ERROR %s" % cl["error"])
    else:
        lines.append(
            "Cloud API: %d of %d number(s) can send (%s)"
            % (len([n for n in cl["numbers"] if n.get("healthy")]), len(cl["numbers"]), cl["can_send_message"])
        )
        lines += [
            "number %-18s  %-20s  %-10s  %-8s  %s"
            % (
                number["id"],
                number.get("display_phone_number") or "-",
                number.get("can_send_message"),
                number.get("quality_rating") or "-",
                number.get("platform_type") or "-",
            )
            for number in cl["numbers"]
        ]
        lines += ["problem: %s" % problem for problem in cl["problems"]]
    return [line.rstrip() for line in lines]
