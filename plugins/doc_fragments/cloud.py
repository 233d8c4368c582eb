# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options of the WhatsApp Cloud API (Graph API), shared by every plugin, and the selection of numbers
    that cloud_health takes."""

    # The connection options, shared by every Cloud API plugin. A plugin that selects phone numbers as cloud_health
    # does adds hypersender.whatsapp.cloud.selection; cloud_preflight has a selection of its own.
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the Graph API, without the version; the plugin adds C(/<api_version>/<id>).
      - Change it only for a proxy or a test server. C(paging.next) links are followed only on this host and path,
        so the token is never sent anywhere else.
      - If not set, the E(WA_CLOUD_API_URL) environment variable is used, then the default.
    type: str
    default: https://graph.facebook.com
  api_token:
    description:
      - Access token of a system user of the business (Meta Business Settings) with the WhatsApp Business Account as
        an asset and the C(whatsapp_business_management) permission to read numbers, or the
        C(whatsapp_business_messaging) permission to send (M(hypersender.whatsapp.cloud_canary)).
      - If not set, the E(WA_CLOUD_TOKEN) environment variable is used.
      - It is sent only in the C(Authorization) header (never in a URL) and never appears in results, messages or
        logs. An empty token or one with white space is refused before any request is made.
    type: str
  api_version:
    description:
      - Graph API version, V(v<major>.<minor>). Meta serves each version for about two years.
    type: str
    default: v23.0
notes:
  - >-
    O(retries) on the Graph API: transient are Graph's rate limiting, which arrives as HTTP 400 with the error codes 4,
    17, 32, 613, 80007, 80008, 130429 or 131056 (waiting for C(estimated_time_to_regain_access) of the
    C(X-Business-Use-Case-Usage) header when Meta gives it, up to a minute), its temporary error codes 1 and 2,
    HTTP 429, 500, 502, 503, 504, and refused, cut-off or timed-out connections. Never retried are an invalid or
    expired token (code 190), a missing permission (codes 10 and 200-299) and an unknown ID or field (code 100); the
    failure says what to do.
seealso:
  - name: Cloud API error codes
    description: The Graph API error codes, among them rate limiting and expired tokens.
    link: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
"""

    # The numbers to read (hypersender.whatsapp.cloud.selection): cloud_health, module and lookup.
    SELECTION = r"""
options:
  phone_number_id:
    description:
      - The ID of a business phone number (digits, as WhatsApp Manager shows it; not the phone number itself), or a
        list of them. One C(GET /<PHONE_NUMBER_ID>) each.
      - With O(waba_id), selects these numbers from the WhatsApp Business Account's list (one call for all), and an ID
        that is not in it is a problem.
      - At least one of O(phone_number_id) and O(waba_id) is required.
    type: list
    elements: str
  waba_id:
    description:
      - The ID of a WhatsApp Business Account; every phone number of it is read with one
        C(GET /<WABA_ID>/phone_numbers) (following C(paging.next) when Meta pages the list).
      - A WhatsApp Business Account without phone numbers is a problem (nothing could send).
      - If not set, the E(WA_CLOUD_WABA_ID) environment variable is used.
    type: str
  allow_limited:
    description:
      - Whether a number whose C(can_send_message) is V(LIMITED) (it can send, with limits that Meta names in
        C(additional_info)) passes.
      - V(BLOCKED) never passes, and neither does a number on the retired On-Premises API
        (C(platform_type) V(ON_PREMISE)).
    type: bool
    default: true
seealso:
  - name: Health status (WhatsApp Cloud API)
    description: Meta's reference of the C(health_status) field and its C(can_send_message) values.
    link: https://developers.facebook.com/docs/whatsapp/cloud-api/health-status
"""

    # Where lookups read the same options besides keyword arguments.
    # The token has no ansible.cfg key on purpose: a secret does not belong in a config file.
    # No option has an env: entry: the environment variables bind late, as the module's fallbacks do
    # (ENV_FALLBACKS in module_utils/_cloud.py, read by plugin_utils/_lookup.py bind_environment).
    PLUGINS = r"""
notes:
  - >-
    Where the lookup takes an option from, first to last: its keyword arguments, the variables listed for the option,
    C(ansible.cfg), the environment variable named in the option's description (E(WA_CLOUD_API_URL),
    E(WA_CLOUD_TOKEN), E(WA_CLOUD_WABA_ID)), the option's default. The environment is read each time the lookup runs,
    as the module reads it.
options:
  api_url:
    ini:
      - section: whatsapp_cloud
        key: api_url
    vars:
      - name: whatsapp_cloud_api_url
  api_token:
    vars:
      - name: whatsapp_cloud_api_token
  api_version:
    ini:
      - section: whatsapp_cloud
        key: api_version
    vars:
      - name: whatsapp_cloud_api_version
  validate_certs:
    ini:
      - section: whatsapp_cloud
        key: validate_certs
    vars:
      - name: whatsapp_cloud_validate_certs
  ca_path:
    ini:
      - section: whatsapp_cloud
        key: ca_path
    vars:
      - name: whatsapp_cloud_ca_path
  timeout:
    ini:
      - section: whatsapp_cloud
        key: timeout
    vars:
      - name: whatsapp_cloud_timeout
  retries:
    ini:
      - section: whatsapp_cloud
        key: retries
    vars:
      - name: whatsapp_cloud_retries
  waba_id:
    vars:
      - name: whatsapp_cloud_waba_id
"""
