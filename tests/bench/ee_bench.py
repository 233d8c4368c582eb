"""Figures of the execution environment: image size, build time, and the deploy gate's wall time inside the
image against the same run outside it.

Usage: scripts/bench ee [--runs N] [--build]

The gate (hypersender.whatsapp.deploy_gate: two Hypersender instances WORKING and a High Availability
On-Premises gateway, both gates checked, nothing to wait for) runs against the simulator on the host's
loopback through ansible-runner, N times each way, alternating:

* outside: ``ansible-runner run`` on the host, the ee test session's Python and ansible-core (the release the image
  has), the collection installed from the same tarball;
* inside: ``ansible-runner run --process-isolation --process-isolation-executable podman
  --container-image ...``, as AWX runs a job.

It prints the median and fastest wall time of each, the ratio of the medians, and the image's figures from
the last scripts/ee-build (.cache/ee/build.json); ``--build`` runs scripts/ee-build first.  No figure is
asserted anywhere: this is a benchmark.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "scripts")
sys.path.insert(0, SCRIPTS)
import ee_build  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "bench-hypersender-token-0123"
API_KEY = "bench-onprem-key-0123"
INSTANCES = ["fa3d01c4-1234-4c0d-a12f-df319b612f8c", "c9a1dd76-5678-4f9d-9012-a5b78de100c3"]
SCENARIO = {
    "hypersender": {
        "tokens": [TOKEN],
        "instances": [
            {"id": INSTANCES[0], "name": "shop-eu", "status": "WORKING"},
            {"id": INSTANCES[1], "name": "shop-us", "status": "WORKING"},
        ],
    },
    "onprem": {
        "api_keys": [API_KEY],
        "health": {
            "gw1:0a1b2c3d": {"gateway_status": "disconnected", "role": "primary_master"},
            "gw2:4e5f6a7b": {"gateway_status": "disconnected", "role": "secondary_master"},
            "gw3:8c9d0e1f": {"gateway_status": "connected", "role": "coreapp"},
        },
    },
}
EXTRAVARS = {
    "wait_for_working_instances": INSTANCES,
    "wait_for_working_poll_interval": 1,
    "wait_for_working_timeout": 30,
    "verify_gateway_topology": "ha",
    "verify_gateway_poll_interval": 1,
    "verify_gateway_timeout": 10,
}


def start_simulator(directory):
    scenario = os.path.join(directory, "scenario.json")
    url_file = os.path.join(directory, "sim.url")
    with open(scenario, "w") as handle:
        json.dump(SCENARIO, handle)
    proc = subprocess.Popen(
        [
            sys.executable,
            os.path.join(ROOT, "tests", "simulator", "run_simulator.py"),  # pylint: disable=consider-using-with
            "--scenario",
            scenario,
            "--url-file",
            url_file,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not os.path.exists(url_file):
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit("ee-bench: the simulator did not start")
        time.sleep(0.05)
    with open(url_file) as handle:
        return proc, handle.read().strip()


def private_data_dir(root, url, collections=None):
    os.makedirs(os.path.join(root, "project"))
    os.makedirs(os.path.join(root, "inventory"))
    os.makedirs(os.path.join(root, "env"))
    with open(os.path.join(root, "project", "site.yml"), "w") as handle:
        handle.write("---\n- name: Deploy gate\n  ansible.builtin.import_playbook: hypersender.whatsapp.deploy_gate\n")
    with open(os.path.join(root, "inventory", "hosts"), "w") as handle:
        handle.write("localhost ansible_connection=local\n")
    env = {
        "HYPERSENDER_API_TOKEN": TOKEN,
        "HYPERSENDER_API_URL": url + "/api/whatsapp/v1",
        "WA_ONPREM_URL": url,
        "WA_API_KEY": API_KEY,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    if collections:
        env["ANSIBLE_COLLECTIONS_PATH"] = collections
    with open(os.path.join(root, "env", "envvars"), "w") as handle:
        json.dump(env, handle)
    with open(os.path.join(root, "env", "extravars"), "w") as handle:
        json.dump(EXTRAVARS, handle)
    return root


def timed_run(argv, pdd):
    env = ee_build.podman_env()
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")  # ansible-playbook, outside
    for key in list(env):
        if key.startswith(("ANSIBLE_", "HYPERSENDER_", "WA_")):
            del env[key]
    started = time.monotonic()
    proc = subprocess.run(
        argv,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    seconds = time.monotonic() - started
    status_files = [
        os.path.join(top, "status")
        for top, _dirs, files in os.walk(os.path.join(pdd, "artifacts"))
        if "status" in files
    ]
    status = (
        open(status_files[0]).read().strip() if status_files else "no artifacts"
    )  # pylint: disable=consider-using-with
    if proc.returncode != 0 or status != "successful":
        sys.exit("ee-bench: the gate did not pass (%s):\n%s" % (status, proc.stdout[-3000:]))
    return seconds


def main(argv):
    parser = argparse.ArgumentParser(prog="scripts/bench ee", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5, help="runs each way (default %(default)s)")
    parser.add_argument("--build", action="store_true", help="run scripts/ee-build first")
    args = parser.parse_args(argv)
    if args.build:
        subprocess.run([sys.executable, os.path.join(SCRIPTS, "ee_build.py")], check=True)
    build_file = os.path.join(ee_build.CACHE, "build.json")
    if not os.path.exists(build_file) or not ee_build.image_exists(ee_build.IMAGE):
        sys.exit("ee-bench: no image yet; run scripts/ee-build (or scripts/bench ee --build)")
    with open(build_file) as handle:
        build = json.load(handle)
    runner = os.path.join(os.path.dirname(sys.executable), "ansible-runner")
    work = tempfile.mkdtemp(prefix="ee-bench-")
    sim = None
    try:
        collections = os.path.join(work, "collections")
        tarball = ee_build.build_collection(ROOT, work, os.path.dirname(sys.executable))
        ee_build.run(
            [
                os.path.join(os.path.dirname(sys.executable), "ansible-galaxy"),
                "collection",
                "install",
                "--force",
                "-p",
                collections,
                tarball,
            ],
            capture=True,
        )
        sim, url = start_simulator(work)
        times = {"outside": [], "inside": []}
        for index in range(args.runs):
            for where in ("outside", "inside"):
                pdd = private_data_dir(
                    os.path.join(work, "%s-%d" % (where, index)), url, collections if where == "outside" else None
                )
                argv = [runner, "run", pdd, "-p", "site.yml"]
                if where == "inside":
                    argv += [
                        "--process-isolation",
                        "--process-isolation-executable",
                        "podman",
                        "--container-image",
                        ee_build.IMAGE,
                        "--container-option=--user=0",
                        "--container-option=--network=host",
                    ]
                times[where].append(timed_run(argv, pdd))
    finally:
        if sim is not None:
            sim.terminate()
            sim.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    outside = statistics.median(times["outside"])
    inside = statistics.median(times["inside"])
    packages = build.get("packages", {})
    print(
        "Execution environment %s (ansible-core %s, ansible-runner %s, requests %s, collection %s)"
        % (
            build["image"],
            packages.get("ansible-core"),
            packages.get("ansible-runner"),
            packages.get("requests"),
            packages.get("collection"),
        )
    )
    print(
        "  image size:            %.0f MB (base image %.0f MB)"
        % (build["image_size_bytes"] / 1e6, build["base_image_size_bytes"] / 1e6)
    )
    made = build.get("base_image_made_in_seconds")
    print(
        "  ansible-builder build: %.0f s; scripts/ee-build total %.0f s (base image %s)"
        % (
            build["build_seconds"],
            build["total_seconds"],
            (
                ("made in %.0f s" % build["base_image_seconds"])
                if build["base_image_seconds"]
                else ("reused; it took %.0f s to make" % made if made else "reused")
            ),
        )
    )
    print("Deploy gate wall time (ansible-runner, %d runs each way, alternating):" % args.runs)
    print("  outside the image: median %.2f s, fastest %.2f s" % (outside, min(times["outside"])))
    print("  inside the image:  median %.2f s, fastest %.2f s" % (inside, min(times["inside"])))
    print("  ratio inside/outside (medians): %.2f" % (inside / outside))
    print(
        "Machine: %d CPU(s), load average %.1f over the last 5 minutes (other work on the machine slows both)"
        % (os.cpu_count() or 0, os.getloadavg()[1])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
