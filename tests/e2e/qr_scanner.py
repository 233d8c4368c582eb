# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Play the person at the phone: read QR codes drawn in a job log, decode them with zxing-cpp, and "scan"
them with the simulator's POST /_sim/scan/{instance}. Used by the integration tests and the benchmark."""

from __future__ import annotations

import base64
import json
import re
import threading

import requests

LIGHT = {"\u2588": (True, True), "\u2580": (True, False), "\u2584": (False, True), " ": (False, False)}
HEADLINE = re.compile(r"QR code for instance .*?\(([0-9a-fA-F-]{36})\)")
# How a plain playbook (ansible.builtin.uri + debug) shows a code: the API's base64 PNG after the instance id.
BASE64_QR = re.compile(r"QR for ([0-9a-fA-F-]{36}): (iVBORw0KGgo[A-Za-z0-9+/]+=*)")


def text_to_dark_rows(lines):
    """The inverse of the modules' drawing: glyph ink is a light module, a blank a dark one."""
    rows = []
    for line in lines:
        rows.append([not LIGHT[glyph][0] for glyph in line])
        rows.append([not LIGHT[glyph][1] for glyph in line])
    return rows


def decode_dark_rows(dark_rows, scale=4):
    """The text of the one QR code in rows of booleans (True = dark), by zxing-cpp; each module scale x scale pixels."""
    import zxingcpp  # pylint: disable=import-outside-toplevel

    height, width = len(dark_rows) * scale, len(dark_rows[0]) * scale
    grey = bytearray()
    for row in dark_rows:
        line = bytearray()
        for dark in row:
            line += bytes([0 if dark else 255]) * scale
        grey += bytes(line) * scale
    found = zxingcpp.read_barcodes(memoryview(bytes(grey)).cast("B", (height, width)), try_invert=False)
    if len(found) != 1:
        raise ValueError("zxing-cpp found %d QR codes in the drawing" % len(found))
    return found[0].text


def png_dark_rows(data):
    """Rows of booleans (True = dark) of a PNG, read by pypng."""
    import png  # pylint: disable=import-outside-toplevel

    dummy, dummy, pixels, dummy = png.Reader(bytes=data).asRGBA8()
    return [[value < 128 for value in row[0::4]] for row in pixels]


def _json_string(line):
    text = line.strip().rstrip(",")
    if not (text.startswith('"') and text.endswith('"')):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


class LiveQrScanner(threading.Thread):
    """Reads ``stream`` (a running playbook's stdout) line by line, keeps the whole output in ``output``,
    and scans every QR code the wait_for_working role prints (through fleet_heal), with its headline's instance id."""

    def __init__(self, stream, sim_url, scan=True):
        super().__init__(daemon=True)
        self.stream = stream
        self.sim_url = sim_url
        self.scan = scan
        self.lines = []
        self.scanned = []  # (instance id, status code of the scan)
        self.errors = []

    @property
    def output(self):
        return "".join(self.lines)

    def run(self):
        instance = None  # set by a headline line, good only for a drawing that follows it at once
        drawing = []
        for line in self.stream:
            self.lines.append(line)
            # A debug task prints a drawing as JSON strings, an action plugin (fleet_heal's) as plain lines.
            value = _json_string(line)
            if value is None:
                value = line.rstrip("\n")
            if value.strip() and set(value) <= set(LIGHT):
                drawing.append(value)
                continue
            if drawing:
                self._scan(instance, drawing)
                drawing = []
            match = HEADLINE.search(value or "")
            instance = match.group(1) if match else None
            encoded = BASE64_QR.search(line)
            if encoded:
                self._scan_png(encoded.group(1), encoded.group(2))
        if drawing:
            self._scan(instance, drawing)

    def _scan(self, instance, drawing):
        if len(drawing) < 10 or instance is None:
            return
        self._decode_and_scan(instance, lambda: decode_dark_rows(text_to_dark_rows(drawing)))

    def _scan_png(self, instance, encoded):
        self._decode_and_scan(instance, lambda: decode_dark_rows(png_dark_rows(base64.b64decode(encoded))))

    def _decode_and_scan(self, instance, decode):
        try:
            payload = decode()
            if self.scan:
                answer = requests.post(
                    "%s/_sim/scan/%s" % (self.sim_url, instance), json={"payload": payload}, timeout=10
                )
                self.scanned.append((instance, answer.status_code))
            else:
                self.scanned.append((instance, None))
        except Exception as exc:  # pylint: disable=broad-except
            self.errors.append("%s: %s" % (instance, exc))
