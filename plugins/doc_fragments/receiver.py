# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Where a canary's webhook receiver listens (instance_canary, cloud_canary); each module documents its path and
    the secret its webhooks carry."""

    DOCUMENTATION = r"""
options:
  receiver_host:
    description:
      - The address the webhook receiver listens on. V(0.0.0.0) listens on every IPv4 address of the controller.
      - The default suits a reverse proxy with TLS (Hypersender and Meta post webhooks to C(https://) URLs only) that
        forwards the webhook URL to the receiver.
    type: str
    default: 127.0.0.1
  receiver_port:
    description:
      - The port the webhook receiver listens on, from 1 to 65535. It must be free when the task starts; it is free
        again when the task ends, however the task ends.
    type: int
    default: 8089
"""
