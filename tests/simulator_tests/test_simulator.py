# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Behaviour tests of the simulator over loopback HTTP(S), with `requests` as the client."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests
from sim_support import (
    FIRST_ID,
    HA_HEALTH,
    HS_TOKEN,
    ONPREM_BEARER,
    ONPREM_KEY,
    ONPREM_USER,
    SECOND_ID,
    SIMULATOR_DIR,
    seed_scenario,
)
from whatsapp_sim import Scenario, ScenarioError, Simulator

# pylint: disable=redefined-outer-name

HS_AUTH = {"Authorization": "Bearer " + HS_TOKEN}
APIKEY_AUTH = {"Authorization": "Apikey " + ONPREM_KEY}
HEALTH_PATH = r"^/api/whatsapp/v1/[^/]+/health$"


def with_hypersender(**changes):
    scenario = seed_scenario()
    scenario["hypersender"].update(changes)
    return scenario


@pytest.fixture
def sim():
    with Simulator(seed_scenario()) as simulator:
        yield simulator


def listing(simulator, **params):
    query = {"filter[%s]" % key: value for key, value in params.items()}
    return requests.get(simulator.hypersender_url + "/instances", params=query, headers=HS_AUTH, timeout=5)


def health(simulator, instance_id=FIRST_ID, headers=None):
    return requests.get(
        "%s/%s/health" % (simulator.hypersender_url, instance_id), headers=headers or HS_AUTH, timeout=5
    )


# -- Hypersender: auth, listing, filters, health --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Apikey " + HS_TOKEN}, {"Authorization": HS_TOKEN}],
)
def test_hypersender_rejects_missing_or_wrong_credentials(sim, headers):
    for url in (
        sim.hypersender_url + "/instances",
        sim.hypersender_url + "/" + FIRST_ID + "/health",
        sim.hypersender_url + "/unknown/health",
    ):
        response = requests.get(url, headers=headers, timeout=5)
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthenticated."}
        assert response.headers["Content-Type"] == "application/json"


def test_listing_matches_the_seed_example(sim):
    response = listing(sim)
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": FIRST_ID,
            "name": "MyInstanceName",
            "phone": "+201234567890",
            "service_type": "whatsapp",
            "status": "WORKING",
            "access_token": "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1",
            "created_at": "2025-05-26T10:12:45",
        },
        {
            "id": SECOND_ID,
            "name": "SecondInstance",
            "phone": "+201234567891",
            "service_type": "whatsapp",
            "status": "SCAN_QR_CODE",
            "access_token": None,
            "created_at": "2025-05-25T15:30:22",
        },
    ]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"uuid": FIRST_ID}, [FIRST_ID]),
        ({"uuid": FIRST_ID[:8]}, []),
        ({"name": "second"}, [SECOND_ID]),
        ({"name": "INSTANCE"}, [FIRST_ID, SECOND_ID]),
        ({"phone": "+201234567891"}, [SECOND_ID]),
        ({"phone": "201234567891"}, []),
        ({"status": "WORKING"}, [FIRST_ID]),
        ({"status": "FAILED"}, []),
        ({"status": ""}, [FIRST_ID, SECOND_ID]),
        ({"name": "instance", "status": "SCAN_QR_CODE"}, [SECOND_ID]),
    ],
)
def test_listing_filters(sim, filters, expected):
    response = listing(sim, **filters)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == expected


def test_listing_rejects_bad_filters(sim):
    invalid = listing(sim, status="working")
    assert invalid.status_code == 422
    assert invalid.json()["message"] == "The selected filter[status] is invalid."
    unknown = listing(sim, colour="blue")
    assert unknown.status_code == 400
    assert "colour" in unknown.json()["message"]


def test_instance_health_and_not_found(sim):
    response = health(sim)
    assert response.status_code == 200
    assert response.json() == {"instance_id": FIRST_ID, "connected_at": "2025-05-26T10:12:45", "status": "WORKING"}
    missing = health(sim, "00000000-0000-4000-8000-000000000000")
    assert (missing.status_code, missing.json()) == (404, {"message": "Resource not found."})
    assert health(sim, "instances").status_code == 404


