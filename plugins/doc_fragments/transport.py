# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The transport options every plugin takes, whatever the API (module_utils/_transport.py is their spec).

    A service's own fragment (hypersender, onprem, cloud) adds its URL and credentials, and in its PLUGINS part
    the ansible.cfg keys and variables these options are read from by lookups and the inventory plugin.
    """

    DOCUMENTATION = r"""
options:
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate.
      - When the server uses a certificate signed by a private or self-signed CA, set O(ca_path) to that CA rather
        than turning this off.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM file with the CA certificates to trust instead of the system's bundle.
      - A path that does not exist or cannot be read is refused before any request is made.
    type: path
  timeout:
    description:
      - Seconds each HTTP request may take, connecting and reading the whole response together.
      - When waiting, a request never runs past the wait's deadline.
      - C(nan), C(inf) or a value outside (0, 3600] is refused before any request, as for every number option.
    type: float
    default: 30
  retries:
    description:
      - How many times a single request is retried after a transient failure
        (HTTP 429, 500, 502, 503, 504, a refused or cut-off connection, a timeout, and what a service's own
        error body marks as temporary).
      - A rate limit is retried after the server's C(Retry-After); the others after an exponential backoff with jitter
        (about 1, 2, 4 s..., at most 30 s). Retries never run past the deadline of a wait.
      - After a rate limit the next request to the endpoint waits at least its documented share of the limit, whatever
        C(Retry-After) says (C(0), a date in the past, nothing). That is 60 s for a new QR code, 12 s for a restart
        or a create, 6 s for an instance's health and the instance list, 18 s for a Graph API call and 6 s for any
        other endpoint. A wait or an action whose next allowed request falls after its deadline ends at once and
        says when to retry.
      - Without waiting, a C(Retry-After) longer than 60 seconds is not waited for.
      - Requests that change something (create an instance, restart it, request a new QR code) are repeated only
        when the server cannot have acted on them, after HTTP 429 (the rate limiter refuses before the action runs)
        or a connection that was never made (refused, host not found, connect timeout). A 5xx, a read timeout or a
        cut-off answer may come after the action happened, so they fail the task instead of repeating it.
    type: int
    default: 3
requirements:
  - requests (Python library on the host that runs the plugin, usually the controller)
"""
