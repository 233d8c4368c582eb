"""Run every test of the collection, or the steps named on the command line.

Usage: scripts/test [-j N] [--list] [STEP|GROUP ...]

Steps (no argument: all of them, in this order):
  sanity-216       ansible-test sanity, ansible-core 2.16 (Python 3.11 controller)
  sanity-221       ansible-test sanity, ansible-core 2.21 (Python 3.12 controller)
  units-216        ansible-test units on Python 3.11, ansible-core 2.16
  units-221        ansible-test units on Python 3.12, ansible-core 2.21
  integration-216  pytest tests/integration (real ansible runs), ansible-core 2.16
  integration-221  pytest tests/integration (real ansible runs), ansible-core 2.21
  simulator        pytest tests/simulator_tests (the API simulator), .venv/core221
  release          pytest tests/release (tarball, galaxy-importer, docs), .venv/tools
  lint             ansible-lint (.ansible-lint: production profile), .venv/core221
  eda              pytest tests/eda: ansible-rulebook runs the example rulebook (.venv/eda, Java 17+)
  ee               pytest tests/ee: builds the execution environment (scripts/ee-build: apt, podman,
                   ansible-builder) and runs the gate in it (ansible-runner, navigator), .venv/ee
Groups: sanity, units, integration, 216, 221.

It bootstraps the venvs first (scripts/bootstrap), copies the collection as it
is in the work tree (git-tracked files plus untracked ones that are not ignored)
to .cache/collections/core2XX/ansible_collections/hypersender/whatsapp, where
ansible-test and the integration tests run, then runs the steps, two at a time
by default (-j).  Each step's output goes to .cache/logs/<step>.log; a failing
step's log tail is printed.  It keeps going after a failure, prints a summary
table and, as its last line, ``total: N passed, M failed`` (individual tests,
from JUnit XML).  Exit status 0 only if no step failed.

Standard library only; runs on Python >= 3.9.
"""

import argparse
import fcntl
import glob
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, '.cache')
LOG_DIR = os.path.join(CACHE, 'logs')
JUNIT_DIR = os.path.join(CACHE, 'junit')
PYBIN = os.path.join(CACHE, 'pybin')
EMPTY_COLLECTIONS = os.path.join(CACHE, 'no-collections')
COLLECTION = ('hypersender', 'whatsapp')
STEP_TIMEOUT = int(os.environ.get('HSW_STEP_TIMEOUT', '1800'))  # seconds, per step

NOISE = ('is ignored: it is neither a file nor a directory',)  # pip warnings caused by this machine's pip.conf


class Step:
    """One test step: a command run with one venv, optionally in a collection copy."""

    def __init__(self, name, venv, kind, description, test_dir=None, copy=None):
        self.name = name
        self.venv = venv
        self.kind = kind  # sanity | units | pytest | lint
        self.description = description
        self.test_dir = test_dir  # relative to the collection root; the step is skipped while it holds no tests
        self.copy = copy  # 'core216' / 'core221': runs inside that collection copy
        # ansible-test writes tests/output/ in the copy: one ansible-test step at a time per copy.
        self.exclusive = kind in ('sanity', 'units')
        self.result = 'not run'
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.seconds = 0.0
        self.note = ''

    @property
    def log(self):
        return os.path.join(LOG_DIR, '%s.log' % self.name)


STEPS = [
    Step('sanity-216', 'core216', 'sanity', 'ansible-test sanity, ansible-core 2.16 / Python 3.11', copy='core216'),
    Step('sanity-221', 'core221', 'sanity', 'ansible-test sanity, ansible-core 2.21 / Python 3.12', copy='core221'),
    Step('units-216', 'core216', 'units', 'ansible-test units, ansible-core 2.16 / Python 3.11', 'tests/unit', 'core216'),
    Step('units-221', 'core221', 'units', 'ansible-test units, ansible-core 2.21 / Python 3.12', 'tests/unit', 'core221'),
    Step('integration-216', 'core216', 'pytest', 'pytest tests/e2e, ansible-core 2.16', 'tests/e2e', 'core216'),
    Step('integration-221', 'core221', 'pytest', 'pytest tests/e2e, ansible-core 2.21', 'tests/e2e', 'core221'),
    Step('simulator', 'core221', 'pytest', 'pytest tests/simulator_tests', 'tests/simulator_tests'),
    Step('release', 'tools', 'pytest', 'pytest tests/release (tarball, galaxy-importer, docs)', 'tests/release', 'core221'),
    Step('lint', 'core221', 'lint', 'ansible-lint, production profile'),
    # ansible-rulebook in its own venv (.venv/eda); bootstrap installs Java for it.
    Step('eda', 'eda', 'pytest', 'pytest tests/eda: ansible-rulebook and the example rulebook', 'tests/eda', 'core221'),
    Step('ee', 'ee', 'pytest', 'execution environment: build it (podman) and run the gate in it', 'tests/ee'),
]
GROUPS = {
    'sanity': ['sanity-216', 'sanity-221'],
    'units': ['units-216', 'units-221'],
    'integration': ['integration-216', 'integration-221'],
    '216': ['sanity-216', 'units-216', 'integration-216'],
    '221': ['sanity-221', 'units-221', 'integration-221', 'simulator', 'lint', 'eda'],
}
# Order in which steps are started (longest first keeps both cores busy).
START_ORDER = ['ee', 'sanity-221', 'sanity-216', 'integration-221', 'integration-216', 'units-221', 'units-216',
               'eda', 'release', 'simulator', 'lint']