def test_unknown_paths_and_methods(sim):
    unknown = requests.get(sim.hypersender_url + "/instances/extra/path", headers=HS_AUTH, timeout=5)
    assert (unknown.status_code, unknown.json()) == (404, {"message": "Not found."})
    assert requests.get(sim.url + "/", timeout=5).status_code == 404
    wrong = requests.post(sim.hypersender_url + "/instances", headers=HS_AUTH, timeout=5)
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]
    onprem_unknown = requests.get(sim.url + "/v1/nothing", headers=APIKEY_AUTH, timeout=5)
    assert onprem_unknown.status_code == 404
    assert onprem_unknown.json()["errors"][0]["code"] == 1006
    assert requests.get(sim.url + "/v1/users/login", timeout=5).status_code == 405


def test_head_mirrors_get_without_body(sim):
    response = requests.head(sim.hypersender_url + "/instances", headers=HS_AUTH, timeout=5)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(listing(sim).content)
    assert response.content == b""


def test_timelines_and_unknown_statuses():
    scenario = with_hypersender(
        instances=[
            {"id": "a", "timeline": [{"at": 0.4, "status": "WORKING"}, {"at": 0, "status": "STARTING"}]},
            {"id": "b", "timeline": [{"at": 0.2, "status": "STARTING"}, {"at": 0.4, "status": "MIGRATING"}]},
        ]
    )
    with Simulator(scenario) as sim:
        assert [i["status"] for i in listing(sim).json()] == [
            "STARTING",
            "STARTING",
        ]  # before the first entry: the first status
        assert health(sim, "a").json()["status"] == "STARTING"
        time.sleep(0.45)
        assert [i["status"] for i in listing(sim).json()] == ["WORKING", "MIGRATING"]
        assert health(sim, "b").json()["status"] == "MIGRATING"
        assert listing(sim, status="WORKING").json()[0]["id"] == "a"
        assert sim.ready_times() == {"a": 0.4, "b": None}


def test_the_clock_starts_at_the_first_api_request_not_before():
    """A client that starts late (a loaded machine) still sees the timeline from its first step, after a start,
    a reset and a load alike; requests to /_sim/ do not start the clock."""
    timeline = [{"at": 0, "status": "STARTING"}, {"at": 0.3, "status": "WORKING"}]
    scenario = with_hypersender(instances=[{"id": "a", "timeline": timeline}])
    with Simulator(scenario) as sim:
        for restart in (lambda: None, sim.reset, lambda: sim.load(scenario)):
            restart()
            requests.get(sim.url + "/_sim/requests", timeout=5)
            time.sleep(0.5)
            assert sim.elapsed() == 0.0
            assert health(sim, "a").json()["status"] == "STARTING"
            assert sim.requests()[0]["t"] < 0.3
            time.sleep(0.35)
            assert health(sim, "a").json()["status"] == "WORKING"
            assert sim.elapsed() >= 0.35


def test_instance_defaults():
    with Simulator(with_hypersender(instances=[{"id": "x1", "status": "PENDING"}])) as sim:
        item = listing(sim).json()[0]
        assert set(item) == {"id", "name", "phone", "service_type", "status", "access_token", "created_at"}
        assert item["name"] and item["phone"].startswith("+") and item["created_at"]
        assert item["access_token"].split("|")[0].isdigit()
        assert health(sim, "x1").json()["connected_at"] == item["created_at"]
        first = item["access_token"]
    with Simulator(with_hypersender(instances=[{"id": "x1", "status": "PENDING"}])) as sim:
        assert listing(sim).json()[0]["access_token"] == first


# -- rate limiting -------------------------------------------------------------------------------------------------------------


