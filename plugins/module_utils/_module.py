# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of the collection does the same way."""

from __future__ import annotations

import time

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ApiError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import once, poll


def ensure_requests(module):
    """Fail with Ansible's standard message when the requests library is missing."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)


def hide_url_userinfo(module, option="api_url"):
    """Mask a user:password@ in a URL option (refused before any request) in all the module returns, invocation included."""
    url = module.params.get(option)
    if isinstance(url, str) and "@" in url:
        userinfo = url.split("//", 1)[-1].split("@", 1)[0]
        for part in (userinfo, userinfo.partition(":")[2]):
            if part:
                module.no_log_values.add(part)


def probe_or_wait(module, probe, classify, result):
    """Probe once, or poll with the module's wait options (never in check mode).

    Sets ``waited``, ``polls`` and ``elapsed`` in ``result`` and returns the
    :class:`_wait.WaitOutcome`; an API error fails the module with ``result``.
    """
    params = module.params
    waiting = params["wait"] and not module.check_mode
    started = time.monotonic()
    try:
        outcome = poll(probe, classify, params["wait_timeout"], params["wait_sleep"]) if waiting else once(probe, classify)
    except ApiError as error:
        # polls: the probes made, the failing one included (a probe without a wait is one).
        result.update(waited=waiting, polls=getattr(error, "polls", 1), elapsed=round(time.monotonic() - started, 3))
        module.fail_json(msg=str(error), **result)
    result.update(waited=waiting, polls=outcome.polls, elapsed=round(outcome.elapsed, 3))
    return outcome
