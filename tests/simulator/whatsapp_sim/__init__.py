# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A loopback simulator of the Hypersender WhatsApp Enterprise API and the WhatsApp Business On-Premises API."""

from __future__ import annotations

from .scenario import Scenario, ScenarioError
from .server import Simulator

__all__ = ["Scenario", "ScenarioError", "Simulator"]
