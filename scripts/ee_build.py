"""Build the collection's execution environment (EE) locally with ansible-builder and podman.

Usage: scripts/ee-build [--image NAME] [--rebuild-base] [--extra-index-url URL] [--collection DIR]

No container registry is needed; only the package registries the machine already uses. It installs from apt
what podman builds need (only the missing packages), uses only the project's container settings
(scripts/ee/containers.conf: runc, the machine's ulimits, host network; images in .cache/ee/storage; nothing
under /etc changes), makes a minimal Debian base image with debootstrap from the host's apt mirror (unless one
from the same recipe exists), builds the collection tarball and runs ``ansible-builder build`` on
docs/execution-environment/local/. The host's pip settings (``pip config list``: indexes, trusted hosts, CA
certificates, PIP_* variables) reach every RUN of the build through a read-only bind mount that no layer keeps;
after the build the image is checked: no index credential and no pip.conf of those inputs may remain in it.

Prints the figures (base image and build time, image size) and writes them to .cache/ee/build.json.
Standard library only.
"""

import argparse
import glob
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.environ.get("HSW_EE_CACHE") or os.path.join(ROOT, ".cache", "ee")
CONTAINERS_CONF = os.path.join(HERE, "ee", "containers.conf")
APT_PACKAGES = ("podman", "runc", "debootstrap", "uidmap", "fuse-overlayfs", "slirp4netns", "netavark", "conmon")
BASE_PACKAGES = ("python3", "python3-pip", "ca-certificates")
BASE_RECIPE_VERSION = "2"  # bump to force a new base image
BASE_LABEL = "io.hypersender.whatsapp.ee-base-recipe"
COLLECTION = "hypersender.whatsapp"
IMAGE = "localhost/hypersender-whatsapp-ee:test"
BASE_IMAGE = "localhost/hypersender-whatsapp-ee-base:bookworm"  # its name in docs/execution-environment/local/
LOCAL_EE_DIR = os.path.join(ROOT, "docs", "execution-environment", "local")
TARBALL = "hypersender-whatsapp.tar.gz"  # the collection's tarball, as local/execution-environment.yml names it
PIP_CONF_DIR = "/etc/xdg/pip"  # where the build inputs appear during RUN steps: an empty directory of the base image
PIP_KEYS = (
    "index-url",
    "extra-index-url",
    "find-links",
    "trusted-host",
    "cert",
    "timeout",
    "default-timeout",
    "retries",
)


def say(msg):
    print("ee-build: %s" % msg, flush=True)


def fail(msg):
    sys.exit("ee-build: ERROR: %s" % msg)


def run(argv, env=None, capture=False, check=True, **kwargs):
    """Run a command; on failure exit with its output's tail."""
    proc = subprocess.run(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
        universal_newlines=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
        **kwargs
    )
    if check and proc.returncode != 0:
        tail = ((proc.stdout or "") + (proc.stderr or ""))[-3000:] if capture else ""
        fail("command failed (exit status %d): %s\n%s" % (proc.returncode, " ".join(argv), tail))
    return proc


def run_logged(argv, log, what, **kwargs):
    """Run a long command with its output in the file `log`; on failure exit with the log's tail."""
    with open(log, "w") as handle:
        kwargs.update(stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
        proc = subprocess.run(argv, **kwargs)  # pylint: disable=subprocess-run-check
    if proc.returncode != 0:
        with open(log) as handle:
            fail("%s failed (exit status %d); log %s:\n%s" % (what, proc.returncode, log, handle.read()[-4000:]))


# ---------------------------------------------------------------- host packages


def missing_apt_packages(packages=APT_PACKAGES):
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n"] + list(packages),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        universal_newlines=True,
        check=False,
    )
    installed = {line.split()[0] for line in proc.stdout.splitlines() if line.endswith(" installed")}
    return [name for name in packages if name not in installed]


