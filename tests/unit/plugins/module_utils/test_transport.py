# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One transport part: the same options, checks and client behaviour for every service."""

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils import _cloud, _hypersender, _onprem
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, RateLimitedError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._transport import (
    TRANSPORT_OPTIONS,
    transport_argument_spec,
    validate_transport,
)
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import make_response

ONPREM_KEY = "onprem-key-0123"
# What a caller without wait options says (module_utils tests may not import the controller's plugin_utils).
LOOKUP_RATE_LIMIT_HINT = "call the lookup less often (once per play, not per host or loop item)"


def build_hypersender(options, **kwargs):
    return _hypersender.connect(dict(options, api_token="token-value"), **kwargs).client


def build_cloud(options, **kwargs):
    return _cloud.connect(dict(options, api_token="token-value"), **kwargs).client


def build_onprem(options, **kwargs):
    return _onprem.connect(dict(options, api_url="https://wa.example.test:9090", api_key=ONPREM_KEY), **kwargs).client


BUILDERS = [build_hypersender, build_cloud, build_onprem]


def never(*args, **kwargs):
    raise AssertionError("no request may be sent")


@pytest.mark.parametrize(
    "spec", [_hypersender.CONNECTION_ARGUMENT_SPEC, _onprem.CONNECTION_ARGUMENT_SPEC, _cloud.CONNECTION_ARGUMENT_SPEC]
)
def test_every_service_takes_the_one_transport_spec(spec):
    assert {name: spec[name] for name in TRANSPORT_OPTIONS} == transport_argument_spec()


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(
    "options, words",
    [
        ({"timeout": 0}, "timeout must be"),
        ({"retries": -1}, "retries must be"),
        ({"ca_path": "/nonexistent/ca.pem"}, "ca_path '/nonexistent/ca.pem' does not exist"),
    ],
)
def test_every_service_refuses_bad_transport_options_before_any_request(build, options, words, monkeypatch):
    monkeypatch.setattr("requests.Session.request", never)
    with pytest.raises(OptionError, match=words):
        build(options)


@pytest.mark.parametrize("build", BUILDERS)
def test_every_service_gets_the_same_transport_settings(build, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    options = {"timeout": 7, "retries": 2, "validate_certs": True, "ca_path": str(bundle)}
    with build(options) as client:
        assert (client.timeout, client.retries, client.verify) == (7.0, 2, str(bundle))
    assert validate_transport({}) == {"timeout": 30.0, "retries": 3, "validate_certs": True, "ca_path": None}


@pytest.mark.parametrize("build", BUILDERS)
def test_the_client_is_a_context_manager_that_closes_its_session(build):
    client = build({})
    closed = []
    client._session.close = lambda: closed.append(True)
    with client as same:
        assert same is client
    assert closed == [True]


@pytest.mark.parametrize("build", BUILDERS)
def test_a_rate_limit_names_what_the_caller_can_do(build, monkeypatch):
    graph_limit = {"error": {"message": "Application request limit reached", "type": "OAuthException", "code": 4}}
    body = graph_limit if build is build_cloud else {"message": "Too Many Attempts."}
    status = 400 if build is build_cloud else 429
    client = build({"retries": 0}, rate_limit_hint=LOOKUP_RATE_LIMIT_HINT)
    monkeypatch.setattr(client._session, "request", lambda *args, **kwargs: make_response(status, body))
    with pytest.raises(RateLimitedError) as error:
        client.get_json("/v23.0/123" if build is build_cloud else "/v1/health")
    assert str(error.value).endswith(LOOKUP_RATE_LIMIT_HINT)
    assert "wait_sleep" not in str(error.value)
