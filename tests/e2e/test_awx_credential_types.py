# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWX credential types in docs/awx inject only variables that the plugins read, and a job works with them."""

from __future__ import annotations

import importlib
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import jinja2
import pytest
import yaml
from ansible.module_utils.basic import env_fallback
from conftest import (
    CLOUD_TOKEN,
    COLLECTION_ROOT,
    ONPREM_API_KEY,
    ONPREM_PASSWORD,
    ONPREM_TOKEN,
    TOKEN,
    WORKING_ID,
    hypersender_scenario,
    instance,
)

CREDENTIAL_TYPES = sorted((COLLECTION_ROOT / "docs" / "awx").glob("credential_type_*.yml"))


def load(path):
    return yaml.safe_load(path.read_text())


def plugin_names(kind):
    folder = "modules" if kind == "module" else "lookup"
    return sorted(p.stem for p in (COLLECTION_ROOT / "plugins" / folder).glob("*.py") if not p.stem.startswith("_"))


def own_env_fallbacks(module):
    """The environment variables of a module's own options: the fallbacks of the argument specs its file builds
    (the ``*_argument_spec`` builders it imports from module_utils; some take ``env_fallback``)."""
    found = []
    for attribute, value in vars(module).items():
        if not (attribute.endswith("argument_spec") and callable(value)):
            continue
        try:
            spec = value()
        except TypeError:
            spec = value(env_fallback)
        found += [var for option in spec.values() for var in (option.get("fallback") or (None, []))[1]]
    return found


@pytest.fixture(scope="module")
def env_vars_read(collections_path):
    """Environment variable -> the plugins that read it.

    Modules: the variables of the service whose connection options the module base gives them (its
    _transport.Service: the env fallbacks of the argument spec, and for On-Premises the credential variables
    its module_utils reads itself, options beating them, see its notes), and their own options' fallbacks.
    Lookups, all alike: the variables they bind late when they run (LookupModule.environment_variables(),
    the same names as the modules' fallbacks), since none declares an env: entry.
    The job tests below show each one is really read.
    """
    readers = {}
    sys.path.insert(0, collections_path)
    try:
        transport = importlib.import_module("ansible_collections.hypersender.whatsapp.plugins.module_utils._transport")
        for name in plugin_names("module"):
            module = importlib.import_module("ansible_collections.hypersender.whatsapp.plugins.modules." + name)
            services = {id(v): v for v in vars(module).values() if isinstance(v, transport.Service)}
            assert len(services) == 1, "module %s takes the options of %d services" % (name, len(services))
            for var in list(list(services.values())[0].environment_variables) + own_env_fallbacks(module):
                readers.setdefault(var, set()).add("module " + name)
        for name in plugin_names("lookup"):
            lookup = importlib.import_module(
                "ansible_collections.hypersender.whatsapp.plugins.lookup." + name
            ).LookupModule
            for var in lookup.environment_variables():
                readers.setdefault(var, set()).add("lookup hypersender.whatsapp." + name)
    finally:
        sys.path.remove(collections_path)
    ansible_doc = Path(sys.executable).parent / "ansible-doc"
    names = ["hypersender.whatsapp." + name for name in plugin_names("lookup")]
    docs = json.loads(
        subprocess.run(
            [str(ansible_doc), "-t", "lookup", "--json"] + names,
            capture_output=True,
            text=True,
            check=True,
            env={"ANSIBLE_COLLECTIONS_PATH": collections_path, "PATH": "/usr/bin:/bin"},
        ).stdout
    )
    for name, doc in docs.items():
        declared = [env["name"] for option in doc["doc"]["options"].values() for env in option.get("env", [])]
        # An env: entry would bind early, with another precedence than the module's: none is left.
        assert declared == [], "%s declares env: entries %s; bind them late (ENV_FALLBACKS) instead" % (name, declared)
        undocumented = [
            var for var, plugins in readers.items() if "lookup " + name in plugins and var not in json.dumps(doc["doc"])
        ]
        assert undocumented == [], "%s reads %s but its documentation does not name them" % (name, undocumented)
    return readers


