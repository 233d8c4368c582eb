# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import os
import stat

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiError,
    OptionError,
    RateLimitedError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import RATE_LIMIT_WINDOWS
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import (
    InstanceActions,
    may_have_acted,
    public_instance,
    qr_png_bytes,
    restart_classifier,
    same_name,
    server_name,
    validate_destination,
    validate_directory,
    validate_name,
    validate_webhook_url,
    write_error,
    write_private_file,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import DONE, FAILED
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import make_response
from hypothesis import given
from hypothesis import strategies as st

PNG = b"\x89PNG\r\n\x1a\n" + b"rest"


def health(status):
    return {"instance_id": "x", "status": status, "connected_at": None}


def test_after_a_restart_the_old_status_counts_as_fatal_only_once_another_was_seen():
    classify = restart_classifier("FAILED", ["WORKING"], ["FAILED"])
    assert [classify(health(s)) for s in ("FAILED", "FAILED", "STOPPED", "STARTING", "FAILED")] == [
        None,
        None,
        None,
        None,
        FAILED,
    ]
    classify = restart_classifier("FAILED", ["WORKING"], ["FAILED"])
    assert classify(health("WORKING")) == DONE, "another status that is ready counts at once"


def test_after_an_accepted_restart_a_ready_status_counts_at_once_even_the_one_from_before():
    """The cycle may end between two polls: WORKING, restart accepted, WORKING is "restarted and back"."""
    classify = restart_classifier("WORKING", ["WORKING"], ["FAILED"])
    assert classify(health("WORKING")) == DONE
    classify = restart_classifier("SCAN_QR_CODE", ["SCAN_QR_CODE"], ["FAILED"])
    assert classify(health("SCAN_QR_CODE")) == DONE
    classify = restart_classifier("WORKING", ["WORKING"], ["FAILED"])
    assert [classify(health(s)) for s in ("STOPPED", "STARTING", "WORKING")] == [None, None, DONE]


STATUSES = ["STOPPED", "STARTING", "WORKING", "FAILED", "SCAN_QR_CODE", "PENDING"]


@given(
    previous=st.sampled_from(STATUSES),
    ready=st.lists(st.sampled_from(STATUSES), min_size=1, unique=True),
    fail_on=st.lists(st.sampled_from(STATUSES), unique=True),
    statuses=st.lists(st.sampled_from(STATUSES), min_size=1, max_size=8),
)
def test_a_restart_wait_ends_on_what_the_api_shows(previous, ready, fail_on, statuses):
    """Ready as soon as a status in ready is seen; fatal only on a status in fail_on once the instance has been
    seen in another status than before the restart; otherwise it keeps waiting."""
    fail_on = [status for status in fail_on if status not in ready]
    classify = restart_classifier(previous, ready, fail_on)
    for index, status in enumerate(statuses):
        verdict = classify(health(status))
        if status in ready:
            assert verdict == DONE
        elif status in fail_on and any(s != previous for s in statuses[: index + 1]):
            assert verdict == FAILED
        else:
            assert verdict is None
        if verdict is not None:
            break


@pytest.mark.parametrize(
    "value, words", [("", "empty"), (" \t\n", "empty"), ("x" * 51, "at most 50"), ("a\nb", "control")]
)
def test_names_are_checked(value, words):
    with pytest.raises(OptionError, match=words):
        validate_name(value)
    assert validate_name("x" * 50) == "x" * 50


@pytest.mark.parametrize("given, stored", [("Shop ", "Shop"), ("\ufeff shop-eu\u200b\n", "shop-eu"), ("a b", "a b")])
def test_names_are_trimmed_as_the_server_trims_them(given, stored):
    assert validate_name(given) == stored == server_name(given)
    assert validate_name(" " + "x" * 50 + " ") == "x" * 50, "the limit counts the trimmed name"


@given(name=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=50))
def test_names_match_as_the_server_matches_them(name):
    assert same_name(name, " %s\t" % name.upper())
    assert same_name(name.lower(), name)
    assert not same_name(name, name + "x")
    assert not same_name(name, None)


@pytest.mark.parametrize("value", ["http://a.example", "https://", "ftp://x", "https://a b.example"])
def test_webhook_urls_must_be_https(value):
    with pytest.raises(OptionError, match="https://"):
        validate_webhook_url(value)


