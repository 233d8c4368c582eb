# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure rules of the instances inventory: host names, group names, host variables, options, the cache key.

No Ansible import here: the inventory plugin marks the values unsafe and adds
them; these functions only decide what they are.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, body_excerpt
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import STATUSES

HOSTNAME_SOURCES = ("name", "uuid", "phone")
# Host variables: prefix + field name; "uuid" carries the instance's id.
HOST_FIELDS = (
    ("uuid", "id"),
    ("name", "name"),
    ("phone", "phone"),
    ("status", "status"),
    ("service_type", "service_type"),
    ("created_at", "created_at"),
)
# The group (after the prefix) of every instance, and of the instances whose status this collection does not know.
ALL_INSTANCES = "instances"
UNKNOWN_STATUS = "unknown_status"
# Host names that would turn Ansible's implicit localhost into an instance.
LOCALHOST_NAMES = ("localhost", "127.0.0.1")
# Among duplicate rows of one id, the row kept is the worst: FAILED, then any status but WORKING, then WORKING.
_BADNESS = {"FAILED": 2, "WORKING": 0}
_UNSAFE_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]+")
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# What Ansible needs to see a template: a brace ({{ }}, {% %}, {# #}) or Jinja's header that redefines them.
_TEMPLATE_CHARACTERS = re.compile(r"[{}]|#jinja2:")
# A warning names at most this many instances.
MAX_NAMED = 10


def safe_name(text):
    """``text`` reduced to letters, digits, ``_``, ``.`` and ``-``; '' when nothing usable is left.

    Each run of other characters becomes one ``_``; ``_`` at either end is dropped.
    """
    cleaned = _UNSAFE_CHARACTERS.sub("_", str(text or "")).strip("_")
    return "" if not cleaned.strip("_.-") else cleaned


def safe_group_name(text):
    """A group name Ansible accepts without a warning: letters, digits and ``_``, lower case."""
    return re.sub(r"[^a-z0-9_]", "_", str(text).lower())


def status_group(status, prefix="hypersender_"):
    """The group of the instances in ``status``: ``<prefix><status>`` in lower case for the documented statuses.

    Every other status shares ``<prefix>unknown_status``, so that no text from the API can name a group that
    means something else (``working``, ``Failed `` or ``instances`` would otherwise join those groups).
    """
    return safe_group_name(prefix + (status if status in STATUSES else UNKNOWN_STATUS))


def plugin_groups(prefix="hypersender_"):
    """Every group this plugin makes, whatever the API says: the status groups and the group of all instances."""
    return (
        [safe_group_name(prefix + ALL_INSTANCES)]
        + [status_group(status, prefix) for status in STATUSES]
        + [status_group(UNKNOWN_STATUS, prefix)]
    )


def unknown_status_warnings(instances, prefix="hypersender_"):
    """One warning per status this collection does not know, naming the group its instances are in."""
    seen = {}
    for item in instances:
        if item["status"] not in STATUSES:
            seen.setdefault(item["status"], []).append(item["id"])
    return [
        "%d instance(s) report status %r, which this collection does not know; they are in the group %s: %s"
        % (len(ids), body_excerpt(status), status_group(status, prefix), _named(ids))
        for status, ids in seen.items()
    ]


def could_be_template(value):
    """True for a string Jinja could see a template in; only those need to be marked unsafe."""
    return isinstance(value, str) and bool(_TEMPLATE_CHARACTERS.search(value))


def _badness(item):
    return (_BADNESS.get(item["status"], 1), json.dumps(item, sort_keys=True, default=str))


def merge_duplicate_ids(instances):
    """One row per id (compared without case), in the order first listed; for an id listed more than once, the
    worst row (FAILED, then any status but WORKING, then WORKING; ties broken by the row's content, so the choice
    does not depend on the API's order). Returns the rows and one warning per id listed more than once."""
    rows, order = {}, []
    for item in instances:
        key = item["id"].lower()
        if key not in rows:
            order.append(key)
        rows.setdefault(key, []).append(item)
    warnings = []
    for key in order:
        if len(rows[key]) > 1:
            kept = max(rows[key], key=_badness)
            warnings.append(
                "GET /instances lists instance %s %d times (statuses: %s); its host is made from the row with "
                "status %s, the worst of them"
                % (
                    body_excerpt(kept["id"]),
                    len(rows[key]),
                    ", ".join(sorted(body_excerpt(item["status"]) for item in rows[key])),
                    body_excerpt(kept["status"]),
                )
            )
            rows[key] = [kept]
    return [rows[key][0] for key in order], warnings


