"""Create or update the test virtual environments and ansible-test's offline caches.

Usage: scripts/bootstrap [core216|core221|tools|eda|ee ...]    (no argument: all of them)

What it does, each part idempotent and quick when nothing changed:

* ``.venv/core216`` (Python 3.11, ansible-core 2.16), ``.venv/core221``
  (Python 3.12, ansible-core 2.21), ``.venv/tools`` (Python 3.12: release
  and docs tools), ``.venv/eda`` (Python 3.12: ansible-rulebook; Java 17+
  from apt through ``scripts/ensure-java``) and ``.venv/ee`` (Python 3.12:
  execution-environment tests), each from its pinned file
  ``tests/requirements-<name>.txt``.
  A venv is rebuilt from scratch when its requirements file or its interpreter
  changes (a stamp file inside the venv holds their hash).
* ``.cache/pybin/python3.X``: symlinks to real interpreters for 3.9-3.13
  (pyenv shims fail for versions that are not global), so that ansible-test
  finds them on PATH.
* ``~/.ansible/test/cache/get_pip_<X>_<Y>.py``: ansible-test downloads a
  get-pip script from a host outside the package registries to put pip into
  the venvs it creates.  A small stand-in that installs pip from a pip wheel
  stored beside it is seeded for the pip version each ansible-test asks for.
  A real downloaded get-pip script is left alone.

Standard library only; runs on Python >= 3.9.
"""

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_DIR = os.path.join(ROOT, '.venv')
CACHE_DIR = os.path.join(ROOT, '.cache')
PYBIN_DIR = os.path.join(CACHE_DIR, 'pybin')
LOG_DIR = os.path.join(CACHE_DIR, 'logs')
GET_PIP_CACHE = os.path.expanduser(os.path.join('~', '.ansible', 'test', 'cache'))

# venv name -> (Python versions to try, best first; requirements file)
VENVS = {
    'core216': (('3.11',), 'tests/requirements-core216.txt'),
    'core221': (('3.12.1', '3.12'), 'tests/requirements-core221.txt'),
    'tools': (('3.12.1', '3.12'), 'tests/requirements-tools.txt'),
    'ee': (('3.12.1', '3.12'), 'tests/requirements-ee.txt'),
    'eda': (('3.12.1', '3.12'), 'tests/requirements-eda.txt'),
}
# Venvs whose tools need more than Python: a setup script run after the venv is ready.
SETUP_SCRIPTS = {
    'eda': 'scripts/ensure-java',  # ansible-rulebook needs Java >= 17 (installed from apt)
}
# Pythons that ansible-test may use for compile/import sanity tests.
EXTRA_PYTHONS = ('3.9', '3.10', '3.11', '3.12', '3.13')
# Bump to force every venv to be rebuilt.
STAMP_VERSION = '1'
STANDIN_MARKER = 'hypersender.whatsapp offline get-pip stand-in'

PIP_QUIET = ['-q', '--disable-pip-version-check', '--no-input']


def log(msg):
    print('bootstrap: %s' % msg, flush=True)


def run_logged(cmd, logfile, env=None):
    """Run cmd with its output appended to logfile; print the tail and exit on failure."""
    with open(logfile, 'a') as handle:
        handle.write('$ %s\n' % ' '.join(cmd))
        handle.flush()
        proc = subprocess.run(cmd, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, check=False)
    if proc.returncode != 0:
        with open(logfile) as handle:
            lines = handle.read().splitlines()
        lines = [line for line in lines if 'is ignored: it is neither a file nor a directory' not in line]
        sys.stderr.write('\n'.join(lines[-40:]) + '\n')
        sys.exit('bootstrap: command failed (%s), full log: %s' % (' '.join(cmd), os.path.relpath(logfile, ROOT)))


