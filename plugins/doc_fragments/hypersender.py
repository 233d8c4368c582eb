# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options of the Hypersender WhatsApp Enterprise API, shared by every plugin."""

    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the Hypersender WhatsApp Enterprise API.
      - If not set, the E(HYPERSENDER_API_URL) environment variable is used, then the default.
    type: str
    default: https://app.hypersender.com/api/whatsapp/v1
  api_token:
    description:
      - Bearer token of the Hypersender account.
      - If not set, the E(HYPERSENDER_API_TOKEN) environment variable is used.
      - It is sent only in the C(Authorization) header and never appears in results, messages or logs.
      - An empty token or one containing white space is refused before any request is made.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate.
      - Set O(ca_path) rather than turning this off when the server uses a private CA.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM file with the CA certificates to trust instead of the system's bundle.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
      - When waiting, a request never runs past the wait's deadline.
    type: float
    default: 30
  retries:
    description:
      - How many times a single request is retried after a transient failure
        (HTTP 429, 500, 502, 503, 504, a refused or cut-off connection, a timeout).
      - HTTP 429 is retried after the server's C(Retry-After); the others after an exponential backoff with jitter
        (about 1, 2, 4 s..., at most 30 s). Retries never run past the deadline of a wait.
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

    # Where lookups read the same options besides keyword arguments.
    # The token has no ansible.cfg key on purpose: a secret does not belong in a config file.
    PLUGINS = r"""
options:
  api_url:
    env:
      - name: HYPERSENDER_API_URL
    ini:
      - section: hypersender_whatsapp
        key: api_url
    vars:
      - name: hypersender_api_url
  api_token:
    env:
      - name: HYPERSENDER_API_TOKEN
    vars:
      - name: hypersender_api_token
  validate_certs:
    ini:
      - section: hypersender_whatsapp
        key: validate_certs
    vars:
      - name: hypersender_validate_certs
  ca_path:
    ini:
      - section: hypersender_whatsapp
        key: ca_path
    vars:
      - name: hypersender_ca_path
  timeout:
    ini:
      - section: hypersender_whatsapp
        key: timeout
    vars:
      - name: hypersender_timeout
  retries:
    ini:
      - section: hypersender_whatsapp
        key: retries
    vars:
      - name: hypersender_retries
"""
