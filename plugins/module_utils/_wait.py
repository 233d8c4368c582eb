# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one poll loop: probe, decide, sleep, until done, failed or the deadline."""

from __future__ import annotations

import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    MAX_RETRIES,
    MAX_TIMEOUT,
    ApiError,
    validate_number,
)

# Bounds of the wait options: a wait longer than a day is not a deploy gate; a poll interval above an hour neither.
MAX_WAIT_TIMEOUT = 86400.0
MAX_WAIT_SLEEP = 3600.0
# Seconds between the progress lines a waiting task prints on the controller (its action plugin), by default.
PROGRESS_INTERVAL = 30.0

# Every number option of the collection's modules, by name: validate_number's bounds. A module checks its own
# with them; the action plugins check them before the module runs, so that a value that is no number (a role
# variable set to "10m") is refused with these facts rather than by Ansible's type conversion.
NUMBER_OPTIONS = {
    "wait_timeout": dict(minimum=0.0, maximum=MAX_WAIT_TIMEOUT),
    "wait_sleep": dict(minimum=0.0, maximum=MAX_WAIT_SLEEP, above_minimum=True),
    "progress_interval": dict(minimum=0.0, maximum=MAX_WAIT_SLEEP),
    "timeout": dict(minimum=0.0, maximum=MAX_TIMEOUT, above_minimum=True),
    "retries": dict(minimum=0, maximum=MAX_RETRIES, integer=True),
    "max_restarts": dict(minimum=0, maximum=1000, integer=True),
    "rate_window": dict(minimum=0.0, maximum=MAX_WAIT_SLEEP, above_minimum=True),
    "min_interval": dict(minimum=0.0, maximum=MAX_WAIT_SLEEP),
    "shards": dict(minimum=1, maximum=1000, integer=True),
}

DONE = "done"
FAILED = "failed"
TIMED_OUT = "timed_out"


class WaitOutcome:
    """How a wait ended: ``state`` is DONE, FAILED or TIMED_OUT.

    ``value`` is the last successful probe's result (None if none succeeded);
    ``last_error`` the transient error of the last probe, if it failed;
    ``held_back`` the seconds the API's rate limit (Retry-After, or the
    endpoint's floor) still forbade a request for when it ended the wait,
    because that reached past the deadline (None when the wait was not ended
    by one).
    """

    def __init__(self, state, value, polls, elapsed, last_error, held_back=None):
        self.state = state
        self.value = value
        self.polls = polls
        self.elapsed = elapsed
        self.last_error = last_error
        self.held_back = held_back

    def note(self):
        """What ended a timed-out wait besides the last state, as a clause for messages (empty if nothing)."""
        if self.held_back is None:
            return ""
        return (
            "; the API's rate limit (HTTP 429, Retry-After) allows the next request only in %s s, after the "
            "deadline, so the wait ended without it: retry then" % format_seconds(self.held_back)
        )


def wait_argument_spec(wait_sleep=6):
    """The module side of the wait doc fragment; ``wait_sleep`` is the module's default interval."""
    return dict(
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="float", default=300),
        wait_sleep=dict(type="float", default=wait_sleep),
        progress_interval=dict(type="float", default=PROGRESS_INTERVAL),
    )


def check_number(name, value):
    """``value`` of the number option ``name`` within its bounds, or :class:`OptionError` with the facts.

    A boolean is no number here (Python's float(True) is 1.0): a variable set to true by mistake is refused.
    """
    return validate_number(str(value) if isinstance(value, bool) else value, name, **NUMBER_OPTIONS[name])


def check_numbers(options):
    """The number options of ``options`` (a module's arguments) that are set, checked and converted."""
    return {
        name: check_number(name, value)
        for name, value in options.items()
        if name in NUMBER_OPTIONS and value is not None
    }


def validate_wait_options(wait_timeout, wait_sleep):
    """Both wait options finite and in range, or :class:`OptionError` naming the option."""
    check_number("wait_timeout", wait_timeout)
    check_number("wait_sleep", wait_sleep)


class Watch:
    """What a read-only module probes and how it judges what it sees (:meth:`_module.WhatsAppModule.watch` runs it).

    ``result`` is the module's result so far. A subclass's ``probe(deadline)`` reads once inside a wait's
    ``deadline`` (None without one), ``classify(value)`` says DONE, FAILED or None (keep waiting), :meth:`shape`
    puts what the last read saw into ``result`` and returns warnings, ``read_once()`` says what a single read found
    (check mode), ``awaited`` names what a wait waits for, and ``failure(outcome)`` says why it did not end ready.
    """

    awaited = "the awaited state"

    def __init__(self, result):
        self.result = result

    def before(self, waiting):
        """Warnings to give before the first read."""
        return []

    def shape(self, outcome):
        return []


def poll(probe, classify, wait_timeout, wait_sleep, clock=time.monotonic, sleep=time.sleep):
    """Call ``probe(deadline)`` until ``classify(value)`` says DONE or FAILED.

    ``classify`` returns DONE, FAILED or None (keep waiting). Transient API
    errors (429, 5xx, connection problems) do not end the wait: they are
    kept and reported only if the deadline passes. Other API errors end it
    at once by propagating, with ``polls`` set on the error.

    This loop alone paces the requests (the client does not retry inside a
    probe): the next probe comes ``wait_sleep`` later, or when a server's
    ``Retry-After`` (never less than the endpoint's rate-limit floor, see
    :class:`_client.RateLimitWindow`) allows if that is later. The last probe
    runs at the deadline, unless the rate limit forbids it: then the wait ends
    at once, since no request may be sent before the deadline, and the
    outcome's ``held_back`` says when one may.
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
                error.polls = polls
                raise
            last_error = error
        else:
            state = classify(value)
            if state in (DONE, FAILED):
                return WaitOutcome(state, value, polls, clock() - start, None)
        now = clock()
        remaining = deadline - now
        if remaining <= 0:
            return WaitOutcome(TIMED_OUT, value, polls, now - start, last_error)
        retry_after = getattr(last_error, "retry_after", None)
        if retry_after is not None and retry_after > remaining:
            return WaitOutcome(TIMED_OUT, value, polls, now - start, last_error, held_back=retry_after)
        sleep(min(max(wait_sleep, retry_after or 0), remaining))


def once(probe, classify, clock=time.monotonic):
    """One probe, judged as :func:`poll` judges it, as a :class:`WaitOutcome` (no wait, or check mode)."""
    start = clock()
    value = probe(None)
    return WaitOutcome(classify(value), value, 1, clock() - start, None)


def explain_not_ready(head, outcome, problems=(), hint=None):
    """Why a wait (or a single probe) did not end ready: the one wording of every module's failure.

    ``head`` says what is not ready, since when and after how many polls (each service words its own subject);
    then come the ``problems`` of the last read, the transient error of the last poll, what held the last poll
    back, and ``hint``, what to do.
    """
    message = head
    if problems:
        message += ": %s" % " ".join(problems)
        if outcome.last_error is not None:
            message += " The last poll failed: %s" % outcome.last_error
    elif outcome.last_error is not None:
        message += "; last error: %s" % outcome.last_error
    message += outcome.note()
    if hint:
        message += ": %s" % hint
    return message


def format_seconds(seconds):
    """300.0 -> '300', 2.5 -> '2.5'."""
    return "%g" % round(seconds, 1)
