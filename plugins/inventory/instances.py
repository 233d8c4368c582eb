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
    and C(-) becomes one C(_)) unless O(hostname_source) says otherwise; two instances with the same name get the
    first 8 characters of their UUID appended, with a warning.
  - Each host has the variables C(<variable_prefix>uuid), C(name), C(phone), C(status), C(service_type) and
    C(created_at) (C(hypersender_uuid)... by default). All values from the API are marked unsafe, so text in them is
    never templated.
  - Hosts are grouped by status into C(<group_prefix><status>) groups in lower case (C(hypersender_working),
    C(hypersender_failed)...; the six documented statuses always exist, possibly empty) and all of them are in
    C(<group_prefix>instances).
  - An instance's C(access_token) is a live credential; it becomes a host variable only if O(access_token_var)
    names one.
  - The hosts are API objects, not machines. Plays that target them usually set C(connection=local) and
    C(gather_facts=false), or set C(ansible_connection) through O(compose).
  - The configuration file must end in C(hypersender.yml) or C(hypersender.yaml).
  - The connection options are read from the configuration file, C(ansible.cfg) or the environment
    (E(HYPERSENDER_API_URL), E(HYPERSENDER_API_TOKEN)), in that order; inventory plugins do not see inventory or
    play variables, so the C(hypersender_*) variables listed for them do not apply here. O(api_token) and
    O(api_url) may be templates (for example a lookup that reads a vault).
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

import hashlib
import json

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import HAS_REQUESTS, ApiError, OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender import (
    CONNECTION_OPTIONS,
    ENV_FALLBACKS,
    FILTER_OPTIONS,
    STATUSES,
    HypersenderApi,
    build_client,
    validate_filters,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._inventory import (
    check_variable_name,
    host_names,
    host_variables,
    status_group,
)
from ansible_collections.hypersender.whatsapp.plugins.plugin_utils._lookup import bind_environment

display = Display()

TEMPLATED_OPTIONS = ("api_url", "api_token")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "hypersender.whatsapp.instances"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("hypersender.yml", "hypersender.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        bind_environment(self, ENV_FALLBACKS, self._vars, config)
        try:
            instances = self._instances(path, cache)
            self._populate(instances)
        except (ApiError, OptionError) as exc:
            raise AnsibleParserError("%s: %s" % (self.NAME, exc)) from None

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
        # One cache entry per file, API and filters: editing the filters does not serve the old list.
        scope = json.dumps([self.get_option("api_url"), filters], sort_keys=True)
        cache_key = "%s_%s" % (self.get_cache_key(path), hashlib.sha256(scope.encode("utf-8")).hexdigest()[:12])
        if use_cache and cache:
            try:
                return self._cache[cache_key]
            except KeyError:
                pass
        instances = self._fetch(filters, bool(access_token_var))
        if use_cache:
            self._cache[cache_key] = instances
        return instances

    def _fetch(self, filters, include_access_token):
        if not HAS_REQUESTS:
            raise AnsibleError(missing_required_lib("requests"))
        options = self._option_values(CONNECTION_OPTIONS)
        for name in TEMPLATED_OPTIONS:
            if isinstance(options[name], str) and self.templar.is_template(options[name]):
                options[name] = self.templar.template(options[name])
        hint = "refresh the inventory less often (enable its cache) or run fewer inventory refreshes at once"
        with build_client(options, rate_limit_hint=hint) as client:
            return HypersenderApi(client).list_instances(filters, include_access_token=include_access_token)

    def _option_values(self, names):
        return {name: self.get_option(name) for name in names}

    def _populate(self, instances):
        variable_prefix = self.get_option("variable_prefix")
        group_prefix = self.get_option("group_prefix")
        access_token_var = self.get_option("access_token_var")
        strict = self.get_option("strict")
        names, renamed = host_names(instances, self.get_option("hostname_source"))
        for name, uuid in renamed:
            display.warning(
                "%s: another instance has the host name of instance %s; it is named %s" % (self.NAME, uuid, name)
            )
        all_group = self.inventory.add_group(status_group("instances", group_prefix))
        for status in STATUSES:
            self.inventory.add_child(all_group, self.inventory.add_group(status_group(status, group_prefix)))
        for name, instance in zip(names, instances):
            host = self.inventory.add_host(name)
            group = self.inventory.add_group(status_group(instance["status"], group_prefix))
            self.inventory.add_child(all_group, group)
            self.inventory.add_child(group, host)
            variables = wrap_var(host_variables(instance, variable_prefix, access_token_var))
            for key, value in variables.items():
                self.inventory.set_variable(host, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)
