# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two execution-environment definitions (docs/execution-environment/ for users, .../local/ for the
local build and the ``ee`` test session) do not drift apart."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USER = ROOT / "docs" / "execution-environment"
LOCAL = USER / "local"


def load(directory, name="execution-environment.yml"):
    return yaml.safe_load((directory / name).read_text())


def pinned(requirements_file, package):
    for line in (ROOT / "tests" / requirements_file).read_text().splitlines():
        if re.match(r"^%s==" % re.escape(package), line, re.IGNORECASE):
            return line.split("==", 1)[1].strip()
    raise AssertionError("%s is not pinned in tests/%s" % (package, requirements_file))


def test_both_definitions_share_everything_but_the_base_and_the_collection_source():
    user, local = load(USER), load(LOCAL)
    assert user["version"] == local["version"] == 3
    assert user["dependencies"]["ansible_runner"] == local["dependencies"]["ansible_runner"]
    assert user["dependencies"]["python"] == local["dependencies"]["python"]
    assert user["dependencies"]["python_interpreter"] == local["dependencies"]["python_interpreter"]
    assert user["dependencies"]["galaxy"] == local["dependencies"]["galaxy"] == "requirements.yml"
    assert set(user) | {"additional_build_files"} == set(local)
    # What differs: the base image (and its package manager and Python, hence the ansible-core release).
    assert user["images"]["base_image"]["name"].startswith("quay.io/")
    assert local["images"]["base_image"]["name"].startswith("localhost/")
    # The collection: from Galaxy for users, from the tarball just built locally.
    assert load(USER, "requirements.yml")["collections"] == [{"name": "hypersender.whatsapp", "version": ">=0.1.0"}]
    tarball = local["additional_build_files"][0]["src"]
    assert load(LOCAL, "requirements.yml")["collections"] == [{"name": "collections/" + tarball, "type": "file"}]
    assert tarball == "hypersender-whatsapp.tar.gz"  # scripts/ee_build.py puts the built tarball there


def test_the_pins_are_the_tested_releases():
    """The user's image pins the ansible-core the newest test venv runs; the local image the one .venv/ee runs
    (the same run outside the image, for scripts/bench ee); requests and ansible-runner as the test venvs."""
    user, local = load(USER), load(LOCAL)
    assert user["dependencies"]["ansible_core"]["package_pip"] == "ansible-core==" + pinned(
        "requirements-core221.txt", "ansible-core"
    )
    assert local["dependencies"]["ansible_core"]["package_pip"] == "ansible-core==" + pinned(
        "requirements-ee.txt", "ansible-core"
    )
    assert user["dependencies"]["ansible_runner"]["package_pip"] == "ansible-runner==" + pinned(
        "requirements-ee.txt", "ansible-runner"
    )
    assert user["dependencies"]["python"] == ["requests==" + pinned("requirements-ee.txt", "requests")]


@pytest.mark.parametrize("directory", [USER, LOCAL], ids=["user", "local"])
def test_ansible_builder_accepts_the_definition(directory, tmp_path):
    """``ansible-builder create`` validates the definition against its schema and writes the build context."""
    source = tmp_path / "definition"
    shutil.copytree(directory, source, ignore=shutil.ignore_patterns("local", "*.md"))
    for entry in load(directory).get("additional_build_files", []):
        subprocess.run(
            [str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(source), str(ROOT)],
            capture_output=True,
            check=True,
        )
        next(source.glob("hypersender-whatsapp-*.tar.gz")).rename(source / entry["src"])
    context = tmp_path / "context"
    proc = subprocess.run(
        [str(BIN / "ansible-builder"), "create", "-f", str(source / "execution-environment.yml"), "-c", str(context)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="%s"' % load(directory)["images"]["base_image"]["name"] in containerfile
    assert load(directory)["dependencies"]["ansible_core"]["package_pip"] in containerfile
