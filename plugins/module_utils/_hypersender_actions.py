# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hypersender actions: create an instance, restart it, request a new QR code; and what they need around them.

Every call goes through :class:`_client.ApiClient`, whose POST rule applies:
an action is repeated only after HTTP 429 or a connection never made.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import tempfile
from urllib.parse import urlsplit

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiError,
    NotFoundError,
    OptionError,
    RateLimitedError,
    ResponseFormatError,
    body_excerpt,
    describe,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    INSTANCE_FIELDS,
    InstanceNotFoundError,
    parse_instances,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import DONE, FAILED

NAME_MAX_LENGTH = 50
# The documentation: a QR code expires after about 60 seconds, and one new code may be requested a minute.
QR_VALID_SECONDS = 60
QR_MIN_INTERVAL = 60
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Statuses a restart passes through on its way back (the documentation: STOPPED -> STARTING -> WORKING).
RESTART_STEPS = ("STOPPED", "STARTING")


def validate_name(value, option="name"):
    text = "" if value is None else str(value)
    if not text.strip():
        raise OptionError("%s is empty: give the instance's name (at most %d characters)" % (option, NAME_MAX_LENGTH))
    if len(text) > NAME_MAX_LENGTH:
        raise OptionError(
            "%s is %d characters long; Hypersender allows at most %d" % (option, len(text), NAME_MAX_LENGTH)
        )
    if re.search(r"[\x00-\x1f\x7f]", text):
        raise OptionError("%s contains control characters" % option)
    return text


def validate_webhook_url(value, option="webhook_url"):
    text = str(value).strip()
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname or re.search(r"\s", text):
        raise OptionError(
            "%s %r must be an https:// URL (Hypersender sends the instance's events there)"
            % (option, body_excerpt(text))
        )
    return text


def public_instance(raw, include_access_token=False):
    """The documented instance fields of an action's answer; ``qr_code`` never, ``access_token`` only if asked."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ResponseFormatError("expected an instance object with an id, got %s" % describe(raw))
    instance = {field: raw.get(field) for field in INSTANCE_FIELDS}
    if include_access_token:
        instance["access_token"] = raw.get("access_token")
    return instance


def qr_png_bytes(raw):
    """The PNG bytes of an answer's ``qr_code`` (base64, without a data-URI prefix; tolerate one)."""
    text = raw.get("qr_code") if isinstance(raw, dict) else None
    if not isinstance(text, str) or not text:
        raise ResponseFormatError(
            "the answer has no qr_code (keys: %s)" % (", ".join(sorted(raw)) if isinstance(raw, dict) else "none")
        )
    if text.startswith("data:"):
        text = text.split(",", 1)[-1]
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ResponseFormatError("qr_code is not base64 data") from None
    if not data.startswith(PNG_SIGNATURE):
        raise ResponseFormatError("qr_code is not a PNG image")
    return data


def write_private_file(path, data):
    """Write ``data`` to ``path`` atomically, readable by the owner only (mode 0600)."""
    path = os.path.abspath(os.path.expanduser(path))
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise OptionError("the directory of %s does not exist" % path)
    handle, temporary = tempfile.mkstemp(prefix=".hypersender-", dir=directory)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


class InstanceActions:
    """The Hypersender action calls, on one :class:`ApiClient`."""

    def __init__(self, client):
        self.client = client

    def find_by_name(self, name, include_access_token=False):
        """The instances whose name is exactly ``name`` (``filter[name]`` is a partial match)."""
        listed = parse_instances(
            self.client.get_json("/instances", params={"filter[name]": name}), include_access_token=include_access_token
        )
        return [item for item in listed if item.get("name") == name]

    def find_by_id(self, instance, include_access_token=False):
        listed = parse_instances(
            self.client.get_json("/instances", params={"filter[uuid]": instance}),
            include_access_token=include_access_token,
        )
        found = [item for item in listed if item["id"] == instance]
        if not found:
            raise InstanceNotFoundError(
                "instance %s not found: the Hypersender account of this token has no such "
                "instance; check the UUID in the dashboard and that api_token belongs to "
                "the same account" % instance,
                status=404,
            )
        return found[0]

    def _post_when_allowed(self, path, deadline):
        """POST ``path``; a 429 (refused before the action ran) is sent again once its Retry-After has passed,
        while that is inside ``deadline``."""
        while True:
            try:
                return self.client.request_json("POST", path, deadline=deadline)
            except RateLimitedError as error:
                if not self.client.sleep_out_retry_after(error, deadline):
                    raise

    def create(self, name, phone, webhook_url=None):
        body = {"phone": phone, "name": name}
        if webhook_url:
            body["webhook_url"] = webhook_url
        try:
            return self.client.request_json("POST", "/create-instance", json_body=body)
        except ApiError as error:
            if error.status == 422:
                raise ApiError(
                    "Hypersender refused to create instance %r (HTTP 422): %s" % (name, _said(error)), status=422
                ) from None
            raise

    def restart(self, instance, deadline=None):
        try:
            return self._post_when_allowed("/%s/restart" % instance, deadline)
        except NotFoundError:
            raise InstanceNotFoundError(
                "instance %s not found (HTTP 404) when restarting it" % instance, status=404
            ) from None
        except ApiError as error:
            if error.status == 500:
                raise ApiError(
                    "Hypersender could not restart instance %s (HTTP 500): %s; it was not retried "
                    "because the restart may have begun: check the instance in the dashboard"
                    % (instance, _said(error)),
                    status=500,
                ) from None
            raise

    def request_new_qr_code(self, instance, deadline=None):
        try:
            return self._post_when_allowed("/%s/request-new-qr-code" % instance, deadline)
        except NotFoundError:
            raise InstanceNotFoundError(
                "instance %s not found (HTTP 404) when requesting a QR code" % instance, status=404
            ) from None
        except RateLimitedError as error:
            asked = " (it asks to retry after %g s)" % error.retry_after if error.retry_after is not None else ""
            raise RateLimitedError(
                "Hypersender allows one new QR code a minute per account and refused this one "
                "(HTTP 429)%s: another task or person asked for a code; wait for the next minute, "
                "or retry later" % asked,
                status=429,
                retry_after=error.retry_after,
            ) from None


def _said(error):
    """What the server said, from a client error message ``... (detail)...``."""
    text = str(error)
    match = re.search(r"\(HTTP \d+\) \((.*)\)", text) or re.search(r"HTTP \d+ \((.*)\)", text)
    return match.group(1) if match else text


def restart_classifier(previous_status, ready, fail_on):
    """A :func:`_wait.poll` classifier for the wait after a restart.

    The status the instance had before the restart may still be reported for a moment
    afterwards (the API restarts asynchronously): it counts, as ready or as fatal, only
    once the instance has been seen in another status.
    """
    seen_other = [previous_status is None]

    def classify(health):
        status = health["status"]
        if status != previous_status:
            seen_other[0] = True
        if not seen_other[0]:
            return None
        if status in ready:
            return DONE
        return FAILED if status in fail_on else None

    return classify
