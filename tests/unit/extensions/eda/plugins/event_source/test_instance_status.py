# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The instance_status event source, loaded by path as ansible-rulebook loads it, with a fake queue.

Against the simulator for the real HTTP path; with a fake API and a fake sleep for the error paths.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import AuthenticationError, ServerError

ROOT = Path(__file__).resolve().parents[6]
SOURCE = ROOT / "extensions" / "eda" / "plugins" / "event_source" / "instance_status.py"
sys.path.insert(0, str(ROOT / "tests" / "simulator"))

from whatsapp_sim import Simulator  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "sim-token-0123456789"
ACCESS_TOKEN = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1"
UUID_A = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
UUID_B = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"


def load_source():
    """The source file run by path, as ansible-rulebook does (runpy.run_path there; runpy cannot be used under
    ansible-test, whose collection path hook claims every path)."""
    spec = importlib.util.spec_from_file_location("hypersender_instance_status_source", str(SOURCE))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


SOURCE_MODULE = load_source()


class FakeQueue:
    """Stands in for ansible-rulebook's queue; can wake a test when enough events have arrived."""

    def __init__(self):
        self.events = []
        self.changed = None

    async def put(self, event):
        self.events.append(event)
        if self.changed is not None:
            self.changed.set()

    async def wait_for(self, count, timeout=60):
        self.changed = self.changed or asyncio.Event()
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while len(self.events) < count:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), max(0.01, end - loop.time()))


def run_source(args, until_events, after=0.0, script=None):
    """Run main() until ``until_events`` events arrived (and ``after`` more seconds), then cancel it.

    ``script(queue)``, if given, is awaited first: it drives the simulator step by step.
    """
    queue = FakeQueue()

    async def scenario():
        task = asyncio.ensure_future(SOURCE_MODULE["main"](queue, args))
        try:
            if script is not None:
                await script(queue)
            await queue.wait_for(until_events)
            await asyncio.sleep(after)
            assert not task.done(), "the source returned on its own"
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(scenario())
    return queue.events


def fleet(status_a, status_b="SCAN_QR_CODE"):
    return {
        "hypersender": {
            "tokens": [TOKEN],
            "instances": [
                {"id": UUID_A, "name": "shop", "access_token": ACCESS_TOKEN, "status": status_a},
                {"id": UUID_B, "name": "support", "access_token": ACCESS_TOKEN, "status": status_b},
            ],
        }
    }


@pytest.fixture
def sim():
    with Simulator(fleet("STARTING")) as simulator:
        yield simulator


def args_for(sim, **extra):
    return dict({"api_url": sim.hypersender_url, "api_token": TOKEN, "interval": 0.05}, **extra)


def changes(events):
    return [
        (e["hypersender"]["instance"]["id"], e["hypersender"]["previous_status"], e["hypersender"]["status"])
        for e in events
    ]


def test_one_event_per_status_change_against_the_simulator(sim):
    async def timeline(queue):
        await queue.wait_for(2)  # the initial snapshot: the source has polled once
        sim.load(fleet("WORKING"))
        await queue.wait_for(3)
        sim.load(fleet("FAILED"))
        await queue.wait_for(4)
        for dummy in range(600):  # a few more polls with no change, however slow the machine
            if len(sim.requests()) >= 3:
                break
            await asyncio.sleep(0.1)

    events = run_source(args_for(sim, initial_snapshot=True), until_events=4, script=timeline)
    assert changes(events) == [
        (UUID_A, None, "STARTING"),
        (UUID_B, None, "SCAN_QR_CODE"),
        (UUID_A, "STARTING", "WORKING"),
        (UUID_A, "WORKING", "FAILED"),
    ]
    event = events[3]["hypersender"]
    assert event["instance"]["name"] == "shop" and event["instance"]["status"] == "FAILED"
    assert "access_token" not in event["instance"]
    assert ACCESS_TOKEN not in repr(events)
    assert event["changed_at"].endswith("Z")
    requests = sim.requests()  # since the last load
    assert len(requests) >= 3, "polling went on after the last change"
    assert {r["path"] for r in requests} == {"/api/whatsapp/v1/instances"}, "one list call per poll, nothing else"
    assert all(r["auth"] == "bearer" and r["status"] == 200 for r in requests)


