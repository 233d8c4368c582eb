# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A canary's recipient: a phone number checked before any request, and masked wherever it is shown."""

from __future__ import annotations

import re

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError

# A phone number as WhatsApp addresses it: country code and number, 7 to 15 digits, no leading zero.
RECIPIENT_DIGITS = re.compile(r"^[1-9][0-9]{6,14}$")


def recipient_digits(value, option="to"):
    """The digits of a phone number given with its country code (a leading ``+``, spaces, dashes and parentheses
    are dropped), or :class:`OptionError` naming ``option`` (and never echoing the value)."""
    text = "" if value is None else str(value).strip()
    digits = re.sub(r"[\s\-()]", "", text)
    if digits.startswith("+"):
        digits = digits[1:]
    if not RECIPIENT_DIGITS.match(digits):
        raise OptionError(
            "%s must be the recipient's phone number with its country code, 7 to 15 digits (e.g. 201234567890); "
            "got %d characters that are not such a number" % (option, len(text))
        )
    return digits


def mask_number(digits):
    """All but the last 4 digits as ``*``: ``201234567890`` -> ``********7890``."""
    return "*" * max(0, len(digits) - 4) + digits[-4:]


def shown_recipient(digits, show):
    """The recipient as results and messages show it: the full number only when asked for."""
    return digits if show else mask_number(digits)
