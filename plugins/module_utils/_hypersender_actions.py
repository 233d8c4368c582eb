# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hypersender actions: create an instance, restart it, request a new QR code; and what they need around them.

Every call goes through :class:`_client.ApiClient`, whose POST rule applies:
an action is repeated only after HTTP 429 or a connection never made. Every
action is bound by its task's deadline: a 429 is sent again only when its
Retry-After has passed before the deadline; otherwise the refusal is raised,
as an action that did not happen.
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
    TransportError,
    body_excerpt,
    describe,
    safe_url,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    INSTANCE_FIELDS,
    InstanceNotFoundError,
    parse_instances,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import DONE, FAILED, format_seconds

NAME_MAX_LENGTH = 50
# The documentation: a QR code expires after about 60 seconds, and one new code may be requested a minute.
QR_VALID_SECONDS = 60
QR_MIN_INTERVAL = 60
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Statuses a restart passes through on its way back (the documentation: STOPPED -> STARTING -> WORKING).
RESTART_STEPS = ("STOPPED", "STARTING")
# What a refused action is called in messages, what was not done, and its documented limit per account.
ACTIONS = {
    "create": ("the create of instance %r", "nothing was created", "5 creates a minute"),
    "restart": ("the restart of instance %s", "nothing was restarted", "5 restarts a minute"),
    "qr": ("the new QR code for instance %s", "no code was made", "1 new QR code a minute"),
}
# What Laravel's TrimStrings middleware strips from both ends of every input string (white space, BOM, ZWSP).
_TRIMMED = re.compile(r"^[\s\ufeff\u200b]+|[\s\ufeff\u200b]+$")


def server_name(value):
    """A name as the server stores it: Hypersender is a Laravel application, which trims every input string."""
    return _TRIMMED.sub("", str(value))


def same_name(first, second):
    """Whether the server takes two names for one: trimmed, compared without case (its ``unique`` rule runs on
    MySQL's default, case-insensitive collation). Names that differ only in accents may count as one there too;
    the server then refuses the create (HTTP 422) and nothing changes."""
    if not isinstance(first, str) or not isinstance(second, str):
        return False
    return server_name(first).casefold() == server_name(second).casefold()


def validate_name(value, option="name"):
    """The name as the server will store it (trimmed), or :class:`OptionError`."""
    text = server_name("" if value is None else value)
    if not text:
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


def validate_directory(path, option):
    """The absolute path of a directory this user can create files in, or :class:`OptionError`."""
    directory = os.path.abspath(os.path.expanduser(str(path)))
    if not os.path.exists(directory):
        raise OptionError("%s %s does not exist: create the directory first" % (option, directory))
    if not os.path.isdir(directory):
        raise OptionError("%s %s is not a directory" % (option, directory))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OptionError("%s %s is not writable by this user (uid %d)" % (option, directory, os.getuid()))
    return directory


def validate_destination(path, option):
    """The absolute path of a file the module may write ``path`` as, or :class:`OptionError`.

    Checked before any request, so that a code the API makes once (or once a minute) is never lost to a bad
    path. The file itself must not be a symbolic link: a link is not followed (another user may have planted
    it), and replacing it silently would surprise whoever made it.
    """
    target = os.path.abspath(os.path.expanduser(str(path)))
    if os.path.islink(target):
        raise OptionError(
            "%s %s is a symbolic link: give the path of the file itself (the module does not follow links, so "
            "that a link nobody meant cannot send the QR code elsewhere)" % (option, target)
        )
    if os.path.isdir(target):
        raise OptionError(
            "%s %s is a directory: give the path of a file, such as %s"
            % (option, target, os.path.join(target, "qr.png"))
        )
    if os.path.lexists(target) and not os.path.isfile(target):
        raise OptionError("%s %s is not a regular file: give the path of a file" % (option, target))
    directory = os.path.dirname(target)
    if not os.path.exists(directory):
        raise OptionError("%s %s: its directory %s does not exist: create it first" % (option, target, directory))
    if not os.path.isdir(directory):
        raise OptionError("%s %s: %s is not a directory" % (option, target, directory))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OptionError(
            "%s %s: its directory %s is not writable by this user (uid %d)" % (option, target, directory, os.getuid())
        )
    return target


def write_private_file(path, data):
    """Write ``data`` to ``path`` atomically, readable by the owner only (mode 0600); raises OSError.

    The file is written beside ``path`` and renamed over it, which replaces a symbolic link planted there
    since :func:`validate_destination` instead of following it.
    """
    path = os.path.abspath(os.path.expanduser(path))
    handle, temporary = tempfile.mkstemp(prefix=".hypersender-", dir=os.path.dirname(path))
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


def write_error(error):
    """An OSError from :func:`write_private_file` in a few words (its strerror and file name, never the data)."""
    if isinstance(error, OSError) and error.strerror:
        return "[Errno %s] %s" % (error.errno, error.strerror)
    return error.__class__.__name__


