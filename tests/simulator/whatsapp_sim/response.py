# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport-neutral answer the application hands to the HTTP layer."""

from __future__ import annotations

import json

SEND = "send"
TRUNCATE = "truncate"  # announce a longer body than is sent, then close the connection
DROP = "drop"  # close the connection without writing anything
ENDLESS = "endless"  # the body repeated without end, no Content-Length, until the client goes away


class Response:
    def __init__(self, status, body=b"", content_type="application/json", headers=None, action=SEND):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = dict(headers or {})
        self.action = action
        self.trickle = 0.0  # seconds between the bytes of the body (0: all at once)

    @classmethod
    def json(cls, status, payload, headers=None):
        return cls(status, json.dumps(payload, separators=(",", ":")).encode("utf-8"), "application/json", headers)
