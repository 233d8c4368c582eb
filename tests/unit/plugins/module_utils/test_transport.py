# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One transport part: the same options, checks and client behaviour for every service."""

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils import _cloud, _hypersender, _onprem
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    AuthenticationError,
    OptionError,
    RateLimitedError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._transport import (
    TRANSPORT_OPTIONS,
    transport_argument_spec,
    validate_transport,
    where_set,
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


def test_where_set_names_the_options_their_variables_and_their_environment_variables():
    assert where_set("cloud", ["api_token"], ["WA_CLOUD_TOKEN"]) == (
        "api_token / the whatsapp_cloud_api_token variable / the WA_CLOUD_TOKEN environment variable"
    )
    assert where_set("onprem", ["username", "password"], ["WA_WEB_USERNAME", "WA_WEB_PASSWORD"]) == (
        "username and password / the whatsapp_onprem_username and whatsapp_onprem_password variables / the "
        "WA_WEB_USERNAME and WA_WEB_PASSWORD environment variables"
    )


@pytest.mark.parametrize(
    "connect, options, status, body, places",
    [
        (
            _hypersender.connect,
            {"api_token": "token-value"},
            401,
            {"message": "Unauthenticated."},
            "check api_token / the whatsapp_hypersender_api_token variable / the HYPERSENDER_API_TOKEN environment "
            "variable",
        ),
        (
            _cloud.connect,
            {"api_token": "token-value"},
            401,
            {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
            "set it as api_token / the whatsapp_cloud_api_token variable / the WA_CLOUD_TOKEN environment variable",
        ),
        (
            _cloud.connect,
            {"api_token": "token-value"},
            401,
            {"message": "a proxy's own 401, no Graph error"},
            "check api_token / the whatsapp_cloud_api_token variable / the WA_CLOUD_TOKEN environment variable: ",
        ),
        (
            _onprem.connect,
            {"api_url": "https://wa.example.test:9090", "api_key": ONPREM_KEY},
            401,
            {"errors": [{"code": 1005, "title": "Access denied", "details": "Invalid credentials."}]},
            "check api_key / the whatsapp_onprem_api_key variable / the WA_API_KEY environment variable against",
        ),
        (
            _onprem.connect,
            {"api_url": "https://wa.example.test:9090", "api_token": "token-value"},
            401,
            {"errors": [{"code": 1005, "title": "Access denied", "details": "Invalid credentials."}]},
            "check api_token / the whatsapp_onprem_api_token variable / the WA_ONPREM_TOKEN environment variable; ",
        ),
    ],
)
def test_a_rejected_credential_names_every_place_it_is_set(connect, options, status, body, places, monkeypatch):
    """The task option (or module_defaults), the whatsapp_<service>_<option> variable the modules' action plugins and
    the lookups read, and the environment variable: the message names all three, whichever one the run used."""
    client = connect(dict(options, retries=0)).client
    monkeypatch.setattr(client._session, "request", lambda *args, **kwargs: make_response(status, body))
    with pytest.raises(AuthenticationError) as error:
        client.get_json("/v23.0/123" if connect is _cloud.connect else "/v1/health")
    assert places in str(error.value), str(error.value)
