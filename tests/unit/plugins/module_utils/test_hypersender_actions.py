# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import os
import stat

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError, ResponseFormatError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import (
    InstanceActions,
    public_instance,
    qr_png_bytes,
    restart_classifier,
    validate_name,
    validate_webhook_url,
    write_private_file,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import DONE, FAILED
from ansible_collections.hypersender.whatsapp.tests.unit.plugins.module_utils.fakes import make_response
from hypothesis import given
from hypothesis import strategies as st

PNG = b"\x89PNG\r\n\x1a\n" + b"rest"


def health(status):
    return {"instance_id": "x", "status": status, "connected_at": None}


def test_after_a_restart_the_old_status_counts_only_once_another_was_seen():
    classify = restart_classifier("FAILED", ["WORKING"], ["FAILED"])
    assert [classify(health(s)) for s in ("FAILED", "FAILED", "STOPPED", "STARTING", "FAILED")] == [
        None,
        None,
        None,
        None,
        FAILED,
    ]
    classify = restart_classifier("WORKING", ["WORKING"], ["FAILED"])
    assert [classify(health(s)) for s in ("WORKING", "STOPPED", "WORKING")] == [None, None, DONE]
    classify = restart_classifier("FAILED", ["WORKING"], ["FAILED"])
    assert classify(health("WORKING")) == DONE, "another status that is ready counts at once"


@given(
    statuses=st.lists(
        st.sampled_from(["STOPPED", "STARTING", "WORKING", "FAILED", "SCAN_QR_CODE"]), min_size=1, max_size=8
    )
)
def test_a_restart_wait_never_ends_on_the_status_before_the_restart_alone(statuses):
    classify = restart_classifier("FAILED", ["WORKING"], ["FAILED"])
    verdicts = [classify(health(s)) for s in statuses]
    for index, verdict in enumerate(verdicts):
        if verdict is not None:
            assert any(s != "FAILED" for s in statuses[: index + 1])


@pytest.mark.parametrize("value, words", [("", "empty"), ("x" * 51, "at most 50"), ("a\nb", "control")])
def test_names_are_checked(value, words):
    with pytest.raises(OptionError, match=words):
        validate_name(value)
    assert validate_name("x" * 50) == "x" * 50


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
    with pytest.raises(OptionError, match="does not exist"):
        write_private_file(str(tmp_path / "missing" / "qr.png"), PNG)


def test_exact_name_match_among_partial_matches(scripted_client):
    listing = [
        {"id": "1", "name": "shop-eu-2", "status": "WORKING"},
        {"id": "2", "name": "shop-eu", "status": "FAILED"},
        {"id": "3", "name": "Shop-EU", "status": "FAILED"},
    ]
    client, session = scripted_client([make_response(200, listing)])
    assert [item["id"] for item in InstanceActions(client).find_by_name("shop-eu")] == ["2"]
    assert session.calls[0]["params"] == {"filter[name]": "shop-eu"}


def test_a_restart_500_says_it_was_not_retried(scripted_client):
    client, session = scripted_client([make_response(500, {"message": "Failed to restart WhatsApp instance."})] * 2)
    with pytest.raises(Exception) as error:
        InstanceActions(client).restart("abc")
    assert "could not restart instance abc (HTTP 500): Failed to restart WhatsApp instance.; it was not retried" in str(
        error.value
    )
    assert len(session.calls) == 1
