# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The webhooks the simulated APIs post (Hypersender's message.ack, the Cloud API's signed statuses): one worker
thread posts them in time order; a reset drops what is still scheduled; a log says what each receiver answered."""

from __future__ import annotations

import heapq
import json
import threading
import urllib.error
import urllib.request

WEBHOOKS_PATH = "/_sim/webhooks"
WEBHOOK_TIMEOUT = 5.0
USER_AGENT = "whatsapp-sim-webhooks/1.0"


def encode(payload):
    """The bytes a webhook carries (compact JSON): what a signature is computed over."""
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def get(url, timeout=WEBHOOK_TIMEOUT):
    """(status, body text) of a GET to ``url``; status 0 when it could not be reached."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT}, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback tests)
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return 0, ""


class WebhookDispatcher:
    """Posts scheduled webhooks from one worker thread; a reset (new generation) drops what is still scheduled."""

    def __init__(self, elapsed, stop_event):
        self._elapsed = elapsed
        self._stop = stop_event
        self._condition = threading.Condition()
        self._heap = []
        self._sequence = 0
        self._generation = 0
        self._log = []
        self._thread = None

    def schedule(self, due, url, headers, body, record):
        """Post ``body`` (bytes) with ``headers`` to ``url`` at ``due`` (simulator time); log ``record`` with the
        answer. A ``url`` of None logs the record at ``due`` without posting (a webhook Meta would not send)."""
        with self._condition:
            self._sequence += 1
            heapq.heappush(self._heap, (due, self._sequence, self._generation, url, headers, body, record))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="whatsapp-sim-webhooks", daemon=True)
                self._thread.start()
            self._condition.notify()

    def reset(self):
        with self._condition:
            self._generation += 1
            self._heap = []
            self._log = []
            self._condition.notify()

    def log(self):
        with self._condition:
            return [dict(entry) for entry in self._log]

    def join(self, timeout):
        with self._condition:
            self._condition.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self):
        while not self._stop.is_set():
            with self._condition:
                if not self._heap:
                    self._condition.wait(0.2)
                    continue
                due = self._heap[0][0]
                wait = due - self._elapsed()
                if wait > 0:
                    self._condition.wait(min(wait, 0.2))
                    continue
                dummy, dummy, generation, url, headers, body, record = heapq.heappop(self._heap)
                if generation != self._generation:
                    continue
            record = dict(record, t=round(self._elapsed(), 6))
            record.update(self._post(url, headers, body) if url else {"status": None})
            with self._condition:
                if generation == self._generation:
                    record["answered"] = round(self._elapsed(), 6)
                    self._log.append(record)

    @staticmethod
    def _post(url, headers, body):
        headers = dict({"Content-Type": "application/json", "User-Agent": USER_AGENT}, **headers)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 (loopback tests)
                return {"status": response.status}
        except urllib.error.HTTPError as error:
            return {"status": error.code}
        except (OSError, ValueError) as error:
            return {"status": 0, "error": type(error).__name__}
