# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's test steps as nox sessions (nox + antsibull-nox; see CONTRIBUTING.md).

Run them with ``./scripts/test`` (all default sessions, two at a time, then a
summary whose last line is ``N passed, N failed``), or with nox itself after
``./scripts/bootstrap``:  ``.venv/nox/bin/nox -s units-221``.

Each session gets its own venv under ``.nox/`` from a pinned requirements file
(tests/requirements-*.txt), reinstalled only when that file changes.  Sessions
that need the ``ansible_collections/hypersender/whatsapp`` layout run in a
fresh copy of the work tree made by antsibull-nox (git-tracked files plus
untracked ones that are not ignored).  ansible-test gets a private HOME
(.cache/ansible-test-home) where scripts/ansible_test_offline.py seeds its
get-pip cache: ansible-test never writes the user's ~/.ansible.  Every session leaves
its JUnit XML in .cache/junit/<session>/, which the summary counts.

Adding a step is one decorated function below: a name, a Python, tags (the
groups ``scripts/test`` accepts), and what to run.
"""

import hashlib
import os
import shutil
from pathlib import Path

import nox
from antsibull_nox.sessions.collections import prepare_collections

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"
JUNIT = CACHE / "junit"
ANSIBLE_TEST_HOME = CACHE / "ansible-test-home"
EMPTY_COLLECTIONS = CACHE / "no-collections"
# ansible-lint installs the collection it checks into $ANSIBLE_HOME/collections (default ~/.ansible): a private one.
ANSIBLE_LINT_HOME = CACHE / "ansible-lint-home"

# ansible-core version -> (controller Python, pinned requirements)
CORE = {
    "2.16": ("3.11", "tests/requirements-core216.txt"),
    "2.21": ("3.12", "tests/requirements-core221.txt"),
}
TOOLS = "tests/requirements-tools.txt"
EDA = "tests/requirements-eda.txt"
EE = "tests/requirements-ee.txt"

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.error_on_external_run = True

# scripts/bootstrap links python3.9 ... python3.13 into .cache/pybin (pyenv shims fail for versions
# that are not global): nox finds the sessions' Pythons there, ansible-test the ones for its
# compile and import tests.
os.environ["PATH"] = os.pathsep.join([str(CACHE / "pybin"), os.environ.get("PATH", "")])
# Nothing from the caller's Ansible or Python setup leaks into a step; an empty collections
# path keeps collections installed for the user (maybe an old hypersender.whatsapp) out.
for _name in (
    "PYTHONHOME",
    "PYTHONPATH",
    "ANSIBLE_CONFIG",
    "ANSIBLE_COLLECTIONS_PATH",
    "ANSIBLE_COLLECTIONS_PATHS",
    "PYENV_VERSION",
):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "ANSIBLE_COLLECTIONS_PATH": str(EMPTY_COLLECTIONS),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_COLOR": "1",
        "PY_COLORS": "0",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
    }
)


# ---------------------------------------------------------------- building blocks


def install(session, requirements):
    """Install a pinned requirements file into the session's venv, unless it is there already."""
    stamp = Path(session.virtualenv.location) / ".requirements-stamp"
    digest = hashlib.sha256((ROOT / requirements).read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    session.install("-r", str(ROOT / requirements))
    stamp.write_text(digest)


def junit_dir(session):
    """An empty .cache/junit/<session>/ for this run's JUnit XML."""
    path = JUNIT / session.name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def collection_copy(session, core):
    """A fresh copy of the work tree at <tmp>/ansible_collections/hypersender/whatsapp (antsibull-nox)."""
    EMPTY_COLLECTIONS.mkdir(parents=True, exist_ok=True)
    setup = prepare_collections(
        session, ansible_core_version=core, install_in_site_packages=False, install_out_of_tree=True
    )
    if setup is None:
        session.error("could not copy the collection into an ansible_collections tree")
    return setup.current_path


def ansible_test(session, core, *args):
    """Run ansible-test in a copy of the collection, offline, with a private HOME; keep its JUnit XML."""
    install(session, CORE[core][1])
    results = junit_dir(session)
    session.run("python", str(ROOT / "scripts" / "ansible_test_offline.py"), str(ANSIBLE_TEST_HOME))
    tree = collection_copy(session, core)
    with session.chdir(tree):
        try:
            session.run("ansible-test", *args, "--color", "no", *session.posargs, env={"HOME": str(ANSIBLE_TEST_HOME)})
        finally:
            for report in (tree / "tests" / "output" / "junit").glob("*.xml"):
                shutil.copy2(report, results / report.name)


def pytest(session, requirements, test_dir, core=None, workers=None):
    """Run pytest on test_dir: in a copy of the collection for that ansible-core, else in the work tree.

    ``workers``: run the tests in that many pytest-xdist processes. Most e2e tests wait on a simulator's
    timeline rather than compute, so three workers fit on two cores; tests marked
    ``xdist_group`` (molecule, which shares the collection tree) stay in one worker.
    """
    install(session, requirements)
    results = junit_dir(session)
    where = collection_copy(session, core) if core else ROOT
    with session.chdir(where):
        session.run(
            "python",
            "-m",
            "pytest",
            test_dir,
            "-p",
            "no:cacheprovider",
            "-o",
            "junit_family=xunit2",
            "--junitxml",
            str(results / "pytest.xml"),
            "-q",
            "-rfE",
            "--color=no",
            *(("-n", str(workers), "--dist", "loadgroup") if workers else ()),
            *session.posargs
        )


def no_stray_pytest_files(session):
    """Fail on pytest files in tests/integration/: ansible-test only runs targets there, so they would never run."""
    stray = sorted(p.name for p in (ROOT / "tests" / "integration").glob("*.py"))
    if stray:
        session.error(
            "tests/integration/ holds pytest files that no step runs (%s): move them to tests/e2e/" % ", ".join(stray)
        )


# ---------------------------------------------------------------- the steps
# Defined longest first: `nox --parallel 2` starts them in this order.


@nox.session(name="ee", python="3.12", tags=["ee"], allow_parallel=True)
def ee(session):
    """pytest tests/ee: build the execution environment (scripts/ee-build: apt podman, debootstrap, ansible-builder)
    and run the deploy gate in it (ansible-runner --process-isolation, ansible-navigator)"""
    pytest(session, EE, "tests/ee")


@nox.session(name="e2e-221", python="3.12", tags=["e2e", "221"], allow_parallel=True)
def e2e_221(session):
    """pytest tests/e2e (secret scans at -vvvv, roles, playbooks, molecule, ansible-runner), ansible-core 2.21"""
    no_stray_pytest_files(session)
    pytest(session, CORE["2.21"][1], "tests/e2e", core="2.21", workers=3)


@nox.session(name="sanity-221", python="3.12", tags=["sanity", "221"], allow_parallel=True)
def sanity_221(session):
    """ansible-test sanity, ansible-core 2.21 / Python 3.12"""
    ansible_test(session, "2.21", "sanity", "--venv", "--junit")


@nox.session(name="sanity-216", python="3.11", tags=["sanity", "216"], allow_parallel=True)
def sanity_216(session):
    """ansible-test sanity, ansible-core 2.16 / Python 3.11"""
    ansible_test(session, "2.16", "sanity", "--venv", "--junit")


@nox.session(name="e2e-216", python="3.11", tags=["e2e", "216"], allow_parallel=True)
def e2e_216(session):
    """pytest tests/e2e (secret scans at -vvvv, roles, playbooks), ansible-core 2.16"""
    no_stray_pytest_files(session)
    pytest(session, CORE["2.16"][1], "tests/e2e", core="2.16", workers=3)


@nox.session(name="eda", python="3.12", tags=["eda", "221"], allow_parallel=True)
def eda(session):
    """pytest tests/eda: the real ansible-rulebook runs the example rulebook against the simulator (Java 17+ from apt)"""
    session.run("bash", str(ROOT / "scripts" / "ensure-java"), external=True)
    pytest(session, EDA, "tests/eda", core="2.21")


@nox.session(name="integration-221", python="3.12", tags=["integration", "221"], allow_parallel=True)
def integration_221(session):
    """ansible-test integration (tests/integration/targets), ansible-core 2.21 / Python 3.12"""
    ansible_test(session, "2.21", "integration", "--local")


@nox.session(name="integration-216", python="3.11", tags=["integration", "216"], allow_parallel=True)
def integration_216(session):
    """ansible-test integration (tests/integration/targets), ansible-core 2.16 / Python 3.11"""
    ansible_test(session, "2.16", "integration", "--local")


@nox.session(name="units-221", python="3.12", tags=["units", "221"], allow_parallel=True)
def units_221(session):
    """ansible-test units, ansible-core 2.21 / Python 3.12"""
    ansible_test(session, "2.21", "units", "--venv", "--python", "3.12")


@nox.session(name="units-216", python="3.11", tags=["units", "216"], allow_parallel=True)
def units_216(session):
    """ansible-test units, ansible-core 2.16 / Python 3.11"""
    ansible_test(session, "2.16", "units", "--venv", "--python", "3.11")


@nox.session(name="release", python="3.12", tags=["release"], allow_parallel=True)
def release(session):
    """pytest tests/release: tarball, galaxy-importer, antsibull-docs + Sphinx, antsibull-changelog, ansible-builder"""
    pytest(session, TOOLS, "tests/release", core="2.21")


@nox.session(name="simulator", python="3.12", tags=["221"], allow_parallel=True)
def simulator(session):
    """pytest tests/simulator_tests: the API simulator and its contract (schemathesis)"""
    pytest(session, CORE["2.21"][1], "tests/simulator_tests")


@nox.session(name="lint", python="3.12", tags=["221"], allow_parallel=True)
def lint(session):
    """ansible-lint, production profile (.ansible-lint)"""
    install(session, CORE["2.21"][1])
    junit_dir(session)
    session.run(
        "ansible-lint",
        "-c",
        str(ROOT / ".ansible-lint"),
        "--nocolor",
        "-f",
        "pep8",
        env={"ANSIBLE_HOME": str(ANSIBLE_LINT_HOME)},
    )


# ---------------------------------------------------------------- venvs for scripts/demo, bench, build-docs
# Not tests (default=False): `scripts/bootstrap core221` builds one and links it as .venv/core221.


@nox.session(name="venv-core216", python="3.11", default=False)
def venv_core216(session):
    """the ansible-core 2.16 environment (.venv/core216)"""
    install(session, CORE["2.16"][1])


@nox.session(name="venv-core221", python="3.12", default=False)
def venv_core221(session):
    """the ansible-core 2.21 environment (.venv/core221): scripts/demo, scripts/bench"""
    install(session, CORE["2.21"][1])


@nox.session(name="venv-ee", python="3.12", default=False)
def venv_ee(session):
    """the execution-environment tools (.venv/ee): scripts/ee-build, scripts/ee-bench"""
    install(session, EE)


@nox.session(name="venv-eda", python="3.12", default=False)
def venv_eda(session):
    """ansible-rulebook (.venv/eda), with Java 17+ from apt"""
    install(session, EDA)
    session.run("bash", str(ROOT / "scripts" / "ensure-java"), external=True)


@nox.session(name="venv-tools", python="3.12", default=False)
def venv_tools(session):
    """the release and docs tools (.venv/tools): scripts/build-docs"""
    install(session, TOOLS)
