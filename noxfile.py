# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test sessions (./scripts/test runs them; CONTRIBUTING.md). antsibull-nox.toml declares the standard checks; here
is what its configuration cannot say: ansible-test without containers, the pytest suites, molecule."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import antsibull_nox
import nox
from antsibull_nox.sessions.collections import prepare_collections

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"
JUNIT = CACHE / "junit"
PYBIN = CACHE / "pybin"
CORE = {"2.16": ("3.11", "tests/requirements-core216.txt"), "2.21": ("3.12", "tests/requirements-core221.txt")}

nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

# pyenv's shims answer only for its selected versions (and ansible-test passes no PYENV_VERSION on): link each
# installed python3.X into .cache/pybin, first on PATH, for nox's sessions and ansible-test's compile tests.
if shutil.which("pyenv") and not os.environ.get("HSW_NOX_ENV"):
    PYBIN.mkdir(parents=True, exist_ok=True)
    for exe in Path(subprocess.getoutput("pyenv root")).glob("versions/3*/bin/python3.*[0-9]"):
        if not (PYBIN / exe.name).exists():
            (PYBIN / exe.name).symlink_to(exe)
    os.environ["PATH"] = "%s%s%s" % (PYBIN, os.pathsep, os.environ["PATH"])
# Nothing of the user's Ansible setup reaches a session; ansible-lint installs the collection it checks into
# ANSIBLE_HOME, a private one. antsibull-nox writes a JUnit report of its sessions, one per nox process.
for name in [n for n in os.environ if n.startswith("ANSIBLE_") or n in ("PYTHONPATH", "PYTHONHOME")]:
    del os.environ[name]
os.environ.update(HSW_NOX_ENV="1", ANSIBLE_COLLECTIONS_PATH=str(CACHE / "none"), ANSIBLE_HOME=str(CACHE / "ansible"))
os.environ.update(ANSIBLE_NOCOLOR="1", NO_COLOR="1", PY_COLORS="0", PYTHONDONTWRITEBYTECODE="1")
os.environ["ANTSIBULL_NOX_OUTPUT_JUNIT_XML_PATH"] = str(JUNIT / ("antsibull-nox-%d.xml" % os.getpid()))
REAL_HOME = os.environ["HOME"]


def install(session, requirements):
    """Install a pinned requirements file into the session's venv, unless it is there already."""
    stamp = Path(session.virtualenv.location) / ".requirements-stamp"
    digest = hashlib.sha256((ROOT / requirements).read_bytes()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == digest):
        session.install("-r", str(ROOT / requirements))
        stamp.write_text(digest)


def collection_copy(session, core):
    """A fresh copy of the work tree at <tmp>/ansible_collections/hypersender/whatsapp (antsibull-nox)."""
    (CACHE / "none").mkdir(parents=True, exist_ok=True)
    out_of_tree = {"install_in_site_packages": False, "install_out_of_tree": True}
    return prepare_collections(session, ansible_core_version=core, **out_of_tree).current_path


def pytest_session(name, python, requirements, tests, core=None, workers=0, setup=None):
    """A session that runs pytest on `tests`: in a copy of the collection for ansible-core `core`, else here."""

    def run(session):
        install(session, requirements)
        if setup:
            session.run(str(ROOT / setup), external=True)
        with session.chdir(collection_copy(session, core) if core else ROOT):
            xdist = ["-n", str(workers), "--dist", "loadgroup"] if workers else []
            pytest = ["python", "-m", "pytest", *tests.split(), "-p", "no:cacheprovider", "--junitxml"]
            session.run(*pytest, "%s/%s.xml" % (JUNIT, name), *xdist, *session.posargs, env={"HOME": REAL_HOME})

    run.__doc__ = "pytest %s (%s)" % (tests, requirements)
    nox.session(name=name, python=python, default=True)(run)


# Longest first: `nox --parallel` starts the sessions in the order they are defined.
pytest_session("ee", "3.12", "tests/requirements-ee.txt", "tests/ee")
pytest_session("e2e-221", "3.12", CORE["2.21"][1], "tests/e2e", core="2.21", workers=3)
pytest_session("e2e-216", "3.11", CORE["2.16"][1], "tests/e2e", core="2.16", workers=3)


@nox.session(python="3.12", default=True)
def molecule(session):
    """molecule test --all (extensions/molecule), ansible-core 2.21; no scenario leaves its simulator running"""
    install(session, CORE["2.21"][1])
    with session.chdir(tree := collection_copy(session, "2.21")):  # COLUMNS as CI shells set it (ps must not cut)
        session.run("molecule", "test", "--all", env={"COLUMNS": "80", "HOME": REAL_HOME})
    session.run("pgrep", "-f", "%s/tests/simulator" % tree, success_codes=[1], external=True)


def ansible_test_home():
    """ansible-test keeps its venvs and its get-pip cache in ~/.ansible/test: HOME is .cache/home for it (with the
    user's pip settings), and its get-pip cache gets stand-ins (the real ones come from outside the registries)."""
    home = CACHE / "home"
    for rel in (".config/pip", ".pip", ".cache/pip"):
        if (Path(REAL_HOME) / rel).is_dir() and not (home / rel).exists():
            (home / rel).parent.mkdir(parents=True, exist_ok=True)
            (home / rel).symlink_to(Path(REAL_HOME) / rel)
    os.environ["HOME"] = str(home)  # in this session's process (the pytest sessions pass REAL_HOME on)
    subprocess.run([sys.executable, str(ROOT / "scripts/ansible_test_offline.py"), str(ROOT / ".nox")], check=True)


# ansible-test in a copy of the collection, with its own venvs (--venv) or the session's (--local), no container.
ANSIBLE_TEST = {
    "integration": "--local --requirements",
    "sanity": "--venv --junit",
    "units": "--venv --python {python}",
}
for kind, args in ANSIBLE_TEST.items():  # the longest kind first
    for core, (python, _pins) in CORE.items():
        antsibull_nox.add_ansible_test_session(
            name="%s-%s" % (kind, core.replace(".", "")),
            description="ansible-test %s, ansible-core %s" % (kind, core),
            ansible_test_params=[kind, *args.format(python=python).split(), "--color", "no"],
            default=True,
            ansible_core_version=core,
            ansible_core_source="pypi",
            callback_before=ansible_test_home,
            # antsibull-nox 1.10 fails to copy the nested tests/output/.tmp back (ansible-test's delegation venv)
            callback_after=lambda: shutil.rmtree("tests/output/.tmp", ignore_errors=True),
        )


pytest_session("eda", "3.12", "tests/requirements-eda.txt", "tests/eda", "2.21", setup="scripts/ensure-java")
pytest_session("release", "3.12", "tests/requirements-tools.txt", "tests/release", core="2.21")
pytest_session("simulator", "3.12", CORE["2.21"][1], "tests/simulator_tests")
pytest_session("runner", "3.12", CORE["2.21"][1], "tests/runner", core="2.21")


antsibull_nox.load_antsibull_nox_toml()
