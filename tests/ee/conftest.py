# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the execution-environment tests (`scripts/test ee`: the ee session's venv, root with podman).

The session builds the image once with scripts/ee-build, adding one package index of its own: a loopback
server that asks for a password (a canary credential), so the tests can show that the index settings
reached every pip of the build and that no trace of them is left in the image.  Each test starts the
API simulator in its own process on the host's loopback; the job reaches it over the host network.
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import jinja2
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
# The shared fixtures and names (tests/support/hsw_support.py); the simulator runs in a process of its own.
import hsw_support  # noqa: E402  pylint: disable=wrong-import-position
from hsw_support import (  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
    COLLECTION_ROOT,
    QR_ID,
    WORKING_ID,
    files_holding,
    hypersender_scenario,
    secrets_of,
)

simulator = hsw_support.simulator_process

sys.path.insert(0, str(COLLECTION_ROOT / "scripts"))
import ee_build  # noqa: E402  pylint: disable=wrong-import-position,import-error

BIN = Path(sys.executable).parent
IMAGE = ee_build.IMAGE
TOKEN = "ee-hypersender-token-5f1c2a9e"
ONPREM_API_KEY = "ee-onprem-key-77d3b1c4e0"
ACCESS_TOKEN = "481|eeAccessTokenOfTheInstance0123456789abcdef"
SECRETS = secrets_of(TOKEN, ONPREM_API_KEY, ACCESS_TOKEN)
INDEX_USER = "ee-build"
# Made at run time: a fixed one would be in this file, which the collection tarball (and so the image) holds.
INDEX_PASSWORD = "canary-" + secrets.token_hex(12)
AWX_DOCS = COLLECTION_ROOT / "docs" / "awx"


def instance(uuid, status="WORKING", **fields):
    return hsw_support.instance(uuid, status, access_token=ACCESS_TOKEN, **fields)


def scenario(*instances, onprem_health=None):
    extra = {} if onprem_health is None else {"onprem": {"api_keys": [ONPREM_API_KEY], "health": onprem_health}}
    return hypersender_scenario(*instances, tokens=[TOKEN], **extra)


# ---------------------------------------------------------------- the image


