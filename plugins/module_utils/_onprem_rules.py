# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WhatsApp Business On-Premises API: the verdict rules, pure functions of a parsed /v1/health answer.

No I/O here: _onprem.py reads the answer (login, /v1/health, the parser) and these rules judge it.
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, body_excerpt

GATEWAY_STATUSES = ("connected", "connecting", "disconnected", "uninitialized", "unregistered")
ROLES = ("primary_master", "secondary_master", "coreapp")
SINGLE, HA, MULTICONNECT, AUTO = "single", "ha", "multiconnect", "auto"
TOPOLOGIES = (AUTO, SINGLE, HA, MULTICONNECT)
# In a cluster the seed counts *connected* nodes; a coreapp still connecting carries no traffic yet.
DEFAULT_HEALTHY_STATUSES = {SINGLE: ("connected", "connecting"), HA: ("connected",), MULTICONNECT: ("connected",)}

# What a gateway_status means and what to do, after "The gateway" or "Node X (role)" (Meta's own words).
STATUS_HINTS = {
    "connecting": "is still connecting to the WhatsApp servers; it counts once it is connected (wait with wait=true)",
    "disconnected": "is disconnected: the Coreapp is not connected to the WhatsApp servers; check the Coreapp's logs "
    "and its network access to WhatsApp",
    "uninitialized": "is uninitialized: the application could be upgrading or initializing its database schema; retry in "
    "a few minutes (or wait with wait=true), and contact WhatsApp Support if it persists",
    "unregistered": "is unregistered: register the WhatsApp Business API client, see the Registration documentation",
}

# The topologies' names for people, returned as topology_name and printed by the roles and playbooks.
TOPOLOGY_NAMES = {SINGLE: "single instance", HA: "High Availability", MULTICONNECT: "Multiconnect"}

VERDICT_ARGUMENT_SPEC = dict(
    topology=dict(type="str", choices=list(TOPOLOGIES), default=AUTO),
    shards=dict(type="int"),
    healthy_statuses=dict(type="list", elements="str", choices=list(GATEWAY_STATUSES)),
)
VERDICT_OPTIONS = tuple(VERDICT_ARGUMENT_SPEC)
# shape: SINGLE or "cluster"; nodes: [{name, gateway_status, role}]; errors: sentences from an "errors" array beside health
Health = namedtuple("Health", "shape nodes errors", defaults=((),))


def validate_rules(options):
    """topology, shards and healthy_statuses from the options, checked; the keyword arguments of :func:`verdict`."""
    topology = options.get("topology") or AUTO
    shards = options.get("shards")
    statuses = options.get("healthy_statuses") or None
    if topology not in TOPOLOGIES:
        raise OptionError("topology must be one of %s, got %r" % (", ".join(TOPOLOGIES), body_excerpt(str(topology))))
    if shards is not None:
        if isinstance(shards, bool) or not isinstance(shards, int) or shards < 1:
            raise OptionError("shards must be a whole number of 1 or more, got %r" % (shards,))
        if topology in (SINGLE, HA):
            raise OptionError(
                "shards is for a Multiconnect deployment: use it with topology multiconnect or auto, not %s" % topology
            )
    if statuses is not None:
        statuses = [statuses] if isinstance(statuses, str) else list(statuses)
        unknown = [status for status in statuses if status not in GATEWAY_STATUSES]
        if unknown:
            raise OptionError(
                "healthy_statuses: unknown gateway_status %s; expected any of %s"
                % (", ".join(repr(s) for s in unknown), ", ".join(GATEWAY_STATUSES))
            )
    return {"topology": topology, "shards": shards, "healthy_statuses": statuses}


def applied_topology(shape, topology=AUTO, shards=None):
    if topology != AUTO:
        return topology
    return MULTICONNECT if shards else (SINGLE if shape == SINGLE else HA)


def contradiction(health, topology=AUTO, shards=None):
    """The sentence saying the answer's shape contradicts the expected topology, or None. Waiting cannot fix it."""
    expected = applied_topology(health.shape, topology, shards)
    if health.shape == SINGLE and expected != SINGLE:
        said = (
            "topology is %s" % expected
            if topology != AUTO
            else "shards is %d, so a Multiconnect deployment is expected" % shards
        )
        return (
            "%s, but GET /v1/health describes a single instance (gateway_status %s): check that api_url is the "
            "cluster's Webapp, or set topology to single or auto%s."
            % (said, body_excerpt(health.nodes[0]["gateway_status"]), " without shards" if shards else "")
        )
    if health.shape != SINGLE and expected == SINGLE:
        return (
            "topology is single, but GET /v1/health lists %d nodes (%s), as a High Availability or Multiconnect "
            "deployment does: set topology to ha, multiconnect or auto." % (len(health.nodes), _names(health.nodes))
        )
    return None


def _names(nodes, with_status=False):
    return ", ".join(
        body_excerpt(node["name"]) + (" %s" % body_excerpt(node["gateway_status"]) if with_status else "")
        for node in nodes
    )


def _subject(node):
    if not node["name"]:
        return "The gateway"
    return "Node %s (%s)" % (body_excerpt(node["name"]), body_excerpt(node["role"]) if node["role"] else "no role")


def _status_problem(node):
    status = node["gateway_status"]
    if status in STATUS_HINTS:
        return "%s %s." % (_subject(node), STATUS_HINTS[status])
    if status not in GATEWAY_STATUSES:
        return "%s reports gateway_status %r, which this collection does not know; it counts as not connected." % (
            _subject(node),
            body_excerpt(status),
        )
    return "%s is %s, which is not one of healthy_statuses." % (_subject(node), status)


