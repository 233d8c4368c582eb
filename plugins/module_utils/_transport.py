# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The transport options every service takes: declared once (the transport doc fragment is their documentation).

A service layer (_hypersender, _onprem, _cloud) adds its URL and credentials to :func:`transport_argument_spec`
and passes :func:`validate_transport`'s keyword arguments to :class:`_client.ApiClient`.
"""

from __future__ import annotations

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    validate_ca_path,
    validate_connection_numbers,
)

TRANSPORT_OPTIONS = ("validate_certs", "ca_path", "timeout", "retries")


def transport_argument_spec():
    """The module side of the transport doc fragment (a new dict each call)."""
    return dict(
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="float", default=DEFAULT_TIMEOUT),
        retries=dict(type="int", default=DEFAULT_RETRIES),
    )


def validate_transport(options):
    """The transport options checked before any request, as :class:`ApiClient` keyword arguments.

    ``options`` maps option names to values, from a module's params or a plugin's get_option();
    an option left out or None takes its default.
    """
    timeout, retries = validate_connection_numbers(options)
    return dict(
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        retries=DEFAULT_RETRIES if retries is None else retries,
        validate_certs=options.get("validate_certs", True) is not False,
        ca_path=validate_ca_path(options.get("ca_path")),
    )
