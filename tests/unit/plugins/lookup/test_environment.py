# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every lookup: the ids it checks as terms, every other option a keyword (an unknown one is an error), and the
modules' environment variables read when it runs (late binding), with the modules' precedence."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar
from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._onprem import ONPREM, select_credentials

UUID = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
ENVIRONMENT = (
    "HYPERSENDER_API_URL",
    "HYPERSENDER_API_TOKEN",
    "WA_CLOUD_API_URL",
    "WA_CLOUD_TOKEN",
    "WA_CLOUD_WABA_ID",
    "WA_ONPREM_URL",
    "WA_API_KEY",
    "WA_ONPREM_TOKEN",
    "WA_WEB_USERNAME",
    "WA_WEB_PASSWORD",
)

# lookup -> (terms, the environment it needs besides the variable under test, the option under test: its
# environment variable and its variable)
CASES = {
    "instance_health": ([UUID], {}, "api_token", "HYPERSENDER_API_TOKEN", "whatsapp_hypersender_api_token"),
    "instance_info": ([], {}, "api_url", "HYPERSENDER_API_URL", "whatsapp_hypersender_api_url"),
    "cloud_health": ([], {"WA_CLOUD_TOKEN": "cloud-token"}, "waba_id", "WA_CLOUD_WABA_ID", "whatsapp_cloud_waba_id"),
    "onprem_health": (
        [],
        {"WA_API_KEY": "an-api-key-of-24-chars"},
        "api_url",
        "WA_ONPREM_URL",
        "whatsapp_onprem_api_url",
    ),
}
VALUES = {"api_token": "token-from-%s", "api_url": "https://%s.example.test"}


class Stop(OptionError):
    """Raised by the fake connect: the lookup got as far as building a client."""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def value(option, source):
    """A valid value of ``option`` that says where it came from (waba_id: digits only)."""
    if option == "waba_id":
        return {"env": "111", "var": "222", "keyword": "333"}[source]
    return VALUES[option] % source


def load(name):
    return lookup_loader.get("hypersender.whatsapp." + name, loader=DataLoader(), templar=Templar(loader=DataLoader()))


def run(monkeypatch, name, terms, variables=None, **kwargs):
    """Load the lookup first; calling what this returns runs it (up to building a client) and returns its options."""
    lookup = load(name)
    seen = {}

    def fake_connect(options, environ, **client_kwargs):
        if lookup.service is ONPREM:  # the credentials the service's own rule chooses
            seen["credentials"] = select_credentials(options, environ)
        raise Stop("stop")

    monkeypatch.setattr(lookup.service, "connect", fake_connect)

    def call():
        with pytest.raises(AnsibleLookupError, match="stop"):
            lookup.run(terms, variables=variables or {}, **kwargs)
        seen.update((option, lookup.get_option(option)) for option in lookup.option_definitions)
        return seen

    return call


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_environment_variable_set_after_the_lookup_loaded_is_read(monkeypatch, name):
    terms, needed, option, env_var, dummy = CASES[name]
    call = run(monkeypatch, name, terms)
    for key, env_value in needed.items():
        monkeypatch.setenv(key, env_value)
    monkeypatch.setenv(env_var, value(option, "env"))
    assert call()[option] == value(option, "env")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_variable_beats_the_environment_and_a_keyword_beats_both(monkeypatch, name):
    terms, needed, option, env_var, var = CASES[name]
    for key, env_value in needed.items():
        monkeypatch.setenv(key, env_value)
    monkeypatch.setenv(env_var, value(option, "env"))
    assert run(monkeypatch, name, terms, {var: value(option, "var")})()[option] == value(option, "var")
    keyword = {option: value(option, "keyword")}
    assert run(monkeypatch, name, terms, {var: value(option, "var")}, **keyword)()[option] == value(option, "keyword")


def test_without_the_environment_variable_the_default_stays(monkeypatch):
    monkeypatch.setenv("HYPERSENDER_API_TOKEN", "token")
    assert run(monkeypatch, "instance_info", [])()["api_url"] == "https://app.hypersender.com/api/whatsapp/v1"


def test_an_empty_environment_variable_counts_as_set_like_a_module_fallback(monkeypatch):
    """AWX injects empty inputs as empty variables: build_client turns the empty URL into the default."""
    monkeypatch.setenv("HYPERSENDER_API_TOKEN", "token")
    monkeypatch.setenv("HYPERSENDER_API_URL", "")
    assert run(monkeypatch, "instance_info", [])()["api_url"] == ""


def test_the_onprem_credentials_bind_late_and_yield_to_an_option(monkeypatch):
    call = run(monkeypatch, "onprem_health", [], api_url="https://wa.example.test:9090")
    monkeypatch.setenv("WA_API_KEY", "an-api-key-of-24-chars")
    assert call()["credentials"].secret == "an-api-key-of-24-chars"
    credentials = run(monkeypatch, "onprem_health", [], api_url="https://wa.example.test:9090", api_token="a-token")()[
        "credentials"
    ]
    assert (credentials.kind, credentials.secret) == ("api_token", "a-token")


