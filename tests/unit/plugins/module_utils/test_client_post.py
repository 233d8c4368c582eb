# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A POST changes something: it is repeated only when the server certainly did not act on it."""

from __future__ import annotations

import pytest
import requests
import urllib3
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import make_response

OK = {"message": "WhatsApp instance restarted successfully."}


def refused():
    cause = urllib3.exceptions.NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused"
    )
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/x", cause))


def reset_after_sending():
    cause = urllib3.exceptions.ProtocolError(
        "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
    )
    return requests.exceptions.ConnectionError(cause)


def test_the_json_body_is_sent(scripted_client):
    client, session = scripted_client([make_response(200, {"id": "x"})])
    assert client.request_json("POST", "/create-instance", json_body={"name": "a", "phone": "+201234567890"}) == {
        "id": "x"
    }
    assert session.calls[0]["json"] == {"name": "a", "phone": "+201234567890"}
    assert session.calls[0]["method"] == "POST"


def test_a_post_is_retried_after_429_with_retry_after(scripted_client, clock):
    client, session = scripted_client(
        [make_response(429, {"message": "Too many requests."}, headers={"Retry-After": "20"}), make_response(200, OK)]
    )
    assert client.request_json("POST", "/x/restart") == OK
    assert len(session.calls) == 2
    assert 20 <= clock.sleeps[0] <= 20.5


def test_a_post_is_retried_when_the_connection_was_never_made(scripted_client):
    client, session = scripted_client([refused(), make_response(200, OK)])
    assert client.request_json("POST", "/x/restart") == OK
    assert len(session.calls) == 2


def test_a_post_is_retried_after_a_connect_timeout(scripted_client):
    client, session = scripted_client([requests.exceptions.ConnectTimeout("connect timed out"), make_response(200, OK)])
    assert client.request_json("POST", "/x/restart") == OK
    assert len(session.calls) == 2


@pytest.mark.parametrize(
    "failure, error",
    [
        (make_response(500, {"message": "Failed to restart WhatsApp instance."}), ServerError),
        (make_response(503, {"message": "Service Unavailable"}, headers={"Retry-After": "1"}), ServerError),
        (requests.exceptions.ReadTimeout("read timed out"), TransportError),
        (reset_after_sending(), TransportError),
        (requests.exceptions.ChunkedEncodingError("cut off"), TransportError),
    ],
)
def test_a_post_that_may_have_acted_is_not_repeated(scripted_client, failure, error):
    client, session = scripted_client([failure, make_response(200, OK)])
    with pytest.raises(error):
        client.request_json("POST", "/x/restart")
    assert len(session.calls) == 1


@pytest.mark.parametrize(
    "failure",
    [
        make_response(500, {"message": "Server Error"}),
        requests.exceptions.ReadTimeout("read timed out"),
    ],
)
def test_a_get_with_the_same_failures_is_still_retried(scripted_client, failure):
    client, session = scripted_client([failure, make_response(200, [])])
    assert client.request_json("GET", "/instances") == []
    assert len(session.calls) == 2


def test_a_post_gives_up_on_429_at_the_deadline(scripted_client, clock):
    client, session = scripted_client(
        [make_response(429, {"message": "Too many requests."}, headers={"Retry-After": "60"})]
    )
    with pytest.raises(RateLimitedError, match="retry after 60 s"):
        client.request_json("POST", "/x/request-new-qr-code", deadline=clock() + 30)
    assert len(session.calls) == 1
    assert clock.sleeps == []


def test_a_laravel_422_names_every_field(scripted_client):
    body = {
        "message": "The phone field is required. (and 1 more error)",
        "errors": {"phone": ["The phone field is required."], "name": ["The name has already been taken."]},
    }
    client, session = scripted_client([make_response(422, body)])
    with pytest.raises(ApiError) as error:
        client.request_json("POST", "/create-instance", json_body={})
    assert error.value.status == 422
    assert "phone: The phone field is required.; name: The name has already been taken." in str(error.value)
    assert len(session.calls) == 1
