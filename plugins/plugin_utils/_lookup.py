# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lookups' common part: one convention for terms and options, the environment bound late (the inventory
does it too), requirements, the client, and errors mapped to AnsibleLookupError."""

from __future__ import annotations

import os

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import HAS_REQUESTS, ApiError, OptionError

# What a rate-limited lookup user can do: a lookup has no wait options.
LOOKUP_RATE_LIMIT_HINT = (
    "call the lookup less often (once per play, not per host or loop item) or run fewer plays "
    "against this account at once"
)


def bind_environment(plugin, env_fallbacks, variables=None, direct=None):
    """Give each option of ``env_fallbacks`` (option -> variable) that nothing set its environment variable.

    The same names and rule as the modules' env fallbacks, read when the plugin runs (late binding, as
    community.hashi_vault does): keyword or configuration file > variable > ansible.cfg > environment > default.
    A variable that is set but empty counts, as in a module: the service's build_client treats it as unset.
    Call it right after ``set_options`` with the same ``variables`` and ``direct``.
    """
    for option, env_var in env_fallbacks.items():
        if env_var not in os.environ:
            continue
        # The documented default hides whether anything set the option: ask for its origin.
        dummy, origin = C.config.get_config_value_and_origin(
            option, plugin_type=plugin.plugin_type, plugin_name=plugin._load_name, variables=variables, direct=direct
        )
        if origin == "default":
            plugin.set_option(option, os.environ[env_var])


class WhatsAppLookupBase(LookupBase):
    """One convention for every lookup: the ids it checks are its terms, everything else keyword options.

    Subclasses call :meth:`load_options` first, then do their work inside :meth:`api_errors`, with the client
    of :meth:`connect` in a ``with`` statement.
    """

    client_options = {"rate_limit_hint": LOOKUP_RATE_LIMIT_HINT}
    # The _transport.Service whose connection options the lookup takes (and whose environment it binds late), and
    # the lookup's own options that fall back to an environment variable (option -> variable).
    service = None
    extra_env_fallbacks = {}
    # What a term is, e.g. "an instance UUID"; None: the lookup checks no ids and takes no terms.
    term = None
    # A term to show in an example, and whether the lookup needs at least one (or a keyword that selects).
    term_example = None
    terms_required = False
    # An example of keyword arguments, for the message of a lookup that takes no terms.
    no_terms_example = None

    @classmethod
    def environment_variables(cls):
        """Every environment variable this lookup reads."""
        return sorted(set(cls.service.environment_variables) | set(cls.extra_env_fallbacks.values()))

    def load_options(self, variables, kwargs, terms=None):
        """Set the options from keywords, variables, ansible.cfg and the environment; return the variables used.

        Unknown keywords, terms given to a lookup that takes none, and no terms where they are needed are
        errors, before any request.
        """
        valid = sorted(name for name in self.option_definitions if not name.startswith("_"))
        unknown = sorted(set(kwargs) - set(valid))
        if unknown:
            raise AnsibleLookupError(
                "%s: unknown option%s %s; the valid options are %s"
                % (self.fqcn, "s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(valid))
            )
        variables = self._render_option_variables(variables)
        self.set_options(var_options=variables, direct=kwargs)
        bind_environment(self, dict(self.service.env_fallbacks, **self.extra_env_fallbacks), variables, kwargs)
        self._check_terms(terms or [])
        if not HAS_REQUESTS:
            raise AnsibleLookupError(missing_required_lib("requests"))
        return variables

    def _check_terms(self, terms):
        if terms and self.term is None:
            raise AnsibleLookupError(
                "%s takes no terms, got %d: give the options as keyword arguments, e.g. lookup('%s', %s)"
                % (self.fqcn, len(terms), self.fqcn, self.no_terms_example)
            )
        if not terms and self.terms_required:
            raise AnsibleLookupError(
                "%s needs at least one term, %s, e.g. lookup('%s', '%s')"
                % (self.fqcn, self.term, self.fqcn, self.term_example)
            )

    def connect(self):
        """The service's API object from the lookup's options (with the environment, as the modules read it)."""
        return self.service.connect(self.options(self.service.options), os.environ, **self.client_options)

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
