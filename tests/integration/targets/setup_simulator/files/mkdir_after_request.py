# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make a directory as soon as the simulator's request log shows a request whose path matches a regex.

Usage: mkdir_after_request.py SIMULATOR_URL PATH_REGEX DIRECTORY [TIMEOUT]. Run by tasks/mkdir_after_request.yml in
the background, so that a file a module checked before its request becomes a directory before the module writes it.
Exits 0 once the directory is made, 1 if no such request came within TIMEOUT seconds (default 120).
"""

import json
import os
import re
import sys
import time
import urllib.request


def seen(url, pattern):
    with urllib.request.urlopen(url + "/_sim/requests", timeout=5) as response:
        return any(pattern.search(entry["path"]) for entry in json.load(response))


def main(url, path_regex, directory, timeout="120"):
    pattern = re.compile(path_regex)
    deadline = time.monotonic() + float(timeout)
    while time.monotonic() < deadline:
        if seen(url, pattern):
            os.mkdir(directory)
            return 0
        time.sleep(0.01)
    sys.stderr.write("no request matching %s within %s s\n" % (path_regex, timeout))
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