def uuid_host_name(uuid):
    """The host name of an instance named by its UUID: the UUID itself (a UUID is a safe host name), or for an
    id that is not safe as it is, ``instance_`` and the start of its SHA-256 (so that two ids never share one)."""
    uuid = str(uuid)
    if uuid and safe_name(uuid) == uuid:
        return uuid
    return "instance_" + hashlib.sha256(uuid.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _named(ids):
    shown = ", ".join(body_excerpt(uuid) for uuid in ids[:MAX_NAMED])
    return shown + (" and %d more" % (len(ids) - MAX_NAMED) if len(ids) > MAX_NAMED else "")


def host_names(instances, source="name", groups=()):
    """One unique, safe host name per instance (one row per id: see :func:`merge_duplicate_ids`), in order.

    An instance is named by the field ``source`` made safe (:func:`safe_name`), unless that name is empty, is
    in ``groups``, is ``localhost``, is shared with another instance, or is the UUID of another instance: then
    it is named by its UUID (:func:`uuid_host_name`). The names therefore do not depend on the order of the
    list, and no host name is a group name. Returns the names and the warnings about the names not used.
    Raises :class:`OptionError` if a UUID itself is a group name (only a configuration can do that).
    """
    if source not in HOSTNAME_SOURCES:
        raise OptionError("hostname_source must be one of %s, got %r" % (", ".join(HOSTNAME_SOURCES), source))
    field = "id" if source == "uuid" else source
    groups = set(groups)
    fallbacks = [uuid_host_name(item["id"]) for item in instances]
    wanted = [safe_name(item.get(field)) or fallback for item, fallback in zip(instances, fallbacks)]
    wanted_by = {}
    for position, name in enumerate(wanted):
        wanted_by.setdefault(name, []).append(position)
    fallback_of = {name: position for position, name in enumerate(fallbacks)}
    names, warnings = [], []
    for position, (name, fallback) in enumerate(zip(wanted, fallbacks)):
        sharing = wanted_by[name]
        if name in groups:
            reason = "which is also the name of a group"
        elif name in LOCALHOST_NAMES:
            reason = "which would make it Ansible's localhost"
        elif fallback_of.get(name, position) != position:
            reason = "which is the UUID of another instance"
        elif len(sharing) > 1:
            if position == sharing[0]:
                warnings.append(
                    "%d instances would have the host name %r (%s); each of their hosts is named by its UUID"
                    % (len(sharing), name, _named([instances[other]["id"] for other in sharing]))
                )
            name = fallback
            reason = None
        else:
            reason = None
        if reason:
            warnings.append(
                "instance %s would have the host name %r, %s; its host is named by its UUID"
                % (body_excerpt(instances[position]["id"]), name, reason)
            )
            name = fallback
        if name in groups:
            raise OptionError(
                "the host name %r of instance %s is also the name of a group (from keyed_groups, groups or another "
                "inventory source): give those groups a prefix" % (name, body_excerpt(instances[position]["id"]))
            )
        names.append(name)
    return names, warnings


def host_variables(instance, prefix="hypersender_", access_token_var=None):
    """The host variables of one instance: ``<prefix>uuid``, ``<prefix>name``... and, if asked, the access token."""
    variables = {prefix + name: instance.get(field) for name, field in HOST_FIELDS}
    if access_token_var:
        variables[access_token_var] = instance.get("access_token")
    return variables


def check_variable_name(value, option):
    if value in (None, ""):
        return value
    if not _VARIABLE_NAME.match(str(value)):
        raise OptionError(
            "%s %r is not a valid variable name (letters, digits and _, not starting with a digit)" % (option, value)
        )
    return value


def check_known_options(config, known, path):
    """Raise :class:`OptionError` naming each key of the configuration file that is not an option."""
    unknown = sorted(str(key) for key in config if key not in known)
    if not unknown:
        return
    described = []
    for key in unknown:
        close = difflib.get_close_matches(key, sorted(known), n=1)
        described.append("%r%s" % (key, " (did you mean %r?)" % close[0] if close else ""))
    raise OptionError(
        "%s: unknown option%s %s; the options are: %s"
        % (path, "s" if len(unknown) > 1 else "", ", ".join(described), ", ".join(sorted(known)))
    )


def cache_scope(api_url, api_token, filters):
    """What a cache entry is valid for, as a digest: the API, the credentials and the filters.

    Another token (a wrong one too) never reads the list cached for this one, and the token is not in the key:
    only 16 hex characters of a SHA-256 over the three.
    """
    scope = json.dumps([api_url, api_token, filters], sort_keys=True)
    return hashlib.sha256(scope.encode("utf-8", "surrogatepass")).hexdigest()[:16]