def test_health_rate_limit_fixed_window_and_retry_after():
    with Simulator(with_hypersender(rate_limit={"requests": 3, "window": 2})) as sim:
        first = [health(sim) for dummy in range(3)]
        assert [r.headers["X-RateLimit-Remaining"] for r in first] == ["2", "1", "0"]
        assert all(r.headers["X-RateLimit-Limit"] == "3" for r in first)
        throttled = health(sim, "unknown-instance")  # the limit is per token, across instances
        assert throttled.status_code == 429
        assert throttled.json() == {"message": "Too many requests. Please try again later."}
        assert throttled.headers["Retry-After"] == "2"  # ceil(2 - elapsed)
        assert throttled.headers["X-RateLimit-Remaining"] == "0"
        other_token = health(sim, headers={"Authorization": "Bearer second-token"})
        assert other_token.status_code == 401  # auth first: an unknown token is never throttled
        time.sleep(1.2)
        assert health(sim).headers["Retry-After"] == "1"
        time.sleep(0.85)
        assert health(sim).status_code == 200  # throttled calls did not extend the window
        assert listing(sim).status_code == 200  # /instances is not limited by default
        assert "X-RateLimit-Limit" not in listing(sim).headers
        assert sim.count(HEALTH_PATH, status=429) == 2


def test_rate_limit_is_per_token_and_optional_on_instances():
    scenario = with_hypersender(
        tokens=[HS_TOKEN, "token-two"],
        rate_limit={"requests": 1, "window": 5},
        rate_limit_instances={"requests": 2, "window": 5},
    )
    with Simulator(scenario) as sim:
        two = {"Authorization": "Bearer token-two"}
        assert health(sim).status_code == 200
        assert health(sim).status_code == 429
        assert health(sim, headers=two).status_code == 200
        assert [listing(sim).status_code for dummy in range(3)] == [200, 200, 429]
        assert health(sim, "missing", headers=two).status_code == 429  # 404s count, like Laravel's throttle middleware


def test_rate_limit_scope_instance_and_disabled():
    with Simulator(with_hypersender(rate_limit={"requests": 1, "window": 5, "scope": "instance"})) as sim:
        assert [
            health(sim, FIRST_ID).status_code,
            health(sim, SECOND_ID).status_code,
            health(sim, FIRST_ID).status_code,
        ] == [200, 200, 429]
    with Simulator(with_hypersender(rate_limit=None)) as sim:
        assert {health(sim).status_code for dummy in range(15)} == {200}


# -- faults --------------------------------------------------------------------------------------------------------------------


def test_fault_status_body_headers_skip_and_count():
    fault = {
        "path": HEALTH_PATH,
        "method": "GET",
        "skip": 1,
        "count": 2,
        "status": 503,
        "body": {"message": "Service Unavailable"},
        "headers": {"Retry-After": "1"},
    }
    with Simulator(seed_scenario(faults=[fault])) as sim:
        responses = [health(sim) for dummy in range(4)]
        assert [r.status_code for r in responses] == [200, 503, 503, 200]
        assert responses[1].json() == {"message": "Service Unavailable"}
        assert responses[1].headers["Retry-After"] == "1"
        assert "X-RateLimit-Remaining" not in responses[1].headers
        assert responses[3].headers["X-RateLimit-Remaining"] == "8"  # faulted requests consumed no rate limit
        assert listing(sim).status_code == 200
        assert health(sim, headers={"Authorization": "Bearer wrong"}).status_code == 401  # auth precedes faults


def test_fault_raw_non_json_body():
    fault = {"path": "/instances$", "status": 502, "raw_body": "<html>oops</html>", "content_type": "text/html"}
    with Simulator(seed_scenario(faults=[fault])) as sim:
        response = listing(sim)
        assert (response.status_code, response.text, response.headers["Content-Type"]) == (
            502,
            "<html>oops</html>",
            "text/html",
        )
        with pytest.raises(ValueError):
            response.json()
        assert listing(sim).status_code == 502  # count null: always


def test_fault_truncate_and_drop():
    faults = [
        {"path": "/instances$", "count": 1, "status": 200, "body": [{"id": "partial"}], "truncate": True},
        {"path": "/health$", "count": 1, "drop": True},
    ]
    with Simulator(seed_scenario(faults=faults)) as sim:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            listing(sim)
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(sim.url + "/v1/health", headers=APIKEY_AUTH, timeout=5)
        assert listing(sim).status_code == 200
        assert sim.count("/v1/health", status=0) == 1  # a dropped request is logged with status 0


