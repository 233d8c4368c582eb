# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fakes for unit tests: a clock that moves only when slept on, canned HTTP responses."""

from __future__ import annotations

import io
import json

import requests

TOKEN = "234|unit-test-secret-token"


class Outcome:
    """What a message needs of a _wait.WaitOutcome."""

    def __init__(self, polls, elapsed, last_error=None, note=""):
        self.polls = polls
        self.elapsed = elapsed
        self.last_error = last_error
        self._note = note

    def note(self):
        return self._note


class FakeClock:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def make_response(status=200, body=None, raw=None, headers=None):
    response = requests.Response()
    response.status_code = status
    if raw is None:
        raw = "" if body is None else json.dumps(body)
    response._content = raw.encode("utf-8")
    response.raw = io.BytesIO(response._content)  # the client streams the body from raw
    response.encoding = "utf-8"
    response.headers.update(headers or {"Content-Type": "application/json"})
    return response


class ScriptedSession:
    """Stands in for requests.Session.request: answers from a script, records calls."""

    def __init__(self, clock, script):
        self.clock = clock
        self.script = list(script)
        self.calls = []

    def __call__(self, method, url, params=None, timeout=None, auth=None, verify=None, **kwargs):
        self.calls.append(
            {
                "method": method,
                "url": url,
                "params": params,
                "timeout": timeout,
                "verify": verify,
                "at": self.clock.now,
                "options": kwargs,
                "json": kwargs.get("json"),
            }
        )
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        step.raw = io.BytesIO(step._content)  # a response object may stand in the script more than once
        return step
