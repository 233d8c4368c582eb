# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lookups' common part: read options, check requirements, map errors."""

from __future__ import annotations

from ansible.errors import AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import HAS_REQUESTS, ApiError, OptionError


# What a rate-limited lookup user can do: a lookup has no wait options.
LOOKUP_RATE_LIMIT_HINT = "call the lookup less often (once per play, not per host or loop item) or run fewer plays " \
                         "against this account at once"


class WhatsAppLookupBase(LookupBase):
    """Subclasses call :meth:`load_options` first, then do their work inside :meth:`api_errors`.

    Clients are built with :attr:`client_options` and closed with a ``with`` statement.
    """

    client_options = {"rate_limit_hint": LOOKUP_RATE_LIMIT_HINT}

    def load_options(self, variables, kwargs):
        """Set the options from keywords, variables, ansible.cfg and the environment; return the variables used."""
        variables = self._render_option_variables(variables)
        self.set_options(var_options=variables, direct=kwargs)
        if not HAS_REQUESTS:
            raise AnsibleLookupError(missing_required_lib("requests"))
        return variables

    def _render_option_variables(self, variables):
        """ansible-core before 2.19 hands a lookup its variables untemplated: render the ones that set options."""
        variables = dict(variables or {})
        for definition in self.option_definitions.values():
            for entry in definition.get("vars") or []:
                if entry["name"] in variables:
                    variables[entry["name"]] = self._templar.template(variables[entry["name"]])
        return variables

    def options(self, names):
        return {name: self.get_option(name) for name in names}

    @property
    def fqcn(self):
        return getattr(self, "ansible_name", None) or self._load_name

    def api_errors(self):
        return _ApiErrorsAsLookupErrors(self.fqcn)


class _ApiErrorsAsLookupErrors:
    """Turns the collection's errors into AnsibleLookupError, without a traceback."""

    def __init__(self, plugin_name):
        self.plugin_name = plugin_name

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, (ApiError, OptionError)):
            raise AnsibleLookupError("%s: %s" % (self.plugin_name, exc)) from None
        return False
