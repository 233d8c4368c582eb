# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""QR PNG -> module grid -> half-block text, and back; a property test over payloads, sizes and borders."""

from __future__ import annotations

import io

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils import _qr
from hypothesis import given, settings
from hypothesis import strategies as st

segno = pytest.importorskip("segno")
pytest.importorskip("png")


def qr_png(payload, scale=4, border=4, dark="black", light="white"):
    code = segno.make(payload, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=border, dark=dark, light=light)
    return code, buffer.getvalue()


def matrix(code):
    return [[bool(value) for value in row] for row in code.matrix_iter(border=0)]


@settings(max_examples=40, deadline=None)
@given(
    payload=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=200),
    scale=st.integers(min_value=1, max_value=6),
    border=st.integers(min_value=0, max_value=6),
)
def test_the_grid_read_from_the_png_is_the_codes_grid(payload, scale, border):
    code, data = qr_png(payload, scale=scale, border=border)
    assert _qr.modules_from_pixels(_qr.png_to_dark_pixels(data)) == matrix(code)


@settings(max_examples=25, deadline=None)
@given(payload=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=120))
def test_text_drawing_round_trips_with_a_quiet_zone(payload):
    code, data = qr_png(payload)
    lines = _qr.png_to_text(data)
    grid = matrix(code)
    size = len(grid) + 2 * _qr.QUIET_ZONE
    assert all(len(line) == size for line in lines)
    assert len(lines) == (size + 1) // 2
    pixels = _qr.half_blocks_to_dark_pixels(lines)[:size]
    inner = [row[_qr.QUIET_ZONE : -_qr.QUIET_ZONE] for row in pixels[_qr.QUIET_ZONE : -_qr.QUIET_ZONE]]
    assert inner == grid
    assert not any(pixels[0]) and not any(row[0] for row in pixels), "the quiet zone is light"


def test_light_modules_are_ink_for_dark_logs():
    assert _qr.render_half_blocks([[True, False]] * 2 + [[False, True]] * 2, quiet_zone=0) == [" \u2588", "\u2588 "]
    assert _qr.render_half_blocks([[True], [False]], quiet_zone=0) == ["\u2584"]
    assert _qr.render_half_blocks([[False], [True]], quiet_zone=0) == ["\u2580"]


def test_palette_and_transparent_backgrounds_read_the_same():
    code, plain = qr_png("hello", scale=3)
    dummy, transparent = qr_png("hello", scale=3, light=None)
    dummy, coloured = qr_png("hello", scale=3, dark="#102030", light="#f0f0e0")
    for data in (plain, transparent, coloured):
        assert _qr.modules_from_pixels(_qr.png_to_dark_pixels(data)) == matrix(code)


@pytest.mark.parametrize(
    "data, words",
    [
        (b"not a png", "not a readable PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "not a readable PNG"),
    ],
)
def test_unreadable_images_are_reported(data, words):
    with pytest.raises(_qr.QrImageError, match=words):
        _qr.png_to_text(data)


def test_a_blank_or_non_qr_image_is_reported():
    import png  # pylint: disable=import-outside-toplevel

    for rows in ([[255] * 30] * 30, [[0] * 10 + [255] * 20] * 30):
        buffer = io.BytesIO()
        png.Writer(30, 30, greyscale=True).write(buffer, rows)
        with pytest.raises(_qr.QrImageError):
            _qr.png_to_text(buffer.getvalue())
