# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""hub_signature signs what the uri module sends, and the canary's receiver accepts it."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hypersender.whatsapp.plugins.filter.hub_signature import FilterModule, hub_signature
from ansible_collections.hypersender.whatsapp.plugins.module_utils._webhook_receiver import HubSignature
from hypothesis import given
from hypothesis import strategies as st

SECRET = "app-secret-0123"


class Headers(dict):
    def get_all(self, name):
        return [self[name]] if name in self else []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)


@given(payload=st.dictionaries(st.text(max_size=8), JSON, max_size=4))
def test_a_string_body_and_the_object_uri_would_serialize_sign_the_same(payload):
    text = json.dumps(payload)  # what to_json writes, and what uri writes for an object with body_format json
    signature = hub_signature(text, SECRET)
    assert signature == hub_signature(payload, SECRET)
    assert HubSignature(SECRET).authorized(Headers({"X-Hub-Signature-256": signature}), text.encode("utf-8"))
    assert not HubSignature("another").authorized(Headers({"X-Hub-Signature-256": signature}), text.encode("utf-8"))


def test_the_value_is_sha256_and_64_hex_digits():
    value = hub_signature("{}", SECRET)
    assert value.startswith("sha256=") and len(value) == 71 and int(value[7:], 16) >= 0


@pytest.mark.parametrize("secret", ["", None, 12])
def test_a_missing_secret_is_refused(secret):
    with pytest.raises(AnsibleFilterError, match="give the app secret"):
        hub_signature("{}", secret)


def test_the_filter_is_registered():
    assert FilterModule().filters()["hub_signature"] is hub_signature
