# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    AuthenticationError,
    NotFoundError,
    OptionError,
    ResponseFormatError,
    ServerError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem import (
    connect,
    not_healthy_message,
    parse_health,
    parse_login,
    select_credentials,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem_rules import (
    GATEWAY_STATUSES,
    ROLES,
    SINGLE,
    Health,
    contradiction,
    unknown_values,
    validate_rules,
    verdict,
)
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import (
    Outcome,
    ScriptedSession,
    make_response,
)
from hypothesis import given, settings
from hypothesis import strategies as st

URL = "https://wa.example.test:9090"
KEY = "onprem-key-0123"  # 15 characters
TOKEN = "onprem-bearer-token-value"
PASSWORD = "pass word 42"  # a space is fine in a password
LOGIN_TOKEN = "eyJhbGciOiJIUzI1NiJ9.login-token"
META = {"api_status": "stable", "version": "2.53.1"}
DENIED = {"errors": [{"code": 1005, "title": "Access denied", "details": "Invalid credentials."}], "meta": META}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def node(name, status, role):
    return {"name": name, "gateway_status": status, "role": role}


def single(status):
    return Health(SINGLE, [node("", status, None)])


def cluster(*nodes):
    return Health("cluster", list(nodes))


MASTER_DOWN = node("gw1:0a1b2c3d", "disconnected", "primary_master")
MASTER_UP = node("gw1:0a1b2c3d", "connected", "primary_master")
SECONDARY = node("gw2:4e5f6a7b", "disconnected", "secondary_master")


def core(number, status):
    return node("gw%d:c0ffee%02d" % (number + 2, number), status, "coreapp")


class RecordingSession(ScriptedSession):
    """Also records the auth tuple and the Authorization header each request went out with."""

    def __init__(self, clock, script, headers):
        super().__init__(clock, script)
        self.headers = headers

    def __call__(self, method, url, params=None, timeout=None, auth=None, verify=None, **kwargs):
        response = super().__call__(method, url, params=params, timeout=timeout, auth=auth, verify=verify, **kwargs)
        self.calls[-1].update(auth=auth, authorization=self.headers())
        return response


@pytest.fixture
def onprem_api(clock, monkeypatch):
    """``onprem_api(options, script)`` -> (OnPremApi, session): no real I/O, no real sleeping."""

    def build(options, script):
        api = connect(dict({"api_url": URL}, **options), {}, clock=clock, sleep=clock.sleep, rand=lambda: 0.5)
        session = RecordingSession(clock, script, lambda: api.client.auth_header)
        monkeypatch.setattr(api.client._session, "request", session)
        return api, session

    return build


class TestCredentials:

    def test_none_at_all_names_every_option_and_variable(self):
        with pytest.raises(OptionError) as error:
            select_credentials({}, {})
        for word in (
            "no credentials",
            "api_key",
            "WA_API_KEY",
            "api_token",
            "WA_ONPREM_TOKEN",
            "WA_WEB_USERNAME",
            "WA_WEB_PASSWORD",
        ):
            assert word in str(error.value)

    @pytest.mark.parametrize(
        "options, named",
        [
            ({"api_key": KEY, "api_token": TOKEN}, "api_key, api_token"),
            ({"api_key": KEY, "username": "admin"}, "api_key, username/password"),
            ({"api_token": TOKEN, "password": PASSWORD}, "api_token, username/password"),
        ],
    )
    def test_several_options_are_refused(self, options, named):
        with pytest.raises(OptionError, match="more than one credential in the task options: %s;" % named) as error:
            select_credentials(options, {})
        for secret in (KEY, TOKEN, PASSWORD):
            assert secret not in str(error.value)

    def test_several_environment_variables_are_refused_by_name(self):
        environ = {"WA_API_KEY": KEY, "WA_ONPREM_TOKEN": TOKEN, "WA_WEB_USERNAME": "admin", "WA_WEB_PASSWORD": PASSWORD}
        with pytest.raises(OptionError) as error:
            select_credentials({}, environ)
        message = str(error.value)
        assert "in the environment: WA_API_KEY, WA_ONPREM_TOKEN, WA_WEB_USERNAME/WA_WEB_PASSWORD" in message
        assert "options override the environment" in message
        assert KEY not in message and TOKEN not in message

    def test_an_option_beats_the_environment(self):
        environ = {"WA_API_KEY": KEY, "WA_WEB_USERNAME": "admin", "WA_WEB_PASSWORD": PASSWORD}
        credentials = select_credentials({"api_token": TOKEN}, environ)
        assert (credentials.kind, credentials.secret) == ("api_token", TOKEN)

    @pytest.mark.parametrize("name, kind", [("WA_API_KEY", "api_key"), ("WA_ONPREM_TOKEN", "api_token")])
    def test_environment_alone(self, name, kind):
        credentials = select_credentials({}, {name: KEY})
        assert (credentials.kind, credentials.secret) == (kind, KEY)

    def test_empty_values_count_as_unset(self):
        """AWX injects every field of a credential type, empty when left blank."""
        environ = {"WA_API_KEY": "", "WA_ONPREM_TOKEN": TOKEN, "WA_WEB_USERNAME": "", "WA_WEB_PASSWORD": ""}
        assert select_credentials({"api_key": "", "api_token": None, "username": ""}, environ).kind == "api_token"

    @pytest.mark.parametrize("length", [12, 128])
    def test_key_length_limits_are_accepted(self, length):
        assert select_credentials({"api_key": "k" * length}, {}).secret == "k" * length

    @pytest.mark.parametrize("length", [11, 129])
    @pytest.mark.parametrize("where", ["option", "environment"])
    def test_key_length_outside_the_limits_is_refused_without_echo(self, length, where):
        key = "k" * (length - 1) + "Z"
        options, environ = ({"api_key": key}, {}) if where == "option" else ({}, {"WA_API_KEY": key})
        with pytest.raises(OptionError) as error:
            select_credentials(options, environ)
        assert (
            str(error.value)
            == "api_key must be 12 to 128 characters long, the given one has %d: check WA_API_KEY" % length
        )
        assert key not in str(error.value)

    @pytest.mark.parametrize("key", [" " + KEY, KEY + "\n", "onprem key 0123", "onprem\tkey-0123"])
    def test_white_space_in_a_key_is_refused(self, key):
        with pytest.raises(
            OptionError, match="api_key contains white space or control characters: check the value in WA_API_KEY"
        ):
            select_credentials({"api_key": key}, {})

    def test_white_space_in_a_token_is_refused(self):
        with pytest.raises(OptionError, match="api_token contains white space"):
            select_credentials({}, {"WA_ONPREM_TOKEN": "two words"})

    def test_login_halves_may_come_from_option_and_environment(self):
        credentials = select_credentials({"username": "admin"}, {"WA_WEB_PASSWORD": PASSWORD, "WA_API_KEY": KEY})
        assert (credentials.kind, credentials.username, credentials.secret) == ("login", "admin", PASSWORD)

    @pytest.mark.parametrize(
        "options, environ, missing",
        [
            ({"username": "admin"}, {}, "password"),
            ({"password": PASSWORD}, {}, "username"),
            ({}, {"WA_WEB_USERNAME": "admin"}, "password"),
        ],
    )
    def test_half_a_login_is_refused(self, options, environ, missing):
        with pytest.raises(OptionError, match="^%s is missing: logging in needs both username and password" % missing):
            select_credentials(options, environ)

    def test_a_colon_in_the_username_is_refused(self):
        with pytest.raises(OptionError, match="username must not contain a colon"):
            select_credentials({"username": "a:b", "password": PASSWORD}, {})


class TestBuildClient:

    def test_a_missing_url_names_the_variable(self):
        with pytest.raises(OptionError, match="api_url is not set: give the Webapp's root URL.*WA_ONPREM_URL"):
            connect({"api_url": "", "api_key": KEY})

    @pytest.mark.parametrize(
        "options, words",
        [
            ({"api_url": "wa.example.com:9090"}, "must start with https://"),
            ({"api_url": URL, "timeout": 0}, "timeout must be a number of seconds, above 0"),
            ({"api_url": URL, "retries": -1}, "retries must be a whole number, at least 0"),
        ],
    )
    def test_bad_connection_options(self, options, words):
        with pytest.raises(OptionError, match=words):
            connect(dict(options, api_key=KEY))

    @pytest.mark.parametrize(
        "options, header",
        [
            ({"api_key": KEY}, "Apikey " + KEY),
            ({"api_token": TOKEN}, "Bearer " + TOKEN),
            ({"username": "admin", "password": PASSWORD}, None),
        ],
    )
    def test_authorization_header_per_kind(self, options, header):
        api = connect(dict(options, api_url=URL + "/"), {})
        client = api.client
        assert api.secrets == (options.get("api_key") or options.get("api_token") or PASSWORD,)
        assert client.base_url == URL
        assert client.auth_header == header
        assert client.verify is True and client.retries == 3 and client.timeout == 30

    def test_ca_path_is_what_requests_verifies_with(self, tmp_path):
        bundle = tmp_path / "ca.pem"
        bundle.write_text("-----BEGIN CERTIFICATE-----\n")
        client = connect({"api_url": URL, "ca_path": str(bundle), "api_key": KEY}, {}).client
        assert client.verify == str(bundle)


class TestCheckRules:

    def test_defaults(self):
        assert validate_rules({}) == {"topology": "auto", "shards": None, "healthy_statuses": None}

    def test_an_empty_status_list_means_the_default(self):
        assert validate_rules({"healthy_statuses": []})["healthy_statuses"] is None

    @pytest.mark.parametrize(
        "options, words",
        [
            ({"topology": "cluster"}, "topology must be one of auto, single, ha, multiconnect"),
            ({"shards": 0}, "shards must be a whole number of 1 or more"),
            ({"shards": True}, "shards must be a whole number"),
            (
                {"topology": "ha", "shards": 2},
                "shards is for a Multiconnect deployment: use it with topology multiconnect or auto, not ha",
            ),
            ({"topology": "single", "shards": 1}, "not single"),
            ({"healthy_statuses": ["connected", "up"]}, "healthy_statuses: unknown gateway_status 'up'"),
        ],
    )
    def test_bad_rules(self, options, words):
        with pytest.raises(OptionError, match=words):
            validate_rules(options)


class TestParseHealth:

    def test_single_with_meta(self):
        body = {"health": {"gateway_status": "connected"}, "meta": META}
        assert parse_health(body) == Health(SINGLE, [node("", "connected", None)])

    def test_cluster_keeps_the_order_and_tolerates_extra_keys(self):
        body = {
            "health": {
                "gw3:8c9d0e1f": {"gateway_status": "connected", "role": "coreapp", "uptime": 3},
                "gw1:0a1b2c3d": {"gateway_status": "disconnected", "role": "primary_master"},
            },
            "meta": META,
            "extra": [],
        }
        assert parse_health(body) == Health(
            "cluster",
            [node("gw3:8c9d0e1f", "connected", "coreapp"), node("gw1:0a1b2c3d", "disconnected", "primary_master")],
        )

    def test_unknown_values_pass_through(self):
        body = {
            "health": {
                "gw9:1": {"gateway_status": "migrating", "role": "witness"},
                "gw8:2": {"gateway_status": "connected"},
            }
        }
        health = parse_health(body)
        assert health.nodes == [node("gw9:1", "migrating", "witness"), node("gw8:2", "connected", None)]
        assert unknown_values(health) == [
            "node gw9:1 reports gateway_status 'migrating', which this collection does not know; it counts as not connected",
            "node gw9:1 reports the role 'witness', which this collection does not know",
            "node gw8:2 reports no role, which this collection does not know",
        ]

    @pytest.mark.parametrize(
        "body, words",
        [
            ([], "expected an object with a health object; got an array of 0 items"),
            (None, "got null or an empty body"),
            ("connected", "got a str 'connected'"),
            ({"meta": META}, "got an object with keys meta$"),
            (DENIED, "got an object with keys errors, meta; it says: 1005 Access denied Invalid credentials."),
            ({"health": ["connected"]}, "health is an array of 1 items"),
            ({"health": "connected"}, "health is a str 'connected'"),
            ({"health": {}}, "health is an empty object, with neither a gateway_status nor any node"),
            (
                {"health": {"gateway_status": None}},
                "health is not an object with a gateway_status string; got an object with keys gateway_status",
            ),
            ({"health": {"gateway_status": 1}}, "health is not an object with a gateway_status string"),
            (
                {"health": {"gw1:1": "connected"}},
                "node 'gw1:1' is not an object with a gateway_status string; got a str 'connected'",
            ),
            (
                {"health": {"gw1:1": {"role": "coreapp"}}},
                "node 'gw1:1' is not an object with a gateway_status string; got an object with keys role",
            ),
            (
                {"health": {"gw1:1": {"gateway_status": "connected", "role": 2}}},
                "the role of node 'gw1:1' is not a string; got a int '2'",
            ),
        ],
    )
    def test_wrong_shapes_name_what_came_back(self, body, words):
        with pytest.raises(ResponseFormatError, match=words) as error:
            parse_health(body)
        assert str(error.value).startswith("GET /v1/health: ")

    @given(JSON)
    def test_any_json_gives_health_or_a_format_error(self, body):
        self._check(body)

    @given(st.dictionaries(st.text(max_size=12), JSON, max_size=5), JSON)
    def test_any_health_object_gives_health_or_a_format_error(self, health, meta):
        self._check({"health": health, "meta": meta})

    @staticmethod
    def _check(body):
        try:
            health = parse_health(body)
        except ResponseFormatError:
            return
        assert health.shape in (SINGLE, "cluster") and health.nodes
        for item in health.nodes:
            assert isinstance(item["gateway_status"], str) and (item["role"] is None or isinstance(item["role"], str))
        verdict(health)  # and the verdict copes with whatever the parser let through


class TestLogin:

    def test_parse_login(self):
        assert (
            parse_login({"users": [{"token": LOGIN_TOKEN, "expires_after": "2026-01-01 00:00:00+00:00"}], "meta": META})
            == LOGIN_TOKEN
        )

    @pytest.mark.parametrize(
        "body, words",
        [
            ({"users": []}, "got an object with keys users"),
            ({"users": [{"token": ""}]}, "got an object with keys token"),
            ({"users": [{"token": "has space " + LOGIN_TOKEN}]}, "got an object with keys token"),
            ({"users": [{"token": 42}]}, "users\\[0\\].token"),
            (["x"], "got an array of 1 items"),
        ],
    )
    def test_bad_login_bodies_never_echo_a_value(self, body, words):
        with pytest.raises(ResponseFormatError, match=words) as error:
            parse_login(body)
        assert LOGIN_TOKEN not in str(error.value)

    def test_login_then_health_with_the_token(self, onprem_api):
        api, session = onprem_api(
            {"username": "admin", "password": PASSWORD},
            [
                make_response(200, {"users": [{"token": LOGIN_TOKEN, "expires_after": "x"}], "meta": META}),
                make_response(200, {"health": {"gateway_status": "connected"}, "meta": META}),
                make_response(200, {"health": {"gateway_status": "connected"}, "meta": META}),
            ],
        )
        assert api.health().nodes[0]["gateway_status"] == "connected"
        api.health()
        login, first, second = session.calls
        assert (login["method"], login["url"], login["auth"], login["authorization"]) == (
            "POST",
            URL + "/v1/users/login",
            ("admin", PASSWORD),
            None,
        )
        assert (first["method"], first["url"], first["auth"]) == ("GET", URL + "/v1/health", None)
        assert first["authorization"] == second["authorization"] == "Bearer " + LOGIN_TOKEN, "one login per task"

    def test_the_login_token_never_reaches_a_message(self, onprem_api):
        api = onprem_api(
            {"username": "admin", "password": PASSWORD},
            [
                make_response(200, {"users": [{"token": LOGIN_TOKEN}]}),
                make_response(
                    500, {"errors": [{"code": 500, "title": "Oops", "details": "token %s refused" % LOGIN_TOKEN}]}
                ),
            ],
        )[0]
        api.client.retries = 0
        with pytest.raises(ServerError) as error:
            api.health()
        assert LOGIN_TOKEN not in str(error.value) and "token ******** refused" in str(error.value)

    def test_rejected_password_shows_metas_error_and_the_hint(self, onprem_api):
        api, session = onprem_api({"username": "admin", "password": PASSWORD}, [make_response(401, DENIED)])
        with pytest.raises(AuthenticationError) as error:
            api.health()
        message = str(error.value)
        assert message.startswith(
            "POST %s/v1/users/login: the WhatsApp Business On-Premises API rejected the credentials "
            "(HTTP 401) (1005 Access denied Invalid credentials.)" % URL
        )
        assert message.endswith(
            "check username and password / the whatsapp_onprem_username and whatsapp_onprem_password variables / the "
            "WA_WEB_USERNAME and WA_WEB_PASSWORD environment variables"
        )
        assert PASSWORD not in message
        assert len(session.calls) == 1

    def test_a_failed_login_is_retried_by_the_next_probe(self, onprem_api):
        api, session = onprem_api(
            {"username": "admin", "password": PASSWORD},
            [
                make_response(503, {"errors": [{"code": 503, "title": "Unavailable"}]}),
                make_response(200, {"users": [{"token": LOGIN_TOKEN}]}),
                make_response(200, {"health": {"gateway_status": "connecting"}}),
            ],
        )
        api.client.retries = 0
        with pytest.raises(ServerError):
            api.health()
        assert api.health().nodes[0]["gateway_status"] == "connecting"
        assert [call["method"] for call in session.calls] == ["POST", "POST", "GET"]


class TestHealthCalls:

    def test_api_key_header(self, onprem_api):
        api, session = onprem_api({"api_key": KEY}, [make_response(200, {"health": {"gateway_status": "connected"}})])
        api.health()
        assert session.calls[0]["authorization"] == "Apikey " + KEY and session.calls[0]["auth"] is None

    def test_401_shows_metas_code_and_details_and_the_hint(self, onprem_api):
        api = onprem_api({"api_key": KEY}, [make_response(401, DENIED)])[0]
        with pytest.raises(AuthenticationError) as error:
            api.health()
        message = str(error.value)
        assert (
            "(HTTP 401) (1005 Access denied Invalid credentials.): check api_key / the whatsapp_onprem_api_key "
            "variable / the WA_API_KEY environment variable" in message
        )
        assert KEY not in message

    def test_expired_token_hint(self, onprem_api):
        api = onprem_api({"api_token": TOKEN}, [make_response(401, DENIED)])[0]
        with pytest.raises(AuthenticationError, match="Bearer tokens expire after 7 days"):
            api.health()

    def test_404_asks_for_the_webapp_root(self, onprem_api):
        api = onprem_api(
            {"api_key": KEY}, [make_response(404, {"errors": [{"code": 1006, "title": "Resource not found"}]})]
        )[0]
        with pytest.raises(NotFoundError) as error:
            api.health()
        assert "not found (HTTP 404) (1006 Resource not found): is api_url the Webapp's root URL" in str(error.value)


class TestSingleVerdict:

    @pytest.mark.parametrize("status", ["connected", "connecting"])
    def test_good_health(self, status):
        assert verdict(single(status)) == {
            "topology": "single",
            "topology_name": "single instance",
            "nodes": [node("", status, None)],
            "gateway_status": status,
            "connected": int(status == "connected"),
            "healthy": True,
            "problems": [],
        }

    @pytest.mark.parametrize(
        "status, words",
        [
            ("disconnected", "The gateway is disconnected: the Coreapp is not connected to the WhatsApp servers"),
            (
                "unregistered",
                "The gateway is unregistered: register the WhatsApp Business API client, see the Registration documentation.",
            ),
            (
                "uninitialized",
                "The gateway is uninitialized: the application could be upgrading or initializing its database "
                "schema; retry in a few minutes (or wait with wait=true), and contact WhatsApp Support if it persists.",
            ),
            (
                "migrating",
                "The gateway reports gateway_status 'migrating', which this collection does not know; it counts as not connected.",
            ),
        ],
    )
    def test_not_healthy_with_the_seeds_hint(self, status, words):
        report = verdict(single(status))
        assert (report["healthy"], report["gateway_status"], report["connected"]) == (False, status, 0)
        assert len(report["problems"]) == 1 and report["problems"][0].startswith(words)

    def test_healthy_statuses_override(self):
        report = verdict(single("connecting"), healthy_statuses=["connected"])
        assert report["problems"] == [
            "The gateway is still connecting to the WhatsApp servers; it counts once it is connected "
            "(wait with wait=true)."
        ]
        assert verdict(single("connected"), healthy_statuses=["connecting"])["problems"] == [
            "The gateway is connected, which is not one of healthy_statuses."
        ]

    def test_explicit_single_topology(self):
        assert verdict(single("connected"), topology="single")["healthy"] is True


class TestHighAvailabilityVerdict:

    def test_one_coreapp_connected_and_masters_disconnected_is_healthy(self):
        report = verdict(cluster(MASTER_DOWN, SECONDARY, core(1, "connected"), core(2, "disconnected")))
        assert (report["topology"], report["healthy"], report["problems"], report["connected"]) == ("ha", True, [], 1)
        assert "gateway_status" not in report and [n["name"] for n in report["nodes"]] == [
            "gw1:0a1b2c3d",
            "gw2:4e5f6a7b",
            "gw3:c0ffee01",
            "gw4:c0ffee02",
        ]

    def test_no_coreapp_connected(self):
        report = verdict(cluster(MASTER_DOWN, core(1, "disconnected"), core(2, "uninitialized")), topology="ha")
        assert report["healthy"] is False
        assert report["problems"][0] == (
            "No coreapp is connected to the WhatsApp servers, but High Availability needs exactly "
            "one (gw3:c0ffee01 disconnected, gw4:c0ffee02 uninitialized)."
        )
        assert report["problems"][1].startswith("Node gw4:c0ffee02 (coreapp) is uninitialized: ")
        assert len(report["problems"]) == 2, "disconnected standbys need no sentence of their own"

    def test_two_coreapps_connected_is_a_problem(self):
        report = verdict(cluster(MASTER_DOWN, core(1, "connected"), core(2, "connected")))
        assert report["healthy"] is False and report["connected"] == 2
        assert report["problems"] == [
            "2 coreapps are connected (gw3:c0ffee01, gw4:c0ffee02), but High Availability has exactly "
            "one connected coreapp: check the masters' logs. If this is a Multiconnect deployment, set "
            "topology to multiconnect and shards to 2."
        ]

    def test_a_connecting_coreapp_does_not_count_by_default(self):
        health = cluster(MASTER_DOWN, core(1, "connecting"))
        report = verdict(health)
        assert report["healthy"] is False
        assert report["problems"][1] == (
            "Node gw3:c0ffee01 (coreapp) is still connecting to the WhatsApp servers; it counts "
            "once it is connected (wait with wait=true)."
        )
        assert verdict(health, healthy_statuses=["connected", "connecting"])["healthy"] is True

    def test_a_connected_master_is_not_a_problem(self):
        assert verdict(cluster(MASTER_UP, core(1, "connected")))["healthy"] is True

    def test_names_the_applied_topology_for_people(self):
        assert verdict(cluster(MASTER_UP, core(1, "connected")))["topology_name"] == "High Availability"
        assert verdict(cluster(MASTER_UP, core(1, "connected")), shards=1)["topology_name"] == "Multiconnect"
        assert verdict(single("connected"), topology="auto")["topology_name"] == "single instance"

    def test_no_coreapp_node(self):
        report = verdict(cluster(MASTER_DOWN, SECONDARY))
        assert report["problems"] == [
            "No node has the role coreapp, but High Availability needs one connected coreapp: check "
            "that the coreapp containers run and that api_url is the cluster's Webapp."
        ]

    @pytest.mark.parametrize("role, said", [("witness", "the role 'witness'"), (None, "no role")])
    def test_an_unknown_role_cannot_be_judged(self, role, said):
        report = verdict(cluster(MASTER_DOWN, core(1, "connected"), node("gw9:99", "disconnected", role)))
        assert report["healthy"] is False
        assert report["problems"] == [
            "Node gw9:99 reports %s, which this collection does not know (expected primary_master, "
            "secondary_master or coreapp), so the deployment cannot be judged healthy." % said
        ]

    def test_an_unknown_status_counts_as_not_connected(self):
        report = verdict(cluster(MASTER_DOWN, core(1, "standby")))
        assert report["problems"][1] == (
            "Node gw3:c0ffee01 (coreapp) reports gateway_status 'standby', which this collection "
            "does not know; it counts as not connected."
        )


class TestMulticonnectVerdict:

    def test_two_shards_healthy(self):
        report = verdict(cluster(MASTER_UP, SECONDARY, core(1, "connected"), core(2, "connected")), shards=2)
        assert (report["topology"], report["healthy"], report["connected"]) == ("multiconnect", True, 3)

    def test_two_shards_degraded(self):
        report = verdict(
            cluster(MASTER_UP, core(1, "connected"), core(2, "unregistered")), topology="multiconnect", shards=2
        )
        assert report["healthy"] is False
        assert report["problems"] == [
            "1 of the 2 coreapps that Multiconnect with 2 shards needs is connected (gw3:c0ffee01 connected, gw4:c0ffee02 unregistered).",
            "Node gw4:c0ffee02 (coreapp) is unregistered: register the WhatsApp Business API client, see the Registration documentation.",
        ]

    def test_the_primary_master_must_be_connected(self):
        report = verdict(cluster(MASTER_DOWN, core(1, "connected"), core(2, "connected")), shards=2)
        assert report["problems"] == [
            "The primary master (gw1:0a1b2c3d disconnected) is not connected, but in Multiconnect it "
            "must be connected to the WhatsApp servers too: check its logs and its network access to WhatsApp."
        ]

    def test_no_primary_master(self):
        report = verdict(cluster(SECONDARY, core(1, "connected")), shards=1)
        assert report["problems"][0].startswith("No node has the role primary_master")

    def test_more_coreapps_than_shards(self):
        report = verdict(cluster(MASTER_UP, core(1, "connected"), core(2, "connected"), core(3, "connected")), shards=2)
        assert report["problems"] == [
            "3 coreapps are connected (gw3:c0ffee01, gw4:c0ffee02, gw5:c0ffee03), but shards is 2: "
            "set shards to the deployment's number of shards."
        ]

    def test_without_shards_one_connected_coreapp_is_enough(self):
        health = cluster(MASTER_UP, core(1, "connected"), core(2, "disconnected"))
        assert verdict(health, topology="multiconnect")["healthy"] is True
        report = verdict(cluster(MASTER_UP, core(1, "disconnected")), topology="multiconnect")
        assert report["problems"] == [
            "No coreapp is connected to the WhatsApp servers, but Multiconnect needs one per shard "
            "(gw3:c0ffee01 disconnected)."
        ]


class TestTopologyContradictions:

    def test_single_expected_but_a_cluster_answered(self):
        health = cluster(MASTER_DOWN, core(1, "connected"))
        report = verdict(health, topology="single")
        assert (report["topology"], report["healthy"]) == ("single", False)
        assert report["problems"] == [
            "topology is single, but GET /v1/health lists 2 nodes (gw1:0a1b2c3d, gw3:c0ffee01), as a "
            "High Availability or Multiconnect deployment does: set topology to ha, multiconnect or auto."
        ]
        assert contradiction(health, "single") == report["problems"][0]

    @pytest.mark.parametrize(
        "topology, shards, said",
        [
            ("ha", None, "topology is ha, but"),
            ("multiconnect", 2, "topology is multiconnect, but"),
            ("auto", 2, "shards is 2, so a Multiconnect deployment is expected, but"),
        ],
    )
    def test_cluster_expected_but_a_single_instance_answered(self, topology, shards, said):
        report = verdict(single("connected"), topology=topology, shards=shards)
        assert report["healthy"] is False and report["gateway_status"] == "connected"
        assert report["problems"] == [contradiction(single("connected"), topology, shards)]
        assert report["problems"][0].startswith(
            said + " GET /v1/health describes a single instance (gateway_status connected)"
        )

    def test_auto_never_contradicts(self):
        assert contradiction(single("connected")) is None
        assert contradiction(cluster(MASTER_DOWN)) is None


NODES = st.lists(
    st.builds(
        node,
        st.text(min_size=1, max_size=12),
        st.sampled_from(GATEWAY_STATUSES + ("standby", "")),
        st.sampled_from(ROLES + ("witness", None)),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda item: item["name"],
)


class TestVerdictProperties:

    @settings(max_examples=300)
    @given(
        NODES,
        st.sampled_from(("auto", "ha", "multiconnect", "single")),
        st.one_of(st.none(), st.integers(1, 4)),
        st.one_of(st.none(), st.lists(st.sampled_from(GATEWAY_STATUSES), min_size=1, max_size=3)),
    )
    def test_healthy_only_when_every_required_node_is_there(self, nodes, topology, shards, statuses):
        if topology in ("ha", "single"):
            shards = None
        report = verdict(cluster(*nodes), topology=topology, shards=shards, healthy_statuses=statuses)
        assert report["healthy"] is (not report["problems"])
        assert all(isinstance(problem, str) and problem.endswith(".") for problem in report["problems"])
        assert report["connected"] == sum(1 for item in nodes if item["gateway_status"] == "connected")
        if not report["healthy"]:
            return
        up = statuses or ["connected"]
        up_coreapps = [item for item in nodes if item["role"] == "coreapp" and item["gateway_status"] in up]
        assert topology != "single" and all(item["role"] in ROLES for item in nodes)
        if report["topology"] == "ha":
            assert len(up_coreapps) == 1
        else:
            assert report["topology"] == "multiconnect"
            assert any(item["role"] == "primary_master" and item["gateway_status"] in up for item in nodes)
            assert len(up_coreapps) == shards if shards else up_coreapps

    @given(st.sampled_from(GATEWAY_STATUSES + ("standby",)), st.sampled_from(("auto", "single")))
    def test_single_is_healthy_exactly_for_connected_and_connecting(self, status, topology):
        assert verdict(single(status), topology=topology)["healthy"] is (status in ("connected", "connecting"))


class TestNotHealthyMessage:

    def test_timeout_names_the_last_problems_polls_and_time(self):
        report = verdict(cluster(MASTER_DOWN, core(1, "uninitialized")))
        message = not_healthy_message(URL, report, 300.0, Outcome(61, 300.2))
        assert message.startswith(
            "the gateway at %s is not healthy after 300 s (61 polls, 300.2 s elapsed): No coreapp is connected" % URL
        )
        assert "contact WhatsApp Support if it persists." in message

    def test_no_poll_succeeded(self):
        message = not_healthy_message(URL, None, 2, Outcome(3, 2.0, "GET x: server error (HTTP 503)"))
        assert (
            message == "the gateway at %s is not healthy after 2 s (3 polls, 2 s elapsed); no poll succeeded; "
            "last error: GET x: server error (HTTP 503)" % URL
        )

    def test_last_poll_failed_after_an_earlier_one_succeeded(self):
        message = not_healthy_message(URL, verdict(single("disconnected")), 2, Outcome(3, 2.0, "GET x: boom"))
        assert message.endswith("network access to WhatsApp. The last poll failed: GET x: boom")

    def test_contradiction_stops_at_once(self):
        report = verdict(single("connected"), topology="ha")
        message = not_healthy_message(URL, report, 300, Outcome(1, 0.01), fatal=True)
        assert message.startswith(
            "stopped waiting for the gateway at %s after 1 polls (0 s), since waiting cannot fix this: "
            "topology is ha, but" % URL
        )