PRINT_LOCK = threading.Lock()
RUNNING = {}  # step name -> Popen, to stop their process groups on an interrupt


def say(msg):
    with PRINT_LOCK:
        print(msg, flush=True)


def copy_root(copy):
    return os.path.join(CACHE, 'collections', copy)


def copy_path(copy):
    return os.path.join(copy_root(copy), 'ansible_collections', *COLLECTION)


# ---------------------------------------------------------------- collection copy

def work_tree_files():
    """Files of the work tree that git tracks or would track (untracked, not ignored)."""
    try:
        out = subprocess.run(['git', '-C', ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, check=True)
        names = [name for name in out.stdout.decode('utf-8', 'surrogateescape').split('\0') if name]
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (an unpacked archive): take everything but the usual caches.
        skip_dirs = {'.git', '.cache', '.venv', 'tests/output', '.pytest_cache', '.hypothesis', '.ansible', '__pycache__'}
        names = []
        for top, dirs, files in os.walk(ROOT):
            rel = os.path.relpath(top, ROOT)
            rel = '' if rel == '.' else rel
            dirs[:] = [d for d in dirs if os.path.join(rel, d) not in skip_dirs and d not in skip_dirs
                       and not d.startswith('.venv')]
            names.extend(os.path.join(rel, f) for f in files if not f.endswith('.pyc'))
    return sorted(name for name in names if os.path.lexists(os.path.join(ROOT, name)))


def sync_copy(copy):
    """Mirror the work tree into the copy; ansible-test needs the ansible_collections/NS/NAME layout."""
    dest = copy_path(copy)
    os.makedirs(dest, exist_ok=True)
    wanted = set(work_tree_files())
    copied = 0
    for name in wanted:
        src = os.path.join(ROOT, name)
        dst = os.path.join(dest, name)
        if os.path.islink(src):
            target = os.readlink(src)
            if not (os.path.islink(dst) and os.readlink(dst) == target):
                if os.path.lexists(dst):
                    os.unlink(dst)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                os.symlink(target, dst)
                copied += 1
            continue
        if not os.path.isfile(src):
            continue
        src_stat = os.stat(src)
        try:
            dst_stat = os.lstat(dst)
            same = (dst_stat.st_size == src_stat.st_size and int(dst_stat.st_mtime) == int(src_stat.st_mtime)
                    and dst_stat.st_mode == src_stat.st_mode)
        except OSError:
            same = False
        if not same:
            if os.path.lexists(dst) and not os.path.isfile(dst):
                shutil.rmtree(dst) if os.path.isdir(dst) and not os.path.islink(dst) else os.unlink(dst)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
            copied += 1
    removed = 0
    for top, dirs, files in os.walk(dest, topdown=True):
        rel = os.path.relpath(top, dest)
        rel = '' if rel == '.' else rel
        if rel == '':
            dirs[:] = [d for d in dirs if d != '.git']
        if rel == 'tests':
            dirs[:] = [d for d in dirs if d != 'output']  # ansible-test's results and venvs: kept
        dirs[:] = [d for d in dirs if d not in ('__pycache__', '.pytest_cache', '.hypothesis', '.ansible')]
        for name in files:
            path = os.path.join(rel, name)
            if path not in wanted:
                os.unlink(os.path.join(top, name))
                removed += 1
    git_dir = os.path.join(dest, '.git')
    for top, dirs, files in os.walk(dest, topdown=False):
        if top != dest and not os.listdir(top) and not (top + os.sep).startswith(git_dir + os.sep):
            os.rmdir(top)
    # ansible-test lists a collection's files with git (tracked + untracked, not ignored) when the
    # collection root holds .git; without it, it would find the outer repository, where .cache/ is
    # ignored, and test nothing.  An empty repository is enough.
    if not os.path.isdir(os.path.join(git_dir, 'objects')):
        if os.path.lexists(git_dir):
            shutil.rmtree(git_dir)
        subprocess.run(['git', 'init', '-q', dest], check=True, stdin=subprocess.DEVNULL)
    listed = subprocess.run(['git', '-C', dest, 'ls-files', '--others', '--exclude-standard', '--', 'galaxy.yml'],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, check=True, universal_newlines=True)
    if listed.stdout.strip() != 'galaxy.yml':
        raise RuntimeError('git in %s does not list the copied files' % dest)
    return copied, removed


# ---------------------------------------------------------------- running steps

def has_tests(test_dir):
    """True if the directory holds pytest test files (test_*.py or *_test.py)."""
    top = os.path.join(ROOT, test_dir)
    for _top, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ('__pycache__', 'output')]
        if any((f.startswith('test_') and f.endswith('.py')) or f.endswith('_test.py') for f in files):
            return True
    return False


