# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Status changes from successive instance lists: the rules of the instance_status event source.

Pure code, no I/O and no clock of its own: the event source polls, this
module says which events one poll's list makes.
"""

from __future__ import annotations

import datetime

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    MAX_RETRIES,
    MAX_TIMEOUT,
    OptionError,
    validate_number,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    DEFAULT_API_URL,
    TOKEN_ENV,
    URL_ENV,
    validate_filters,
)

DEFAULT_INTERVAL = 30.0
DEFAULT_ERROR_THRESHOLD = 3
DEFAULT_MAX_BACKOFF = 300.0
# The source's own retry loop backs off between polls: one quick retry inside a poll is enough.
DEFAULT_SOURCE_RETRIES = 1
DEFAULT_SOURCE_TIMEOUT = 10.0
# Bounds of the source's numbers: an interval or a backoff above a day is a mistake, as is an error threshold that
# would never be reached.
MAX_INTERVAL = 86400.0
MAX_ERROR_THRESHOLD = 100000

SOURCE_OPTIONS = (
    "api_url",
    "api_token",
    "validate_certs",
    "ca_path",
    "timeout",
    "retries",
    "interval",
    "initial_snapshot",
    "error_threshold",
    "max_backoff",
    "uuid",
    "name",
    "phone",
    "status",
)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def status_event(instance, previous_status, status, changed_at, initial=False):
    """One event: what ansible-rulebook hands to the rules as ``event.hypersender``."""
    event = {
        "instance": {key: value for key, value in instance.items() if key != "access_token"},
        "previous_status": previous_status,
        "status": status,
        "changed_at": changed_at,
    }
    if initial:
        event["initial"] = True
    return {"hypersender": event}


class StatusTracker:
    """Remembers the last status of each instance; :meth:`update` returns the events of one poll.

    * The first list is the baseline: no event, or one per instance (``previous_status`` null,
      ``initial: true``) with ``initial_snapshot``.
    * Later, one event per instance whose status differs from the last list; an instance that
      appears has ``previous_status`` null, one that is no longer listed has ``status`` null.
    """

    def __init__(self, initial_snapshot=False):
        self.initial_snapshot = initial_snapshot
        self.known = None  # uuid -> (status, instance)

    def update(self, instances, changed_at):
        current = {item["id"]: item for item in instances}
        if self.known is None:
            self.known = current
            if not self.initial_snapshot:
                return []
            return [status_event(item, None, item["status"], changed_at, initial=True) for item in instances]
        events = []
        for uuid, item in current.items():
            before = self.known.get(uuid)
            previous = before["status"] if before is not None else None
            if previous != item["status"]:
                events.append(status_event(item, previous, item["status"], changed_at))
        for uuid, before in self.known.items():
            if uuid not in current:
                events.append(status_event(before, before["status"], None, changed_at))
        self.known = current
        return events


def error_event(error, failures, since):
    """The event sent when ``failures`` polls in a row have failed."""
    return {
        "hypersender": {
            "error": {
                "message": str(error),
                "type": type(error).__name__,
                "http_status": getattr(error, "status", None),
                "retryable": bool(getattr(error, "retryable", False)),
                "failures": failures,
                "since": since,
            }
        }
    }


def recovered_event(failures, since, now):
    return {"hypersender": {"recovered": {"failures": failures, "since": since, "at": now}}}


def backoff(failures, interval, max_backoff, rand):
    """Seconds before the next poll after ``failures`` failed polls in a row: the interval, doubled each time,
    capped at ``max_backoff``, the last quarter random (so that many sources do not retry in step)."""
    delay = min(max_backoff, interval * (2 ** min(failures - 1, 30)))
    return delay * (0.75 + 0.25 * rand())


def _number(args, name, default, minimum, maximum, integer=False):
    """A finite number in range (NaN and infinities refused), as :func:`_client.validate_number` checks a module's."""
    value = args.get(name, default)
    if isinstance(value, bool):
        raise OptionError("%s must be a number, got %r" % (name, value))
    return validate_number(value, name, minimum, maximum, integer=integer)


def _bool(args, name, default):
    value = args.get(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise OptionError("%s must be true or false, got %r" % (name, value))


def source_settings(args, environ):
    """The event source's arguments, checked, with the environment fallbacks; raises :class:`OptionError`.

    Keys starting with ``eda_`` are ansible-rulebook's own (e.g. its feedback queue) and are ignored.
    """
    args = dict(args or {})
    unknown = sorted(key for key in args if key not in SOURCE_OPTIONS and not str(key).startswith("eda_"))
    if unknown:
        raise OptionError(
            "unknown argument(s) %s; the arguments are %s" % (", ".join(unknown), ", ".join(SOURCE_OPTIONS))
        )
    settings = {
        "api_url": args.get("api_url") or environ.get(URL_ENV) or DEFAULT_API_URL,
        "api_token": args.get("api_token") or environ.get(TOKEN_ENV),
        "validate_certs": _bool(args, "validate_certs", True),
        "ca_path": args.get("ca_path"),
        "timeout": _number(args, "timeout", DEFAULT_SOURCE_TIMEOUT, 0.001, MAX_TIMEOUT),
        "retries": _number(args, "retries", DEFAULT_SOURCE_RETRIES, 0, MAX_RETRIES, integer=True),
        "interval": _number(args, "interval", DEFAULT_INTERVAL, 0.001, MAX_INTERVAL),
        "initial_snapshot": _bool(args, "initial_snapshot", False),
        "error_threshold": _number(
            args, "error_threshold", DEFAULT_ERROR_THRESHOLD, 1, MAX_ERROR_THRESHOLD, integer=True
        ),
        "max_backoff": _number(args, "max_backoff", DEFAULT_MAX_BACKOFF, 0.001, MAX_INTERVAL),
    }
    if settings["max_backoff"] < settings["interval"]:
        raise OptionError(
            "max_backoff (%s) must not be less than interval (%s)" % (settings["max_backoff"], settings["interval"])
        )
    settings["filters"] = validate_filters(args)
    return settings
