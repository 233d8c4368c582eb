# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import REDACTOR, ApiClient
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    read_error as read_hypersender_error,
)
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import (
    TOKEN,
    FakeClock,
    ScriptedSession,
)


@pytest.fixture(autouse=True)
def forget_secrets():
    """The redactor is one per process: each test starts with none, as a module's process does."""
    REDACTOR.clear()
    yield
    REDACTOR.clear()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def scripted_client(clock, monkeypatch):
    """``scripted_client(script, **kwargs)`` -> (client, session) with no real I/O and no real sleeping."""

    def build(script, **kwargs):
        kwargs.setdefault("rand", lambda: 0.5)
        kwargs.setdefault("error_reader", read_hypersender_error)  # the Hypersender API's client reads its error bodies
        client = ApiClient(
            "https://api.example.test/api/whatsapp/v1",
            "Bearer " + TOKEN,
            service="Hypersender API",
            auth_hint="check api_token / the whatsapp_hypersender_api_token variable / the HYPERSENDER_API_TOKEN "
            "environment variable",
            clock=clock,
            sleep=clock.sleep,
            **kwargs,
        )
        session = ScriptedSession(clock, script)
        monkeypatch.setattr(client._session, "request", session)
        return client, session

    return build