def test_there_are_credential_types():
    assert [p.name for p in CREDENTIAL_TYPES] == [
        "credential_type_cloud.yml",
        "credential_type_hypersender.yml",
        "credential_type_onprem.yml",
    ]


@pytest.mark.parametrize("path", CREDENTIAL_TYPES, ids=lambda p: p.stem)
def test_every_injected_variable_is_read_by_a_module_and_a_lookup(path, env_vars_read):
    credential_type = load(path)
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    for var, template in credential_type["injectors"]["env"].items():
        readers = env_vars_read.get(var, set())
        assert any(r.startswith("module ") for r in readers), "%s: no module reads %s" % (path.name, var)
        assert any(r.startswith("lookup ") for r in readers), "%s: no lookup reads %s" % (path.name, var)
        field_id = template.strip("{} ")
        assert field_id in fields, "%s injects %s from an unknown input %s" % (path.name, var, field_id)
    for field_id, field in fields.items():
        if any(word in field_id for word in ("token", "key", "password")):
            assert field.get("secret") is True, "%s: input %s must be secret" % (path.name, field_id)


def render_injectors(path, inputs):
    """The environment AWX gives a job for a credential with these inputs (empty inputs render as empty strings)."""
    injectors = load(path)["injectors"]["env"]
    return {var: jinja2.Template(template).render(**inputs) for var, template in injectors.items()}


def lookup_result(ansible, name, arguments, env):
    """What ``lookup('hypersender.whatsapp.<name>', <arguments>)`` returns in a job with only ``env`` set."""
    expression = "lookup('hypersender.whatsapp.%s'%s)" % (name, ", " + arguments if arguments else "")
    run = ansible(["localhost", "-m", "ansible.builtin.debug", "-a", "msg={{ %s }}" % expression], env=env)
    assert run.rc == 0, run
    return run.result["msg"]


def test_a_job_with_the_hypersender_credential_works(simulator, ansible):
    """The module and both lookups with the credential's variables only."""
    sim = simulator(hypersender_scenario(instance(WORKING_ID, "WORKING")))
    env = render_injectors(
        COLLECTION_ROOT / "docs" / "awx" / "credential_type_hypersender.yml",
        {"api_token": TOKEN, "api_url": sim.hypersender_url},
    )
    run = ansible.module("instance_health", {"instance": WORKING_ID}, env=env)
    assert run.rc == 0 and run.result["status"] == "WORKING", run
    assert lookup_result(ansible, "instance_health", "'%s'" % WORKING_ID, env)["status"] == "WORKING"
    assert lookup_result(ansible, "instance_info", "", env)["id"] == WORKING_ID


def first_line_through_a_proxy(ansible, module, args, env):
    """Traffic stays on loopback: a proxy listener records where the module would have gone."""
    seen = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(60)

        def record_first_line():
            connection = listener.accept()[0]
            with connection:
                seen.append(connection.recv(200).split(b"\r\n", 1)[0].decode())

        recorder = threading.Thread(target=record_first_line, daemon=True)
        recorder.start()
        env.update(HTTPS_PROXY="http://127.0.0.1:%d" % listener.getsockname()[1], NO_PROXY="")
        run = ansible.module(module, args, env=env)
        recorder.join(10)
    assert run.rc != 0
    return seen


def test_an_empty_api_url_input_means_the_default_url(ansible):
    env = render_injectors(
        COLLECTION_ROOT / "docs" / "awx" / "credential_type_hypersender.yml", {"api_token": TOKEN, "api_url": ""}
    )
    assert env["HYPERSENDER_API_URL"] == ""
    seen = first_line_through_a_proxy(
        ansible, "instance_health", {"instance": WORKING_ID, "retries": 0, "timeout": 2}, env
    )
    assert seen == ["CONNECT app.hypersender.com:443 HTTP/1.0"] or seen == [
        "CONNECT app.hypersender.com:443 HTTP/1.1"
    ], seen


