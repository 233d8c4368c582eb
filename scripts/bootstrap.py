"""Prepare the test runner: the nox venv and the interpreters nox and ansible-test look for.

Usage: scripts/bootstrap [core216|core221|tools|ee|eda ...]

What it does, each part idempotent and quick when nothing changed:

* ``.cache/pybin/python3.X``: symlinks to real interpreters for 3.9-3.13
  (pyenv shims fail for versions that are not global), so that nox finds the
  sessions' Pythons and ansible-test the ones for its compile/import tests.
* ``.venv/nox`` (Python 3.11): nox and antsibull-nox, pinned in
  tests/requirements-nox.txt; rebuilt when that file or its interpreter changes.
* With names: the nox session ``venv-<name>`` builds that environment
  (.nox/venv-<name>, from tests/requirements-<name>.txt) and ``.venv/<name>``
  links to it, for scripts/demo, scripts/bench and scripts/build-docs.

Everything else (the test sessions' venvs, the collection copies, ansible-test's
offline get-pip cache) is done by noxfile.py.  Standard library only; runs on
Python >= 3.9.
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_DIR = os.path.join(ROOT, ".venv")
CACHE_DIR = os.path.join(ROOT, ".cache")
PYBIN_DIR = os.path.join(CACHE_DIR, "pybin")
LOG_DIR = os.path.join(CACHE_DIR, "logs")

# venv name -> (Python versions to try, best first; requirements file)
VENVS = {
    "nox": (("3.11",), "tests/requirements-nox.txt"),
}
# Environments for the helper scripts, built by the nox sessions venv-<name> (noxfile.py).
NOX_ENVS = ("core216", "core221", "tools", "ee", "eda")
# Pythons that ansible-test may use for compile/import sanity tests.
EXTRA_PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
# Bump to force every venv to be rebuilt.
STAMP_VERSION = "1"

PIP_QUIET = ["-q", "--disable-pip-version-check", "--no-input"]


def log(msg):
    print("bootstrap: %s" % msg, flush=True)


def run_logged(cmd, logfile, env=None):
    """Run cmd with its output appended to logfile; print the tail and exit on failure."""
    with open(logfile, "a") as handle:
        handle.write("$ %s\n" % " ".join(cmd))
        handle.flush()
        proc = subprocess.run(
            cmd, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, check=False
        )
    if proc.returncode != 0:
        with open(logfile) as handle:
            lines = handle.read().splitlines()
        lines = [line for line in lines if "is ignored: it is neither a file nor a directory" not in line]
        sys.stderr.write("\n".join(lines[-40:]) + "\n")
        sys.exit("bootstrap: command failed (%s), full log: %s" % (" ".join(cmd), os.path.relpath(logfile, ROOT)))


def python_version_of(exe):
    """Return 'X.Y.Z' for a working interpreter, else None (pyenv shims of non-global versions fail)."""
    try:
        out = subprocess.run(
            [exe, "-c", 'import sys, venv; print("%d.%d.%d" % sys.version_info[:3])'],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            universal_newlines=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_python(version):
    """Find a working interpreter for version ('3.12' or '3.12.1'); return its path or None."""
    major_minor = ".".join(version.split(".")[:2])
    name = "python%s" % major_minor
    candidates = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        out = subprocess.run(
            [pyenv, "prefix", version],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            universal_newlines=True,
            check=False,
        )
        if out.returncode == 0:
            for prefix in out.stdout.split(os.pathsep):
                candidates.append(os.path.join(prefix.strip(), "bin", name))
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    versions_dir = os.path.join(pyenv_root, "versions")
    if os.path.isdir(versions_dir):
        matches = [d for d in os.listdir(versions_dir) if d == version or d.startswith(version + ".")]
        for d in sorted(matches, key=lambda s: [int(p) if p.isdigit() else 0 for p in s.split(".")], reverse=True):
            candidates.append(os.path.join(versions_dir, d, "bin", name))
    on_path = shutil.which(
        name,
        path=os.pathsep.join(
            p for p in os.environ.get("PATH", "").split(os.pathsep) if os.path.abspath(p) != PYBIN_DIR
        ),
    )
    if on_path:
        candidates.append(on_path)
    candidates.append(os.path.join("/usr/bin", name))
    for exe in candidates:
        if not os.path.isfile(exe):
            continue
        found = python_version_of(exe)
        if found and (found == version or found.startswith(version + ".")):
            return os.path.realpath(exe)
    return None


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        digest.update(handle.read())
    return digest.hexdigest()


def ensure_pybin():
    """Make .cache/pybin/python3.X symlinks to the real interpreters that exist."""
    os.makedirs(PYBIN_DIR, exist_ok=True)
    found = []
    for version in EXTRA_PYTHONS:
        link = os.path.join(PYBIN_DIR, "python%s" % version)
        exe = find_python(version)
        if exe is None:
            if os.path.lexists(link):
                os.unlink(link)
            continue
        if not (os.path.islink(link) and os.readlink(link) == exe):
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(exe, link)
        found.append(version)
    return found


def ensure_venv(name):
    versions, requirements = VENVS[name]
    requirements_path = os.path.join(ROOT, requirements)
    venv = os.path.join(VENV_DIR, name)
    venv_python = os.path.join(venv, "bin", "python")
    stamp_path = os.path.join(venv, ".bootstrap-stamp")

    exe = None
    for version in versions:
        exe = find_python(version)
        if exe:
            break
    if exe is None:
        sys.exit("bootstrap: no working Python %s found (tried pyenv prefix, PATH, /usr/bin)" % " or ".join(versions))

    stamp = "%s %s %s %s" % (STAMP_VERSION, exe, python_version_of(exe), file_sha256(requirements_path))
    try:
        with open(stamp_path) as handle:
            current = handle.read().strip()
    except OSError:
        current = None
    if current == stamp and python_version_of(venv_python):
        return venv

    logfile = os.path.join(LOG_DIR, "bootstrap-%s.log" % name)
    if os.path.exists(logfile):
        os.unlink(logfile)
    log("building .venv/%s (%s, %s); log: %s" % (name, exe, requirements, os.path.relpath(logfile, ROOT)))
    if os.path.lexists(stamp_path):
        os.unlink(stamp_path)
    run_logged([exe, "-m", "venv", "--clear", venv], logfile)
    run_logged([venv_python, "-m", "pip", "install"] + PIP_QUIET + ["-r", requirements_path], logfile)
    run_logged([venv_python, "-m", "pip", "check"], logfile)
    with open(stamp_path, "w") as handle:
        handle.write(stamp + "\n")
    return venv


def nox_env(nox_venv, name):
    """Build the environment `name` with its nox session and link .venv/<name> to it."""
    logfile = os.path.join(LOG_DIR, "bootstrap-%s.log" % name)
    if os.path.exists(logfile):
        os.unlink(logfile)
    run_logged(
        [os.path.join(nox_venv, "bin", "nox"), "-f", os.path.join(ROOT, "noxfile.py"), "-s", "venv-%s" % name], logfile
    )
    link = os.path.join(VENV_DIR, name)
    target = os.path.join(os.pardir, ".nox", "venv-%s" % name)
    if not (os.path.islink(link) and os.readlink(link) == target):
        if os.path.isdir(link) and not os.path.islink(link):
            shutil.rmtree(link)  # a venv from the old bootstrap
        elif os.path.lexists(link):
            os.unlink(link)
        os.symlink(target, link)


def main(argv):
    unknown = [name for name in argv if name not in NOX_ENVS]
    if unknown:
        sys.exit("usage: scripts/bootstrap [%s ...]" % "|".join(NOX_ENVS))
    os.makedirs(LOG_DIR, exist_ok=True)
    # One bootstrap at a time per work tree (scripts/test, scripts/bench... may start it together).
    lock = open(os.path.join(CACHE_DIR, "bootstrap.lock"), "w")  # pylint: disable=consider-using-with
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        log("waiting for another bootstrap of this work tree to finish")
        fcntl.flock(lock, fcntl.LOCK_EX)
    pythons = ensure_pybin()
    nox_venv = ensure_venv("nox")
    for name in argv:
        nox_env(nox_venv, name)
    log("ready: %s; pythons: %s" % (", ".join(".venv/%s" % n for n in ["nox"] + argv), " ".join(pythons) or "none"))


if __name__ == "__main__":
    main(sys.argv[1:])
