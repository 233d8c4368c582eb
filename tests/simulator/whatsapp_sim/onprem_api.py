# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WhatsApp Business On-Premises API handlers (Meta's error shape), after auth."""

from __future__ import annotations

import base64
import binascii
import datetime
import hmac
import secrets

from .response import Response

PREFIX = "/v1"


def error(status, code, title, details, onprem):
    return Response.json(
        status, {"errors": [{"code": code, "title": title, "details": details}], "meta": onprem.meta()}
    )


def access_denied(onprem):
    return error(401, 1005, "Access denied", "Invalid credentials.", onprem)


def not_found(onprem):
    return error(404, 1006, "Resource not found", "Unknown path.", onprem)


def method_not_allowed(onprem, allowed):
    response = error(405, 1025, "Invalid request", "Method not allowed.", onprem)
    response.headers["Allow"] = ", ".join(allowed)
    return response


def health(onprem, elapsed):
    return Response.json(200, {"health": onprem.health.at(elapsed), "meta": onprem.meta()})


def basic_credentials(credential):
    """(user, password) from a Basic credential, or None if it does not decode."""
    try:
        decoded = base64.b64decode(credential or "", validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, separator, password = decoded.partition(":")
    return (user, password) if separator else None


def password_matches(onprem, user, password):
    expected = onprem.users.get(user)
    return expected is not None and hmac.compare_digest(expected.encode("utf-8"), password.encode("utf-8"))


def login(onprem, token, ttl_seconds):
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=ttl_seconds)
    payload = {
        "users": [{"token": token, "expires_after": expires.strftime("%Y-%m-%d %H:%M:%S+00:00")}],
        "meta": onprem.meta(),
    }
    return Response.json(200, payload)


def new_token():
    return "sim-login-" + secrets.token_urlsafe(24)
