# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/fault-matrix.md cannot drift: every test it names exists, and every fail-safe test is in it."""

from __future__ import annotations

import ast
import re

from conftest import COLLECTION_ROOT

MATRIX = COLLECTION_ROOT / "docs" / "fault-matrix.md"
FAIL_SAFE_TESTS = "tests/e2e/test_fail_safe.py"


def named_tests():
    """(fault, path, test name) of every row of the matrix's tables."""
    rows = []
    for line in MATRIX.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith(("| Fault ", "| --- ")):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert len(cells) == 3, "a row of the fault matrix needs 3 cells: %s" % line
        match = re.fullmatch(r"`([\w/.]+\.py)::(\w+)`", cells[2])
        assert match, "the 'Tested by' cell must be `path::test_name`: %s" % line
        rows.append((cells[0], match.group(1), match.group(2)))
    return rows


def defined_tests(path):
    tree = ast.parse((COLLECTION_ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_test_the_matrix_names_exists():
    rows = named_tests()
    assert len(rows) >= 30
    for fault, path, name in rows:
        assert (COLLECTION_ROOT / path).is_file(), "%s: no file %s" % (fault, path)
        assert name in defined_tests(path), "%s: no test %s in %s" % (fault, name, path)


def test_every_fail_safe_test_is_in_the_matrix():
    named = {name for fault, path, name in named_tests() if path == FAIL_SAFE_TESTS}
    assert defined_tests(FAIL_SAFE_TESTS) - named == set()
