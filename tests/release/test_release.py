# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What users meet on Galaxy, in ansible-doc and in AWX: checked on the tarball that `ansible-galaxy collection build` makes.

Runs in the release session's venv (tests/requirements-tools.txt), where every tool below is installed:
a missing tool is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NAMESPACE, NAME = "hypersender", "whatsapp"


def run(argv, cwd=None, env=None, check=True):
    completed = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            "%s failed (%d):\n%s\n%s" % (argv, completed.returncode, completed.stdout[-4000:], completed.stderr[-4000:])
        )
    return completed


@pytest.fixture(scope="session")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", out, ROOT])
    (path,) = out.glob("hypersender-whatsapp-*.tar.gz")
    return path


@pytest.fixture(scope="session")
def installed(tarball, tmp_path_factory):
    """The tarball installed into a collections path, as users get it."""
    path = tmp_path_factory.mktemp("collections")
    run([BIN / "ansible-galaxy", "collection", "install", "--force", "-p", path, tarball])
    return path


def env_with(collections_path, **extra):
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(collections_path),
        PATH="%s%s%s" % (BIN, os.pathsep, os.environ["PATH"]),
    )
    env.update(extra)
    return env


def plugins(kind):
    folder = {"module": "modules", "lookup": "lookup", "inventory": "inventory", "filter": "filter"}[kind]
    return sorted(p.stem for p in (ROOT / "plugins" / folder).glob("*.py") if not p.stem.startswith("_"))


def roles():
    return sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file())


def test_tarball_leaves_out_what_users_should_not_get(tarball):
    names = run(["tar", "tzf", tarball]).stdout.split()
    assert "galaxy.yml" not in names and "MANIFEST.json" in names
    unwanted = (".git/", ".venv", ".nox/", ".cache/", "scripts/", ".ci/", "noxfile.py", "antsibull-nox.toml")
    unwanted += ("tests/output/", "tests/bench/", "tests/e2e/", "tests/ee/", "tests/eda/", "tests/runner/")
    unwanted += (
        "tests/release/",
        "tests/simulator_tests/",
        "tests/support/",
        "tests/requirements-",
        "extensions/molecule/",
    )
    for prefix in unwanted:
        assert not any(n.startswith(prefix) for n in names), prefix
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    # What ansible-test runs downstream stays: the unit and integration tests and the simulator they use.
    assert all(any(n.startswith(p) for n in names) for p in ("tests/unit/", "tests/integration/", "tests/simulator/"))