def test_fault_delay_only_passes_through_and_delay_with_status():
    faults = [
        {"path": "/v1/health$", "count": 1, "delay": 0.3},
        {"path": "/instances$", "count": 1, "delay": 0.3, "status": 500},
    ]
    with Simulator(seed_scenario(faults=faults)) as sim:
        started = time.monotonic()
        response = requests.get(sim.url + "/v1/health", headers=APIKEY_AUTH, timeout=5)
        assert response.status_code == 200 and time.monotonic() - started >= 0.3
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(sim.hypersender_url + "/instances", headers=HS_AUTH, timeout=0.1)
        assert listing(sim).status_code == 200


# -- on-premises ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [APIKEY_AUTH, {"Authorization": "Bearer " + ONPREM_BEARER}, {"Authorization": "apikey " + ONPREM_KEY}]
)
def test_onprem_health_accepts_apikey_and_bearer(sim, headers):
    response = requests.get(sim.url + "/v1/health", headers=headers, timeout=5)
    assert response.status_code == 200
    assert response.json()["health"] == {"gateway_status": "connected"}
    assert response.json()["meta"]["api_status"] == "stable"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Apikey wrong-key-000"}, {"Authorization": "Bearer " + ONPREM_KEY}]
)
def test_onprem_health_rejects(sim, headers):
    response = requests.get(sim.url + "/v1/health", headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json()["errors"] == [{"code": 1005, "title": "Access denied", "details": "Invalid credentials."}]


def test_onprem_login_issues_bearer_tokens_that_expire():
    scenario = seed_scenario()
    scenario["onprem"]["token_ttl"] = 0.5
    with Simulator(scenario) as sim:
        response = requests.post(sim.url + "/v1/users/login", auth=ONPREM_USER, timeout=5)
        assert response.status_code == 200
        user = response.json()["users"][0]
        assert user["token"] and user["expires_after"].endswith("+00:00")
        bearer = {"Authorization": "Bearer " + user["token"]}
        assert requests.get(sim.url + "/v1/health", headers=bearer, timeout=5).status_code == 200
        sim.reset()  # issued tokens survive a reset (they belong to the server, not to the clock)
        assert requests.get(sim.url + "/v1/health", headers=bearer, timeout=5).status_code == 200
        time.sleep(0.55)
        assert requests.get(sim.url + "/v1/health", headers=bearer, timeout=5).status_code == 401
        for auth in (("admin", "wrong"), ("nobody", "secret-password")):
            denied = requests.post(sim.url + "/v1/users/login", auth=auth, timeout=5)
            assert denied.status_code == 401 and denied.json()["errors"][0]["code"] == 1005
        assert requests.post(sim.url + "/v1/users/login", timeout=5).status_code == 401


def test_onprem_timeline_switches_to_ha_shape():
    scenario = seed_scenario()
    scenario["onprem"]["timeline"] = [
        {"at": 0, "health": {"gateway_status": "uninitialized"}},
        {"at": 0.3, "health": HA_HEALTH},
    ]
    with Simulator(scenario) as sim:
        assert requests.get(sim.url + "/v1/health", headers=APIKEY_AUTH, timeout=5).json()["health"] == {
            "gateway_status": "uninitialized"
        }
        time.sleep(0.35)
        assert requests.get(sim.url + "/v1/health", headers=APIKEY_AUTH, timeout=5).json()["health"] == HA_HEALTH


# -- TLS -----------------------------------------------------------------------------------------------------------------------


def test_tls_with_ca_file(tmp_path):
    with Simulator(seed_scenario(), tls=True, cert_dir=str(tmp_path)) as sim:
        assert sim.url.startswith("https://127.0.0.1:")
        assert sim.ca_file == str(tmp_path / "ca.pem")
        assert (
            requests.get(sim.url + "/v1/health", headers=APIKEY_AUTH, verify=sim.ca_file, timeout=5).status_code == 200
        )
        localhost = sim.url.replace("127.0.0.1", "localhost")
        assert (
            requests.get(
                localhost + "/api/whatsapp/v1/instances", headers=HS_AUTH, verify=sim.ca_file, timeout=5
            ).status_code
            == 200
        )
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(sim.url + "/v1/health", headers=APIKEY_AUTH, timeout=5)
    assert os.path.exists(str(tmp_path / "ca.pem"))  # a caller's directory is kept


def test_tls_without_openssl_uses_cryptography(monkeypatch, tmp_path):
    pytest.importorskip("cryptography", reason="the fallback certificate generator needs the cryptography package")
    from whatsapp_sim import tls  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(tls.shutil, "which", lambda name: None)
    with Simulator(seed_scenario(), tls=True, cert_dir=str(tmp_path)) as sim:
        assert not (tmp_path / "ca.cnf").exists()  # the openssl path was not taken
        assert (
            requests.get(sim.url + "/v1/health", headers=APIKEY_AUTH, verify=sim.ca_file, timeout=5).status_code == 200
        )


def test_tls_temporary_cert_dir_is_removed():
    with Simulator(seed_scenario(), tls=True) as sim:
        ca_file = sim.ca_file
        with requests.Session() as session:
            # verify per request: with REQUESTS_CA_BUNDLE in the environment, requests ignores session.verify.
            assert (
                session.get(sim.hypersender_url + "/instances", headers=HS_AUTH, verify=ca_file, timeout=5).status_code
                == 200
            )
    assert not os.path.exists(ca_file)


# -- request log, reset, admin -------------------------------------------------------------------------------------------------


def test_request_log_and_counts_keep_no_secrets(sim):
    listing(sim, status="WORKING")
    health(sim, headers={"Authorization": "Bearer wrong-secret"})
    requests.get(sim.url + "/v1/health", headers=APIKEY_AUTH, timeout=5)
    requests.post(sim.url + "/v1/users/login", auth=ONPREM_USER, timeout=5)
    requests.get(sim.url + "/v1/health", timeout=5)
    log = sim.requests()
    assert [(e["method"], e["status"], e["auth"]) for e in log] == [
        ("GET", 200, "bearer"),
        ("GET", 401, "bearer"),
        ("GET", 200, "apikey"),
        ("POST", 200, "basic"),
        ("GET", 401, "none"),
    ]
    assert log[0]["path"] == "/api/whatsapp/v1/instances" and log[0]["query"] == {"filter[status]": "WORKING"}
    assert set(log[0]) == {"t", "method", "path", "query", "status", "auth"}
    assert all(0 <= a["t"] <= b["t"] for a, b in zip(log, log[1:]))
    dumped = json.dumps(log)
    for secret in (HS_TOKEN, "wrong-secret", ONPREM_KEY, ONPREM_USER[1]):
        assert secret not in dumped
    assert sim.count() == 5
    assert sim.count(path="^/v1/") == 3
    assert sim.count(status=401) == 2
    assert sim.count(path="/v1/health", status=200, method="get") == 1


def test_reset_restarts_clock_log_limits_and_faults():
    scenario = with_hypersender(
        rate_limit={"requests": 1, "window": 60},
        instances=[{"id": "a", "timeline": [{"at": 0, "status": "STARTING"}, {"at": 0.3, "status": "WORKING"}]}],
    )
    scenario["faults"] = [{"path": "/instances$", "count": 1, "status": 500}]
    with Simulator(scenario) as sim:
        assert listing(sim).status_code == 500
        time.sleep(0.35)
        assert listing(sim).json()[0]["status"] == "WORKING"
        assert health(sim, "a").status_code == 200 and health(sim, "a").status_code == 429
        sim.reset()
        assert sim.requests() == [] and sim.elapsed() < 0.3
        assert listing(sim).status_code == 500
        assert health(sim, "a").json()["status"] == "STARTING"


def test_admin_endpoints_are_unlogged(sim):
    listing(sim)
    log = requests.get(sim.url + "/_sim/requests", timeout=5).json()
    assert len(log) == 1 and log[0]["path"].endswith("/instances")
    assert requests.get(sim.url + "/_sim/instances", timeout=5).json() == {FIRST_ID: 0.0, SECOND_ID: None}
    status = requests.get(sim.url + "/_sim/status", timeout=5).json()
    assert status["requests"] == 1 and status["instances"] == 2
    assert requests.post(sim.url + "/_sim/reset", timeout=5).status_code == 200
    assert sim.requests() == []
    new = with_hypersender(instances=[{"id": "only", "status": "FAILED"}])
    assert requests.put(sim.url + "/_sim/scenario", json=new, timeout=5).json() == {"loaded": True, "instances": 1}
    assert [i["id"] for i in listing(sim).json()] == ["only"]
    bad = requests.put(sim.url + "/_sim/scenario", json={"hypersender": {"instancez": []}}, timeout=5)
    assert bad.status_code == 400 and "instancez" in bad.json()["message"]
    assert requests.put(sim.url + "/_sim/scenario", data=b"{not json", timeout=5).status_code == 400
    assert requests.get(sim.url + "/_sim/reset", timeout=5).status_code == 405
    assert requests.get(sim.url + "/_sim/nothing", timeout=5).status_code == 404
    assert [e["path"] for e in sim.requests()] == ["/api/whatsapp/v1/instances"]


def test_load_replaces_scenario(sim):
    listing(sim)
    sim.load(with_hypersender(instances=[]))
    assert sim.requests() == []
    assert listing(sim).json() == []


# -- generated fleets ----------------------------------------------------------------------------------------------------------


def test_generate_is_deterministic_and_flips_to_working():
    fleet = {"count": 50, "seed": 7, "working_within": 0.5}
    one, two = Scenario.from_source(with_hypersender(generate=fleet)), Scenario.from_source(
        with_hypersender(generate=fleet)
    )
    assert one.ready_times() == two.ready_times()
    other = Scenario.from_source(with_hypersender(generate=dict(fleet, seed=8)))
    assert set(other.ready_times()) != set(one.ready_times())
    generated = {k: v for k, v in one.ready_times().items() if k not in (FIRST_ID, SECOND_ID)}
    assert len(generated) == 50 and all(0 <= t <= 0.5 for t in generated.values())
    with Simulator(with_hypersender(generate=fleet)) as sim:
        before = sim.elapsed()
        working = len(listing(sim, status="WORKING").json()) - 1  # minus the seed's fixed WORKING instance
        after = sim.elapsed()
        assert sum(t <= before for t in generated.values()) <= working <= sum(t <= after for t in generated.values())
        time.sleep(max(generated.values()) + 0.05)
        assert len(listing(sim, status="WORKING").json()) == 51
        assert listing(sim, status="STARTING").json() == []


def test_thousand_instances_and_three_hundred_requests_on_one_connection():
    """How fast it answers is the benchmarks' business (no wall-clock limit in a test); here, that it answers."""
    with Simulator(with_hypersender(generate={"count": 1000, "seed": 1}, rate_limit=None)) as sim:
        with requests.Session() as session:
            session.headers.update(HS_AUTH)
            assert len(session.get(sim.hypersender_url + "/instances", timeout=5).json()) == 1002
            ids = list(sim.ready_times())
            for instance_id in ids[:300]:
                assert session.get("%s/%s/health" % (sim.hypersender_url, instance_id), timeout=5).status_code == 200
        assert sim.connections_accepted == 1  # keep-alive: one connection for the whole session


def test_concurrent_clients():
    with Simulator(with_hypersender(rate_limit=None)) as sim:
        failures = []

        def client():
            with requests.Session() as session:
                for dummy in range(25):
                    if session.get(sim.hypersender_url + "/instances", headers=HS_AUTH, timeout=5).status_code != 200:
                        failures.append(1)

        threads = [threading.Thread(target=client) for dummy in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures and sim.count(status=200) == 200


# -- lifecycle, scenario validation, CLI ---------------------------------------------------------------------------------------


def test_stop_leaves_nothing_running_even_with_idle_keep_alive_clients():
    before = {t for t in threading.enumerate() if t.name.startswith("whatsapp-sim")}
    sim = Simulator(seed_scenario(), tls=True).start()
    session = requests.Session()
    assert (
        session.get(sim.hypersender_url + "/instances", headers=HS_AUTH, verify=sim.ca_file, timeout=5).status_code
        == 200
    )
    url = sim.url
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 2
    assert {t for t in threading.enumerate() if t.name.startswith("whatsapp-sim")} == before
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(url + "/api/whatsapp/v1/instances", headers=HS_AUTH, verify=False, timeout=1)
    session.close()
    sim.stop()  # idempotent


@pytest.mark.parametrize(
    "scenario, fragment",
    [
        ({"hypersender": {"instances": [{"id": "a"}]}}, "exactly one of 'status' or 'timeline'"),
        (
            {"hypersender": {"instances": [{"id": "a", "status": "WORKING"}, {"id": "a", "status": "WORKING"}]}},
            "duplicate",
        ),
        ({"fualts": []}, "fualts"),
        ({"faults": [{"path": "(["}]}, "regex"),
        ({"hypersender": {"rate_limit": {"requests": 0}}}, "requests"),
        ({"onprem": {"timeline": [{"at": 0}]}}, "needs 'at' and 'health'"),
        ([], "object"),
    ],
)
def test_scenario_validation(scenario, fragment):
    with pytest.raises(ScenarioError, match="(?s).*" + fragment.replace("(", r"\(").replace("[", r"\[")):
        Scenario.from_source(scenario)


def test_scenario_comment_keys_are_allowed():
    Scenario.from_source({"description": "doc", "_note": 1, "hypersender": {"comment": "x", "instances": []}})


def _start_cli(*args):
    env = dict(os.environ, PYTHONPATH=SIMULATOR_DIR)
    return subprocess.Popen(
        [sys.executable, "-m", "whatsapp_sim"] + list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )


def test_cli_ready_line_url_file_and_clean_sigterm(tmp_path):
    scenario_file = tmp_path / "scenario.json"
    scenario_file.write_text(json.dumps(seed_scenario()))
    url_file = tmp_path / "url.txt"
    process = _start_cli("--scenario", str(scenario_file), "--url-file", str(url_file))
    try:
        line = process.stdout.readline()
        assert line.startswith("READY http://127.0.0.1:")
        base_url = line.split()[1]
        assert url_file.read_text().strip() == base_url
        assert requests.get(base_url + "/api/whatsapp/v1/instances", headers=HS_AUTH, timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        assert process.stdout.read() == ""
        assert process.stderr.read() == ""  # quiet by default
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_wrapper_and_bad_scenario(tmp_path):
    missing = subprocess.run(
        [sys.executable, os.path.join(SIMULATOR_DIR, "run_simulator.py"), "--scenario", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert missing.returncode == 2 and "cannot load scenario" in missing.stderr
    process = subprocess.Popen(
        [sys.executable, os.path.join(SIMULATOR_DIR, "run_simulator.py"), "--tls", "--cert-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = process.stdout.readline().split()[1]
        assert base_url.startswith("https://")
        response = requests.get(
            base_url + "/v1/health", headers=APIKEY_AUTH, verify=str(tmp_path / "ca.pem"), timeout=5
        )
        assert response.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_scenario_examples_load():
    directory = os.path.join(SIMULATOR_DIR, "scenarios")
    names = sorted(name for name in os.listdir(directory) if name.endswith(".json"))
    assert names
    for name in names:
        Scenario.from_source(os.path.join(directory, name))


def test_deep_copy_of_scenario_is_not_mutated():
    scenario = with_hypersender(generate={"count": 3})
    original = copy.deepcopy(scenario)
    with Simulator(scenario):
        pass
    assert scenario == original
