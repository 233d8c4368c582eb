# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""When a new QR code was last requested for an instance, remembered on this controller in a private directory.

The directory is ``$XDG_CACHE_HOME/hypersender.whatsapp`` (``~/.cache/hypersender.whatsapp`` by default), or
``<temporary directory>/hypersender.whatsapp-<uid>`` when the cache directory cannot be created. It must be a real
directory (not a link) owned by the user and closed to others (mode 0700): anything else is refused with a message
that says what to do, since another local user could otherwise plant links or timestamps there. Its files are
opened relative to the checked directory, never through a link, and written whole by a rename; a file that
cannot be read, or a time in the future, counts as absent.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
import stat
import tempfile
import time

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import OptionError
from ansible_collections.hypersender.whatsapp.plugins.module_utils._hypersender_actions import QR_MIN_INTERVAL

STATE_DIR_NAME = "hypersender.whatsapp"


class StateDirectoryError(OptionError):
    """The private state directory is missing, a link, someone else's or open to others."""


def default_state_dirs(environ=None):
    """The candidate state directories, in order of preference."""
    environ = os.environ if environ is None else environ
    cache = environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(cache):  # the XDG specification: a relative path is to be ignored
        cache = os.path.join(os.path.expanduser("~"), ".cache")
    return [
        os.path.join(cache, STATE_DIR_NAME),
        os.path.join(tempfile.gettempdir(), "%s-%d" % (STATE_DIR_NAME, os.geteuid())),
    ]


def open_private_dir(path):
    """A file descriptor of the directory ``path`` (made, mode 0700, if missing), once it is checked private.

    Raises :class:`StateDirectoryError` for a link, another user's directory or one open to others, and
    OSError when it cannot be made or opened.
    """
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    if os.path.islink(path):
        raise StateDirectoryError(
            "the QR pacing directory %s is a symbolic link, which another user may have planted: it is not "
            "followed; remove the link (or set XDG_CACHE_HOME to a directory of your own)" % path
        )
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(descriptor)
        problem = _unsafe(info)
        if problem:
            raise StateDirectoryError(
                "the QR pacing directory %s %s: it is not used, so that no other user can plant links or times "
                "there; remove it (it is made again, private) or set XDG_CACHE_HOME to a directory of your own"
                % (path, problem)
            )
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _unsafe(info):
    """Why a directory's ``os.stat_result`` is not private to this user, or None."""
    if not stat.S_ISDIR(info.st_mode):
        return "is not a directory"
    if info.st_uid != os.geteuid():
        return "belongs to uid %d, not to this user (uid %d)" % (info.st_uid, os.geteuid())
    if info.st_mode & 0o077:
        return "is open to other users (mode %04o, not 0700)" % stat.S_IMODE(info.st_mode)
    return None


class QrPacer:
    """Remembers, per instance and API, when a new QR code was last requested on this controller.

    One file per instance (named by a hash of the API URL and the id) holds the time of the last request;
    it is read before and written right before and after each request, so that two tasks, plays or
    playbooks never ask for one instance's code inside ``interval`` seconds.
    """

    def __init__(self, api_url, interval=QR_MIN_INTERVAL, directory=None, clock=time.time):
        self.api_url = api_url
        self.interval = interval
        self.directories = [directory] if directory else default_state_dirs()
        self._clock = clock

    def _name(self, instance):
        digest = hashlib.sha256(("%s\n%s" % (self.api_url, instance)).encode("utf-8")).hexdigest()[:32]
        return "qr-%s" % digest

    def _open_dir(self):
        """The first candidate directory that can be made and opened; a refused one stops the search."""
        failures = []
        for path in self.directories:
            try:
                return open_private_dir(path)
            except StateDirectoryError:
                raise
            except OSError as exc:
                failures.append("%s (%s)" % (path, exc.strerror or exc))
        raise StateDirectoryError(
            "no directory to remember QR code requests in: %s; set XDG_CACHE_HOME to a directory of your own"
            % "; ".join(failures)
        )

    def wait_needed(self, instance):
        """Seconds until a new code may be requested for ``instance`` (0 if now)."""
        directory = self._open_dir()
        try:
            last = _read_time(self._name(instance), directory)
        finally:
            os.close(directory)
        now = self._clock()
        if last is None or last > now:  # a time in the future was not written by this clock: not trusted
            return 0.0
        return max(0.0, last + self.interval - now)

    def record(self, instance):
        directory = self._open_dir()
        try:
            _write_whole("%.3f\n" % self._clock(), self._name(instance), directory)
        finally:
            os.close(directory)


def _read_time(name, directory):
    """The time in the regular file ``name`` of ``directory`` (a descriptor), or None if it has none to give."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(name, flags, dir_fd=directory)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        data = os.read(descriptor, 64)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    try:
        value = float(data.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _write_whole(text, name, directory):
    """Write ``text`` as the file ``name`` of ``directory``: a new private file renamed over it, never through a
    link (a link of that name is replaced, its target left alone)."""
    temporary = ".%s.%s" % (name, secrets.token_hex(8))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(temporary, flags, 0o600, dir_fd=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(text)
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        try:
            os.unlink(temporary, dir_fd=directory)
        except OSError:
            pass
        raise
