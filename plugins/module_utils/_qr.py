# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A QR code PNG (as the Hypersender API sends it) drawn as text a phone can scan from a log.

The PNG is decoded by pypng; this file only finds the module grid in the
pixels and draws two module rows per text line with Unicode half blocks.
"""

from __future__ import annotations

import traceback

PNG_IMPORT_ERROR = None
try:
    import png
except ImportError:  # pragma: no cover - exercised through the missing-library message
    png = None
    PNG_IMPORT_ERROR = traceback.format_exc()

HAS_PNG = png is not None

QUIET_ZONE = 4  # modules of light border every QR code needs around it
FINDER_MODULES = 7  # a finder pattern is 7 modules wide

# Logs (terminals, the AWX job output) print light glyphs on a dark background, so a glyph's
# ink is a *light* module and a blank is a dark one. Index: (top light, bottom light).
_HALF_BLOCKS = {
    (True, True): "\u2588",  # full block
    (True, False): "\u2580",  # upper half block
    (False, True): "\u2584",  # lower half block
    (False, False): " ",
}


class QrImageError(ValueError):
    """The bytes are not a QR code PNG this module can read."""


def png_to_dark_pixels(data):
    """Rows of booleans (True = dark) from PNG bytes, whatever its colour type and bit depth."""
    try:
        width, height, rows, info = png.Reader(bytes=data).asRGBA8()
        pixels = []
        for row in rows:
            line = []
            for x in range(width):
                red, green, blue, alpha = row[4 * x : 4 * x + 4]
                # transparent pixels count as the light background
                luminance = (299 * red + 587 * green + 114 * blue) / 1000.0 if alpha >= 128 else 255
                line.append(luminance < 128)
            pixels.append(line)
    except (png.Error, ValueError, TypeError, IndexError) as exc:
        raise QrImageError("the QR code is not a readable PNG image (%s)" % exc) from None
    del info
    if not pixels or len(pixels) != height:
        raise QrImageError("the QR code PNG has no pixels")
    return pixels


def modules_from_pixels(pixels):
    """The QR module matrix (True = dark) of a generated (axis-aligned, unrotated) QR image."""
    dark_rows = [y for y, row in enumerate(pixels) if any(row)]
    if not dark_rows:
        raise QrImageError("the QR code image is blank")
    top, bottom = dark_rows[0], dark_rows[-1]
    left = min(row.index(True) for row in pixels if any(row))
    right = max(len(row) - 1 - row[::-1].index(True) for row in pixels if any(row))
    # The top-left finder pattern starts the first dark row with a run 7 modules long.
    run = 0
    while left + run <= right and pixels[top][left + run]:
        run += 1
    size = run / float(FINDER_MODULES)
    width_modules = (right - left + 1) / size if size else 0
    count = int(round(width_modules))
    if (
        size < 1
        or count < 21
        or (count - 17) % 4
        or abs(width_modules - count) > 0.25
        or abs((bottom - top + 1) / size - count) > 0.5
    ):
        raise QrImageError(
            "the image does not look like a QR code (%gx%g pixels of code, finder run %d)"
            % (right - left + 1, bottom - top + 1, run)
        )
    return [
        [pixels[int(top + (row + 0.5) * size)][int(left + (col + 0.5) * size)] for col in range(count)]
        for row in range(count)
    ]


def render_half_blocks(modules, quiet_zone=QUIET_ZONE):
    """Text lines: two module rows per line, light modules as ink (for light-on-dark logs), with a quiet zone."""
    width = len(modules[0]) + 2 * quiet_zone
    light_row = [True] * width
    rows = [light_row] * quiet_zone
    rows += [[True] * quiet_zone + [not dark for dark in row] + [True] * quiet_zone for row in modules]
    rows += [light_row] * quiet_zone
    if len(rows) % 2:
        rows.append(light_row)
    return [
        "".join(_HALF_BLOCKS[(top[x], bottom[x])] for x in range(width)) for top, bottom in zip(rows[::2], rows[1::2])
    ]


def half_blocks_to_dark_pixels(lines):
    """The inverse of :func:`render_half_blocks`, one pixel per module (for tests and decoders)."""
    reverse = dict((glyph, key) for key, glyph in _HALF_BLOCKS.items())
    pixels = [[], []]
    rows = []
    for line in lines:
        pixels = [[], []]
        for glyph in line:
            top, bottom = reverse[glyph]
            pixels[0].append(not top)
            pixels[1].append(not bottom)
        rows.extend(pixels)
    return rows


def png_to_text(data):
    """PNG bytes of a QR code -> the list of text lines that draw it."""
    return render_half_blocks(modules_from_pixels(png_to_dark_pixels(data)))
