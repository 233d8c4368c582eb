# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: simulator
short_description: Read or load the collection's API simulator, in the controller's process
description:
  - For the integration targets (setup_simulator's load.yml and requests.yml), a GET of a C(/_sim/...) path, or a PUT
    of O(body) as JSON, answered with the parsed JSON. A uri task forks a module process for each call, and the
    targets make hundreds of them.
options:
  _terms:
    description: The URL to request (one).
    required: true
  body:
    description: JSON to PUT; without it, a GET.
    type: raw
  ca_path:
    description: The CA certificate of an HTTPS simulator.
    type: str
"""

import json

from ansible.errors import AnsibleLookupError
from ansible.module_utils.urls import open_url
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        [url] = terms
        body = self.get_option("body")
        try:
            response = open_url(
                url,
                method="GET" if body is None else "PUT",
                data=None if body is None else json.dumps(body),
                headers={"Content-Type": "application/json"},
                ca_path=self.get_option("ca_path") or None,
                timeout=30,
            )
            return [json.loads(response.read())]
        except Exception as error:  # pylint: disable=broad-exception-caught
            raise AnsibleLookupError("the simulator at %s: %s" % (url, error)) from error
