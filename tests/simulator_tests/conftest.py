# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Importing sim_support first puts tests/simulator on sys.path for every test module here."""

from __future__ import annotations

import sim_support  # noqa: F401  pylint: disable=unused-import