def test_galaxy_importer_passes_without_errors_or_warnings(tarball, tmp_path):
    config = tmp_path / "galaxy-importer.cfg"
    config.write_text(
        "\n".join(
            [
                "[galaxy-importer]",
                "RUN_ANSIBLE_TEST = False",
                "RUN_ANSIBLE_DOC = True",
                "RUN_ANSIBLE_LINT = True",
                "OFFLINE_ANSIBLE_LINT = True",
                "CHECK_CHANGELOG = True",
                "TMP_ROOT_DIR = %s" % tmp_path,
                "ANSIBLE_LOCAL_TMP = %s" % (tmp_path / "ansible-tmp"),
                "",
            ]
        )
    )
    result = run(
        [sys.executable, "-m", "galaxy_importer.main", tarball],
        cwd=tmp_path,
        env=env_with(tmp_path / "none", GALAXY_IMPORTER_CONFIG=str(config)),
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    problems = [line for line in output.splitlines() if re.match(r"^(WARNING|ERROR)\b", line)]
    assert problems == [], "\n".join(problems)
    imported = json.loads((tmp_path / "importer_result.json").read_text())
    assert sorted(c["name"] for c in imported["contents"] if c["content_type"] == "module") == plugins("module")
    assert sorted(c["name"] for c in imported["contents"] if c["content_type"] == "lookup") == plugins("lookup")


@pytest.mark.parametrize("kind", ["module", "lookup", "filter"])
def test_every_plugin_renders_with_ansible_doc(installed, kind):
    assert plugins(kind), "no %s plugin" % kind
    for name in plugins(kind):
        text = run(
            [BIN / "ansible-doc", "-t", kind, "%s.%s.%s" % (NAMESPACE, NAME, name)], env=env_with(installed)
        ).stdout
        assert "EXAMPLES" in text and "RETURN" in text.upper(), name


def test_every_inventory_plugin_renders_with_ansible_doc(installed):
    assert plugins("inventory"), "no inventory plugin"
    for name in plugins("inventory"):
        text = run(
            [BIN / "ansible-doc", "-t", "inventory", "%s.%s.%s" % (NAMESPACE, NAME, name)], env=env_with(installed)
        ).stdout
        assert "EXAMPLES" in text and "OPTIONS" in text and "cache_plugin" in text and "keyed_groups" in text, name


def test_every_role_renders_with_ansible_doc(installed):
    assert roles(), "no role with meta/argument_specs.yml"
    for name in roles():
        text = run(
            [BIN / "ansible-doc", "-t", "role", "%s.%s.%s" % (NAMESPACE, NAME, name)], env=env_with(installed)
        ).stdout
        assert re.search(r"ENTRY POINT: \*?main\*?", text), text[:500]


def test_antsibull_docs_lint_is_clean(installed):
    result = run(
        [
            BIN / "antsibull-docs",
            "lint-collection-docs",
            "--plugin-docs",
            "--validate-collection-refs",
            "all",
            installed / "ansible_collections" / NAMESPACE / NAME,
        ],
        env=env_with(installed),
        check=False,
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_changelog_lints_and_has_the_release():
    run([BIN / "antsibull-changelog", "lint"], cwd=ROOT)
    changelog = yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text())
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    assert version in changelog["releases"]
    # The User-Agent the collection sends names the same version.
    client = (ROOT / "plugins" / "module_utils" / "_client.py").read_text()
    assert 'COLLECTION_VERSION = "%s"' % version in client
    heading = "## v" + re.escape(version).replace("\\.", "\\\\?\\.")  # antsibull escapes the dots: ## v0\.1\.0
    assert re.search(heading, (ROOT / "CHANGELOG.md").read_text()), heading


def test_docs_site_builds_without_warnings(tmp_path):
    result = run([ROOT / "scripts" / "build-docs", tmp_path / "site"], env=dict(os.environ, DOCS_PYTHON=sys.executable))
    html = tmp_path / "site" / "build" / "html" / "collections" / NAMESPACE / NAME
    assert sorted(p.name for p in html.glob("*_module.html")) == sorted(
        "%s_module.html" % n for n in plugins("module")
    ), result.stdout
    assert sorted(p.name for p in html.glob("*_lookup.html")) == sorted("%s_lookup.html" % n for n in plugins("lookup"))
    assert sorted(p.name for p in html.glob("*_role.html")) == sorted("%s_role.html" % n for n in roles())
    assert sorted(p.name for p in html.glob("*_inventory.html")) == sorted(
        "%s_inventory.html" % n for n in plugins("inventory")
    )
    assert sorted(p.name for p in html.glob("*_filter.html")) == sorted("%s_filter.html" % n for n in plugins("filter"))


def test_execution_environment_dependencies_are_found(installed):
    found = yaml.safe_load(
        run([BIN / "ansible-builder", "introspect", "--sanitize", installed]).stdout.split("\n", 1)[1]
    )
    assert any(line.startswith("requests") for line in found["python"]), found
    assert any(line.startswith("ca-certificates") for line in found["system"]), found


def test_execution_environment_example_builds_a_context(tmp_path):
    context = tmp_path / "context"
    run(
        [BIN / "ansible-builder", "create", "-f", "execution-environment.yml", "-c", context],
        cwd=ROOT / "docs" / "execution-environment",
    )
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert [c["name"] for c in requirements["collections"]] == ["hypersender.whatsapp"]
    containerfile = next(context.glob("*file")).read_text()
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect" in containerfile and "pip_install" in containerfile
