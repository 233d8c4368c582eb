"""Let ansible-test build its virtual environments with only the package registries reachable.

Usage (noxfile.py runs it before each ansible-test session): python scripts/ansible_test_offline.py NOX_DIR

ansible-test puts pip into each venv it makes with a get-pip script that it downloads from a host outside the
package registries into ~/.ansible/test/cache/get_pip_X_Y.py. For the pip version each ansible-test under NOX_DIR
asks for, this writes a stand-in there: pip from the interpreter's ensurepip, then what ansible-test asked for
from the package index. A real get-pip script (a machine with internet) is left alone. Standard library only.
"""

import glob
import os
import re
import sys

MARKER = "hypersender.whatsapp offline get-pip stand-in (scripts/ansible_test_offline.py)"
STANDIN = '''"""%s"""
import subprocess
import sys

subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.run([sys.executable, "-m", "pip", "install"] + args).returncode)
''' % MARKER


def main(nox_dir):
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    pattern = os.path.join(nox_dir, "*", "lib", "python*", "site-packages", "ansible_test", "_internal")
    for source in glob.glob(os.path.join(pattern, "python_requirements.py")):
        with open(source) as handle:
            match = re.search(r"default_packages\s*=\s*dict\(\s*pip\s*=\s*'([^']+)'", handle.read())
        if not match:
            sys.exit("ansible_test_offline: no pip version in %s" % source)
        script = os.path.join(cache, "get_pip_%s.py" % match.group(1).replace(".", "_"))
        if os.path.exists(script):
            with open(script) as handle:
                if MARKER not in handle.read():
                    continue  # the real script
        with open(script, "w") as handle:
            handle.write(STANDIN)


if __name__ == "__main__":
    main(sys.argv[1])