def step_env(step):
    venv = os.path.join(ROOT, '.venv', step.venv)
    env = dict(os.environ)
    for key in ('PYTHONHOME', 'PYTHONPATH', 'VIRTUAL_ENV', 'ANSIBLE_CONFIG', 'ANSIBLE_COLLECTIONS_PATH',
                'ANSIBLE_COLLECTIONS_PATHS', 'PYENV_VERSION'):
        env.pop(key, None)
    env['PATH'] = os.pathsep.join([os.path.join(venv, 'bin'), PYBIN, os.environ.get('PATH', '')])
    env['VIRTUAL_ENV'] = venv
    env['PIP_DISABLE_PIP_VERSION_CHECK'] = '1'
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    env['NO_COLOR'] = '1'
    env['PY_COLORS'] = '0'
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_FORCE_COLOR'] = '0'
    # The tests find the collection themselves (the copy sits in an ansible_collections/hypersender/whatsapp
    # tree).  An empty collections path keeps collections installed for the user (~/.ansible/collections,
    # maybe an old hypersender.whatsapp) out of every step.
    os.makedirs(EMPTY_COLLECTIONS, exist_ok=True)
    env['ANSIBLE_COLLECTIONS_PATH'] = EMPTY_COLLECTIONS
    return env


def step_command(step):
    """Return (argv, cwd, junit_glob) for a step."""
    venv_bin = os.path.join(ROOT, '.venv', step.venv, 'bin')
    python = os.path.join(venv_bin, 'python')
    if step.kind == 'sanity':
        # --venv: ansible-test builds a venv per test with the pinned tools it needs.  No --python: the
        # compile and import tests run on every Python of 3.9-3.13 that ansible-test supports and finds
        # (.cache/pybin); the other tests on the venv's Python.
        argv = [os.path.join(venv_bin, 'ansible-test'), 'sanity', '--venv', '--junit', '--color', 'no']
        return argv, copy_path(step.copy), os.path.join(copy_path(step.copy), 'tests', 'output', 'junit', '*.xml')
    if step.kind == 'units':
        version = '3.11' if step.venv == 'core216' else '3.12'
        argv = [os.path.join(venv_bin, 'ansible-test'), 'units', '--venv', '--python', version, '--color', 'no']
        return argv, copy_path(step.copy), os.path.join(copy_path(step.copy), 'tests', 'output', 'junit', '*.xml')
    if step.kind == 'pytest':
        junit = os.path.join(JUNIT_DIR, '%s.xml' % step.name)
        cwd = copy_path(step.copy) if step.copy else ROOT
        argv = [python, '-m', 'pytest', step.test_dir, '-p', 'no:cacheprovider', '-o', 'junit_family=xunit2',
                '--junitxml', junit, '-q', '-rfE', '--color=no']
        return argv, cwd, junit
    if step.kind == 'lint':
        junit = os.path.join(JUNIT_DIR, 'lint.xml')
        argv = [os.path.join(venv_bin, 'ansible-lint'), '-c', os.path.join(ROOT, '.ansible-lint'),
                '--nocolor', '-f', 'pep8']
        return argv, ROOT, None
    raise ValueError(step.kind)


