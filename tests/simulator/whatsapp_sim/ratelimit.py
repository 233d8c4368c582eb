# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Laravel-like fixed-window rate limiting (the window opens at the first request it counts)."""

from __future__ import annotations

import math
import time


class Decision:
    def __init__(self, allowed, limit, remaining, retry_after):
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.retry_after = retry_after

    def headers(self):
        headers = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
            headers["X-RateLimit-Reset"] = str(int(time.time()) + self.retry_after)
        return headers


class FixedWindowLimiter:
    """Not thread-safe on its own: the caller holds the simulator's state lock."""

    def __init__(self, limit):
        self.limit = limit
        self._windows = {}  # key -> [window_start, hits]

    def hit(self, key, now):
        window = self._windows.get(key)
        if window is None or now >= window[0] + self.limit.window:
            window = [now, 0]
            self._windows[key] = window
        if window[1] >= self.limit.requests:
            # Throttled requests are not counted, so the window is not extended.
            retry_after = max(1, int(math.ceil(window[0] + self.limit.window - now)))
            return Decision(False, self.limit.requests, 0, retry_after)
        window[1] += 1
        return Decision(True, self.limit.requests, self.limit.requests - window[1], 0)
