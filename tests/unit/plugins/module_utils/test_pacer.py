# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The QR pacer's private directory: no link followed, no foreign or open directory used, no future time trusted."""

from __future__ import annotations

import os
import stat

import pytest
from ansible_collections.hypersender.whatsapp.plugins.module_utils import _pacer
from ansible_collections.hypersender.whatsapp.plugins.module_utils._pacer import (
    QrPacer,
    StateDirectoryError,
    default_state_dirs,
)
from hypothesis import given
from hypothesis import strategies as st

API = "https://a.example/api"


def pacer_in(directory, now):
    return QrPacer(API, interval=60, directory=str(directory), clock=lambda: now[0])


def pacing_file(directory, instance="i1"):
    return directory / QrPacer(API)._name(instance)


def test_the_pacer_remembers_per_instance_and_api(tmp_path):
    now = [1000.0]
    pacer = pacer_in(tmp_path / "pace", now)
    assert pacer.wait_needed("i1") == 0
    pacer.record("i1")
    now[0] += 15
    assert pacer.wait_needed("i1") == 45
    assert pacer.wait_needed("i2") == 0
    other_api = QrPacer("https://b.example/api", interval=60, directory=str(tmp_path / "pace"), clock=lambda: now[0])
    assert other_api.wait_needed("i1") == 0
    now[0] += 45
    assert pacer.wait_needed("i1") == 0
    assert stat.S_IMODE(os.stat(tmp_path / "pace").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(pacing_file(tmp_path / "pace")).st_mode) == 0o600


def test_a_planted_link_in_the_directory_is_replaced_not_followed(tmp_path):
    directory = tmp_path / "pace"
    directory.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    pacing_file(directory).symlink_to(victim)
    pacer = pacer_in(directory, [1000.0])
    assert pacer.wait_needed("i1") == 0  # not read through the link
    pacer.record("i1")
    assert victim.read_text() == "precious\n"
    assert not pacing_file(directory).is_symlink() and pacing_file(directory).read_text() == "1000.000\n"
    assert sorted(path.name for path in directory.iterdir()) == [pacing_file(directory).name]  # no temporary left


def test_a_directory_that_is_a_link_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    (tmp_path / "pace").symlink_to(target)
    with pytest.raises(StateDirectoryError, match="is a symbolic link.*not followed"):
        pacer_in(tmp_path / "pace", [1000.0]).record("i1")
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("mode", [0o755, 0o770, 0o707, 0o1777])
def test_a_directory_open_to_others_is_refused(tmp_path, mode):
    directory = tmp_path / "pace"
    directory.mkdir()
    directory.chmod(mode)
    with pytest.raises(StateDirectoryError, match=r"is open to other users \(mode %04o, not 0700\)" % mode):
        pacer_in(directory, [1000.0]).wait_needed("i1")
    assert list(directory.iterdir()) == []


def test_another_users_directory_is_refused(tmp_path, monkeypatch):
    directory = tmp_path / "pace"
    directory.mkdir(mode=0o700)
    owner = os.geteuid()
    monkeypatch.setattr(_pacer.os, "geteuid", lambda: owner + 1)
    with pytest.raises(StateDirectoryError, match="belongs to uid %d, not to this user" % owner):
        pacer_in(directory, [1000.0]).wait_needed("i1")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a directory to another user")
def test_a_directory_chowned_to_another_user_is_refused(tmp_path):
    directory = tmp_path / "pace"
    directory.mkdir(mode=0o700)
    os.chown(directory, 65534, 65534)
    with pytest.raises(StateDirectoryError, match="belongs to uid 65534"):
        pacer_in(directory, [1000.0]).record("i1")


@pytest.mark.parametrize("content", [b"99999999999.0\n", b"nan\n", b"inf\n", b"-inf", b"soon", b"\xff\xfe", b""])
def test_a_future_or_unreadable_time_counts_as_absent(tmp_path, content):
    directory = tmp_path / "pace"
    directory.mkdir(mode=0o700)
    pacing_file(directory).write_bytes(content)
    assert pacer_in(directory, [1000.0]).wait_needed("i1") == 0


def test_a_pacing_file_that_is_not_a_regular_file_counts_as_absent(tmp_path):
    directory = tmp_path / "pace"
    directory.mkdir(mode=0o700)
    os.mkfifo(pacing_file(directory))  # opened without blocking, and not read
    assert pacer_in(directory, [1000.0]).wait_needed("i1") == 0


@given(recorded=st.floats(allow_nan=True, allow_infinity=True), now=st.floats(min_value=0, max_value=4e9))
def test_the_wait_is_never_more_than_the_interval_whatever_the_file_says(tmp_path_factory, recorded, now):
    directory = tmp_path_factory.mktemp("pace")
    directory.chmod(0o700)
    pacing_file(directory).write_text("%r\n" % recorded)
    wait = pacer_in(directory, [now]).wait_needed("i1")
    assert 0 <= wait <= 60


def test_the_cache_directory_comes_first_and_a_relative_xdg_path_is_ignored(tmp_path):
    home_cache = os.path.join(os.path.expanduser("~"), ".cache", "hypersender.whatsapp")
    assert default_state_dirs({"XDG_CACHE_HOME": str(tmp_path)})[0] == str(tmp_path / "hypersender.whatsapp")
    assert default_state_dirs({"XDG_CACHE_HOME": "relative/cache"})[0] == home_cache
    assert default_state_dirs({})[1].endswith("hypersender.whatsapp-%d" % os.geteuid())


def test_an_unusable_cache_falls_back_to_a_private_temporary_directory(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("")
    fallback = tmp_path / "tmp-pace"
    pacer = QrPacer(API, clock=lambda: 1000.0)
    pacer.directories = [str(blocked / "hypersender.whatsapp"), str(fallback)]
    pacer.record("i1")
    assert pacing_file(fallback).read_text() == "1000.000\n"
    pacer.directories = [str(blocked / "hypersender.whatsapp")]
    with pytest.raises(StateDirectoryError, match="no directory to remember QR code requests in"):
        pacer.record("i1")
