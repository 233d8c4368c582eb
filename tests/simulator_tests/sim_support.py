# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared constants and scenarios for the simulator tests; importing this puts tests/simulator on sys.path."""

from __future__ import annotations

import os
import sys

SIMULATOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "simulator")
SPECS_DIR = os.path.join(SIMULATOR_DIR, "specs")

if SIMULATOR_DIR not in sys.path:
    sys.path.insert(0, SIMULATOR_DIR)

HS_TOKEN = "sim-token-0123456789"
ONPREM_KEY = "sim-onprem-key-0123"
ONPREM_BEARER = "sim-onprem-bearer"
ONPREM_USER = ("admin", "secret-password")
FIRST_ID = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
SECOND_ID = "c9a1dd76-5678-4f9d-9012-a5b78de100c3"

HA_HEALTH = {
    "gw1:abc123": {"gateway_status": "disconnected", "role": "primary_master"},
    "gw2:def456": {"gateway_status": "connected", "role": "coreapp"},
    "gw3:ghi789": {"gateway_status": "disconnected", "role": "secondary_master"},
}


def seed_scenario(**overrides):
    """The seed pages' two example instances plus fixed credentials; `overrides` replace top-level sections."""
    scenario = {
        "hypersender": {
            "tokens": [HS_TOKEN],
            "instances": [
                {
                    "id": FIRST_ID,
                    "name": "MyInstanceName",
                    "phone": "+201234567890",
                    "status": "WORKING",
                    "access_token": "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1",
                    "created_at": "2025-05-26T10:12:45",
                },
                {
                    "id": SECOND_ID,
                    "name": "SecondInstance",
                    "phone": "+201234567891",
                    "status": "SCAN_QR_CODE",
                    "access_token": None,
                    "created_at": "2025-05-25T15:30:22",
                },
            ],
        },
        "onprem": {"api_keys": [ONPREM_KEY], "tokens": [ONPREM_BEARER], "users": {ONPREM_USER[0]: ONPREM_USER[1]}},
    }
    scenario.update(overrides)
    return scenario
