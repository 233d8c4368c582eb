# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/fault-matrix.md cannot drift: every test it names exists (a pytest test, or an integration target's task file
and the task in it), and every fail-safe test is in it."""

from __future__ import annotations

import ast
import re

import yaml
from conftest import COLLECTION_ROOT

MATRIX = COLLECTION_ROOT / "docs" / "fault-matrix.md"
FAIL_SAFE_TESTS = "tests/e2e/test_fail_safe.py"
PYTEST = re.compile(r"`(?P<path>[\w/.]+\.py)::(?P<name>\w+)`")
TARGET = re.compile(r"`(?P<path>tests/integration/targets/[\w/.]+/tasks/[\w.]+\.yml)(?:::(?P<name>[^`]+))?`")


def named_tests():
    """(fault, path, test or task name, or None for a whole task file) of every row of the matrix's tables."""
    rows = []
    for line in MATRIX.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith(("| Fault ", "| --- ")):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert len(cells) == 3, "a row of the fault matrix needs 3 cells: %s" % line
        match = PYTEST.fullmatch(cells[2]) or TARGET.fullmatch(cells[2])
        assert match, "the 'Tested by' cell must be `path::test_name` or `<target task file>[::task name]`: %s" % line
        rows.append((cells[0], match.group("path"), match.group("name")))
    return rows


def defined_tests(path):
    tree = ast.parse((COLLECTION_ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


class _TaskLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """Ansible's YAML, as far as task names go: !unsafe and !vault values are plain scalars here."""


for _tag in ("!unsafe", "!vault"):
    _TaskLoader.add_constructor(_tag, lambda loader, node: loader.construct_scalar(node))


def task_names(path):
    """The names of the tasks of a task file, those inside block/rescue/always included."""
    names = set()
    pending = list(yaml.load((COLLECTION_ROOT / path).read_text(encoding="utf-8"), Loader=_TaskLoader) or [])
    while pending:
        task = pending.pop()
        names.add(task.get("name"))
        for section in ("block", "rescue", "always"):
            pending.extend(task.get(section) or [])
    return names


def test_every_test_the_matrix_names_exists():
    rows = named_tests()
    assert len(rows) >= 30
    for fault, path, name in rows:
        assert (COLLECTION_ROOT / path).is_file(), "%s: no file %s" % (fault, path)
        if path.endswith(".py"):
            assert name in defined_tests(path), "%s: no test %s in %s" % (fault, name, path)
        elif name is not None:
            assert name in task_names(path), "%s: no task named %r in %s" % (fault, name, path)


def test_every_fail_safe_test_is_in_the_matrix():
    named = {name for fault, path, name in named_tests() if path == FAIL_SAFE_TESTS}
    assert defined_tests(FAIL_SAFE_TESTS) - named == set()