class CanaryIndex:
    """A package index on loopback that answers 404 to every page and records the credentials pip sends."""

    def __init__(self):
        self.seen = []
        seen = self.seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  (http.server's name)
                seen.append((self.path, self.headers.get("Authorization", "")))
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.netloc = "127.0.0.1:%d" % self.server.server_address[1]
        self.url = "http://%s:%s@%s/simple/" % (INDEX_USER, INDEX_PASSWORD, self.netloc)

    def basic_auth_seen(self):
        expected = "Basic " + base64.b64encode(("%s:%s" % (INDEX_USER, INDEX_PASSWORD)).encode()).decode()
        return [path for path, auth in self.seen if auth == expected]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def built_image():
    """Build the image with scripts/ee-build (the canary index added to the host's pip settings)."""
    canary = CanaryIndex()
    try:
        started = time.monotonic()
        proc = subprocess.run(
            [
                sys.executable,
                str(COLLECTION_ROOT / "scripts" / "ee_build.py"),
                "--extra-index-url",
                canary.url,
                "--trusted-host",
                canary.netloc,
            ],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=1800,
        )
        sys.stdout.write(proc.stdout + proc.stderr)
        assert proc.returncode == 0, "scripts/ee-build failed:\n" + (proc.stdout + proc.stderr)[-5000:]
        figures = json.loads((Path(ee_build.CACHE) / "build.json").read_text())
        figures["script_seconds"] = time.monotonic() - started
        figures["canary_requests"] = canary.basic_auth_seen()
        figures["output"] = proc.stdout + proc.stderr
        return figures
    finally:
        canary.close()


# ---------------------------------------------------------------- AWX


def render_injectors(name, inputs):
    """The environment AWX gives a job for a credential of docs/awx/<name> with these inputs.

    AWX renders each injector template with the credential's inputs (an input left empty renders as an empty
    string); tests/e2e/test_awx_credential_types.py does the same outside a container.
    """
    injectors = yaml.safe_load((AWX_DOCS / name).read_text())["injectors"]["env"]
    fields = {field["id"]: "" for field in yaml.safe_load((AWX_DOCS / name).read_text())["inputs"]["fields"]}
    fields.update(inputs)
    return {
        var: jinja2.Template(template, undefined=jinja2.StrictUndefined).render(**fields)
        for var, template in injectors.items()
    }


def awx_credentials_env(sim, onprem=False):
    env = render_injectors("credential_type_hypersender.yml", {"api_token": TOKEN, "api_url": sim.hypersender_url})
    if onprem:
        env.update(
            render_injectors("credential_type_onprem.yml", {"api_url": sim.onprem_url, "api_key": ONPREM_API_KEY})
        )
    return env


# ---------------------------------------------------------------- ansible-runner in the image

PLAYBOOKS = {
    "deploy_gate": "---\n- name: Deploy gate\n  ansible.builtin.import_playbook: hypersender.whatsapp.deploy_gate\n",
    "fleet_report": "---\n- name: Fleet report\n  ansible.builtin.import_playbook: hypersender.whatsapp.fleet_report\n",
}

# What ansible-runner records of its own input in a job's artifacts: the command line it ran (`command`, with the
# whole environment it was given) and the file of environment variables it hands to the container (`env.list`).
RUNNER_OWN_RECORDS = {"command", "env.list"}


def private_data_dir(root, env, extravars, playbook="deploy_gate", settings=None):
    """A private data dir as AWX hands one to ansible-runner: a project that uses the collection installed in
    the execution environment (nothing installed next to it), the inventory, the credentials' environment
    variables and the job template's extra variables."""
    (root / "project").mkdir(parents=True)
    (root / "project" / "site.yml").write_text(PLAYBOOKS[playbook])
    (root / "inventory").mkdir()
    (root / "inventory" / "hosts").write_text("localhost ansible_connection=local\n")
    (root / "env").mkdir()
    (root / "env" / "envvars").write_text(json.dumps(dict(env, NO_PROXY="127.0.0.1,localhost")))
    (root / "env" / "extravars").write_text(json.dumps(extravars))
    if settings:
        (root / "env" / "settings").write_text(json.dumps(settings))
    return root


class Job:
    def __init__(self, pdd, proc, seconds):
        self.pdd = pdd
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.seconds = seconds
        dirs = sorted((pdd / "artifacts").iterdir()) if (pdd / "artifacts").is_dir() else []
        assert dirs, "ansible-runner wrote no artifacts:\n" + self.output[-4000:]
        self.artifacts = dirs[-1]
        self.status = (self.artifacts / "status").read_text().strip()
        files = sorted((self.artifacts / "job_events").glob("*.json"), key=lambda path: int(path.name.split("-", 1)[0]))
        self.events = [json.loads(path.read_text()) for path in files]
        self.stdout = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(e.get("stdout", "") for e in self.events)).replace(
            "\r\n", "\n"
        )

    def summary(self):
        start = self.stdout.index('"DEPLOY GATE: ')
        return json.loads("[" + self.stdout[start : self.stdout.index("]", start)] + "]")

    def results(self, event="runner_on_ok"):
        return {
            e["event_data"].get("task"): e["event_data"].get("res", {}) for e in self.events if e.get("event") == event
        }

    def files_with_secrets(self):
        """Every file under the private data dir that holds a secret, relative to it (env/ is AWX's input)."""
        return files_holding(self.pdd, SECRETS)


def run_in_ee(pdd, *extra, timeout=900):
    """``ansible-runner run --process-isolation`` with podman, as AWX runs a job in an execution environment."""
    argv = [
        str(BIN / "ansible-runner"),
        "run",
        str(pdd),
        "-p",
        "site.yml",
        "--process-isolation",
        "--process-isolation-executable",
        "podman",
        "--container-image",
        IMAGE,
        # The image's user (1000) cannot write the artifacts runner makes as root on the host.
        "--container-option=--user=0",
        "--container-option=--network=host",
    ] + list(extra)
    started = time.monotonic()
    proc = subprocess.run(
        argv,
        env=ee_build.podman_env(),
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )
    return Job(pdd, proc, time.monotonic() - started)