def test_public_instance_drops_the_code_and_the_token_unless_asked():
    raw = {"id": "i", "name": "n", "status": "SCAN_QR_CODE", "qr_code": "iVBOR", "access_token": "1|secret"}
    assert "access_token" not in public_instance(raw) and "qr_code" not in public_instance(raw)
    assert public_instance(raw, include_access_token=True)["access_token"] == "1|secret"
    with pytest.raises(ResponseFormatError):
        public_instance(["not", "an", "instance"])


def test_qr_png_bytes_accepts_plain_and_data_uri_base64_only_png():
    encoded = base64.b64encode(PNG).decode()
    assert qr_png_bytes({"qr_code": encoded}) == PNG
    assert qr_png_bytes({"qr_code": "data:image/png;base64," + encoded}) == PNG
    for bad in ({}, {"qr_code": "%%%"}, {"qr_code": base64.b64encode(b"GIF89a").decode()}):
        with pytest.raises(ResponseFormatError):
            qr_png_bytes(bad)


def test_private_files_are_0600_and_replace_atomically(tmp_path):
    target = tmp_path / "qr.png"
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    assert write_private_file(str(target), PNG) == str(target)
    assert target.read_bytes() == PNG
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["qr.png"]
    with pytest.raises(FileNotFoundError) as error:
        write_private_file(str(tmp_path / "missing" / "qr.png"), PNG)
    assert write_error(error.value) == "[Errno 2] No such file or directory"


def test_a_link_planted_after_the_check_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    target = validate_destination(str(tmp_path / "qr.png"), "dest")
    os.symlink(str(victim), target)
    write_private_file(target, PNG)
    assert victim.read_bytes() == b"keep"
    assert not os.path.islink(target) and open(target, "rb").read() == PNG


def _bad_destinations(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "file")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(str(tmp_path / "fifo"))
    return [
        (tmp_path / "dir", "is a directory: give the path of a file, such as %s" % (tmp_path / "dir" / "qr.png")),
        (tmp_path / "link", "is a symbolic link"),
        (tmp_path / "dangling", "is a symbolic link"),
        (tmp_path / "fifo", "is not a regular file"),
        (tmp_path / "missing" / "qr.png", "its directory %s does not exist" % (tmp_path / "missing")),
        (tmp_path / "file" / "qr.png", "%s is not a directory" % (tmp_path / "file")),
    ]


def test_bad_destinations_are_option_errors_naming_the_option_and_the_path(tmp_path):
    for path, words in _bad_destinations(tmp_path):
        with pytest.raises(OptionError) as error:
            validate_destination(str(path), "qr_code_path")
        assert str(error.value).startswith("qr_code_path %s" % path), error.value
        assert words in str(error.value)
    assert validate_destination(str(tmp_path / "new.png"), "dest") == str(tmp_path / "new.png")
    assert validate_destination(str(tmp_path / "file"), "dest") == str(tmp_path / "file"), "a file is replaced"


def test_an_unwritable_directory_is_an_option_error(tmp_path, monkeypatch):
    """As root os.access always allows: the rule is checked with os.access saying no."""
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(OptionError, match="its directory %s is not writable by this user" % tmp_path):
        validate_destination(str(tmp_path / "qr.png"), "dest")
    with pytest.raises(OptionError, match="qr_dir %s is not writable by this user" % tmp_path):
        validate_directory(str(tmp_path), "qr_dir")


def test_qr_dir_must_be_an_existing_directory(tmp_path):
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(OptionError, match="does not exist"):
        validate_directory(str(tmp_path / "missing"), "qr_dir")
    with pytest.raises(OptionError, match="is not a directory"):
        validate_directory(str(tmp_path / "file"), "qr_dir")
    assert validate_directory(str(tmp_path), "qr_dir") == str(tmp_path)


def test_name_match_among_partial_matches_as_the_server_matches(scripted_client):
    listing = [
        {"id": "1", "name": "shop-eu-2", "status": "WORKING"},
        {"id": "2", "name": "shop-eu", "status": "FAILED"},
        {"id": "3", "name": "Shop-EU", "status": "FAILED"},
        {"id": "4", "name": None, "status": "FAILED"},
    ]
    client, session = scripted_client([make_response(200, listing)])
    assert [item["id"] for item in InstanceActions(client).find_by_name(" shop-eu\n")] == ["2", "3"]
    assert session.calls[0]["params"] == {"filter[name]": "shop-eu"}