def test_initial_snapshot_and_filters(sim):
    events = run_source(args_for(sim, initial_snapshot=True, name="sup"), until_events=1, after=0.2)
    assert changes(events) == [(UUID_B, None, "SCAN_QR_CODE")]
    assert events[0]["hypersender"]["initial"] is True
    assert all(r["query"] == {"filter[name]": "sup"} for r in sim.requests())


def test_environment_fallbacks(sim, monkeypatch):
    monkeypatch.setenv("HYPERSENDER_API_URL", sim.hypersender_url)
    monkeypatch.setenv("HYPERSENDER_API_TOKEN", TOKEN)
    events = run_source({"interval": 0.05, "initial_snapshot": True}, until_events=2)
    assert sorted(changes(events)[:2]) == sorted([(UUID_A, None, "STARTING"), (UUID_B, None, "SCAN_QR_CODE")])


def test_bad_arguments_stop_before_any_request(sim):
    for args, message in (
        ({"api_token": "bad token"}, "white space"),
        ({"interval": -1}, "interval"),
        ({"api_url": "ftp://x"}, "https://"),
    ):
        with pytest.raises(ValueError, match="instance_status: .*" + message):
            asyncio.run(SOURCE_MODULE["main"](FakeQueue(), dict(args_for(sim), **args)))
    assert sim.requests() == []


def test_rejected_token_is_reported_as_an_error_event_and_polling_goes_on(sim):
    async def keeps_polling(queue):
        await queue.wait_for(1)
        for dummy in range(600):  # the machine may be slow: wait for the next poll, up to 60 s
            if len(sim.requests()) >= 3:
                break
            await asyncio.sleep(0.1)

    events = run_source(
        args_for(sim, api_token="wrong-token-123", error_threshold=2, max_backoff=0.1),
        until_events=1,
        script=keeps_polling,
    )
    assert len(events) == 1, "one error event while the failure lasts"
    error = events[0]["hypersender"]["error"]
    assert error["type"] == "AuthenticationError" and error["http_status"] == 401 and error["failures"] == 2
    assert "wrong-token-123" not in repr(events)
    assert len(sim.requests()) >= 3, "it kept polling after the error event"


class StopLoop(Exception):
    """Raised by the fake sleep to end the endless loop."""


class FakeApi:
    """list_instances answers from a script of lists and exceptions."""

    def __init__(self, script):
        self.script = list(script)
        self.calls = 0

    def list_instances(self, filters):
        self.calls += 1
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def run_fake(script, clock=lambda: 100.0, **settings):
    api = FakeApi(script)
    queue = FakeQueue()
    sleeps = []

    async def sleep(seconds):
        sleeps.append(round(seconds, 3))
        if not api.script:
            raise StopLoop()

    full = dict(
        {"filters": {}, "interval": 10.0, "max_backoff": 60.0, "error_threshold": 3, "initial_snapshot": False},
        **settings,
    )
    with pytest.raises(StopLoop):
        loop = SOURCE_MODULE["poll_forever"](
            queue, api, full, sleep=sleep, now=lambda: "now", rand=lambda: 1.0, clock=clock
        )
        asyncio.run(loop)
    return queue.events, sleeps, api


def test_transient_errors_back_off_then_report_then_recover():
    failure = ServerError("GET https://x/instances: server error (HTTP 503)", status=503)
    listed = [{"id": UUID_A, "name": "a", "status": "WORKING"}]
    events, sleeps, api = run_fake(
        [listed, failure, failure, failure, failure, listed, [{"id": UUID_A, "name": "a", "status": "FAILED"}]]
    )
    assert api.calls == 7
    assert sleeps == [
        10.0,
        10.0,
        20.0,
        40.0,
        60.0,
        10.0,
        10.0,
    ], "interval, then doubling up to max_backoff, then interval"
    kinds = [
        next(iter(e["hypersender"])) if "error" in e["hypersender"] or "recovered" in e["hypersender"] else "change"
        for e in events
    ]
    assert kinds == ["error", "recovered", "change"]
    assert events[0]["hypersender"]["error"]["failures"] == 3
    assert events[1]["hypersender"]["recovered"]["failures"] == 4
    assert changes(events[2:]) == [(UUID_A, "WORKING", "FAILED")]


def test_failures_below_the_threshold_send_nothing():
    failure = AuthenticationError("rejected", status=401)
    listed = [{"id": UUID_A, "name": "a", "status": "WORKING"}]
    events, dummy, dummy2 = run_fake([listed, failure, failure, listed], error_threshold=3)
    assert events == []


