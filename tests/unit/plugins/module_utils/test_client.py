# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import email.utils

import pytest
import requests
from ansible_collections.hypersender.whatsapp.plugins.module_utils import _client
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    DEFAULT_RATE_LIMIT_FLOOR,
    RETRYABLE_STATUS_CODES,
    ApiError,
    AuthenticationError,
    NotFoundError,
    OptionError,
    RateLimitedError,
    ResponseFormatError,
    ServerError,
    TlsError,
    TransportError,
    backoff_delay,
    error_detail,
    parse_retry_after,
    safe_url,
    validate_base_url,
    validate_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    read_error as read_hypersender_error,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem import read_error as read_onprem_error
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import TOKEN, make_response


class TestValidateBaseUrl:

    @pytest.mark.parametrize(
        "url, expected",
        [
            ("https://app.hypersender.com/api/whatsapp/v1/", "https://app.hypersender.com/api/whatsapp/v1"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("  https://wa.example.com:9090  ", "https://wa.example.com:9090"),
        ],
    )
    def test_accepts_http_urls(self, url, expected):
        assert validate_base_url(url) == expected

    @pytest.mark.parametrize(
        "url, words",
        [
            ("", "empty"),
            (None, "empty"),
            ("app.hypersender.com/api", "must start with https://"),
            ("ftp://host/x", "must start with https://"),
            ("https://", "no host name"),
            ("https://host:99999/", "invalid port"),
            ("https://host/x?token=1", "query string"),
            ("https://ho st/", "white space"),
        ],
    )
    def test_rejects_bad_urls_with_a_reason(self, url, words):
        with pytest.raises(OptionError, match=words):
            validate_base_url(url, option="api_url")

    def test_credentials_in_a_bad_url_are_not_echoed(self):
        with pytest.raises(OptionError) as error:
            validate_base_url("ftp://user:hunter2-secret@host/")
        assert "hunter2-secret" not in str(error.value)

    def test_safe_url_hides_userinfo(self):
        assert safe_url("https://user:pw@host:1/p") == "https://***@host:1/p"
        assert safe_url("https://host/p") == "https://host/p"


class TestValidateSecret:

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_empty_is_refused_naming_the_env_var(self, value):
        with pytest.raises(OptionError, match="api_token is empty: set api_token or the HYPERSENDER_API_TOKEN"):
            validate_secret(value, "api_token", "HYPERSENDER_API_TOKEN")

    def test_white_space_inside_is_refused_without_echo(self):
        with pytest.raises(OptionError) as error:
            validate_secret("abc def-secret", "api_token", "HYPERSENDER_API_TOKEN")
        assert "def-secret" not in str(error.value)

    @pytest.mark.parametrize("length, ok", [(11, False), (12, True), (128, True), (129, False)])
    def test_length_bounds(self, length, ok):
        value = "k" * length
        if ok:
            assert validate_secret(value, "api_key", "WA_API_KEY", 12, 128) == value
        else:
            with pytest.raises(OptionError, match="12 to 128 characters long, the given one has %d" % length) as error:
                validate_secret(value, "api_key", "WA_API_KEY", 12, 128)
            assert value not in str(error.value)


class TestRetryAfter:

    def test_seconds(self):
        assert parse_retry_after("7") == 7.0
        assert parse_retry_after(" 2.5 ") == 2.5

    def test_http_date(self):
        now = 1_800_000_000.0
        header = email.utils.formatdate(now + 42, usegmt=True)
        assert parse_retry_after(header, now=now) == pytest.approx(42, abs=1)

    def test_date_in_the_past_means_now(self):
        now = 1_800_000_000.0
        assert parse_retry_after(email.utils.formatdate(now - 100, usegmt=True), now=now) == 0.0

    @pytest.mark.parametrize("value", [None, "", "soon", "-5", "Mon, 99 Foo"])
    def test_unusable_values_are_none(self, value):
        assert parse_retry_after(value) is None


def test_backoff_grows_with_equal_jitter_and_a_cap():
    assert backoff_delay(0, rand=lambda: 0.0) == 0.5
    assert backoff_delay(0, rand=lambda: 1.0) == 1.0
    assert backoff_delay(3, rand=lambda: 0.0) == 4.0
    assert backoff_delay(20, rand=lambda: 1.0) == _client.BACKOFF_CAP


def test_retryable_codes_are_named_once():
    assert RETRYABLE_STATUS_CODES == {429, 500, 502, 503, 504}


def test_each_service_reads_its_own_error_shape():
    assert error_detail({"message": "Resource not found."}) == "Resource not found."
    assert (
        read_onprem_error({"errors": [{"code": 1005, "title": "Access denied", "details": "Invalid credentials."}]})
        == "1005 Access denied Invalid credentials."
    )
    assert read_hypersender_error({"message": "invalid", "errors": {"phone": ["taken"]}}) == "phone: taken"
    # the client's default reader knows no service's own shape
    assert error_detail({"errors": [{"code": 1005, "title": "Access denied"}]}) is None
    assert error_detail(["x"]) is None


class TestRequests:

    def test_sends_to_base_url_and_returns_json(self, scripted_client):
        client, session = scripted_client([make_response(200, {"status": "WORKING"})])
        assert client.get_json("/abc/health") == {"status": "WORKING"}
        assert session.calls[0]["url"] == "https://api.example.test/api/whatsapp/v1/abc/health"
        assert client.auth_header == "Bearer " + TOKEN
        assert client._session.headers["Accept"] == "application/json"

    def test_5xx_is_retried_with_backoff_then_succeeds(self, scripted_client, clock):
        client, session = scripted_client(
            [make_response(503, {"message": "down"}), make_response(502), make_response(200, [])]
        )
        assert client.get_json("/instances") == []
        assert len(session.calls) == 3
        assert clock.sleeps == [0.75, 1.5]

    def test_retries_stop_after_the_configured_number(self, scripted_client, clock):
        client, session = scripted_client([make_response(500)] * 3, retries=2)
        with pytest.raises(ServerError, match=r"server error \(HTTP 500\)"):
            client.get_json("/instances")
        assert len(session.calls) == 3
        assert len(clock.sleeps) == 2

    def test_no_retries_when_zero(self, scripted_client):
        client, session = scripted_client([make_response(503)], retries=0)
        with pytest.raises(ServerError):
            client.get_json("/instances")
        assert len(session.calls) == 1

    def test_429_waits_for_retry_after(self, scripted_client, clock):
        client, session = scripted_client(
            [
                make_response(
                    429,
                    {"message": "Too many requests. Please try again later."},
                    headers={"Retry-After": "7", "Content-Type": "application/json"},
                ),
                make_response(200, {"status": "WORKING"}),
            ]
        )
        assert client.get_json("/x/health")["status"] == "WORKING"
        assert session.calls[1]["at"] - session.calls[0]["at"] >= 7
        assert clock.sleeps == [7.25]

    def test_429_without_retry_after_waits_the_least_wait(self, scripted_client, clock):
        client, unused_session = scripted_client([make_response(429), make_response(200, {})])
        client.get_json("/x/health")
        assert clock.sleeps == [DEFAULT_RATE_LIMIT_FLOOR + 0.25]

    def test_a_429_inside_a_wait_goes_back_to_the_poll_loop_with_its_retry_after(self, scripted_client, clock):
        client, session = scripted_client([make_response(429, headers={"Retry-After": "50"})])
        with pytest.raises(RateLimitedError, match="retry after 50 s") as error:
            client.get_json("/x/health", deadline=clock.now + 20)
        assert error.value.retry_after == 50
        assert len(session.calls) == 1
        assert clock.sleeps == []

    def test_long_retry_after_without_deadline_is_not_waited_for(self, scripted_client, clock):
        client, unused_session = scripted_client([make_response(429, headers={"Retry-After": "3600"})])
        with pytest.raises(RateLimitedError):
            client.get_json("/x/health")
        assert clock.sleeps == []

    def test_with_a_deadline_the_poll_loop_paces_and_the_client_does_not_retry(self, scripted_client, clock):
        client, session = scripted_client([make_response(503)] * 4, retries=3)
        with pytest.raises(ServerError):
            client.get_json("/instances", deadline=clock.now + 60.0)
        assert clock.sleeps == []
        assert len(session.calls) == 1

    def test_request_timeout_is_cut_to_the_deadline(self, scripted_client, clock):
        client, session = scripted_client([make_response(200, {})], timeout=30)
        client.get_json("/instances", deadline=clock.now + 5)
        assert session.calls[0]["timeout"] == 5
        client2, session2 = scripted_client([make_response(200, {})], timeout=30)
        client2.get_json("/instances", deadline=clock.now + 0.01)
        assert session2.calls[0]["timeout"] == _client.MIN_REQUEST_TIMEOUT

    @pytest.mark.parametrize("status", [401, 403])
    def test_rejected_credentials_are_not_retried_and_say_what_to_check(self, scripted_client, status):
        client, session = scripted_client([make_response(status, {"message": "Unauthenticated."})])
        with pytest.raises(AuthenticationError) as error:
            client.get_json("/instances")
        message = str(error.value)
        assert "rejected the credentials (HTTP %d) (Unauthenticated.)" % status in message
        assert "HYPERSENDER_API_TOKEN" in message
        assert TOKEN not in message
        assert len(session.calls) == 1

    def test_404_is_not_found(self, scripted_client):
        client, unused_session = scripted_client([make_response(404, {"message": "Resource not found."})])
        with pytest.raises(NotFoundError, match=r"not found \(HTTP 404\) \(Resource not found.\)"):
            client.get_json("/x/health")

    def test_other_4xx_is_a_plain_error(self, scripted_client):
        client, session = scripted_client([make_response(422, {"message": "The selected filter[status] is invalid."})])
        with pytest.raises(
            ApiError, match=r"unexpected HTTP 422 \(The selected filter\[status\] is invalid.\)"
        ) as error:
            client.get_json("/instances")
        assert not error.value.retryable
        assert len(session.calls) == 1

    def test_non_json_success_names_what_came_back(self, scripted_client):
        html = make_response(200, raw="<html><body>Login</body></html>", headers={"Content-Type": "text/html"})
        client, unused_session = scripted_client([html])
        with pytest.raises(ResponseFormatError) as error:
            client.get_json("/instances")
        assert "expected a JSON body, got text/html starting '<html><body>Login</body></html>'" in str(error.value)

    def test_non_json_error_body_is_quoted_briefly(self, scripted_client):
        client, unused_session = scripted_client([make_response(502, raw="Bad Gateway " + "x" * 200)], retries=0)
        with pytest.raises(ServerError) as error:
            client.get_json("/instances")
        assert "body starts 'Bad Gateway xxx" in str(error.value)
        assert len(str(error.value)) < 400

    def test_a_body_echoing_the_token_is_redacted(self, scripted_client):
        client, unused_session = scripted_client([make_response(400, {"message": "bad token " + TOKEN})])
        with pytest.raises(ApiError) as error:
            client.get_json("/instances")
        assert TOKEN not in str(error.value)
        assert "********" in str(error.value)

    def test_added_secrets_are_redacted_too(self, scripted_client):
        client, unused_session = scripted_client([make_response(400, {"message": "session abc-login-token expired"})])
        client.add_secret("abc-login-token")
        with pytest.raises(ApiError) as error:
            client.get_json("/instances")
        assert "abc-login-token" not in str(error.value)

    def test_connection_refused_is_retried_then_explained(self, scripted_client, clock):
        refused = requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
        client, session = scripted_client([refused] * 4)
        with pytest.raises(TransportError, match=r"cannot connect \(connection refused\): check the URL") as error:
            client.get_json("/instances")
        assert error.value.retryable
        assert len(session.calls) == 4

    def test_timeout_is_retried_then_explained(self, scripted_client):
        client, unused_session = scripted_client(
            [requests.exceptions.ReadTimeout("read timed out")] * 2, retries=1, timeout=2
        )
        with pytest.raises(TransportError, match="no response within 2 s"):
            client.get_json("/instances")

    def test_cut_off_body_is_a_transport_error(self, scripted_client):
        cut_off = requests.exceptions.ChunkedEncodingError("IncompleteRead(3 bytes read, 10 more expected)")
        client, unused_session = scripted_client([cut_off, make_response(200, [])])
        assert client.get_json("/instances") == []

    def test_tls_failure_is_not_retried_and_points_at_ca_path(self, scripted_client):
        error = requests.exceptions.SSLError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)"
        )
        client, session = scripted_client([error])
        with pytest.raises(TlsError) as raised:
            client.get_json("/instances")
        message = str(raised.value)
        assert "certificate verify failed: self-signed certificate" in message
        assert "set ca_path" in message and "validate_certs" in message
        assert len(session.calls) == 1


def test_tls_settings_reach_the_session():
    client = _client.ApiClient("https://h", "Bearer t0ken", "x", "y", validate_certs=True, ca_path="/etc/ca.pem")
    assert client.verify == "/etc/ca.pem"
    assert _client.ApiClient("https://h", "Bearer t0ken", "x", "y").verify is True
    assert _client.ApiClient("https://h", "Bearer t0ken", "x", "y", validate_certs=False).verify is False


def test_ca_path_wins_over_requests_ca_bundle_from_the_environment(scripted_client, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/somewhere/else.pem")
    client, session = scripted_client([make_response(200, {})], ca_path="/etc/ca.pem")
    client.get_json("/instances")
    assert session.calls[0]["verify"] == "/etc/ca.pem"