def test_a_lookup_that_checks_no_ids_refuses_terms():
    with pytest.raises(AnsibleLookupError, match=r"takes no terms, got 1: give the options as keyword arguments"):
        load("onprem_health").run(["a term"], variables={})


@pytest.mark.parametrize(
    "name, terms, keyword",
    [
        ("instance_health", [UUID], "api_tokn"),
        ("instance_info", [], "wait"),
        ("cloud_health", ["106540352242922"], "wait_timeout"),
        ("onprem_health", [], "topolgy"),
    ],
)
def test_an_unknown_keyword_fails_naming_the_valid_options(name, terms, keyword):
    with pytest.raises(AnsibleLookupError) as raised:
        load(name).run(terms, variables={}, **{keyword: "x"})
    message = str(raised.value)
    assert message.startswith("hypersender.whatsapp.%s: unknown option %s; the valid options are " % (name, keyword))
    assert "api_url" in message and "timeout" in message and "_terms" not in message


def test_two_unknown_keywords_are_both_named(monkeypatch):
    with pytest.raises(AnsibleLookupError, match=r"unknown options api_tokn, wait; the valid options are api_token"):
        load("instance_health").run([UUID], variables={}, api_tokn="x", wait=True)


def test_a_lookup_that_checks_ids_needs_one():
    with pytest.raises(AnsibleLookupError) as raised:
        load("instance_health").run([], variables={})
    assert str(raised.value) == (
        "hypersender.whatsapp.instance_health needs at least one term, an instance UUID, "
        "e.g. lookup('hypersender.whatsapp.instance_health', 'fa3d01c4-1234-4c0d-a12f-df319b612f8c')"
    )


class FakeCloudApi:
    def __init__(self, read):
        self.read = read

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_cloud_health_takes_phone_number_ids_as_terms_and_as_the_keyword(monkeypatch):
    """The keyword form keeps working; terms and keyword together are read in that order, each id once."""
    lookup = load("cloud_health")
    reads = []
    api = FakeCloudApi(lambda ids, waba_id: reads.append((ids, waba_id)) or ([], []))
    monkeypatch.setattr(lookup.service, "connect", lambda options, environ, **kwargs: api)
    lookup.run(["106540352242922"], variables={}, phone_number_id="106540352242923")
    lookup.run([], variables={}, phone_number_id="106540352242923")
    lookup.run(["106540352242922", "106540352242922"], variables={})
    assert reads == [
        (["106540352242922", "106540352242923"], None),
        (["106540352242923"], None),
        (["106540352242922"], None),
    ]
    with pytest.raises(AnsibleLookupError, match="phone_number_id 'abc' is not a Graph API ID"):
        lookup.run(["abc"], variables={})


def test_every_lookup_names_the_variables_it_reads():
    readers = {name: lookup_loader.get("hypersender.whatsapp." + name).environment_variables() for name in CASES}
    assert readers == {
        "instance_health": ["HYPERSENDER_API_TOKEN", "HYPERSENDER_API_URL"],
        "instance_info": ["HYPERSENDER_API_TOKEN", "HYPERSENDER_API_URL"],
        "cloud_health": ["WA_CLOUD_API_URL", "WA_CLOUD_TOKEN", "WA_CLOUD_WABA_ID"],
        "onprem_health": ["WA_API_KEY", "WA_ONPREM_TOKEN", "WA_ONPREM_URL", "WA_WEB_PASSWORD", "WA_WEB_USERNAME"],
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_connection_option_has_the_one_variable_modules_and_roles_read_too(name):
    """One name per setting: whatsapp_<service>_<option>, the variable the modules' action plugins bind as well,
    and an ini section named whatsapp_<service> wherever the option has one."""
    lookup = load(name)
    for option in lookup.service.options:
        entries = lookup.option_definitions[option]
        current = [entry["name"] for entry in entries.get("vars", []) if "deprecated" not in entry]
        assert current == ["whatsapp_%s_%s" % (lookup.service.name, option)] == [lookup.service.variable(option)]
        sections = {entry["section"] for entry in entries.get("ini", []) if "deprecated" not in entry}
        assert sections <= {"whatsapp_%s" % lookup.service.name}


def test_the_former_hypersender_variable_still_works_below_the_new_one(monkeypatch):
    monkeypatch.setenv("HYPERSENDER_API_TOKEN", "token")
    old = {"hypersender_api_url": "https://old.example.test"}
    assert run(monkeypatch, "instance_info", [], old)()["api_url"] == "https://old.example.test"
    both = dict(old, whatsapp_hypersender_api_url="https://new.example.test")
    assert run(monkeypatch, "instance_info", [], both)()["api_url"] == "https://new.example.test"
