# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""README.md is the Galaxy page: its first lines give the two commands (CI runs the test one), it has the sections
of a certified collection, and every guide and repository file it or the docs site links to exists."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCSITE = ROOT / "docs" / "docsite"
REPOSITORY = "https://github.com/hypersender/ansible-collection-whatsapp"
# A link into the repository's main branch: on Galaxy, relative links lead nowhere.
REPOSITORY_FILE = re.compile(re.escape(REPOSITORY) + r"/blob/main/([^)\s>#`]+)")


def guides():
    sections = yaml.safe_load((DOCSITE / "extra-docs.yml").read_text(encoding="utf-8"))["sections"]
    return [name for section in sections for name in section["toctree"]]


def test_the_first_lines_give_the_demo_and_test_commands_and_ci_runs_the_test_one():
    opening = README.splitlines()[:15]
    assert any(line.strip().startswith("./scripts/demo") for line in opening), opening
    assert any(line.strip().startswith("./scripts/test") for line in opening), opening
    assert re.search(r"^(exec )?\./scripts/test\b", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)


def test_readme_has_the_sections_of_a_certified_collection():
    headings = re.findall(r"^## (.+)$", README, re.MULTILINE)
    for section in ("Requirements", "Installation", "Use", "Testing", "Support", "Release notes", "License"):
        assert section in headings, headings
    assert len(README.splitlines()) <= 250


def test_readme_links_every_guide_of_the_docs_site_and_every_guide_is_listed():
    listed = guides()
    on_disk = sorted(path.stem for path in (DOCSITE / "rst").glob("*.rst"))
    assert sorted(listed) == on_disk
    linked = set(REPOSITORY_FILE.findall(README))
    for name in listed:
        assert "docs/docsite/rst/%s.rst" % name in linked, name


def test_every_repository_link_of_the_readme_and_the_docs_names_a_file_that_exists():
    texts = [README, (DOCSITE / "links.yml").read_text(encoding="utf-8")]
    texts += [path.read_text(encoding="utf-8") for path in (DOCSITE / "rst").glob("*.rst")]
    linked = {path for text in texts for path in REPOSITORY_FILE.findall(text)}
    assert len(linked) >= 10
    missing = sorted(path for path in linked if not (ROOT / path).is_file())
    assert not missing, missing


def test_readme_has_no_relative_links():
    """Galaxy renders README.md away from the repository: a relative link is a dead link there."""
    relative = re.findall(r"\]\((?!https?://|#)([^)]+)\)", README) + re.findall(
        r"^\[[^\]]+\]: (?!https?://)(.+)$", README, re.MULTILINE
    )
    assert not relative, relative
