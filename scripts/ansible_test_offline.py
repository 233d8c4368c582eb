"""Let ansible-test build its virtual environments with only the package registries reachable.

Usage (noxfile.py runs it in each ansible-test session's venv):

    python scripts/ansible_test_offline.py HOME_DIR

ansible-test puts pip into every venv it creates (``--venv`` sanity and unit
tests) by running a get-pip bootstrap script it downloads from a file host
outside the package registries, into ``~/.ansible/test/cache/get_pip_X_Y.py``.
No tool seeds that cache, so this script does: it writes a small stand-in that
installs pip from a pip wheel downloaded from the package index beside it.

It writes only below HOME_DIR, a private directory the test sessions give
ansible-test as its HOME (ansible-test finds the cache with ``~``): the
user's own ``~/.ansible`` is never touched, and ansible-test's venvs land in
HOME_DIR too.  So that pip keeps the user's configuration (index mirrors,
certificates) and download cache under that HOME, HOME_DIR/.config/pip,
HOME_DIR/.pip and HOME_DIR/.cache/pip link to the user's own, where they exist.

A real get-pip script already in the cache (a machine with internet) is left
alone.  Standard library only; runs on the Python of the venv holding the
ansible-test to prepare.
"""

import os
import re
import subprocess
import sys

STANDIN_MARKER = "hypersender.whatsapp offline get-pip stand-in"

STANDIN_TEMPLATE = '''\
"""{marker}.

ansible-test runs get-pip scripts from this cache to put pip into the virtual
environments it creates; the real ones come from a host outside the package
registries.  This one installs pip from the wheel stored beside it, then the
packages ansible-test asked for (from the package index).  Written by
scripts/ansible_test_offline.py; delete it to let ansible-test download the real script.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WHEEL = os.path.join(HERE, {wheel!r})


def main():
    if not os.path.exists(WHEEL):
        sys.exit('get-pip stand-in: missing %s (run scripts/ansible_test_offline.py)' % WHEEL)
    sys.path.insert(0, WHEEL)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel
    args = ['install', '--upgrade', '--force-reinstall', '--find-links', HERE]
    args += [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    sys.exit(pip_main(args))


if __name__ == '__main__':
    main()
'''


def ansible_test_pip_version():
    """The pip version this venv's ansible-test bootstraps into the venvs it creates."""
    import ansible_test  # pylint: disable=import-outside-toplevel

    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source) as handle:
        text = handle.read()
    match = re.search(r"default_packages\s*=\s*dict\(\s*pip\s*=\s*'([^']+)'", text)
    if not match:
        sys.exit("ansible_test_offline: cannot find the pip version in %s" % source)
    return match.group(1)


def link_user_pip_files(home):
    """Point HOME_DIR's pip configuration and cache at the user's own."""
    user_home = os.path.expanduser("~")
    if os.path.realpath(user_home) == os.path.realpath(home):
        return
    for rel in (os.path.join(".config", "pip"), ".pip", os.path.join(".cache", "pip")):
        source = os.path.join(user_home, rel)
        link = os.path.join(home, rel)
        if os.path.isdir(source) and not os.path.lexists(link):
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(source, link)


def seed_get_pip(home):
    pip_version = ansible_test_pip_version()
    cache = os.path.join(home, ".ansible", "test", "cache")
    os.makedirs(cache, exist_ok=True)
    wheel = "pip-%s-py3-none-any.whl" % pip_version
    if not os.path.exists(os.path.join(cache, wheel)):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--disable-pip-version-check",
                "--no-input",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                cache,
                "pip==%s" % pip_version,
            ],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        if not os.path.exists(os.path.join(cache, wheel)):
            sys.exit("ansible_test_offline: pip download did not produce %s" % wheel)
    script = os.path.join(cache, "get_pip_%s.py" % pip_version.replace(".", "_"))
    content = STANDIN_TEMPLATE.format(marker=STANDIN_MARKER, wheel=wheel)
    if os.path.exists(script):
        with open(script) as handle:
            existing = handle.read()
        if STANDIN_MARKER not in existing or existing == content:
            return pip_version  # a real get-pip script, or ours, current
    with open(script + ".tmp", "w") as handle:
        handle.write(content)
    os.replace(script + ".tmp", script)
    return pip_version


def main(argv):
    if len(argv) != 1:
        sys.exit("usage: python scripts/ansible_test_offline.py HOME_DIR")
    home = os.path.abspath(argv[0])
    os.makedirs(home, exist_ok=True)
    link_user_pip_files(home)
    version = seed_get_pip(home)
    print("ansible_test_offline: get-pip %s seeded in %s" % (version, os.path.join(home, ".ansible", "test", "cache")))


if __name__ == "__main__":
    main(sys.argv[1:])
