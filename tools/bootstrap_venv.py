"""Create the project's virtual environment with nothing but python3.

``python3 -m venv`` needs ``ensurepip``, which Debian ships separately (package python3-venv). When it is
missing, this creates the environment without pip and installs pip from PyPI's wheel (a wheel can run
itself: ``python pip.whl/pip install pip.whl``). Usage: ``python3 tools/bootstrap_venv.py .venv``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

MIN_PYTHON = (3, 11)


def main(target: str) -> int:
    if sys.version_info < MIN_PYTHON:
        print(f"surveykit needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; this is {sys.version.split()[0]}.")
        return 1
    path = Path(target)
    python = path / "bin" / "python"
    if python.exists() and subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode == 0:
        return 0
    try:
        import ensurepip  # noqa: F401

        venv.create(path, with_pip=True, upgrade_deps=False)
        return 0
    except (ImportError, subprocess.CalledProcessError):
        print("ensurepip is not available (Debian: python3-venv); installing pip from PyPI instead")
    venv.create(path, with_pip=False)
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as response:
        release = json.load(response)
    wheel = next(f for f in release["urls"] if f["packagetype"] == "bdist_wheel")
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / wheel["filename"]
        urllib.request.urlretrieve(wheel["url"], file)
        subprocess.run([python, f"{file}/pip", "install", "--no-index", str(file)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".venv"))