def python_version_of(exe):
    """Return 'X.Y.Z' for a working interpreter, else None (pyenv shims of non-global versions fail)."""
    try:
        out = subprocess.run(
            [exe, '-c', 'import sys, venv; print("%d.%d.%d" % sys.version_info[:3])'],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            universal_newlines=True, timeout=60, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_python(version):
    """Find a working interpreter for version ('3.12' or '3.12.1'); return its path or None."""
    major_minor = '.'.join(version.split('.')[:2])
    name = 'python%s' % major_minor
    candidates = []
    pyenv = shutil.which('pyenv')
    if pyenv:
        out = subprocess.run([pyenv, 'prefix', version], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL, universal_newlines=True, check=False)
        if out.returncode == 0:
            for prefix in out.stdout.split(os.pathsep):
                candidates.append(os.path.join(prefix.strip(), 'bin', name))
    pyenv_root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    versions_dir = os.path.join(pyenv_root, 'versions')
    if os.path.isdir(versions_dir):
        matches = [d for d in os.listdir(versions_dir) if d == version or d.startswith(version + '.')]
        for d in sorted(matches, key=lambda s: [int(p) if p.isdigit() else 0 for p in s.split('.')], reverse=True):
            candidates.append(os.path.join(versions_dir, d, 'bin', name))
    on_path = shutil.which(name, path=os.pathsep.join(
        p for p in os.environ.get('PATH', '').split(os.pathsep) if os.path.abspath(p) != PYBIN_DIR))
    if on_path:
        candidates.append(on_path)
    candidates.append(os.path.join('/usr/bin', name))
    for exe in candidates:
        if not os.path.isfile(exe):
            continue
        found = python_version_of(exe)
        if found and (found == version or found.startswith(version + '.')):
            return os.path.realpath(exe)
    return None


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        digest.update(handle.read())
    return digest.hexdigest()


def ensure_pybin():
    """Make .cache/pybin/python3.X symlinks to the real interpreters that exist."""
    os.makedirs(PYBIN_DIR, exist_ok=True)
    found = []
    for version in EXTRA_PYTHONS:
        link = os.path.join(PYBIN_DIR, 'python%s' % version)
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
    venv_python = os.path.join(venv, 'bin', 'python')
    stamp_path = os.path.join(venv, '.bootstrap-stamp')

    exe = None
    for version in versions:
        exe = find_python(version)
        if exe:
            break
    if exe is None:
        sys.exit('bootstrap: no working Python %s found (tried pyenv prefix, PATH, /usr/bin)' % ' or '.join(versions))

    stamp = '%s %s %s %s' % (STAMP_VERSION, exe, python_version_of(exe), file_sha256(requirements_path))
    try:
        with open(stamp_path) as handle:
            current = handle.read().strip()
    except OSError:
        current = None
    if current == stamp and python_version_of(venv_python):
        return venv

    logfile = os.path.join(LOG_DIR, 'bootstrap-%s.log' % name)
    if os.path.exists(logfile):
        os.unlink(logfile)
    log('building .venv/%s (%s, %s); log: %s' % (name, exe, requirements, os.path.relpath(logfile, ROOT)))
    if os.path.lexists(stamp_path):
        os.unlink(stamp_path)
    run_logged([exe, '-m', 'venv', '--clear', venv], logfile)
    run_logged([venv_python, '-m', 'pip', 'install'] + PIP_QUIET + ['-r', requirements_path], logfile)
    run_logged([venv_python, '-m', 'pip', 'check'], logfile)
    with open(stamp_path, 'w') as handle:
        handle.write(stamp + '\n')
    return venv


def ansible_test_pip_version(venv):
    """Return the pip version the venv's ansible-test bootstraps into its own venvs."""
    out = subprocess.run(
        [os.path.join(venv, 'bin', 'python'), '-c',
         'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))'],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, universal_newlines=True, check=True,
    )
    source = os.path.join(out.stdout.strip(), '_internal', 'python_requirements.py')
    with open(source) as handle:
        text = handle.read()
    match = re.search(r"default_packages\s*=\s*dict\(\s*pip\s*=\s*'([^']+)'", text)
    if not match:
        sys.exit('bootstrap: cannot find the pip version in %s' % source)
    return match.group(1)


STANDIN_TEMPLATE = '''\
"""{marker}.

ansible-test runs get-pip scripts from this cache to put pip into the virtual
environments it creates; the real ones come from a host outside the package
registries.  This one installs pip from the wheel stored beside it, then the
packages ansible-test asked for (from the package index).  Written by
scripts/bootstrap; delete it to let ansible-test download the real script.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WHEEL = os.path.join(HERE, {wheel!r})


def main():
    if not os.path.exists(WHEEL):
        sys.exit('get-pip stand-in: missing %s (run scripts/bootstrap)' % WHEEL)
    sys.path.insert(0, WHEEL)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel
    args = ['install', '--upgrade', '--force-reinstall', '--find-links', HERE]
    args += [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    sys.exit(pip_main(args))


if __name__ == '__main__':
    main()
'''


def seed_get_pip(venv):
    pip_version = ansible_test_pip_version(venv)
    os.makedirs(GET_PIP_CACHE, exist_ok=True)
    wheel = 'pip-%s-py3-none-any.whl' % pip_version
    wheel_path = os.path.join(GET_PIP_CACHE, wheel)
    if not os.path.exists(wheel_path):
        logfile = os.path.join(LOG_DIR, 'bootstrap-get-pip.log')
        log('downloading %s into %s' % (wheel, GET_PIP_CACHE))
        run_logged([os.path.join(venv, 'bin', 'python'), '-m', 'pip', 'download'] + PIP_QUIET +
                   ['--no-deps', '--only-binary=:all:', '-d', GET_PIP_CACHE, 'pip==%s' % pip_version], logfile)
        if not os.path.exists(wheel_path):
            sys.exit('bootstrap: pip download did not produce %s' % wheel_path)
    script = os.path.join(GET_PIP_CACHE, 'get_pip_%s.py' % pip_version.replace('.', '_'))
    content = STANDIN_TEMPLATE.format(marker=STANDIN_MARKER, wheel=wheel)
    if os.path.exists(script):
        with open(script) as handle:
            existing = handle.read()
        if STANDIN_MARKER not in existing or existing == content:
            return pip_version  # a real get-pip script (machine with internet), or ours, current
    with open(script + '.tmp', 'w') as handle:
        handle.write(content)
    os.replace(script + '.tmp', script)
    return pip_version


def main(argv):
    names = argv or list(VENVS)
    unknown = [name for name in names if name not in VENVS]
    if unknown:
        sys.exit('usage: scripts/bootstrap [%s ...]' % '|'.join(VENVS))
    os.makedirs(LOG_DIR, exist_ok=True)
    # One bootstrap at a time per work tree (scripts/test, scripts/bench... may start it together).
    lock = open(os.path.join(CACHE_DIR, 'bootstrap.lock'), 'w')  # pylint: disable=consider-using-with
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        log('waiting for another bootstrap of this work tree to finish')
        fcntl.flock(lock, fcntl.LOCK_EX)
    pythons = ensure_pybin()
    seeded = []
    for name in names:
        venv = ensure_venv(name)
        seeded.append(seed_get_pip(venv))
        if name in SETUP_SCRIPTS:
            run_logged([os.path.join(ROOT, SETUP_SCRIPTS[name])], os.path.join(LOG_DIR, 'bootstrap-%s-setup.log' % name))
    log('ready: %s; pythons for ansible-test: %s; get-pip seeded for pip %s' % (
        ', '.join('.venv/%s' % n for n in names), ' '.join(pythons) or 'none', ', '.join(sorted(set(seeded)))))


if __name__ == '__main__':
    main(sys.argv[1:])
