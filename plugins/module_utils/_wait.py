# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one poll loop: probe, decide, sleep, until done, failed or the deadline."""

from __future__ import annotations

import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, OptionError

DONE = "done"
FAILED = "failed"
TIMED_OUT = "timed_out"


class WaitOutcome:
    """How a wait ended: ``state`` is DONE, FAILED or TIMED_OUT.

    ``value`` is the last successful probe's result (None if none succeeded);
    ``last_error`` the transient error of the last probe, if it failed.
    """

    def __init__(self, state, value, polls, elapsed, last_error):
        self.state = state
        self.value = value
        self.polls = polls
        self.elapsed = elapsed
        self.last_error = last_error


def wait_argument_spec(wait_sleep=6):
    """The module side of the wait doc fragment; ``wait_sleep`` is the module's default interval."""
    return dict(
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="float", default=300),
        wait_sleep=dict(type="float", default=wait_sleep),
    )


def validate_wait_options(wait_timeout, wait_sleep):
    if wait_timeout is None or wait_timeout < 0:
        raise OptionError("wait_timeout must be 0 or more seconds, got %s" % wait_timeout)
    if wait_sleep is None or wait_sleep <= 0:
        raise OptionError("wait_sleep must be a positive number of seconds, got %s" % wait_sleep)


def poll(probe, classify, wait_timeout, wait_sleep, clock=time.monotonic, sleep=time.sleep):
    """Call ``probe(deadline)`` until ``classify(value)`` says DONE or FAILED.

    ``classify`` returns DONE, FAILED or None (keep waiting). Transient API
    errors (429, 5xx, connection problems left after the client's own
    retries) do not end the wait: they are kept and reported only if the
    deadline passes. Other API errors end it at once by propagating.
    The last probe runs at the deadline, so a wait ends at most one
    ``wait_sleep`` after the state it waits for is reached.
    """
    start = clock()
    deadline = start + wait_timeout
    polls = 0
    value = None
    last_error = None
    while True:
        polls += 1
        try:
            value = probe(deadline)
            last_error = None
        except ApiError as error:
            if not error.retryable:
                raise
            last_error = error
        else:
            state = classify(value)
            if state in (DONE, FAILED):
                return WaitOutcome(state, value, polls, clock() - start, None)
        remaining = deadline - clock()
        if remaining <= 0:
            return WaitOutcome(TIMED_OUT, value, polls, clock() - start, last_error)
        sleep(min(wait_sleep, remaining))


def once(probe, classify, clock=time.monotonic):
    """One probe, judged as :func:`poll` judges it, as a :class:`WaitOutcome` (no wait, or check mode)."""
    start = clock()
    value = probe(None)
    return WaitOutcome(classify(value), value, 1, clock() - start, None)


def format_seconds(seconds):
    """300.0 -> '300', 2.5 -> '2.5'."""
    return "%g" % round(seconds, 1)