def test_an_empty_cloud_api_url_input_means_graph_facebook_com(ansible):
    env = render_injectors(
        COLLECTION_ROOT / "docs" / "awx" / "credential_type_cloud.yml",
        {"api_token": CLOUD_TOKEN, "waba_id": "102290129340398", "api_url": ""},
    )
    assert env["WA_CLOUD_API_URL"] == ""
    seen = first_line_through_a_proxy(ansible, "cloud_health", {"retries": 0, "timeout": 2}, env)
    assert seen == ["CONNECT graph.facebook.com:443 HTTP/1.0"] or seen == [
        "CONNECT graph.facebook.com:443 HTTP/1.1"
    ], seen


def test_a_job_with_the_cloud_credential_works(simulator, ansible):
    """The module and the deploy gate with the credential's variables only; an empty WABA input with explicit numbers."""
    sim = simulator(
        {
            "cloud": {
                "tokens": [CLOUD_TOKEN],
                "wabas": [
                    {"id": "102290129340398", "phone_numbers": [{"id": "106540352242922"}, {"id": "106540352242923"}]}
                ],
            }
        }
    )
    path = COLLECTION_ROOT / "docs" / "awx" / "credential_type_cloud.yml"
    env = render_injectors(path, {"api_token": CLOUD_TOKEN, "waba_id": "102290129340398", "api_url": sim.cloud_url})
    run = ansible.module("cloud_health", {}, env=env)
    assert run.rc == 0 and run.result["healthy"] is True and len(run.result["numbers"]) == 2, run
    looked_up = lookup_result(ansible, "cloud_health", "", env)
    assert looked_up["healthy"] is True and len(looked_up["numbers"]) == 2, looked_up
    gate = ansible(["hypersender.whatsapp.deploy_gate"], command="ansible-playbook", env=env)
    assert gate.rc == 0 and "Cloud API numbers:     PASSED, 2 of 2 number(s) can send (AVAILABLE)" in gate.output, gate
    env = render_injectors(path, {"api_token": CLOUD_TOKEN, "waba_id": "", "api_url": sim.cloud_url})
    run = ansible.module("cloud_health", {"phone_number_id": "106540352242923"}, env=env)
    assert run.rc == 0 and [n["id"] for n in run.result["numbers"]] == ["106540352242923"], run


ONPREM_INPUTS = {
    "api_key": {"api_key": ONPREM_API_KEY},
    "api_token": {"api_token": ONPREM_TOKEN},
    "login": {"username": "admin", "password": ONPREM_PASSWORD},
}


@pytest.mark.parametrize("kind", sorted(ONPREM_INPUTS))
def test_a_job_with_the_onprem_credential_works(simulator, ansible, kind):
    """Each way to fill the credential, the other inputs left empty as AWX injects them."""
    sim = simulator(
        {
            "onprem": {
                "api_keys": [ONPREM_API_KEY],
                "tokens": [ONPREM_TOKEN],
                "users": {"admin": ONPREM_PASSWORD},
                "health": {"gateway_status": "connected"},
            }
        }
    )
    inputs = dict.fromkeys(("api_url", "api_key", "api_token", "username", "password"), "")
    inputs.update(ONPREM_INPUTS[kind], api_url=sim.onprem_url)
    env = render_injectors(COLLECTION_ROOT / "docs" / "awx" / "credential_type_onprem.yml", inputs)
    run = ansible.module("onprem_health", {}, env=env)
    assert run.rc == 0 and run.result["healthy"] is True, run
    assert lookup_result(ansible, "onprem_health", "", env)["healthy"] is True
    assert [r["auth"] for r in sim.requests() if r["path"] == "/v1/health"] == [
        "apikey" if kind == "api_key" else "bearer"
    ] * 2
