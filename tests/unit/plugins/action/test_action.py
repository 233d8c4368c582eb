# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The modules' action plugins: the collection's variables bound for a module, what a wait says it waits for, and
the progress lines while it waits."""

from __future__ import annotations

import time

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible_collections.hypersender.whatsapp.plugins.action import (
    cloud_health,
    fleet_heal,
    instance_canary,
    instance_info,
    onprem_health,
)
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils import _action
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._action import Progress, instances_subject

UUID = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"


class FakeTask:
    def __init__(self, check_mode=False, async_val=0, role=None, action="hypersender.whatsapp.instance_info"):
        self.check_mode = check_mode
        self.async_val = async_val
        self.action = action
        self._role = role


class FakeRole:
    _role_name = "wait_for_working"


def action(module, task=None):
    plugin = module.ActionModule.__new__(module.ActionModule)  # no connection is needed for what is tested here
    plugin._templar = Templar(loader=DataLoader())
    plugin._task = task or FakeTask()
    return plugin


@pytest.fixture
def said(monkeypatch):
    lines, deprecations = [], []
    monkeypatch.setattr(_action.display, "display", lambda msg, *a, **k: lines.append(msg))
    monkeypatch.setattr(_action.display, "deprecated", lambda msg, *a, **k: deprecations.append((msg, k)))
    return lines, deprecations


class TestVariables:

    def test_an_option_nothing_set_comes_from_its_variable(self, said):
        args = {"instances": [UUID]}
        action(instance_info).bind_variables(args, {"whatsapp_hypersender_api_token": "t", "unrelated": 1})
        assert args == {"instances": [UUID], "api_token": "t"}

    def test_the_task_and_module_defaults_beat_the_variable(self, said):
        args = {"api_token": "from-the-task"}
        action(instance_info).bind_variables(args, {"whatsapp_hypersender_api_token": "t"})
        assert args == {"api_token": "from-the-task"}

    def test_an_empty_variable_counts_as_unset(self, said):
        args = {}
        action(instance_info).bind_variables(args, {"whatsapp_hypersender_api_url": ""})
        assert args == {}

    def test_each_service_its_own_variables(self, said):
        args = {}
        task_vars = {
            "whatsapp_hypersender_api_token": "h",
            "whatsapp_cloud_api_token": "c",
            "whatsapp_onprem_api_key": "k",
        }
        action(cloud_health).bind_variables(args, task_vars)
        assert args == {"api_token": "c"}
        args = {}
        action(onprem_health).bind_variables(args, task_vars)
        assert args == {"api_key": "k"}

    def test_a_former_role_variable_still_counts_with_a_deprecation(self, said):
        lines, deprecations = said
        args = {}
        action(onprem_health).bind_variables(args, {"verify_gateway_api_key": "k", "verify_gateway_request_timeout": 9})
        assert args == {"api_key": "k", "timeout": 9}
        assert [message for message, dummy in deprecations] == [
            "the variable verify_gateway_api_key is deprecated: set whatsapp_onprem_api_key, the environment variable "
            "or module_defaults for group/hypersender.whatsapp.onprem instead",
            "the variable verify_gateway_request_timeout is deprecated: set whatsapp_onprem_timeout, the environment "
            "variable or module_defaults for group/hypersender.whatsapp.onprem instead",
        ]
        assert all(
            kwargs == {"version": "0.3.0", "collection_name": "hypersender.whatsapp"} for dummy, kwargs in deprecations
        )


class TestPlan:

    @pytest.mark.parametrize(
        "args, subject",
        [
            ({}, "every instance of the account"),
            ({"name": "shop-"}, "every instance whose name contains 'shop-'"),
            ({"instances": [UUID]}, "1 instance"),
            ({"instances": [UUID, UUID.upper()]}, "2 instances"),
            ({"instances": [UUID], "name": "shop-"}, "the 1 listed instances whose name contains 'shop-'"),
            ({"status": "FAILED"}, "every instance matching the filters"),
        ],
    )
    def test_the_selection_in_words(self, args, subject):
        assert instances_subject(args) == subject

    def test_a_fleet_wait_with_the_modules_defaults(self):
        assert action(instance_info).plan({"instances": [UUID], "wait": True}) == (
            "waiting up to 300 s for 1 instance to be WORKING (one GET /instances every 6 s)"
        )
        assert action(instance_info).plan(
            {"wait_timeout": 60.0, "wait_sleep": 0.5, "wait_for": ["WORKING", "FAILED"]}
        ) == (
            "waiting up to 60 s for every instance of the account to be WORKING or FAILED (one GET /instances every 0.5 s)"
        )

    def test_a_gateway_wait(self):
        assert action(onprem_health).plan({"topology": "multiconnect", "shards": 2}) == (
            "waiting up to 300 s for the gateway (topology multiconnect, 2 shards) to be healthy "
            "(one GET /v1/health every 5 s)"
        )

    @pytest.mark.parametrize(
        "args, plan",
        [
            (
                {"waba_id": "102290129340398"},
                "for every number of WhatsApp Business Account 102290129340398 to be able to send (AVAILABLE or "
                "LIMITED) (one read every 30 s)",
            ),
            (
                {"phone_number_id": ["1", "2", "3"], "allow_limited": "no", "wait_sleep": 5},
                "for 3 phone number(s) 1, 2, 3 to be able to send (AVAILABLE) (one read every 5 s)",
            ),
            (
                {"phone_number_id": "1"},
                "for 1 phone number(s) 1 to be able to send (AVAILABLE or LIMITED) (one read every 30 s)",
            ),
            ({}, "every number of the WhatsApp Business Account in WA_CLOUD_WABA_ID"),
        ],
    )
    def test_a_cloud_wait_within_the_hourly_budget(self, args, plan):
        assert plan in action(cloud_health).plan(args)

    def test_who_waits(self):
        assert action(instance_info).waits({"wait": "yes"}) is True
        assert action(instance_info).waits({}) is False
        assert action(instance_info, FakeTask(check_mode=True)).waits({"wait": True}) is False
        assert action(instance_info, FakeTask(async_val=60)).waits({"wait": True}) is False

    def test_the_lines_start_with_the_role_else_the_module(self):
        assert action(instance_info, FakeTask(role=FakeRole())).label() == "wait_for_working"
        assert action(instance_info).label() == "instance_info"

    def test_check_mode_says_it_looks_once(self, said):
        lines, dummy = said
        with action(instance_info, FakeTask(check_mode=True)).progress({"wait": True, "instances": [UUID]}):
            pass
        assert lines == ["instance_info: check mode, so one look at 1 instance and no waiting"]

    def test_the_self_healing_gate_always_says_it_looks_once_in_check_mode(self, said):
        """fleet_heal waits without a wait option (the wait_for_working role's task)."""
        lines, dummy = said
        task = FakeTask(check_mode=True, role=FakeRole(), action="hypersender.whatsapp.fleet_heal")
        with action(fleet_heal, task).progress({"instances": [UUID, UUID]}):
            pass
        assert lines == ["wait_for_working: check mode, so one look at 2 instances and no waiting"]

    def test_the_canary_sends_nothing_in_check_mode_and_says_no_look(self, said):
        lines, dummy = said
        task = FakeTask(check_mode=True, action="hypersender.whatsapp.instance_canary")
        with action(instance_canary, task).progress({"instance": UUID, "to": "+1"}):
            pass
        assert lines == []

    def test_no_wait_no_line(self, said):
        lines, dummy = said
        with action(instance_info).progress({"wait": False}):
            pass
        assert lines == []


class TestProgress:

    def test_the_plan_then_a_line_every_interval_until_the_module_returns(self, said):
        lines, dummy = said
        with Progress("wait_for_working", "waiting up to 600 s for 2 instances", 600, interval=0.05):
            time.sleep(0.3)
        after = len(lines)
        time.sleep(0.15)
        assert lines[0] == "wait_for_working: waiting up to 600 s for 2 instances"
        assert len(lines) >= 3 and len(lines) == after, "no line after the block ended"
        assert all(
            line.startswith("wait_for_working: still waiting, ") and line.endswith(" s of at most 600 s")
            for line in lines[1:]
        )

    def test_interval_zero_prints_only_the_plan(self, said):
        lines, dummy = said
        with Progress("x", "waiting", 10, interval=0):
            time.sleep(0.1)
        assert lines == ["x: waiting"]

    def test_the_time_shown_never_passes_the_deadline(self, said):
        lines, dummy = said
        with Progress("x", None, 1, interval=0.05, started=time.monotonic() - 5):
            time.sleep(0.12)
        assert lines and all(line == "x: still waiting, 1 s of at most 1 s" for line in lines)