def _ha_problems(coreapps, up_coreapps):
    if not coreapps:
        return [
            "No node has the role coreapp, but High Availability needs one connected coreapp: check that the "
            "coreapp containers run and that api_url is the cluster's Webapp."
        ]
    if not up_coreapps:
        return [
            "No coreapp is connected to the WhatsApp servers, but High Availability needs exactly one (%s)."
            % _names(coreapps, with_status=True)
        ]
    if len(up_coreapps) > 1:
        return [
            "%d coreapps are connected (%s), but High Availability has exactly one connected coreapp: check the "
            "masters' logs. If this is a Multiconnect deployment, set topology to multiconnect and shards to %d."
            % (len(up_coreapps), _names(up_coreapps), len(up_coreapps))
        ]
    return []


def _multiconnect_problems(nodes, coreapps, up_coreapps, shards, up):
    problems = []
    if not coreapps:
        problems.append(
            "No node has the role coreapp, but Multiconnect needs one connected coreapp per shard: check "
            "that the coreapp containers run and that api_url is the deployment's Webapp."
        )
    elif shards is None and not up_coreapps:
        problems.append(
            "No coreapp is connected to the WhatsApp servers, but Multiconnect needs one per shard (%s)."
            % _names(coreapps, with_status=True)
        )
    elif shards is not None and len(up_coreapps) < shards:
        problems.append(
            "%d of the %d coreapps that Multiconnect with %d shards needs %s connected (%s)."
            % (
                len(up_coreapps),
                shards,
                shards,
                "is" if len(up_coreapps) == 1 else "are",
                _names(coreapps, with_status=True),
            )
        )
    elif shards is not None and len(up_coreapps) > shards:
        problems.append(
            "%d coreapps are connected (%s), but shards is %d: set shards to the deployment's number of shards."
            % (len(up_coreapps), _names(up_coreapps), shards)
        )
    masters = [node for node in nodes if node["role"] == "primary_master"]
    if not masters:
        problems.append(
            "No node has the role primary_master, but in Multiconnect the primary master must be connected "
            "to the WhatsApp servers too: check the master containers."
        )
    elif not any(node["gateway_status"] in up for node in masters):
        problems.append(
            "The primary master (%s) is not connected, but in Multiconnect it must be connected to the "
            "WhatsApp servers too: check its logs and its network access to WhatsApp."
            % _names(masters, with_status=True)
        )
    return problems


def _cluster_problems(nodes, topology, shards, up):
    problems = [
        "Node %s reports %s, which this collection does not know (expected primary_master, secondary_master or "
        "coreapp), so the deployment cannot be judged healthy."
        % (
            body_excerpt(node["name"]),
            "no role" if node["role"] is None else "the role %r" % body_excerpt(node["role"]),
        )
        for node in nodes
        if node["role"] not in ROLES
    ]
    coreapps = [node for node in nodes if node["role"] == "coreapp"]
    up_coreapps = [node for node in coreapps if node["gateway_status"] in up]
    if topology == HA:
        problems += _ha_problems(coreapps, up_coreapps)
    else:
        problems += _multiconnect_problems(nodes, coreapps, up_coreapps, shards, up)
    if problems:  # say what the unusual statuses mean; disconnected standbys are normal and named above
        problems += [
            _status_problem(node)
            for node in nodes
            if node["gateway_status"] not in up and node["gateway_status"] not in ("disconnected", "connected")
        ]
    return problems


def verdict(health, topology=AUTO, shards=None, healthy_statuses=None):
    """The result of one /v1/health answer: a pure function of the parsed nodes and the rules.

    Returns ``topology`` (the one applied), ``topology_name`` (its name for people), ``nodes``, ``connected`` (nodes whose gateway_status is
    ``connected``), ``healthy``, ``problems`` (plain sentences, empty when healthy) and, for a single
    instance, ``gateway_status``.
    """
    applied = applied_topology(health.shape, topology, shards)
    up = tuple(healthy_statuses or DEFAULT_HEALTHY_STATUSES[applied])
    problem = contradiction(health, topology, shards)
    if problem:
        problems = [problem]
    elif applied == SINGLE:
        problems = [] if health.nodes[0]["gateway_status"] in up else [_status_problem(health.nodes[0])]
    else:
        problems = _cluster_problems(health.nodes, applied, shards, up)
    problems += ["GET /v1/health also returned an error: %s." % (error or "(no details)") for error in health.errors]
    report = {
        "topology": applied,
        "topology_name": TOPOLOGY_NAMES[applied],
        "nodes": [dict(node) for node in health.nodes],
        "connected": sum(1 for node in health.nodes if node["gateway_status"] == "connected"),
        "healthy": not problems,
        "problems": problems,
    }
    if health.shape == SINGLE:
        report["gateway_status"] = health.nodes[0]["gateway_status"]
    return report


def unknown_values(health):
    """Warnings for the status and role strings this collection does not know."""
    warnings = []
    for node in health.nodes:
        where = "node %s" % body_excerpt(node["name"]) if node["name"] else "the gateway"
        if node["gateway_status"] not in GATEWAY_STATUSES:
            warnings.append(
                "%s reports gateway_status %r, which this collection does not know; it counts as not connected"
                % (where, body_excerpt(node["gateway_status"]))
            )
        if health.shape != SINGLE and node["role"] not in ROLES:
            warnings.append(
                "%s reports %s, which this collection does not know"
                % (where, "no role" if node["role"] is None else "the role %r" % body_excerpt(node["role"]))
            )
    return warnings