def test_a_restart_500_says_it_was_not_retried(scripted_client, clock):
    client, session = scripted_client([make_response(500, {"message": "Failed to restart WhatsApp instance."})] * 2)
    with pytest.raises(ApiError) as error:
        InstanceActions(client).restart("abc", clock() + 60)
    assert "could not restart instance abc (HTTP 500): Failed to restart WhatsApp instance.; it was not retried" in str(
        error.value
    )
    assert len(session.calls) == 1


def too_many(retry_after=None):
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return make_response(429, {"message": "Too many requests. Please try again later."}, headers=headers)


def _call(actions, action, deadline):
    if action == "create":
        return actions.create("bot", "+201234567890", deadline)
    if action == "restart":
        return actions.restart("abc", deadline)
    return actions.request_new_qr_code("abc", deadline)


REFUSED = {
    "create": "the API refused the create of instance 'bot': rate limited (HTTP 429)",
    "restart": "the API refused the restart of instance abc: rate limited (HTTP 429)",
    "qr": "the API refused the new QR code for instance abc: rate limited (HTTP 429)",
}


@pytest.mark.parametrize("action", sorted(REFUSED))
def test_a_retry_after_past_the_deadline_is_a_refusal_at_once(scripted_client, clock, action):
    client, session = scripted_client([too_many(20)] * 5)
    actions = InstanceActions(client, deadline_option="wait_timeout")
    with pytest.raises(RateLimitedError) as error:
        _call(actions, action, clock() + 3)
    assert len(session.calls) == 1 and clock.sleeps == []
    message = str(error.value)
    assert REFUSED[action] + ", retry after 20 s, past this task's deadline" in message
    assert message.endswith("retry later, or raise wait_timeout so that the task waits for it")
    assert "poll" not in message and error.value.retry_after == 20


@pytest.mark.parametrize("action", sorted(REFUSED))
def test_a_retry_after_inside_the_deadline_is_waited_out_once(scripted_client, clock, action):
    answer = {"id": "abc", "name": "bot", "status": "SCAN_QR_CODE", "qr_code": base64.b64encode(PNG).decode()}
    client, session = scripted_client([too_many(70), make_response(200, answer)], rate_limit_windows=RATE_LIMIT_WINDOWS)
    start = clock()
    assert _call(InstanceActions(client), action, start + 100) == answer
    assert clock.sleeps == [70]
    assert [call["at"] - start for call in session.calls] == [0, 70]
    assert all(call["timeout"] <= 100 - (call["at"] - start) for call in session.calls), "the deadline bounds each"


FLOORS = {"create": 12, "restart": 12, "qr": 60}


@pytest.mark.parametrize("action", sorted(REFUSED))
def test_a_429_without_retry_after_waits_the_endpoints_floor(scripted_client, clock, action):
    answer = {"id": "abc", "name": "bot", "status": "SCAN_QR_CODE", "qr_code": base64.b64encode(PNG).decode()}
    client, session = scripted_client([too_many(), make_response(200, answer)], rate_limit_windows=RATE_LIMIT_WINDOWS)
    assert _call(InstanceActions(client), action, clock() + 100) == answer
    assert clock.sleeps == [FLOORS[action]] and len(session.calls) == 2


@pytest.mark.parametrize("action", sorted(REFUSED))
def test_a_429_without_retry_after_past_the_deadline_is_a_refusal_naming_the_floor(scripted_client, clock, action):
    client, session = scripted_client([too_many()] * 5, rate_limit_windows=RATE_LIMIT_WINDOWS)
    with pytest.raises(RateLimitedError) as error:
        _call(InstanceActions(client, deadline_option="wait_timeout"), action, clock() + 5)
    assert len(session.calls) == 1 and clock.sleeps == []
    message = str(error.value)
    assert REFUSED[action] + ", retry after %d s, past this task's deadline" % FLOORS[action] in message
    assert "(the endpoint's share of its limit; the API gave no Retry-After)" in message
    assert message.endswith("retry later, or raise wait_timeout so that the task waits for it")


def test_only_a_failure_that_may_follow_the_action_counts_as_one():
    sent, never_sent = TransportError("read timeout"), TransportError("refused")
    never_sent.request_sent = False
    assert may_have_acted(ServerError("x", status=500)) and may_have_acted(sent)
    assert may_have_acted(ApiError("cut off"))
    assert not may_have_acted(RateLimitedError("x", status=429))
    assert not may_have_acted(ApiError("x", status=422)) and not may_have_acted(ApiError("x", status=404))
    assert not may_have_acted(never_sent)
