"""Packs what privmon needs at run time besides its Python code into the package
(monitor/_assets): the Frida agent's sources, the lab's Java sources and DNS table, and the
device and app profiles, so an installed privmon never looks for a checkout. Everything else is
in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
ASSETS = ("hooks", "lab", "device_profiles", "app_profiles")
SKIP = shutil.ignore_patterns("node_modules", "__pycache__", "*.class")


class BuildWithAssets(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "monitor" / "_assets"
        for name in ASSETS:
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(ROOT / name, target / name, ignore=SKIP)


setup(cmdclass={"build_py": BuildWithAssets})
