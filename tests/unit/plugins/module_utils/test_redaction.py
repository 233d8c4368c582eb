# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One redaction for every excerpt of a server's body: the secrets the clients hold and learn, in every parser."""

from __future__ import annotations

import json

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    MASK,
    REDACTOR,
    ApiError,
    body_excerpt,
    clean_text,
    describe,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_rules import (
    parse_page,
    parse_phone_number,
    text,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    HypersenderApi,
    parse_health,
    parse_instances,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import public_instance
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem import parse_health as parse_onprem_health
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import TOKEN, make_response
from hypothesis import given
from hypothesis import strategies as st

ACCESS_TOKEN = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1"
QR_CODE = "iVBORw0KGgoAAAANSUhEUgAAAKQAAACkAQAAAAAV4aQkAAAB" * 4
UUID = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"


def message_of(call, *args):
    with pytest.raises(ApiError) as caught:
        call(*args)
    return str(caught.value)


@pytest.mark.parametrize(
    "parse",
    [
        parse_instances,
        lambda body: parse_health(body, UUID),
        lambda body: parse_phone_number(body, "GET /v23.0/1"),
        lambda body: parse_page(body, "GET /v23.0/1/phone_numbers"),
        parse_onprem_health,
        public_instance,
    ],
    ids=["instances", "health", "cloud number", "cloud page", "onprem health", "action answer"],
)
def test_every_parser_masks_a_registered_token_echoed_as_the_body(parse):
    REDACTOR.add(TOKEN)
    message = message_of(parse, "Authorization: Bearer " + TOKEN)
    assert TOKEN not in message and "Bearer " + MASK in message


def test_the_client_registers_its_token_for_the_parsers(scripted_client):
    client, dummy = scripted_client([make_response(200, "Authorization: Bearer " + TOKEN)])
    message = message_of(HypersenderApi(client).list_instances)
    assert message == "GET /instances: expected a JSON array of instances, got a str 'Authorization: Bearer %s'" % MASK


def test_an_action_answer_without_an_id_quotes_keys_never_values():
    message = message_of(public_instance, {"access_token": ACCESS_TOKEN, "qr_code": QR_CODE, "name": "shop"})
    assert message == "expected an instance object with an id, got an object with keys access_token, name, qr_code"


def test_secrets_learned_from_an_answer_are_masked_in_later_messages(scripted_client):
    created = {"id": UUID, "status": "SCAN_QR_CODE", "access_token": ACCESS_TOKEN, "qr_code": QR_CODE}
    echo = {"message": "instance %s with token %s and code %s" % (UUID, ACCESS_TOKEN, QR_CODE)}
    client, dummy = scripted_client([make_response(200, created), make_response(400, echo)])
    client.request_json("POST", "/create-instance", json_body={"name": "shop", "phone": "+201234567890"})
    message = message_of(client.get_json, "/instances")
    assert "instance %s with token %s and code %s" % (UUID, MASK, MASK) in message  # ids are not secrets


def test_learned_values_are_taken_from_any_depth_and_short_ones_are_not():
    REDACTOR.learn({"users": [{"token": "login-token-0123456789", "expires_after": "x"}], "qr_code": "short"})
    assert REDACTOR.redact("login-token-0123456789 short") == MASK + " short"


def test_a_secret_at_the_cut_of_an_excerpt_leaves_no_part_of_itself():
    REDACTOR.add(TOKEN)
    for start in range(60, 90):
        excerpt = body_excerpt("x" * start + TOKEN + "y" * 50)
        for size in range(4, len(TOKEN) + 1):
            for offset in range(0, len(TOKEN) - size + 1):
                part = TOKEN[offset : offset + size]
                assert part not in excerpt.replace(MASK, ""), (start, excerpt)


def test_a_secret_after_padding_that_is_removed_is_masked_too():
    REDACTOR.add(TOKEN)
    assert clean_text("\x1b[0m" * 60 + TOKEN + " rest", 80) == MASK + " rest"
    assert clean_text("\x1b[0m" * 400 + TOKEN + " rest", 80) == "..."  # only the start of a body is read


@pytest.mark.parametrize(
    "form",
    [
        lambda token: token,
        lambda token: token.replace("|", "%7C"),
        lambda token: json.dumps(token)[1:-1],
    ],
    ids=["plain", "url-encoded", "json-escaped"],
)
def test_the_forms_a_server_echoes_a_secret_in_are_masked(form):
    REDACTOR.add(ACCESS_TOKEN)
    assert form(ACCESS_TOKEN) not in clean_text("echo " + form(ACCESS_TOKEN))


@pytest.mark.parametrize(
    "said",
    [
        "Authorization: Bearer someone-elses-token-42",
        "Authorization: Basic dXNlcjpwYXNzd29yZA==",
        "Authorization: Apikey key_0123456789abcdef",
        '{"access_token": "999|abcdefghijklmnopqrstuvwxyz"}',
        "GET /next?access_token=EAAG-unknown-token-0001&after=x",
        "password=hunter2-hunter2",
    ],
)
def test_credentials_the_collection_never_held_are_masked_by_their_shape(said):
    quoted = clean_text(said)
    assert MASK in quoted
    for secret in ("someone-elses", "dXNlcjpw", "key_0123", "abcdefghij", "EAAG-unknown", "hunter2"):
        assert secret not in quoted


@pytest.mark.parametrize(
    "said",
    ["Basic authentication required", "The access token could not be decrypted", "password: field is required"],
)
def test_ordinary_words_after_a_credential_name_stay(said):
    assert clean_text(said) == said


def test_meta_words_go_through_the_redaction():
    REDACTOR.add(TOKEN)
    assert text("Invalid OAuth access token %s." % TOKEN) == "Invalid OAuth access token %s." % MASK


@given(
    prefix=st.text(max_size=300),
    secret=st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789|_-", min_size=8, max_size=60
    ),
    suffix=st.text(max_size=300),
)
def test_a_registered_secret_never_reaches_an_excerpt(prefix, secret, suffix):
    REDACTOR.clear()
    REDACTOR.add(secret)
    body = prefix + secret + suffix
    for quoted in (body_excerpt(body), clean_text(body), describe(body), describe({body: 1})):
        assert secret not in quoted


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists))
def test_describe_never_quotes_more_than_an_excerpt(value):
    assert len(describe(value)) < 200


def test_thousands_of_learned_tokens_sharing_a_start_are_all_masked_and_the_longest_wins():
    tokens = ["234|abcd%04d-%s" % (number, "z" * (number % 5)) for number in range(3000)]
    REDACTOR.learn([{"id": str(number), "access_token": token} for number, token in enumerate(tokens)])
    REDACTOR.add("pw1")  # a short password is masked too, after the longer secrets
    said = "tokens %s, %s and %s; pw1" % (tokens[7], tokens[2999], tokens[12] + "-tail")
    assert REDACTOR.redact(said) == "tokens %s, %s and %s-tail; %s" % (MASK, MASK, MASK, MASK)
    longer = tokens[3] + "-and-more"
    REDACTOR.add(longer)
    assert REDACTOR.redact("x" + longer + "y") == "x%sy" % MASK
