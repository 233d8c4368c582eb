# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hypothesis settings for every unit test: no per-example deadline.

Tests run on loaded 2-core machines, where a first example can take far longer than hypothesis' default 200 ms
deadline (seen: 417 ms, then 0.3 ms on replay, reported as a flaky failure). A property holds or not whatever the
time it takes; speed is measured by the benchmarks, never asserted.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("loaded-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("loaded-machine")
