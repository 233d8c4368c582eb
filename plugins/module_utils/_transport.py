# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every service shares: the transport options (the transport doc fragment is their documentation), the
:class:`Service` that describes a service to modules and lookups, and :class:`ServiceApi`, the base of its calls.

A service layer (_hypersender, _onprem, _cloud) adds its URL and credentials to :func:`transport_argument_spec`,
passes :func:`validate_transport`'s keyword arguments to :class:`_client.ApiClient`, and declares one
:class:`Service` whose ``connect`` is the one way to build its client.
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


# Role and playbook variables, lookup variables and ini sections of a service's settings share one prefix.
VARIABLE_PREFIX = "whatsapp_%s_"


def where_set(service, options, env_vars):
    """Every place the ``options`` of ``service`` come from, for a message that says what to check: the options
    (task arguments, module_defaults), their ``whatsapp_<service>_<option>`` variables (which modules and lookups
    read) and their environment variables; e.g. "api_token / the whatsapp_cloud_api_token variable / the
    WA_CLOUD_TOKEN environment variable"."""
    plural = "s" if len(options) > 1 else ""
    return "%s / the %s variable%s / the %s environment variable%s" % (
        " and ".join(options),
        " and ".join(VARIABLE_PREFIX % service + option for option in options),
        plural,
        " and ".join(env_vars),
        plural,
    )


def with_fallbacks(spec, env_fallbacks, env_fallback):
    """A copy of the argument ``spec`` whose options named in ``env_fallbacks`` fall back to their variable."""
    spec = {name: dict(option) for name, option in spec.items()}
    for name, env_var in env_fallbacks.items():
        if name in spec:
            spec[name]["fallback"] = (env_fallback, [env_var])
    return spec


class Service:
    """One API of the collection, as modules and plugins see it.

    ``connection_spec`` is the module side of the service's connection doc fragment, ``env_fallbacks`` maps
    options to the environment variables they fall back to, ``env_read_by_rule`` names the variables the
    service reads by a rule of its own (On-Premises credentials), and ``connect(options, environ,
    **client_kwargs)`` validates the options and returns the service's :class:`ServiceApi`.
    ``name`` is also the middle of the variable names of the connection options (``whatsapp_<name>_<option>``),
    which modules (their action plugins), lookups and roles read alike.
    """

    def __init__(self, name, connection_spec, env_fallbacks, connect, env_read_by_rule=()):
        self.name = name
        self.connection_spec = connection_spec
        self.options = tuple(connection_spec)
        self.env_fallbacks = env_fallbacks
        self.env_read_by_rule = tuple(env_read_by_rule)
        self.connect = connect

    def argument_spec(self, env_fallback):
        """The module argument spec of the connection options, with the environment fallbacks (a new dict).

        ``env_fallback`` is passed in so that module_utils import nothing of the module runtime for lookups.
        """
        return with_fallbacks(self.connection_spec, self.env_fallbacks, env_fallback)

    def variable(self, option):
        """The variable that sets ``option`` for every plugin kind, e.g. whatsapp_cloud_api_token."""
        return VARIABLE_PREFIX % self.name + option

    @property
    def environment_variables(self):
        return sorted(set(self.env_fallbacks.values()) | set(self.env_read_by_rule))


class ServiceApi:
    """The calls of one service over one :class:`_client.ApiClient`; ``with`` closes the client.

    ``secrets`` are the credentials in use, for a module's no_log (one may come from the environment).
    """

    def __init__(self, client, secrets=()):
        self.client = client
        self.secrets = tuple(secret for secret in secrets if secret)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.client.close()
        return False
