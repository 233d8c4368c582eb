# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: instances
short_description: Hypersender WhatsApp instances as an inventory
version_added: 0.2.0
description:
  - Makes every instance of a Hypersender WhatsApp Enterprise account a host, from one C(GET /instances) request per
    refresh, filtered the way the API filters.
  - The host name is the instance name made safe (each run of characters other than letters, digits, C(_), C(.)
    and C(-) becomes one C(_)) unless O(hostname_source) says otherwise.
  - An instance is named by its UUID instead, with a warning, when that name is empty, is shared by several
    instances (each of them is then named by its UUID, so the names do not depend on the order the API lists them
    in), is the name of a group (this plugin's, one made by O(keyed_groups) or O(groups), or one of an inventory
    source read before this one), is C(localhost), or is the UUID of another instance. A host name is therefore
    never a group name, and a play on C(hypersender_failed) always means the FAILED instances. An instance the API
    lists twice is one host, made from its worst row (FAILED, then any status but WORKING, then WORKING), with a
    warning.
  - Each host has the variables C(<variable_prefix>uuid), C(name), C(phone), C(status), C(service_type) and
    C(created_at) (C(hypersender_uuid)... by default). A text that contains C({) or C(}), or starts a C(#jinja2:)
    header, is marked unsafe, so it is never templated; the others, and those O(compose) makes, are plain, so
    C(ansible-inventory --list --export) (what AWX runs to import an inventory source) prints them as they are.
  - Hosts are grouped by status into C(<group_prefix><status>) groups in lower case (C(hypersender_working),
    C(hypersender_failed)...); an instance in a status this collection does not know is in
    C(<group_prefix>unknown_status), with a warning. These seven groups always exist, possibly empty, and all of
    them are in C(<group_prefix>instances).
  - An instance's C(access_token) is a live credential; it becomes a host variable only if O(access_token_var)
    names one.
  - The hosts are API objects, not machines. Plays that target them usually set C(connection=local) and
    C(gather_facts=false), or set C(ansible_connection) through O(compose).
  - The configuration file must end in C(hypersender.yml) or C(hypersender.yaml). A key in it that is not an
    option of this plugin is an error that names the key and lists the options.
  - An error (a rejected token, an unreachable API, a bad option) fails the run unless O(fail_on_errors=false).
  - The connection options are read, first to last, from the configuration file, the extra variables of the run
    (C(-e hypersender_api_token=...) with C(ansible-inventory) or C(ansible-playbook)), C(ansible.cfg) and the
    environment (E(HYPERSENDER_API_URL), E(HYPERSENDER_API_TOKEN)). Inventory variables (C(group_vars),
    C(host_vars)) and play variables do not reach an inventory plugin. An extra variable is also a variable of
    every host, so C(ansible-inventory --list) prints a token given with C(-e); prefer the environment variable.
    O(api_token) and O(api_url) may be templates (for example a lookup that reads a vault).
  - With O(cache=true), the hosts, their C(<variable_prefix>status) and the status groups are those of the last
    refresh, up to O(cache_timeout) seconds old, so a play on C(hypersender_failed) may act on an instance that has
    recovered since, and miss one that has failed since. Refresh with C(--flush-cache) (or the task
    C(meta) V(refresh_inventory)) before acting on a status, or check it with M(hypersender.whatsapp.instance_health).
    A cache entry is kept for one configuration file, API URL, token and set of filters (its key holds a SHA-256
    digest of them, never the token), so another token, or a wrong one, is never served a cached list.
author:
  - Hypersender WhatsApp collection maintainers (@hypersender)
options:
  plugin:
    description: The name of this plugin; it marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [hypersender.whatsapp.instances]
  hostname_source:
    description:
      - Which field of an instance names its host, made safe as described above.
      - An instance without a value in that field is named by its UUID.
    type: str
    choices: [name, uuid, phone]
    default: name
  variable_prefix:
    description: Prefix of the host variables this plugin sets.
    type: str
    default: hypersender_
  group_prefix:
    description: Prefix of the status groups and of the group of all instances.
    type: str
    default: hypersender_
  access_token_var:
    description:
      - Name of a host variable to hold each instance's C(access_token); none by default.
      - Anything that prints host variables (C(ansible-inventory --list), C(-vvv) output) then shows the tokens.
      - Not allowed together with O(cache=true), which would write the tokens to the cache.
    type: str
  fail_on_errors:
    description:
      - What an error of this inventory source does (a rejected token, an unreachable API, an answer that is not
        an instance list, a bad option or an unknown key in the configuration file, a template error of
        O(compose), O(groups) or O(keyed_groups) with O(strict=true)).
      - V(true) makes the run fail with the error, whatever other inventory sources it has; C(ansible-inventory)
        and C(ansible-playbook) exit with a non-zero status, and a play on C(hypersender_failed) never runs on an
        empty inventory as if nothing had failed. Ansible shows the error as a warning (C(Failed to parse ...)),
        then stops with C(Completely failed to parse inventory source). For this the plugin turns on Ansible's
        own setting for it, C(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED), for the rest of that process; a
        configuration file that cannot be read at all fails this way too.
      - V(false) leaves the error to Ansible's own handling, which by default is a warning, and the run goes on
        without this source's hosts (a play on C(hypersender_failed) then matches no host and passes). Ansible
        fails instead with E(ANSIBLE_INVENTORY_UNPARSED_FAILED=true) when no inventory source at all could be
        read, or with E(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) when any one could not.
    type: bool
    default: true
extends_documentation_fragment:
  - hypersender.whatsapp.filters
  - hypersender.whatsapp.hypersender
  - hypersender.whatsapp.transport
  - hypersender.whatsapp.hypersender.plugins
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
seealso:
  - plugin: hypersender.whatsapp.instance_info
    plugin_type: lookup
  - module: hypersender.whatsapp.instance_info
"""

EXAMPLES = r"""
# inventory/hypersender.yml -- the token comes from HYPERSENDER_API_TOKEN
plugin: hypersender.whatsapp.instances

# Only the instances whose name contains "shop", named by UUID, with the API cached for an hour
# plugin: hypersender.whatsapp.instances
# name: shop
# hostname_source: uuid
# cache: true
# cache_plugin: ansible.builtin.jsonfile
# cache_connection: ~/.cache/ansible-hypersender
# cache_timeout: 3600

# Warn and go on without these hosts when the API cannot be read (Ansible's own way), instead of failing the run
# plugin: hypersender.whatsapp.instances
# fail_on_errors: false

# Groups by phone country code and a group of instances that need attention
# plugin: hypersender.whatsapp.instances
# compose:
#   ansible_connection: "'local'"
#   country_code: hypersender_phone[1:3]
# keyed_groups:
#   - key: country_code
#     prefix: country
# groups:
#   needs_attention: hypersender_status in ['FAILED', 'SCAN_QR_CODE', 'STOPPED']

# A playbook that runs once per FAILED instance (ansible-playbook -i hypersender.yml fix.yml):
# - hosts: hypersender_failed
#   connection: local
#   gather_facts: false
#   tasks:
#     - ansible.builtin.debug:
#         msg: "{{ inventory_hostname }} ({{ hypersender_uuid }}) is FAILED"
"""

from collections.abc import Mapping

from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    HAS_REQUESTS,
    ApiError,
    OptionError,
    body_excerpt,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    CONNECTION_OPTIONS,
    ENV_FALLBACKS,
    FILTER_OPTIONS,
    HypersenderApi,
    build_client,
    validate_filters,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._inventory import (
    cache_scope,
    check_known_options,
    check_variable_name,
    could_be_template,
    host_names,
    host_variables,
    merge_duplicate_ids,
    plugin_groups,
    status_group,
    unknown_status_warnings,
)
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._lookup import bind_environment

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19: a plain string is neither trusted nor unsafe

    def trust_as_template(value):
        return value


display = Display()

TEMPLATED_OPTIONS = ("api_url", "api_token")
RATE_LIMIT_HINT = "refresh the inventory less often (enable its cache) or run fewer inventory refreshes at once"


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "hypersender.whatsapp.instances"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("hypersender.yml", "hypersender.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        try:
            config = self._read_config_data(path)
            bind_environment(self, ENV_FALLBACKS, self._vars, config)
            check_known_options(config, self._options, path)
            self._populate(self._instances(path, cache))
        except Exception as exc:
            self._make_errors_fatal()
            if isinstance(exc, (ApiError, OptionError)):
                raise AnsibleParserError("%s: %s" % (self.NAME, exc)) from None
            raise

    def _make_errors_fatal(self):
        """Unless fail_on_errors=false, have Ansible fail the run on this source's error instead of warning.

        Ansible turns every exception of an inventory plugin into a warning and goes on with the other sources
        (or none); only its own INVENTORY_ANY_UNPARSED_IS_FAILED setting, read after the plugins have been
        tried, makes a source that could not be parsed fail the run (ansible-core 2.16 to 2.21 alike).
        """
        try:
            fatal = self.get_option("fail_on_errors")
        except Exception:  # the configuration could not be read: the default holds
            fatal = True
        if fatal:
            C.INVENTORY_ANY_UNPARSED_IS_FAILED = True

    def _instances(self, path, cache):
        """The instance list, from the cache when it may and can, else from one API request."""
        access_token_var = check_variable_name(self.get_option("access_token_var"), "access_token_var")
        check_variable_name(self.get_option("variable_prefix") + "uuid", "variable_prefix")
        use_cache = self.get_option("cache")
        if use_cache and access_token_var:
            raise OptionError(
                "access_token_var and cache: true cannot be used together: the cache would hold the "
                "instances' access tokens; turn the cache off or drop access_token_var"
            )
        filters = validate_filters(self._option_values(FILTER_OPTIONS))
        if not HAS_REQUESTS:
            raise AnsibleError(missing_required_lib("requests"))
        options = self._connection_options()
        # Building the client checks every connection option, before the cache is read.
        with build_client(options, rate_limit_hint=RATE_LIMIT_HINT) as client:
            # One cache entry per file, API, token and filters: another token is never served this one's list.
            scope = cache_scope(options["api_url"], options["api_token"], filters)
            cache_key = "%s_%s" % (self.get_cache_key(path), scope)
            if use_cache and cache:
                try:
                    return self._cache[cache_key]
                except KeyError:
                    pass
            instances = HypersenderApi(client).list_instances(filters, include_access_token=bool(access_token_var))
        if use_cache:
            self._cache[cache_key] = instances
        return instances

    def _connection_options(self):
        options = self._option_values(CONNECTION_OPTIONS)
        for name in TEMPLATED_OPTIONS:
            if isinstance(options[name], str) and self.templar.is_template(options[name]):
                options[name] = self.templar.template(options[name])
        return options

    def _option_values(self, names):
        return {name: self.get_option(name) for name in names}

    def _populate(self, instances):
        """Build the hosts and groups on a scratch inventory, rename any host whose name a constructed group took,
        then copy them into the inventory (so a clash never leaves a half-made inventory behind)."""
        instances, warnings = merge_duplicate_ids(instances)
        warnings += unknown_status_warnings(instances, self.get_option("group_prefix"))
        # Groups that exist whatever the API says: this plugin's, and those of the sources read before.
        groups = set(plugin_groups(self.get_option("group_prefix"))) | set(self.inventory.groups)
        for dummy in range(2):
            names, name_warnings = host_names(instances, self.get_option("hostname_source"), groups)
            built = self._build(names, instances)
            # keyed_groups and groups may make a group with a host's name (from another instance's variables).
            clash = set(names) & set(built.groups)
            if not clash:
                for warning in warnings + name_warnings:
                    display.warning("%s: %s" % (self.NAME, warning))
                self._copy(built)
                return
            groups |= set(built.groups)
        raise OptionError(
            "keyed_groups or groups make groups with the names of hosts (%s), even of hosts named by their UUID: "
            "give those groups a prefix" % ", ".join(body_excerpt(name) for name in sorted(clash)[:10])
        )

    def _build(self, names, instances):
        """A scratch inventory with the status groups and one host per instance, with its constructed options."""
        variable_prefix = self.get_option("variable_prefix")
        group_prefix = self.get_option("group_prefix")
        access_token_var = self.get_option("access_token_var")
        inventory, scratch = self.inventory, InventoryData()
        scratch.current_source = inventory.current_source
        self.inventory = scratch
        try:
            all_group, *status_groups = plugin_groups(group_prefix)
            scratch.add_group(all_group)
            for group in status_groups:
                scratch.add_child(all_group, scratch.add_group(group))
            for name, instance in zip(names, instances):
                variables = host_variables(instance, variable_prefix, access_token_var)
                self._add_host(name, variables, status_group(instance["status"], group_prefix))
        finally:
            self.inventory = inventory
        return scratch

    def _copy(self, built):
        """Copy the groups, hosts and host variables of the scratch inventory ``built`` into the inventory."""
        for group in built.groups.values():
            self.inventory.add_group(group.name)
        for group in built.groups.values():
            for child in group.child_groups:
                self.inventory.add_child(group.name, child.name)
        for host in built.hosts.values():
            self.inventory.add_host(host.name)
            for key, value in host.vars.items():
                if key not in ("inventory_file", "inventory_dir"):  # add_host set them for the real source
                    self.inventory.set_variable(host.name, key, mark_trust(value))
        for group in built.groups.values():
            for host in group.hosts:
                self.inventory.add_host(host.name, group.name)

    def _add_host(self, name, variables, group=None):
        """Add one host with its variables (those that could be templates marked unsafe) and constructed options."""
        strict = self.get_option("strict")
        host = self.inventory.add_host(name, group)
        variables = {key: mark_trust(value) for key, value in variables.items()}
        for key, value in variables.items():
            self.inventory.set_variable(host, key, value)
        self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)


def mark_trust(value):
    """A host variable's value, its strings marked unsafe if Ansible could see a template in them, else plain.

    Only what could be a template is unsafe, because ``ansible-inventory --list --export`` (AWX's import) writes
    unsafe strings as ``{"__ansible_unsafe": ...}`` objects; since ansible-core 2.19 it does so for every string
    not trusted as a template (a value compose made too), so the others are trusted, which cannot template
    text that has no template in it. Lists and dictionaries (from compose) are marked item by item.
    """
    if could_be_template(value):
        return wrap_var(value)
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, Mapping):
        return {key: mark_trust(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mark_trust(item) for item in value]
    return value
