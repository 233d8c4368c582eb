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
"""

    # Where lookups and the inventory read the same options besides keyword arguments: the variables
    # whatsapp_hypersender_<option> (the modules' action plugins and the roles read the same ones) and the ini section
    # [whatsapp_hypersender], named like the other services' (whatsapp_cloud_, whatsapp_onprem_). The former names
    # hypersender_<option> and [hypersender_whatsapp] are read until 0.3.0, with a deprecation warning; listed first,
    # since the last entry that is set wins.
    # The token has no ansible.cfg key on purpose: a secret does not belong in a config file.
    # No option has an env: entry: the environment variables bind late, as the modules' fallbacks do
    # (ENV_FALLBACKS in module_utils/_hypersender.py, read by plugin_utils/_lookup.py bind_environment).
    PLUGINS = r"""
notes:
  - >-
    Where a lookup or the inventory takes an option from, first to last: its keyword arguments (the inventory: its
    configuration file), the variables listed for the option, C(ansible.cfg), the environment variable named in the
    option's description (E(HYPERSENDER_API_URL), E(HYPERSENDER_API_TOKEN)), the option's default. The environment
    is read each time the plugin runs, as the modules read it. The modules read the same variables, after their
    task's options and C(module_defaults).
options:
  api_url:
    ini:
      - section: hypersender_whatsapp
        key: api_url
        deprecated:
          why: the ini sections of the three services are named alike, whatsapp_<service>
          version: 0.3.0
          alternatives: the section whatsapp_hypersender
      - section: whatsapp_hypersender
        key: api_url
    vars:
      - name: hypersender_api_url
        deprecated:
          why: the variables of the three services are named alike, whatsapp_<service>_<option>
          version: 0.3.0
          alternatives: whatsapp_hypersender_api_url
      - name: whatsapp_hypersender_api_url
  api_token:
    vars:
      - name: hypersender_api_token
        deprecated:
          why: the variables of the three services are named alike, whatsapp_<service>_<option>
          version: 0.3.0
          alternatives: whatsapp_hypersender_api_token
      - name: whatsapp_hypersender_api_token
  validate_certs:
    ini:
      - section: hypersender_whatsapp
        key: validate_certs
        deprecated:
          why: the ini sections of the three services are named alike, whatsapp_<service>
          version: 0.3.0
          alternatives: the section whatsapp_hypersender
      - section: whatsapp_hypersender
        key: validate_certs
    vars:
      - name: hypersender_validate_certs
        deprecated:
          why: the variables of the three services are named alike, whatsapp_<service>_<option>
          version: 0.3.0
          alternatives: whatsapp_hypersender_validate_certs
      - name: whatsapp_hypersender_validate_certs
  ca_path:
    ini:
      - section: hypersender_whatsapp
        key: ca_path
        deprecated:
          why: the ini sections of the three services are named alike, whatsapp_<service>
          version: 0.3.0
          alternatives: the section whatsapp_hypersender
      - section: whatsapp_hypersender
        key: ca_path
    vars:
      - name: hypersender_ca_path
        deprecated:
          why: the variables of the three services are named alike, whatsapp_<service>_<option>
          version: 0.3.0
          alternatives: whatsapp_hypersender_ca_path
      - name: whatsapp_hypersender_ca_path
  timeout:
    ini:
      - section: hypersender_whatsapp
        key: timeout
        deprecated:
          why: the ini sections of the three services are named alike, whatsapp_<service>
          version: 0.3.0
          alternatives: the section whatsapp_hypersender
      - section: whatsapp_hypersender
        key: timeout
    vars:
      - name: hypersender_timeout
        deprecated:
          why: the variables of the three services are named alike, whatsapp_<service>_<option>
          version: 0.3.0
          alternatives: whatsapp_hypersender_timeout
      - name: whatsapp_hypersender_timeout
  retries:
    ini:
      - section: hypersender_whatsapp
        key: retries
        deprecated:
          why: the ini sections of the three services are named alike, whatsapp_<service>
          version: 0.3.0
          alternatives: the section whatsapp_hypersender
      - section: whatsapp_hypersender
        key: retries
    vars:
      - name: hypersender_retries
        deprecated:
          why: the variables of the three services are named alike, whatsapp_<service>_<option>
          version: 0.3.0
          alternatives: whatsapp_hypersender_retries
      - name: whatsapp_hypersender_retries
"""
