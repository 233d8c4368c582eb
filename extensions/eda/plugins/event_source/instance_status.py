# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hypersender.whatsapp.instance_status: an Event-Driven Ansible source of instance status changes."""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from pathlib import Path

DOCUMENTATION = r"""
---
short_description: Events when Hypersender WhatsApp instances change status
description:
  - An ansible-rulebook event source that polls C(GET /instances) of a Hypersender WhatsApp Enterprise account once
    per O(interval), one request per poll whatever the number of instances, through the collection's shared API
    client, and puts one event on the queue per change of an instance's status.
  - "Each event is C({hypersender: {instance: {id, name, phone, service_type, status, created_at}, previous_status,
    status, changed_at}}). C(changed_at) is the UTC time of the poll that saw the change (the API does not say when
    it happened), so an event arrives at most one O(interval) after the change. An instance's C(access_token) is
    never in an event."
  - An instance that appears has C(previous_status) null; one that is no longer listed (deleted, or no longer
    matching the filters) has C(status) null. A status that changes and changes back between two polls is not seen.
  - The first poll is the baseline and sends no event, unless O(initial_snapshot=true) sends one per instance
    (C(previous_status) null, C(initial) true).
  - "A failed poll (network, HTTP 5xx, 429, or any other API error) is retried after a backoff that starts at
    O(interval) and doubles up to O(max_backoff), or, after HTTP 429, once the API's C(Retry-After) has passed
    if that is later (never sooner than 6 s, whatever C(Retry-After) says). After O(error_threshold) failed polls
    in a row it sends C({hypersender: {error: {message, type, http_status, retryable, failures, since}}}) once, and
    C({hypersender: {recovered: {failures, since, at}}}) when a poll succeeds again."
  - It never returns on its own (ansible-rulebook stops when a source returns); it stops when ansible-rulebook
    cancels it. Invalid arguments stop it at once, before any request, with a message that says which.
  - Requires the Python library C(requests), and the collection C(hypersender.whatsapp) on the collections path of
    ansible-rulebook (the source imports the collection's API client).
options:
  api_url:
    description:
      - Base URL of the Hypersender WhatsApp Enterprise API.
      - Default the E(HYPERSENDER_API_URL) environment variable, then U(https://app.hypersender.com/api/whatsapp/v1).
    type: str
  api_token:
    description:
      - Bearer token of the Hypersender account. Default the E(HYPERSENDER_API_TOKEN) environment variable.
      - Never appears in events or messages.
    type: str
  validate_certs:
    description: Whether to verify the server's TLS certificate.
    type: bool
    default: true
  ca_path:
    description: Path of a PEM file with the CA certificates to trust instead of the system's bundle.
    type: str
  timeout:
    description: Seconds to wait for each HTTP response.
    type: float
    default: 10
  retries:
    description:
      - How many times the client retries one request after a transient failure within a poll, before the poll
        counts as failed. The source's own backoff between polls does the rest.
    type: int
    default: 1
  interval:
    description:
      - Seconds between the starts of two polls (the time a request takes is part of it), at most 86400.
        The default, 2 requests a minute, stays well inside the API's limits.
      - Every number argument must be finite (not C(nan) or C(inf)); a bad one stops the source before any request.
    type: float
    default: 30
  initial_snapshot:
    description: Send one event per instance after the first poll.
    type: bool
    default: false
  error_threshold:
    description: Failed polls in a row before an error event is sent.
    type: int
    default: 3
  max_backoff:
    description: Longest wait, in seconds, between polls while they fail; at least O(interval).
    type: float
    default: 300
  uuid:
    description: Only the instance with this UUID (the API's C(filter[uuid])).
    type: str
  name:
    description: Only instances whose name contains this text (the API's C(filter[name])).
    type: str
  phone:
    description: Only the instance with this E.164 phone number (the API's C(filter[phone])).
    type: str
  status:
    description: Only instances in this status (the API's C(filter[status])); a change away from it shows as C(status) null.
    type: str
    choices: [STOPPED, STARTING, WORKING, SCAN_QR_CODE, FAILED, PENDING]
"""

EXAMPLES = r"""
- name: React to WhatsApp instances
  hosts: localhost
  sources:
    - hypersender.whatsapp.instance_status:
        interval: 30
        initial_snapshot: true
  rules:
    - name: An instance failed
      condition: event.hypersender.status == "FAILED"
      action:
        debug:
          msg: "{{ event.hypersender.instance.name }} went from {{ event.hypersender.previous_status }} to FAILED"
"""


# ansible-rulebook runs a source by path (runpy), from a collections directory that may not be on sys.path: this
# file's 8th parent (<dir>/ansible_collections/hypersender/whatsapp/extensions/eda/plugins/event_source/<file>).
try:
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, OptionError
except ImportError:
    sys.path.append(str(Path(__file__).parents[7]))
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import ApiError, OptionError

# pylint: disable=wrong-import-position
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import HypersenderApi, build_client
from ansible_collections.hypersender.whatsapp.plugins.module_utils._status_events import (
    StatusTracker,
    backoff,
    error_event,
    recovered_event,
    source_settings,
    utc_now,
)


class SourceArgumentError(ValueError):
    """An argument of the source is invalid (ansible-rulebook prints the message and stops)."""


async def main(queue, args):
    """Poll forever and put status-change events on ``queue``."""
    try:
        settings = source_settings(args, os.environ)
        client = build_client(
            settings, rate_limit_hint="raise interval, or run fewer sources against this account at once"
        )
    except OptionError as exc:
        raise SourceArgumentError("hypersender.whatsapp.instance_status: %s" % exc) from None
    with client:
        await poll_forever(queue, HypersenderApi(client), settings)


async def poll_forever(
    queue, api, settings, sleep=asyncio.sleep, now=utc_now, rand=random.random, clock=time.monotonic
):
    """The loop: one list call per poll, events for the changes, backoff and error events while polls fail.

    Polls start every ``interval`` seconds (the time a request takes is part of the interval), so a change
    is seen at most one interval after it happens.
    """
    tracker = StatusTracker(settings["initial_snapshot"])
    failures = 0
    failing_since = None
    while True:
        started = clock()
        try:
            instances = await asyncio.to_thread(api.list_instances, settings["filters"])
        except ApiError as exc:
            failures += 1
            failing_since = failing_since or now()
            if failures == settings["error_threshold"]:
                await queue.put(error_event(exc, failures, failing_since))
            # a 429's Retry-After (never less than the endpoint's floor) wins over a shorter backoff
            delay = backoff(failures, settings["interval"], settings["max_backoff"], rand)
            await sleep(max(delay, getattr(exc, "retry_after", None) or 0.0))
            continue
        if failures >= settings["error_threshold"]:
            await queue.put(recovered_event(failures, failing_since, now()))
        failures = 0
        failing_since = None
        for event in tracker.update(instances, now()):
            await queue.put(event)
        await sleep(max(0.0, settings["interval"] - (clock() - started)))


if __name__ == "__main__":
    # A quick look without ansible-rulebook: HYPERSENDER_API_TOKEN=... python instance_status.py

    class _PrintQueue:
        async def put(self, event):
            print(event, flush=True)

    asyncio.run(main(_PrintQueue(), {"interval": 5, "initial_snapshot": True}))