def test_polls_start_every_interval_whatever_a_request_takes():
    ticks = iter([100.0, 102.5, 110.0, 119.0])  # the 1st request takes 2.5 s, the 2nd 9 s
    listed = [{"id": UUID_A, "name": "a", "status": "WORKING"}]
    dummy, sleeps, dummy2 = run_fake([listed, listed], clock=lambda: next(ticks))
    assert sleeps == [7.5, 1.0]


def test_documentation_lists_exactly_the_arguments_the_source_reads():
    import yaml  # pylint: disable=import-outside-toplevel
    from ansible_collections.hypersender.whatsapp.plugins.module_utils._status_events import (
        SOURCE_OPTIONS,
        source_settings,
    )

    doc = yaml.safe_load(SOURCE_MODULE["DOCUMENTATION"])
    assert sorted(doc["options"]) == sorted(SOURCE_OPTIONS)
    settings = source_settings({}, {})
    for name, option in doc["options"].items():
        if "default" in option:
            assert settings[name] == option["default"], name
    examples = yaml.safe_load(SOURCE_MODULE["EXAMPLES"])
    assert "hypersender.whatsapp.instance_status" in examples[0]["sources"][0]


# --- issue 22: no secret in an error event, no flood on a 429, no NaN (main() with a real asyncio.Queue) -------------


def with_faults(*faults):
    scenario = fleet("WORKING")
    scenario["faults"] = list(faults)
    return scenario


def run_main_until_event(args, seconds_after=0.0):
    """Run main() with a real asyncio.Queue until its first event, then ``seconds_after`` more; cancel it."""

    async def scenario():
        queue = asyncio.Queue()
        task = asyncio.ensure_future(SOURCE_MODULE["main"](queue, args))
        try:
            event = await asyncio.wait_for(queue.get(), 60)
            await asyncio.sleep(seconds_after)
            assert not task.done(), "the source returned on its own"
            return event
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    return asyncio.run(scenario())


def test_a_token_echoed_by_the_api_is_masked_in_the_error_event():
    echoed = "Authorization: Bearer " + TOKEN
    with Simulator(with_faults({"path": "/instances$", "status": 200, "body": echoed})) as sim:
        event = run_main_until_event(
            {"api_url": sim.hypersender_url, "api_token": TOKEN, "interval": 0.05, "error_threshold": 1}
        )
    error = event["hypersender"]["error"]
    assert error["type"] == "ResponseFormatError"
    assert error["message"] == (
        "GET /instances: expected a JSON array of instances, got a str 'Authorization: Bearer ********'"
    )
    assert TOKEN not in repr(event)


@pytest.mark.parametrize("retry_after", ["0", "Wed, 21 Oct 2015 07:28:00 GMT"])
def test_a_429_saying_retry_now_is_not_a_flood(retry_after):
    limited = {"path": "/instances$", "status": 429, "headers": {"Retry-After": retry_after}}
    with Simulator(with_faults(limited)) as sim:
        args = {
            "api_url": sim.hypersender_url,
            "api_token": TOKEN,
            "interval": 0.05,
            "max_backoff": 0.1,
            "retries": 0,
            "error_threshold": 1,
        }
        event = run_main_until_event(args, seconds_after=2.0)
        requests = sim.requests()
    assert event["hypersender"]["error"]["http_status"] == 429
    assert "the next request waits at least 6 s" in event["hypersender"]["error"]["message"]
    # counted from the first request: the floor of /instances (6 s) outlasts the 2 s watched
    assert [r["status"] for r in requests] == [429]


@pytest.mark.parametrize(
    "argument, value",
    [
        ("interval", "nan"),
        ("interval", "inf"),
        ("interval", float("nan")),
        ("max_backoff", "inf"),
        ("timeout", "nan"),
        ("timeout", "-inf"),
    ],
)
def test_nan_and_infinities_stop_the_source_before_any_request(sim, argument, value):
    async def start():
        await asyncio.wait_for(SOURCE_MODULE["main"](asyncio.Queue(), dict(args_for(sim), **{argument: value})), 30)

    with pytest.raises(ValueError, match="instance_status: %s must be a number of seconds.*got %s" % (argument, value)):
        asyncio.run(start())
    assert sim.requests() == []
