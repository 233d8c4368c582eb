# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module base: what every module of the collection does the same way.

Like amazon.aws's AnsibleAWSModule or community.hashi_vault's HashiVaultModule, :class:`WhatsAppModule`
checks for requests, turns option errors into a failure before any request, probes or waits with the
wait options and gives every failure the same shape, so that a module's ``main()`` holds only what is
special to it.
"""

from __future__ import annotations

import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    ApiError,
    OptionError,
    check_finite_floats,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import DONE, format_seconds, once, poll

# What a rate-limited module can do. No option named: it reaches last_error, which roles quote with their own variables.
WAIT_RATE_LIMIT_HINT = "poll less often or run fewer pollers at once"
TASK_RATE_LIMIT_HINT = "run fewer tasks against this account at once, or retry later"


class WhatsAppModule(AnsibleModule):
    """An AnsibleModule that needs requests and talks to one of the collection's APIs."""

    def __init__(self, argument_spec, supports_check_mode=True, **kwargs):
        super().__init__(argument_spec=argument_spec, supports_check_mode=supports_check_mode, **kwargs)
        self._hide_url_userinfo()
        self.checked(lambda params: check_finite_floats(argument_spec, params))  # NaN passes every range check
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)

    def _hide_url_userinfo(self, option="api_url"):
        """Mask a user:password@ in the URL option (refused before any request) in all the module returns,
        invocation included (ansible-core 2.16 printed it at -vvvv)."""
        url = self.params.get(option)
        if isinstance(url, str) and "@" in url:
            userinfo = url.split("//", 1)[-1].split("@", 1)[0]
            for part in (userinfo, userinfo.partition(":")[2]):
                if part:
                    self.no_log_values.add(part)

    @property
    def client_options(self):
        """Keyword arguments for a service's build_client: what to tell a rate-limited user."""
        hint = WAIT_RATE_LIMIT_HINT if "wait_sleep" in self.params else TASK_RATE_LIMIT_HINT
        return {"rate_limit_hint": hint}

    def checked(self, check, *args, **kwargs):
        """``check(params, *args, **kwargs)``'s value; an :class:`OptionError` fails the module before any request."""
        try:
            return check(self.params, *args, **kwargs)
        except OptionError as error:
            self.fail_json(msg=str(error))
        return None  # not reached: fail_json exits

    def fail(self, error, **result):
        """The one failure shape: the error's message as msg, beside what the module has found so far."""
        self.fail_json(msg=str(error), **result)

    def probe_or_wait(self, probe, classify, result, wait_timeout=None):
        """Probe once, or poll with the module's wait options (never in check mode).

        ``wait_timeout`` replaces the option's value when the task spent part of it already (an action).
        Sets ``waited``, ``polls`` and ``elapsed`` in ``result`` and returns the
        :class:`_wait.WaitOutcome`; an API error fails the module with ``result``.
        """
        params = self.params
        waiting = params["wait"] and not self.check_mode
        started = time.monotonic()
        timeout = params["wait_timeout"] if wait_timeout is None else wait_timeout
        try:
            outcome = poll(probe, classify, timeout, params["wait_sleep"]) if waiting else once(probe, classify)
        except ApiError as error:
            # polls: the probes made, the failing one included (a probe without a wait is one).
            result.update(
                waited=waiting, polls=getattr(error, "polls", 1), elapsed=round(time.monotonic() - started, 3)
            )
            self.fail(error, **result)
        result.update(waited=waiting, polls=outcome.polls, elapsed=round(outcome.elapsed, 3))
        return outcome

    def exit_after_wait(self, result, outcome, read_once, awaited, failure_message):
        """Exit with ``result`` once :meth:`probe_or_wait` has returned ``outcome``.

        In check mode a wait was a single read: ``msg`` says what it found (``read_once``, e.g. "probed once
        (status STARTING)") and what it did not wait for (``awaited``). A wait that did not end DONE fails with
        ``failure_message()``.
        """
        params = self.params
        if params["wait"] and self.check_mode:
            result["msg"] = "check mode: %s instead of waiting up to %s s for %s" % (
                read_once,
                format_seconds(params["wait_timeout"]),
                awaited,
            )
        elif params["wait"] and outcome.state != DONE:
            self.fail_json(msg=failure_message(), **result)
        self.exit_json(**result)