def ensure_apt_packages():
    missing = missing_apt_packages()
    if not missing:
        return 0.0
    if os.geteuid() != 0:
        fail("missing packages %s; install them with: sudo apt-get install %s" % (" ".join(missing), " ".join(missing)))
    started = time.monotonic()
    say("installing from apt: %s" % " ".join(missing))
    lock = ["-o", "DPkg::Lock::Timeout=600"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get"] + lock + ["update", "-qq"], env=env, capture=True)
    run(["apt-get"] + lock + ["install", "-y", "-qq", "--no-install-recommends"] + missing, env=env, capture=True)
    return time.monotonic() - started


# ---------------------------------------------------------------- container settings


def storage_conf():
    """Write .cache/ee/storage.conf (absolute paths into the project's cache) and return its path."""
    path = os.path.join(CACHE, "storage.conf")
    text = (
        "# Written by scripts/ee-build: podman storage for the execution-environment build and tests.\n"
        '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n'
        % (os.path.join(CACHE, "storage", "graph"), os.path.join(CACHE, "storage", "run"))
    )
    os.makedirs(CACHE, exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    return path


def podman_env(base=None):
    """The environment in which podman (and ansible-builder, runner, navigator calling it) use the project's settings."""
    env = dict(os.environ if base is None else base)
    env["CONTAINERS_CONF"] = CONTAINERS_CONF
    env["CONTAINERS_STORAGE_CONF"] = storage_conf()
    return env


def podman(args, capture=True, check=True):
    return run(["podman"] + list(args), env=podman_env(), capture=capture, check=check)


def image_exists(name):
    return podman(["image", "exists", name], check=False).returncode == 0


# ---------------------------------------------------------------- base image


def apt_sources(etc_apt="/etc/apt"):
    """(uri, suites, components) of every 'deb' source the host's apt reads (one-line and deb822 formats)."""
    sources = []
    paths = [os.path.join(etc_apt, "sources.list")] + sorted(
        glob.glob(os.path.join(etc_apt, "sources.list.d", "*.list"))
    )
    for path in paths:
        try:
            with open(path) as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.split("#", 1)[0].strip()
            line = re.sub(r"\[[^\]]*\]", "", line)  # [arch=... signed-by=...]
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb":
                sources.append((parts[1], [parts[2]], parts[3:]))
    for path in sorted(glob.glob(os.path.join(etc_apt, "sources.list.d", "*.sources"))):
        with open(path) as handle:
            stanzas = re.split(r"\n\s*\n", handle.read())
        for stanza in stanzas:
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line or line[0].isspace():
                    continue
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.split()
            if "deb" in fields.get("types", []) and fields.get("enabled", ["yes"])[0] != "no":
                for uri in fields.get("uris", []):
                    sources.append((uri, fields.get("suites", []), fields.get("components", [])))
    return sources


def debian_mirror(codename, etc_apt="/etc/apt"):
    """The host's Debian mirror for this release: a 'deb' source with the suite and 'main', not the security one."""
    for uri, suites, components in apt_sources(etc_apt):
        if codename in suites and "main" in components and "security" not in uri:
            return uri
    fail("no Debian mirror for %s with component main in /etc/apt/sources.list or /etc/apt/sources.list.d/" % codename)
    return None


def base_recipe(codename, mirror):
    text = json.dumps([BASE_RECIPE_VERSION, codename, mirror, BASE_PACKAGES])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def remove_rootfs(rootfs):
    """Remove a (partial) debootstrap tree, unmounting first what debootstrap mounted in it (proc, sys)."""
    with open("/proc/self/mounts") as handle:
        mounts = [line.split()[1] for line in handle]
    for mount in sorted((m for m in mounts if m.startswith(rootfs + "/")), reverse=True):
        subprocess.run(["umount", "--lazy", mount], check=False)
    for _attempt in range(50):  # debootstrap's own children may still write for a moment after a stop
        shutil.rmtree(rootfs, ignore_errors=True)
        if not os.path.exists(rootfs):
            break
        time.sleep(0.1)


def ensure_base_image(rebuild=False):
    """Make the Debian base image unless one from the same recipe exists; return the seconds it took (0 if reused)."""
    release = platform.freedesktop_os_release()
    if release.get("ID") != "debian" or not release.get("VERSION_CODENAME"):
        fail(
            "the base image is made with debootstrap from the host's Debian mirror; this host is %s"
            % release.get("PRETTY_NAME", "not Debian")
        )
    codename = release["VERSION_CODENAME"]
    mirror = debian_mirror(codename)
    recipe = base_recipe(codename, mirror)
    if not rebuild and image_exists(BASE_IMAGE):
        label = podman(
            ["image", "inspect", "--format", '{{ index .Labels "%s" }}' % BASE_LABEL, BASE_IMAGE]
        ).stdout.strip()
        if label == recipe:
            say("base image %s is up to date (Debian %s, recipe %s)" % (BASE_IMAGE, codename, recipe))
            return 0.0
    started = time.monotonic()
    say(
        "making base image %s: debootstrap --variant=minbase %s from the host's mirror %s"
        % (BASE_IMAGE, codename, urllib.parse.urlsplit(mirror).netloc)
    )
    os.makedirs(CACHE, exist_ok=True)
    for stale in glob.glob(os.path.join(CACHE, "rootfs-*")):  # left by a run that was killed
        remove_rootfs(stale)
    rootfs = tempfile.mkdtemp(prefix="rootfs-", dir=CACHE)
    # A stop (SIGTERM, SIGHUP: scripts/test stopping a run, a CI timeout) ends debootstrap and removes the
    # partial tree, as an error does.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, _frame: sys.exit(128 + signum))
    try:
        debootstrap = ["debootstrap", "--variant=minbase", "--include=" + ",".join(BASE_PACKAGES), codename, rootfs]
        run_logged(debootstrap + [mirror], os.path.join(CACHE, "debootstrap.log"), "debootstrap")
        # What an image does not need: downloaded packages and package lists (the EE build does not install
        # from apt: the only system package the collection needs, ca-certificates, is already there).
        # The mount point of the build inputs (see build_inputs): there from the start, so no layer adds it.
        os.makedirs(os.path.join(rootfs, PIP_CONF_DIR.lstrip("/")), mode=0o755, exist_ok=True)
        for pattern in ("var/cache/apt/archives/*.deb", "var/lib/apt/lists/*_*", "var/log/*.log", "var/log/apt/*"):
            for path in glob.glob(os.path.join(rootfs, pattern)):
                if os.path.isfile(path):
                    os.unlink(path)
        tar = subprocess.Popen(
            ["tar", "-C", rootfs, "--numeric-owner", "-c", "."],  # pylint: disable=consider-using-with
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        imported = subprocess.run(
            ["podman", "import", "--change", 'CMD ["/bin/bash"]', "--change", "LABEL %s=%s" % (BASE_LABEL, recipe)]
            + ["-", BASE_IMAGE],
            stdin=tar.stdout,
            env=podman_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            check=False,
        )
        tar.stdout.close()
        if tar.wait() != 0 or imported.returncode != 0:
            fail("podman import failed: %s" % imported.stderr[-2000:])
    finally:
        remove_rootfs(rootfs)
    seconds = time.monotonic() - started
    say("base image made in %.0f s" % seconds)
    with open(os.path.join(CACHE, "base.json"), "w") as handle:
        json.dump({"image": BASE_IMAGE, "recipe": recipe, "seconds": round(seconds, 1)}, handle)
    return seconds


# ---------------------------------------------------------------- pip settings as build inputs


def pip_settings(python=None):
    """The host's effective pip settings for ``pip install`` (files, then the install section, then PIP_* variables)."""
    python = python or shutil.which("python3") or sys.executable
    proc = subprocess.run(
        [python, "-m", "pip", "config", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        universal_newlines=True,
        check=False,
    )
    return parse_pip_config_list(proc.stdout)


def parse_pip_config_list(text):
    """The settings of ``pip config list`` output (``section.key='value'`` lines) that matter to ``pip install``."""
    by_section = {}
    for line in text.splitlines():
        match = re.match(r"^([^.]+)\.([^=]+)=(.*)$", line)
        if not match:
            continue
        section, key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        by_section.setdefault(section, {})[key] = value
    settings = {}
    for section in ("global", "install", ":env:"):
        for key, value in by_section.get(section, {}).items():
            if key in PIP_KEYS:
                settings["timeout" if key == "default-timeout" else key] = value
    return settings


def host_ca_bundle(settings):
    """The CA certificates the host trusts for pip: pip's cert setting, else the system bundle (it includes
    /usr/local/share/ca-certificates once update-ca-certificates has run)."""
    for candidate in (
        settings.get("cert"),
        os.environ.get("REQUESTS_CA_BUNDLE"),
        os.environ.get("SSL_CERT_FILE"),
        "/etc/ssl/certs/ca-certificates.crt",
    ):
        if candidate and os.path.isfile(candidate):
            return candidate
    return None


def url_secrets(url):
    """Credentials in an index URL (user:password@host): what must never land in the image."""
    parts = urllib.parse.urlsplit(url)
    found = []
    if parts.password:
        found.append(urllib.parse.unquote(parts.password))
    if parts.username and parts.password is None and len(parts.username) >= 8:
        found.append(urllib.parse.unquote(parts.username))  # a token used as the user name
    return found


def build_inputs(directory, extra_index_urls=(), trusted_hosts=(), settings=None):
    """Write pip.conf and the CA bundle for the build into `directory`.

    Returns (volume arguments for podman build, the credentials found in index URLs, a summary).
    The directory is mounted read-only over /etc/xdg/pip, an empty directory of the base image, where pip
    looks for its site-wide configuration: nothing of it is left in the image. Local indexes and find-links
    directories (file:// URLs, paths) are left out: the build reaches package indexes over the network only.
    """
    settings = pip_settings() if settings is None else settings
    os.makedirs(directory, mode=0o700, exist_ok=True)

    conf = {}
    secrets = []
    for key in ("index-url", "extra-index-url", "find-links", "trusted-host"):
        values = settings.get(key, "").split()
        if key == "extra-index-url":
            values += list(extra_index_urls)
        if key == "trusted-host":
            values += list(trusted_hosts)
        kept = [value for value in values if key == "trusted-host" or urllib.parse.urlsplit(value).scheme[:4] == "http"]
        secrets.extend(secret for value in kept for secret in url_secrets(value))
        if kept:
            conf[key] = kept
    for key in ("timeout", "retries"):
        if settings.get(key):
            conf[key] = [settings[key]]
    bundle = host_ca_bundle(settings)
    if bundle:
        shutil.copyfile(bundle, os.path.join(directory, "ca-bundle.crt"))
        conf["cert"] = [PIP_CONF_DIR + "/ca-bundle.crt"]
    lines = [
        "# pip settings for the execution-environment build, from the host (pip config list); not in the image",
        "[global]",
    ]
    for key, values in conf.items():
        lines.append("%s = %s" % (key, "\n    ".join(values)))
    path = os.path.join(directory, "pip.conf")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(directory, 0o755)  # the build's RUN steps run as root; no other user on the host needs it
    volumes = ["--volume=%s:%s:ro" % (directory, PIP_CONF_DIR)]
    summary = {key: len(values) for key, values in conf.items() if key != "cert"}
    summary["cert"] = bundle
    return volumes, sorted(set(secrets)), summary


# ---------------------------------------------------------------- the image


def build_collection(collection_dir, output_dir, venv_bin):
    """Build the collection's tarball into output_dir, under the version-free name the local definition uses."""
    run(
        [
            os.path.join(venv_bin, "ansible-galaxy"),
            "collection",
            "build",
            "--force",
            "--output-path",
            output_dir,
            collection_dir,
        ],
        capture=True,
    )
    built = glob.glob(os.path.join(output_dir, "hypersender-whatsapp-*.tar.gz"))
    if len(built) != 1:
        fail("ansible-galaxy did not write one tarball into %s" % output_dir)
    os.replace(built[0], os.path.join(output_dir, TARBALL))
    return os.path.join(output_dir, TARBALL)


def image_size(name):
    return int(podman(["image", "inspect", "--format", "{{.Size}}", name]).stdout.strip())


def image_leaks(name, needles, paths=("etc/pip.conf", "etc/xdg/pip/pip.conf", "etc/xdg/pip/ca-bundle.crt")):
    """Where the image keeps any of `needles` or any of `paths`: its history, its config, its files.

    Returns a list of findings (empty: clean).  The image is mounted read-only (rootful podman) and every
    regular file is read.
    """
    findings = []
    history = podman(["history", "--no-trunc", "--format", "json", name]).stdout
    config = podman(["image", "inspect", name]).stdout
    for needle in needles:
        if needle in history:
            findings.append("podman history holds a build-input secret")
        if needle in config:
            findings.append("the image config holds a build-input secret")
    mount = podman(["image", "mount", name]).stdout.strip()
    try:
        for relative in paths:
            if os.path.lexists(os.path.join(mount, relative)):
                findings.append("the image holds /%s" % relative)
        encoded = [needle.encode() for needle in needles]
        for top, _dirs, files in os.walk(mount):
            for file_name in files:
                path = os.path.join(top, file_name)
                if not os.path.isfile(path) or os.path.islink(path):
                    continue
                try:
                    with open(path, "rb") as handle:
                        content = handle.read()
                except OSError:
                    continue
                for needle in encoded:
                    if needle in content:
                        findings.append("the file /%s holds a build-input secret" % os.path.relpath(path, mount))
    finally:
        podman(["image", "unmount", name], check=False)
    return findings


def image_python_packages(name):
    """The versions the image holds: ansible-core, ansible-runner, requests and the collection."""
    script = "; ".join(
        [
            "import json, subprocess, importlib.metadata as m",
            "out = subprocess.run(['ansible-galaxy', 'collection', 'list', '%s', '--format', 'json'],"
            " capture_output=True, text=True).stdout" % COLLECTION,
            "found = [d['%s']['version'] for d in json.loads(out or '{}').values() if '%s' in d]"
            % (COLLECTION, COLLECTION),
            "print(json.dumps({p: m.version(p) for p in ('ansible-core', 'ansible-runner', 'requests')}"
            " | {'collection': (found or [None])[0]}))",
        ]
    )
    return json.loads(
        podman(["run", "--rm", "--network=host", "--entrypoint", "", name, "python3", "-c", script]).stdout
    )


def last_base_seconds():
    """How long making the base image took when it was made (it is reused while its recipe holds)."""
    try:
        with open(os.path.join(CACHE, "base.json")) as handle:
            return json.load(handle)["seconds"]
    except (OSError, ValueError, KeyError):
        return None


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="scripts/ee-build", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--image", default=IMAGE, help="tag of the image to build (default %(default)s)")
    parser.add_argument("--rebuild-base", action="store_true", help="make the Debian base image again")
    parser.add_argument(
        "--extra-index-url",
        action="append",
        default=[],
        help="one more package index for the build, after the host's (may hold credentials)",
    )
    parser.add_argument(
        "--trusted-host",
        action="append",
        default=[],
        help="host[:port] pip may reach without HTTPS during the build (for an --extra-index-url)",
    )
    parser.add_argument("--collection", default=ROOT, help="collection directory to build the tarball from")
    parser.add_argument("--no-leak-check", action="store_true", help="skip scanning the image for build inputs")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    started = time.monotonic()
    venv_bin = os.path.dirname(sys.executable)
    builder = os.path.join(venv_bin, "ansible-builder")
    if not os.path.exists(builder):
        fail("run this with the Python of a venv that has ansible-builder (scripts/ee-build does)")
    apt_seconds = ensure_apt_packages()
    base_seconds = ensure_base_image(args.rebuild_base)

    stage = os.path.join(CACHE, "definition")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    for name in ("execution-environment.yml", "requirements.yml"):
        shutil.copy2(os.path.join(LOCAL_EE_DIR, name), stage)
    tarball = build_collection(args.collection, stage, venv_bin)
    inputs = os.path.join(CACHE, "build-inputs")
    shutil.rmtree(inputs, ignore_errors=True)
    try:
        volumes, secrets, summary = build_inputs(inputs, args.extra_index_url, args.trusted_host)
        say(
            "pip settings from the host as build inputs: %s"
            % ", ".join("%s=%s" % (key, value) for key, value in sorted(summary.items()))
        )
        context = os.path.join(CACHE, "context")
        shutil.rmtree(context, ignore_errors=True)
        argv = [builder, "build", "-f", os.path.join(stage, "execution-environment.yml"), "-c", context]
        argv += ["-t", args.image, "--container-runtime", "podman", "-v", "2", "--extra-build-cli-args"]
        argv += [" ".join(["--network=host"] + [shlex.quote(v) for v in volumes])]
        say("ansible-builder build -t %s (collection %s)" % (args.image, os.path.basename(tarball)))
        build_started = time.monotonic()
        log = os.path.join(CACHE, "ansible-builder.log")
        run_logged(argv, log, "ansible-builder build", env=podman_env(), cwd=CACHE)
        build_seconds = time.monotonic() - build_started
    finally:
        shutil.rmtree(inputs, ignore_errors=True)
    podman(["image", "prune", "--force"], check=False)  # the build's intermediate stages
    figures = {
        "image": args.image,
        "image_id": podman(["image", "inspect", "--format", "{{.Id}}", args.image]).stdout.strip(),
        "image_size_bytes": image_size(args.image),
        "base_image": BASE_IMAGE,
        "base_image_size_bytes": image_size(BASE_IMAGE),
        "apt_seconds": round(apt_seconds, 1),
        "base_image_seconds": round(base_seconds, 1),
        "base_image_made_in_seconds": last_base_seconds(),
        "build_seconds": round(build_seconds, 1),
        "packages": image_python_packages(args.image),
    }
    if not args.no_leak_check:
        leak_started = time.monotonic()
        findings = image_leaks(args.image, secrets)
        if findings:
            fail("the image keeps build inputs:\n  " + "\n  ".join(findings))
        say(
            "leak check passed in %.0f s: no pip.conf or CA bundle of the build inputs in the image, and none of the %d "
            "index credential(s) in its history, its config or any of its files"
            % (time.monotonic() - leak_started, len(secrets))
        )
    figures["total_seconds"] = round(time.monotonic() - started, 1)
    with open(os.path.join(CACHE, "build.json"), "w") as handle:
        json.dump(figures, handle, indent=2)
    sizes = (figures["image_size_bytes"] / 1e6, figures["base_image_size_bytes"] / 1e6)
    times = (build_seconds, base_seconds, apt_seconds, figures["total_seconds"])
    packages = ", ".join("%s %s" % item for item in sorted(figures["packages"].items()))
    say(
        "built %s: %.0f MB (base %.0f MB); " % ((args.image,) + sizes) + "ansible-builder build %.0f s, base image "
        "%.0f s, apt %.0f s, total %.0f s; " % times + packages
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
