# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""scripts/ee_build.py's pure parts: the host's apt mirror, its pip settings, and the build inputs made of them.
No container is needed."""

from __future__ import annotations

import configparser
import os
import stat

import pytest
from conftest import ee_build
from hypothesis import given
from hypothesis import strategies as st

ONE_LINE = """\
# deb http://old.example.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://mirror.example.net/debian bookworm main contrib
deb http://mirror.example.net/debian-security bookworm-security main
deb-src http://src.example.net/debian bookworm main
"""
DEB822 = """\
Types: deb
URIs: http://deb.example.com/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.example.com/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example.com/debian
Suites: trixie
Components: main
"""


def apt_dir(tmp_path, one_line=None, deb822=None, extra=None):
    etc = tmp_path / "apt"
    (etc / "sources.list.d").mkdir(parents=True)
    if one_line is not None:
        (etc / "sources.list").write_text(one_line)
    if deb822 is not None:
        (etc / "sources.list.d" / "debian.sources").write_text(deb822)
    for name, text in (extra or {}).items():
        (etc / "sources.list.d" / name).write_text(text)
    return str(etc)


def test_the_mirror_from_a_deb822_file(tmp_path):
    assert ee_build.debian_mirror("bookworm", apt_dir(tmp_path, deb822=DEB822)) == "http://deb.example.com/debian"


def test_the_mirror_from_a_one_line_file_options_and_comments_skipped(tmp_path):
    assert (
        ee_build.debian_mirror("bookworm", apt_dir(tmp_path, one_line=ONE_LINE)) == "http://mirror.example.net/debian"
    )


def test_a_disabled_stanza_and_a_disabled_file_are_not_read(tmp_path):
    etc = apt_dir(tmp_path, deb822=DEB822, extra={"other.list.disabled": "deb http://x.example/debian trixie main\n"})
    with pytest.raises(SystemExit, match="no Debian mirror for trixie"):
        ee_build.debian_mirror("trixie", etc)


def test_no_mirror_for_the_release_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no Debian mirror for bookworm with component main"):
        ee_build.debian_mirror("bookworm", apt_dir(tmp_path, one_line="deb http://m.example/debian bookworm contrib\n"))


PIP_CONFIG_LIST = """\
:env:.cert='/etc/ssl/certs/from-env.crt'
:env:.index-url='https://user:envpass@pypi.example.com/simple'
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/opt/wheels'
global.index-url='https://global.example.com/simple'
global.no-cache-dir='true'
install.timeout='60'
"""


def test_pip_settings_environment_beats_the_files():
    settings = ee_build.parse_pip_config_list(PIP_CONFIG_LIST)
    assert settings == {
        "cert": "/etc/ssl/certs/from-env.crt",
        "index-url": "https://user:envpass@pypi.example.com/simple",
        "extra-index-url": "file:///opt/pypi/simple file:///opt/pypi-more/simple",
        "find-links": "/opt/wheels",
        "timeout": "60",
    }


@given(st.text(max_size=200))
def test_any_pip_output_parses_to_known_keys_only(text):
    assert set(ee_build.parse_pip_config_list(text)) <= set(ee_build.PIP_KEYS) - {"default-timeout"}


@pytest.mark.parametrize(
    "url, found",
    [
        ("https://pypi.org/simple", []),
        ("https://user:s%40cret@idx.example.com/simple", ["s@cret"]),
        ("https://0123456789abcdef@idx.example.com/simple", ["0123456789abcdef"]),  # a token as the user name
        ("https://bob@idx.example.com/simple", []),
    ],
)
def test_credentials_in_index_urls(url, found):
    assert ee_build.url_secrets(url) == found


def test_build_inputs_from_the_host_settings(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    (tmp_path / "wheels").mkdir()
    settings = {
        "index-url": "https://user:idxpass@idx.example.com/simple",
        "extra-index-url": "file://%s/pypi/simple https://mirror.example.org/simple" % tmp_path,
        "find-links": "%s/wheels" % tmp_path,
        "cert": str(ca),
        "timeout": "60",
    }
    volumes, secrets, _summary = ee_build.build_inputs(
        str(tmp_path / "inputs"), ["http://ci:extrapass@127.0.0.1:9/simple/"], ["127.0.0.1:9"], settings=settings
    )
    conf = configparser.ConfigParser()
    conf.read(tmp_path / "inputs" / "pip.conf")
    glob = conf["global"]
    # Credentials stay in the index URLs pip uses; the file is only for root and is mounted, never copied.
    assert glob["index-url"].strip() == settings["index-url"]
    assert stat.S_IMODE(os.stat(tmp_path / "inputs" / "pip.conf").st_mode) == 0o600
    assert secrets == ["extrapass", "idxpass"]
    # Local indexes and find-links directories are left out: the build container cannot see them.
    assert glob["extra-index-url"].split() == [
        "https://mirror.example.org/simple",
        "http://ci:extrapass@127.0.0.1:9/simple/",
    ]
    assert "find-links" not in glob
    assert glob["trusted-host"].split() == ["127.0.0.1:9"]
    # The CA bundle: copied beside pip.conf, which pip finds in the mounted directory.
    assert glob["cert"] == ee_build.PIP_CONF_DIR + "/ca-bundle.crt"
    assert (tmp_path / "inputs" / "ca-bundle.crt").read_text() == ca.read_text()
    assert volumes == ["--volume=%s:%s:ro" % (tmp_path / "inputs", ee_build.PIP_CONF_DIR)]
    assert glob["timeout"] == "60"
