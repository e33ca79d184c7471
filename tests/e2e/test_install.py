"""`pip install .` (not editable) into a fresh venv gives a privmon that runs the lab from any
folder: the agent's sources, the lab's Java sources and the profiles travel inside the package."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.lab


def test_a_non_editable_install_runs_the_lab_from_anywhere(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "node_modules",
            ".make-stamps",
            "test-artifacts",
            "demo-output",
            "build",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
        ),
    )
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )  # pip, setuptools: ours
    # The dependencies come from this test run's environment (no downloads); privmon itself is
    # built and installed from the copy like any package.
    site = Path(
        subprocess.check_output(
            [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [
            venv / "bin" / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    shutil.rmtree(source)  # nothing may look for the checkout it came from
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PRIVMON_DEBUG")}
    env["PRIVMON_HOME"] = str(tmp_path / "home")
    privmon = str(venv / "bin" / "privmon")
    version = subprocess.run(
        [privmon, "version"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0 and version.stdout.startswith("privmon "), version.stderr
    run = subprocess.run(
        [privmon, "lab", "run", "--no-keys", "--json", "--consent-delay-ms", "300"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["status"] == "completed"
    assert "PRECONSENT_TRANSMISSION" in {f["rule_id"] for f in result["findings"]}
    assert str(REPO) not in run.stderr
