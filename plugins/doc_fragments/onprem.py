# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options of the WhatsApp Business On-Premises API (the Webapp), shared by every plugin."""

    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Root URL of the Webapp of the WhatsApp Business API client, for example V(https://wa.example.com:9090),
        without C(/v1); the plugin adds C(/v1/health) and C(/v1/users/login).
      - If not set, the E(WA_ONPREM_URL) environment variable is used. One of the two is required.
    type: str
  api_key:
    description:
      - API key set with C(WA_API_KEY) in the Webapp's environment, sent in the C(Authorization) header as C(Apikey <key>).
        Unlike a Bearer token it does not expire, which suits health checks best.
      - Meta requires 12 to 128 characters; a key of another length, or one with white space, is refused before any
        request is made.
      - If no credential option is given, the E(WA_API_KEY) environment variable is used.
      - Mutually exclusive with O(api_token) and O(username)/O(password).
    type: str
  api_token:
    description:
      - Bearer token of a Webapp user, sent in the C(Authorization) header as C(Bearer <token>). Such tokens expire after 7 days.
      - If no credential option is given, the E(WA_ONPREM_TOKEN) environment variable is used.
      - Mutually exclusive with O(api_key) and O(username)/O(password).
    type: str
  username:
    description:
      - Webapp user to log in as (C(POST /v1/users/login) with HTTP Basic authentication, once per task) to get a
        Bearer token for the health request. The token is used for this task only and is never returned or logged.
      - Needs O(password). If not set, the E(WA_WEB_USERNAME) environment variable is used when the credential comes
        from a username and password.
      - Mutually exclusive with O(api_key) and O(api_token).
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the E(WA_WEB_PASSWORD) environment variable is used when the credential comes from a username and
        password.
    type: str
notes:
  - >-
    Credentials: exactly one kind must be given, O(api_key), O(api_token), or O(username) with O(password).
    Options given to the task (directly, through C(module_defaults) or, for lookups, as keyword arguments or
    variables) take precedence: when any of them is set, the credential environment variables E(WA_API_KEY),
    E(WA_ONPREM_TOKEN), E(WA_WEB_USERNAME) and E(WA_WEB_PASSWORD) are ignored, except that a missing half of a
    username and password pair is read from its variable. When no credential option is set, exactly one kind must be
    set in the environment. None, or more than one kind at the same level, is an error that names them. An empty value
    counts as not set, so empty variables injected by an AWX credential do no harm.
"""

    # Where lookups read the same options besides keyword arguments.
    # The credentials have no ansible.cfg key on purpose: a secret does not belong in a config file, and
    # a username alone in one would silently choose the login credential.
    # No option has an env: entry: the environment binds late, as the module's does. E(WA_ONPREM_URL) is read like
    # the module's fallback (ENV_FALLBACKS in module_utils/_onprem.py, plugin_utils/_lookup.py bind_environment),
    # E(WA_API_KEY), E(WA_ONPREM_TOKEN), E(WA_WEB_USERNAME) and E(WA_WEB_PASSWORD) with the module's own rule
    # (select_credentials), only when no credential option is given.
    PLUGINS = r"""
notes:
  - >-
    Where the lookup takes an option from, first to last: its keyword arguments, the variables listed for the option,
    C(ansible.cfg), the environment variables named in the option's description and in the note on credentials,
    the option's default. The environment is read each time the lookup runs, as the module reads it.
options:
  api_url:
    ini:
      - section: whatsapp_onprem
        key: api_url
    vars:
      - name: whatsapp_onprem_api_url
  api_key:
    vars:
      - name: whatsapp_onprem_api_key
  api_token:
    vars:
      - name: whatsapp_onprem_api_token
  username:
    vars:
      - name: whatsapp_onprem_username
  password:
    vars:
      - name: whatsapp_onprem_password
  validate_certs:
    ini:
      - section: whatsapp_onprem
        key: validate_certs
    vars:
      - name: whatsapp_onprem_validate_certs
  ca_path:
    ini:
      - section: whatsapp_onprem
        key: ca_path
    vars:
      - name: whatsapp_onprem_ca_path
  timeout:
    ini:
      - section: whatsapp_onprem
        key: timeout
    vars:
      - name: whatsapp_onprem_timeout
  retries:
    ini:
      - section: whatsapp_onprem
        key: retries
    vars:
      - name: whatsapp_onprem_retries
  topology:
    ini:
      - section: whatsapp_onprem
        key: topology
    vars:
      - name: whatsapp_onprem_topology
  shards:
    ini:
      - section: whatsapp_onprem
        key: shards
    vars:
      - name: whatsapp_onprem_shards
  healthy_statuses:
    ini:
      - section: whatsapp_onprem
        key: healthy_statuses
    vars:
      - name: whatsapp_onprem_healthy_statuses
"""

    # The verdict rules, for the module and the lookup alike.
    VERDICT = r"""
options:
  topology:
    description:
      - The deployment's shape, which decides the rules of the verdict (C(healthy) and C(problems) in the result).
      - V(single) - one Webapp and Coreapp; C(/v1/health) answers with one C(gateway_status). Healthy when
        its C(gateway_status) is in O(healthy_statuses).
      - V(ha) - High Availability; C(/v1/health) answers one entry per node (C(hostname:container-id)) with its
        C(gateway_status) and C(role). Healthy when exactly one C(coreapp) is connected. Every other node, the
        C(primary_master) included, is expected to be C(disconnected), which is normal, not a problem. More than one
        connected coreapp is a problem.
      - V(multiconnect) - Multiconnect with O(shards) shards. Healthy when O(shards) coreapps are connected (exactly
        that many) and the C(primary_master) is connected too. Without O(shards), at least one connected coreapp is
        required and their number is not checked.
      - V(auto) - a single-instance answer is judged as V(single), a map of nodes as V(ha), or as V(multiconnect) when
        O(shards) is set.
      - An answer whose shape contradicts an explicit O(topology), or a single-instance answer when O(shards) is set,
        is reported as a problem (and ends a wait at once, since waiting will not change it).
      - A node with a role other than C(primary_master), C(secondary_master) or C(coreapp), or with none, makes the
        deployment not healthy, since it cannot be judged.
    type: str
    choices: [auto, single, ha, multiconnect]
    default: auto
  shards:
    description:
      - Number of shards of a Multiconnect deployment, that is of coreapps that must be connected.
      - Setting it implies O(topology=multiconnect) when O(topology=auto); it cannot be combined with O(topology=single)
        or O(topology=ha).
    type: int
  healthy_statuses:
    description:
      - The C(gateway_status) values that count as connected.
      - Default for a single instance V([connected, connecting]), the two values Meta calls good health.
      - Default for V(ha) and V(multiconnect) V([connected]) only; there the numbers of connected nodes are what
        matters, and a coreapp still C(connecting) does not carry traffic yet. Set this option to count it anyway.
      - A C(gateway_status) outside Meta's list is passed through in the result's nodes and never counts as connected.
      - An empty list means the default.
    type: list
    elements: str
    choices: [connected, connecting, disconnected, uninitialized, unregistered]
"""
