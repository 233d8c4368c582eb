# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The stage machine every delivery canary shares: send one message, follow it through its stages, each with its
time, until the awaited stage, a failure that ends the run at once, or the deadline.

A run's first stage is the send's own (Hypersender queued it, Meta accepted it); the later ones come back from the
messaging service (by polling or by webhook). A later stage implies the earlier ones by then, so events that arrive
out of order still give each stage its earliest time. The events come from an event source with
``next_event(timeout)`` returning ``(arrival time, event)`` or None - the webhook receiver - without a single
request. :class:`_instance_canary.InstanceCanary` (Hypersender) and :class:`_cloud_canary.CloudCanary` (the Cloud
API) are the two canaries; this module also checks the receiver's options for both.
"""

from __future__ import annotations

import re
import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, body_excerpt
from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import (
    ReceiverError,
    WebhookReceiver,
)

WAIT_FOR = ("sent", "delivered", "read")
DONE, FAILED_AT_ONCE, TIMED_OUT = "done", "failed", "timed_out"

# Advice both canaries give when a message went out but the recipient's phone did not confirm it, or nobody read it.
SERVER_ONLY_HINT = (
    "WhatsApp's server has the message but the recipient's phone did not confirm it: the recipient's phone may be "
    "offline or may have blocked the number; send the canary to a number whose phone is always online, or wait longer"
)
NOT_READ_HINT = (
    "nothing reads the chat: waiting for read needs the recipient to open it with read receipts on; wait for "
    "delivered instead, or have the canary's recipient read it"
)


def since(moment, start):
    """Seconds from ``start`` to ``moment``, rounded to the millisecond; None for a moment that never came."""
    return None if moment is None else round(max(0.0, moment - start), 3)


class CanaryOutcome:
    """How a run ended (``state`` DONE, FAILED_AT_ONCE or TIMED_OUT), with everything the result shows.

    ``reason`` names a failure's kind for callers that word their own advice (each canary documents its own).
    """

    def __init__(self, state, report, problem=None, hint=None, reason=None):
        self.state = state
        self.report = report
        self.problem = problem
        self.hint = hint
        self.reason = reason

    @property
    def ok(self):
        return self.state == DONE

    @property
    def message(self):
        return self.problem if not self.hint else "%s: %s" % (self.problem, self.hint)


class CanaryRun:
    """One run's stages and its wait for events; a canary subclasses it with its send, its events and its words.

    ``STAGES`` names the stages in order (the first is the send's own). ``events`` is the event source (the
    receiver), or None when nothing is awaited by webhook; ``webhook_stats()`` the receiver's counts, for the
    advice of a run that timed out. A subclass sets ``_take(arrived, event)``, ``_failure()`` (None, or
    ``(problem, hint, reason)`` of a failure that ends the run at once) and ``report()``.
    """

    STAGES: tuple[str, ...] = ()

    def __init__(
        self,
        wait_for="sent",
        wait_timeout=60.0,
        events=None,
        webhook_stats=None,
        recipient="the recipient",
        clock=time.monotonic,
        sleep=time.sleep,
    ):  # pylint: disable=too-many-arguments
        if wait_for not in self.STAGES[1:]:
            raise ValueError("wait_for must be one of %s" % ", ".join(self.STAGES[1:]))
        self.wait_for = wait_for
        self.wait_timeout = float(wait_timeout)
        self.events = events
        self.webhook_stats = webhook_stats
        self.recipient = recipient
        self._clock = clock
        self._sleep = sleep
        self.stages = dict.fromkeys(self.STAGES)
        self.start = None
        self.deadline = None

    def _begin(self):
        self.start = self._clock()
        self.deadline = self.start + self.wait_timeout

    # -- stages ----------------------------------------------------------------------------------------------------------

    def _record(self, stage, moment):
        """``stage`` reached at ``moment``; a later stage implies the earlier ones (but the send's own) by then."""
        for name in self.STAGES[1 : self.STAGES.index(stage) + 1]:
            if self.stages[name] is None or moment < self.stages[name]:
                self.stages[name] = moment

    def _reached(self, stage):
        return self.stages[stage] is not None

    def reached_stage(self):
        reached = [stage for stage in self.STAGES if self.stages[stage] is not None]
        return reached[-1] if reached else None

    def stage_times(self):
        """Seconds from the start of the run to each stage, None for a stage not reached."""
        return {stage: since(moment, self.start) for stage, moment in self.stages.items()}

    def _settled(self):
        return self._failure() is not None or self._reached(self.wait_for)

    # -- waiting ---------------------------------------------------------------------------------------------------------

    def _wait_until(self, moment):
        """Take events until ``moment``, or until one settles the run (a failure, or the awaited stage)."""
        remaining = moment - self._clock()
        if self.events is None:
            if remaining > 0:
                self._sleep(remaining)
            return
        while True:
            event = self.events.next_event(max(0.0, remaining))
            if event is None:
                return
            self._take(*event)
            if self._settled():
                return
            remaining = moment - self._clock()
            if remaining <= 0:
                return

    def _stats(self):
        return self.webhook_stats() if self.webhook_stats else {}

    # -- what a subclass says --------------------------------------------------------------------------------------------

    def _take(self, arrived, event):
        raise NotImplementedError

    def _failure(self):
        raise NotImplementedError

    def report(self):
        raise NotImplementedError

    def _outcome(self, state, problem=None, hint=None, reason=None):
        return CanaryOutcome(state, self.report(), problem, hint, reason)


def validate_receiver(host, port, path):
    """(host, port, path) of the receiver's options, checked before any request: an address of this host (brackets
    dropped), a port from 1 to 65535, a URL path without query or white space."""
    host = (host or "").strip()
    if not host or re.search(r"[\s/]", host):
        raise OptionError("receiver_host must be an address of this host, e.g. 127.0.0.1 or 0.0.0.0")
    if not 1 <= (port or 0) <= 65535:
        raise OptionError("receiver_port must be a port from 1 to 65535, got %s" % port)
    path = path or ""
    if not path.startswith("/") or re.search(r"[\s?#]", path):
        raise OptionError(
            "receiver_path must be a URL path starting with / (no query, no white space), got %r" % body_excerpt(path)
        )
    return host.strip("[]"), port, path


def validate_webhook_secret(value, option, missing=None, header=False):
    """A secret the receiver compares with what webhook requests carry (an Authorization value, an app secret, a
    verify token), checked before any request and never echoed: printable, without surrounding white space; with
    ``header``, fit for an HTTP header (latin-1). An empty one is None, or :class:`OptionError` with ``missing``
    (what to set, and why) when it is needed."""
    if value is None or not str(value).strip():
        if missing:
            raise OptionError(missing)
        return None
    value = str(value)
    if value != value.strip() or re.search(r"[\x00-\x1f\x7f]", value):
        raise OptionError("%s has leading or trailing white space or control characters" % option)
    if header:
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise OptionError(
                "%s contains a character an HTTP header cannot carry (outside latin-1)" % option
            ) from None
    return value


def receiver_address(host, port, path):
    """``host:port/path`` as messages show where the receiver listens (an IPv6 host in brackets)."""
    return "%s:%s%s" % ("[%s]" % host if ":" in host else host, port, path)


def receiver_argument_spec(path):
    """The module options of the webhook receiver both canaries open (the receiver doc fragment), ``path`` the
    default receiver_path."""
    return dict(
        receiver_host=dict(type="str", default="127.0.0.1"),
        receiver_port=dict(type="int", default=8089),
        receiver_path=dict(type="str", default=path),
    )


def open_receiver(module, options, result, authorization, parser):
    """The receiver, listening before anything is sent; a port it cannot have fails the task before a send.
    ``authorization`` checks each webhook's credentials, ``parser`` turns a body into the canary's events."""
    receiver = WebhookReceiver(
        options.receiver_host, options.receiver_port, options.receiver_path, authorization, parser
    )
    result["receiver"] = {"listened_on": options.receiver_address}
    try:
        return receiver.start()
    except ReceiverError as error:
        module.fail(error, problem=str(error), reason="receiver", **result)
    return None  # not reached: fail exits
