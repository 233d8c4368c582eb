# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module base: what every module of the collection does the same way.

Like amazon.aws's AnsibleAWSModule or community.hashi_vault's HashiVaultModule, :class:`WhatsAppModule`
takes the connection options of its service and the wait options, checks for requests, turns option errors
into a failure before any request, builds the client (:meth:`WhatsAppModule.client`), probes or waits with
the wait options and gives every failure the same shape, so that a module declares only its own options and
its ``main()`` holds only what is special to it.
"""

from __future__ import annotations

import os
import time

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    ApiError,
    OptionError,
    check_finite_floats,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    DONE,
    check_numbers,
    format_seconds,
    once,
    poll,
)

# What a rate-limited module can do. No option named: it reaches last_error, which roles quote with their own variables.
WAIT_RATE_LIMIT_HINT = "poll less often or run fewer pollers at once"
TASK_RATE_LIMIT_HINT = "run fewer tasks against this account at once, or retry later"


def invalid_option(error):
    """The facts of an :class:`OptionError`: ``name``, ``value`` (None if not told) and ``expected``."""
    return dict(name=error.option, value=error.value, expected=error.expected)


class WhatsAppModule(AnsibleModule):
    """An AnsibleModule that needs requests and talks to one of the collection's APIs.

    ``service`` is the :class:`_transport.Service` whose connection options the module takes; ``wait`` the
    argument spec of the wait options it takes, if any (:func:`_wait.wait_argument_spec`), checked before any
    request; ``argument_spec`` the module's own options.
    """

    def __init__(self, service, argument_spec=None, wait=None, supports_check_mode=True, **kwargs):
        spec = service.argument_spec(env_fallback)
        spec.update(wait or {})
        spec.update(argument_spec or {})
        super().__init__(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self.service = service
        self._hide_url_userinfo()
        self.checked(lambda params: check_finite_floats(spec, params))  # NaN passes every range check
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if wait:
            self.checked(lambda params: check_numbers({name: params[name] for name in wait}))

    def client(self, **connect_options):
        """The service's API object (a context manager that closes its client), or a failure before any request.

        The credential it uses is kept out of every result, whether it came from an option or the environment.
        ``connect_options`` go to the service's connect (for the Cloud API, the ``permission`` the calls need).
        """
        api = self.checked(self.service.connect, os.environ, **dict(self.client_options, **connect_options))
        self.no_log_values.update(api.secrets)
        return api

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
            self.fail(error)
        return None  # not reached: fail_json exits

    def fail(self, error, **result):
        """The one failure shape: the error's message as msg, beside what the module has found so far; an option
        error also as facts (``invalid_options``: its name, value and expected form), for a role to word."""
        if isinstance(error, OptionError) and error.option:
            result["invalid_options"] = [invalid_option(error)]
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

    def watch(self, watch):
        """Probe once or wait as the :class:`_wait.Watch` says, shape its result from the last read, and exit
        (or fail: an API error, or a wait that did not end ready)."""
        for warning in watch.before(self.params["wait"] and not self.check_mode):
            self.warn(warning)
        outcome = self.probe_or_wait(watch.probe, watch.classify, watch.result)
        for warning in watch.shape(outcome):
            self.warn(warning)
        self.exit_after_wait(watch.result, outcome, watch.read_once(), watch.awaited, lambda: watch.failure(outcome))

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