def count_junit(pattern):
    """Return (passed, failed, skipped) summed over JUnit XML files, or None if there are none."""
    files = sorted(glob.glob(pattern)) if pattern else []
    if not files:
        return None
    passed = failed = skipped = 0
    for path in files:
        try:
            tree = ET.parse(path)
        except ET.ParseError:
            failed += 1
            continue
        for case in tree.iter('testcase'):
            tags = {child.tag for child in case}
            if tags & {'failure', 'error'}:
                failed += 1
            elif 'skipped' in tags:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def log_excerpt(path, lines=60):
    """The lines that tell why a step failed: ansible-test's ERROR/FATAL lines, else the log's tail."""
    try:
        with open(path, errors='replace') as handle:
            text = [line.rstrip('\n') for line in handle if not any(n in line for n in NOISE)]
    except OSError:
        return ''
    errors = [line for line in text if line.startswith(('ERROR: ', 'FATAL: '))]
    if errors:
        return '\n'.join(errors[:150] + (['... (%d more in the log)' % (len(errors) - 150)] if len(errors) > 150 else []))
    return '\n'.join(text[-lines:])


def run_step(step):
    start = time.monotonic()
    try:
        if step.test_dir and not has_tests(step.test_dir):
            step.result = 'skipped'
            step.note = 'no test files in %s yet' % step.test_dir
            return
        argv, cwd, junit = step_command(step)
        kept = os.path.join(JUNIT_DIR, step.name)
        for old in glob.glob(junit or '') + glob.glob(os.path.join(kept, '*.xml')):
            os.unlink(old)
        with open(step.log, 'w') as log:
            log.write('$ cd %s\n$ %s\n' % (cwd, ' '.join(argv)))
            log.flush()
            proc = subprocess.Popen(argv, cwd=cwd, env=step_env(step), stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            RUNNING[step.name] = proc
            try:
                code = proc.wait(timeout=STEP_TIMEOUT)
            except subprocess.TimeoutExpired:
                stop_process_group(proc)
                code = None
            finally:
                RUNNING.pop(step.name, None)
            log.write('\n[exit status: %s]\n' % code)
        if step.kind in ('sanity', 'units') and junit:
            # keep ansible-test's reports in .cache/junit/<step>/ (the next ansible-test run clears them)
            os.makedirs(kept, exist_ok=True)
            for path in glob.glob(junit):
                shutil.move(path, os.path.join(kept, os.path.basename(path)))
            junit = os.path.join(kept, '*.xml')
        counts = count_junit(junit)
        if code is None:
            step.result = 'FAILED'
            step.note = 'timed out after %d s' % STEP_TIMEOUT
        elif code == 0:
            step.result = 'passed'
        elif code == 5 and step.kind == 'pytest':
            step.result = 'FAILED'
            step.note = 'pytest collected no tests'
        else:
            step.result = 'FAILED'
            step.note = 'exit status %d' % code
        if counts is None:
            counts = (1, 0, 0) if step.result == 'passed' else (0, 1, 0)
        step.passed, step.failed, step.skipped = counts
        if step.result != 'passed' and step.failed == 0:
            step.failed = 1  # failed outside any test case (collection error, crash, timeout)
        if step.result == 'passed' and step.failed:
            step.result = 'FAILED'
            step.note = '%d failed test(s) with exit status 0' % step.failed
    except Exception as ex:  # pylint: disable=broad-except
        step.result = 'FAILED'
        step.note = 'runner error: %s' % ex
        step.failed = max(step.failed, 1)
    finally:
        step.seconds = time.monotonic() - start


def stop_process_group(proc):
    """Stop a step's whole process group (ansible-test and pytest start children of their own)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except OSError:
            return
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def report_step(step):
    if step.result == 'skipped':
        say('--- %-16s skipped (%s)' % (step.name, step.note))
        return
    tests = '%d passed, %d failed' % (step.passed, step.failed)
    if step.skipped:
        tests += ', %d skipped' % step.skipped
    note = (' (%s)' % step.note) if step.note else ''
    say('--- %-16s %s in %.0f s: %s%s; log: %s' % (
        step.name, step.result, step.seconds, tests, note, os.path.relpath(step.log, ROOT)))
    if step.result != 'passed':
        say('----- from %s -----\n%s\n----- end of %s -----' % (
            os.path.relpath(step.log, ROOT), log_excerpt(step.log), step.name))


def schedule(steps, jobs):
    """Run steps, up to `jobs` at a time, never two ansible-test steps at once in the same collection copy."""
    pending = sorted(steps, key=lambda s: START_ORDER.index(s.name))
    busy_copies = set()
    running = []
    cond = threading.Condition()

    def worker(step):
        run_step(step)
        report_step(step)
        with cond:
            running.remove(step)
            if step.exclusive:
                busy_copies.discard(step.copy)
            cond.notify_all()

    threads = []
    with cond:
        while pending:
            ready = [s for s in pending if not s.exclusive or s.copy not in busy_copies]
            if len(running) < jobs and ready:
                step = ready[0]
                pending.remove(step)
                running.append(step)
                if step.exclusive:
                    busy_copies.add(step.copy)
                say('>>> %-16s started: %s' % (step.name, step.description))
                thread = threading.Thread(target=worker, args=(step,), daemon=True)
                threads.append(thread)
                thread.start()
            else:
                cond.wait()
    for thread in threads:
        thread.join()


def summary(steps, setup_seconds, total_seconds):
    rows = [('step', 'result', 'passed', 'failed', 'skipped', 'seconds')]
    for step in steps:
        rows.append((step.name, step.result, str(step.passed), str(step.failed), str(step.skipped),
                     '%.0f' % step.seconds))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ['', 'Summary (wall time %.0f s, of which setup %.0f s):' % (total_seconds, setup_seconds)]
    for index, row in enumerate(rows):
        lines.append('  '.join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            lines.append('  '.join('-' * w for w in widths))
    for step in steps:
        if step.note and step.result != 'passed':
            lines.append('%s: %s' % (step.name, step.note))
    say('\n'.join(lines))


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='scripts/test', description='Run the collection\'s tests (all steps when none is named).',
        epilog='steps: %s; groups: %s' % (' '.join(s.name for s in STEPS), ' '.join(GROUPS)))
    parser.add_argument('steps', nargs='*', metavar='STEP', help='step or group names')
    parser.add_argument('-j', '--jobs', type=int, default=int(os.environ.get('HSW_TEST_JOBS', '2')),
                        help='steps run at the same time (default 2)')
    parser.add_argument('--list', action='store_true', help='list the steps and exit')
    args = parser.parse_args(argv)
    names = []
    for name in args.steps or [s.name for s in STEPS]:
        expanded = GROUPS.get(name, [name])
        for item in expanded:
            if item not in [s.name for s in STEPS]:
                parser.error('unknown step %r (steps: %s; groups: %s)' % (
                    item, ' '.join(s.name for s in STEPS), ' '.join(GROUPS)))
            if item not in names:
                names.append(item)
    args.selected = [s for s in STEPS if s.name in names]
    return args


def main(argv):
    args = parse_args(argv)
    if args.list:
        for step in STEPS:
            print('%-16s %s' % (step.name, step.description))
        return 0
    started = time.monotonic()
    steps = args.selected
    os.makedirs(LOG_DIR, exist_ok=True)
    os.makedirs(JUNIT_DIR, exist_ok=True)
    # Runs in one work tree share the collection copies and logs: one at a time.
    lock = open(os.path.join(CACHE, 'test.lock'), 'w')  # pylint: disable=consider-using-with
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        say('=== waiting for another scripts/test run in this work tree to finish')
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = time.monotonic()

    venvs = sorted({step.venv for step in steps})
    say('=== bootstrap: %s' % ', '.join('.venv/%s' % v for v in venvs))
    boot = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'bootstrap.py')] + venvs,
                          stdin=subprocess.DEVNULL, check=False)
    if boot.returncode != 0:
        say('bootstrap failed (exit status %d): no step was run' % boot.returncode)
        say('total: 0 passed, 1 failed')
        return 1

    for copy in sorted({step.copy for step in steps if step.copy}):
        try:
            copied, removed = sync_copy(copy)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as ex:
            say('copying the collection to %s failed: %s' % (os.path.relpath(copy_path(copy), ROOT), ex))
            say('total: 0 passed, 1 failed')
            return 1
        say('=== collection copy %s: %d file(s) updated, %d removed' % (
            os.path.relpath(copy_path(copy), ROOT), copied, removed))

    setup_seconds = time.monotonic() - started
    say('=== setup (bootstrap, copies) took %.0f s; running %d step(s), %d at a time: %s' % (
        setup_seconds, len(steps), max(args.jobs, 1), ' '.join(s.name for s in steps)))
    schedule(steps, max(args.jobs, 1))

    summary(steps, setup_seconds, time.monotonic() - started)
    passed = sum(step.passed for step in steps)
    failed = sum(step.failed for step in steps)
    ok = all(step.result in ('passed', 'skipped') for step in steps)
    say('total: %d passed, %d failed' % (passed, failed))
    return 0 if ok else 1


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, _terminate)
    try:
        sys.exit(main(sys.argv[1:]))
    except (KeyboardInterrupt, SystemExit) as stop:
        if RUNNING:
            say('interrupted: stopping %s' % ' '.join(sorted(RUNNING)))
        for running in list(RUNNING.values()):
            stop_process_group(running)
        if isinstance(stop, KeyboardInterrupt):
            sys.exit(130)
        raise
