# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shell-friendly entry point: `python tests/simulator/run_simulator.py --scenario FILE.json [...]` (same options as -m whatsapp_sim)."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from whatsapp_sim.__main__ import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == "__main__":
    sys.exit(main())
