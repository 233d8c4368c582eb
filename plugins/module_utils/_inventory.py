# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure rules of the instances inventory: host names, group names, host variables.

No Ansible import here: the inventory plugin marks the values unsafe and adds
them; these functions only decide what they are.
"""

from __future__ import annotations

import re

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError

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
_UNSAFE_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]+")
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def safe_name(text):
    """``text`` reduced to letters, digits, ``_``, ``.`` and ``-``; '' when nothing usable is left.

    Each run of other characters becomes one ``_``; ``_`` at either end is dropped.
    """
    cleaned = _UNSAFE_CHARACTERS.sub("_", str(text or "")).strip("_")
    return "" if not cleaned.strip("_.-") else cleaned


def safe_group_name(text):
    """A group name Ansible accepts without a warning: letters, digits and ``_``, lower case."""
    return re.sub(r"[^a-z0-9_]", "_", str(text).lower())


def host_names(instances, source="name"):
    """One unique, safe host name per instance, in order.

    The name comes from the field ``source``; an instance without a usable
    value there is named by its UUID. When two instances would get the same
    name, each one after the first gets ``_`` and the first 8 characters of
    its UUID appended (then the whole UUID if that is taken too).  Returns the
    names and the list of ``(name, uuid)`` pairs that were renamed.
    """
    if source not in HOSTNAME_SOURCES:
        raise OptionError("hostname_source must be one of %s, got %r" % (", ".join(HOSTNAME_SOURCES), source))
    field = "id" if source == "uuid" else source
    taken = set()
    names = []
    renamed = []
    for item in instances:
        uuid = safe_name(item["id"]) or "instance"
        name = safe_name(item.get(field)) or uuid
        if name in taken:
            for candidate in ("%s_%s" % (name, uuid[:8]), "%s_%s" % (name, uuid)):
                if candidate not in taken:
                    break
            else:
                number = 2
                while "%s_%s_%d" % (name, uuid, number) in taken:
                    number += 1
                candidate = "%s_%s_%d" % (name, uuid, number)
            renamed.append((candidate, item["id"]))
            name = candidate
        taken.add(name)
        names.append(name)
    return names, renamed


def host_variables(instance, prefix="hypersender_", access_token_var=None):
    """The host variables of one instance: ``<prefix>uuid``, ``<prefix>name``... and, if asked, the access token."""
    variables = {prefix + name: instance.get(field) for name, field in HOST_FIELDS}
    if access_token_var:
        variables[access_token_var] = instance.get("access_token")
    return variables


def status_group(status, prefix="hypersender_"):
    return safe_group_name(prefix + str(status))


def check_variable_name(value, option):
    if value in (None, ""):
        return value
    if not _VARIABLE_NAME.match(str(value)):
        raise OptionError(
            "%s %r is not a valid variable name (letters, digits and _, not starting with a digit)" % (option, value)
        )
    return value