class InstanceActions:
    """The Hypersender action calls, on one :class:`ApiClient`."""

    def __init__(self, client, deadline_option=None):
        self.client = client
        # The caller's option that sets its deadline, named when a Retry-After reaches past it.
        self.deadline_option = deadline_option

    def find_by_name(self, name, include_access_token=False):
        """The instances the server takes to be named ``name`` (:func:`same_name`; ``filter[name]`` is partial)."""
        name = server_name(name)
        listed = parse_instances(
            self.client.get_json("/instances", params={"filter[name]": name}), include_access_token=include_access_token
        )
        return [item for item in listed if same_name(item.get("name"), name)]

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

    def _act(self, action, subject, path, deadline, json_body=None):
        """POST ``path`` inside ``deadline`` (a value of the client's clock).

        A 429 (refused before the action ran) is sent again once its Retry-After has passed, if that is
        before ``deadline``; otherwise it is raised as a :class:`RateLimitedError` that says the action was
        refused and nothing was done.
        """
        while True:
            try:
                return self.client.request_json("POST", path, deadline=deadline, json_body=json_body)
            except RateLimitedError as error:
                if not self.client.sleep_out_retry_after(error, deadline):
                    raise refused(action, subject, self.client.base_url + path, error, self.deadline_option) from None

    def create(self, name, phone, deadline, webhook_url=None):
        body = {"phone": phone, "name": name}
        if webhook_url:
            body["webhook_url"] = webhook_url
        try:
            return self._act("create", name, "/create-instance", deadline, json_body=body)
        except ApiError as error:
            if error.status == 422:
                raise ApiError(
                    "Hypersender refused to create instance %r (HTTP 422): %s" % (name, _said(error)), status=422
                ) from None
            raise

    def restart(self, instance, deadline):
        try:
            return self._act("restart", instance, "/%s/restart" % instance, deadline)
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

    def request_new_qr_code(self, instance, deadline):
        try:
            return self._act("qr", instance, "/%s/request-new-qr-code" % instance, deadline)
        except NotFoundError:
            raise InstanceNotFoundError(
                "instance %s not found (HTTP 404) when requesting a QR code" % instance, status=404
            ) from None


def refused(action, subject, url, error, deadline_option=None):
    """The :class:`RateLimitedError` for an action the API refused (HTTP 429): what, why, what to do."""
    what, not_done, limit = ACTIONS[action]
    if error.retry_after is None:
        when = "without a Retry-After"
    else:
        when = "retry after %s s, past this task's deadline" % format_seconds(error.retry_after)
        asked = getattr(error, "asked", error.retry_after)
        if asked is None or asked < error.retry_after:
            # The client's floor (the endpoint's share of its documented limit) replaced what the API said.
            when += " (the endpoint's share of its limit; the API %s)" % (
                "gave no Retry-After" if asked is None else "asked for %s s" % format_seconds(asked)
            )
    return RateLimitedError(
        "POST %s: the API refused %s: rate limited (HTTP 429), %s; Hypersender allows %s per account, and "
        "other tasks or people may use the same allowance: %s; retry later%s"
        % (
            safe_url(url),
            what % subject,
            when,
            limit,
            not_done,
            (
                ", or raise %s so that the task waits for it" % deadline_option
                if deadline_option and error.retry_after is not None
                else ""
            ),
        ),
        status=429,
        retry_after=error.retry_after,
    )


def may_have_acted(error):
    """False when a failed action certainly did not happen: the API refused it (HTTP 429, or another 4xx) or
    the connection was never made. A 5xx, a timeout or a cut-off answer may come after it began."""
    if isinstance(error, TransportError):
        return error.request_sent
    return not (error.status is not None and 400 <= error.status < 500)


def _said(error):
    """What the server said, from a client error message ``... (detail)...``."""
    text = str(error)
    match = re.search(r"\(HTTP \d+\) \((.*)\)", text) or re.search(r"HTTP \d+ \((.*)\)", text)
    return match.group(1) if match else text


def restart_classifier(previous_status, ready, fail_on):
    """A :func:`_wait.poll` classifier for the wait after an accepted restart.

    A status in ``ready`` counts at once: the restart was accepted, and the whole cycle (STOPPED, STARTING,
    back) may end between two polls, so the module cannot wait to see it. The status the instance had before
    the restart may still be reported for a moment afterwards (the API restarts asynchronously): it counts as
    fatal only once the instance has been seen in another status.
    """
    seen_other = [previous_status is None]

    def classify(health):
        status = health["status"]
        if status != previous_status:
            seen_other[0] = True
        if status in ready:
            return DONE
        if status in fail_on and seen_other[0]:
            return FAILED
        return None

    return classify
