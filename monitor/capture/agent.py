"""Builds the Frida agent in hooks/ with frida.Compiler, cached by the hash of its sources."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import frida

from ..config import HOOKS_DIR


class AgentBuildError(RuntimeError):
    pass


def _source_hash(hooks_dir: Path) -> str:
    digest = hashlib.sha256(frida.__version__.encode())
    for path in sorted([*hooks_dir.glob("src/**/*.ts"), hooks_dir / "package-lock.json"]):
        digest.update(path.relative_to(hooks_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _project_with_packages(cache_dir: Path, hooks_dir: Path, source_hash: str) -> Path:
    """A folder with the agent's sources and its npm packages: hooks/ itself in a checkout after
    `make setup`, else a copy in the data dir where `npm ci` installs them once (an installed
    privmon's package folder is not ours to write to)."""
    if (hooks_dir / "node_modules" / "frida-java-bridge").is_dir():
        return hooks_dir
    project = cache_dir / f"agent-src-{source_hash}"
    if (project / "node_modules" / "frida-java-bridge").is_dir():
        return project
    npm = shutil.which("npm")
    if npm is None:
        raise AgentBuildError(
            "building the Frida agent needs npm (Debian: nodejs npm; `make setup` installs it) "
            f"to fetch frida-java-bridge; or run `npm ci` in {hooks_dir}"
        )
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(hooks_dir, project, ignore=shutil.ignore_patterns("node_modules"))
    proc = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not (project / "node_modules" / "frida-java-bridge").is_dir():
        raise AgentBuildError(
            f"`npm ci` for the Frida agent failed in {project}: {(proc.stderr or proc.stdout).strip()[-300:]}"
        )
    return project


def _diagnostic(d: dict) -> str:
    where = d.get("file") or {}
    return f"{where.get('path', '?')}:{where.get('line', '?')}: {d.get('text', d)}"


def build_agent(cache_dir: Path, hooks_dir: Path = HOOKS_DIR) -> str:
    source_hash = _source_hash(hooks_dir)
    bundle_path = cache_dir / f"agent-{source_hash}.js"
    if bundle_path.exists():
        return bundle_path.read_text(encoding="utf-8")
    hooks_dir = _project_with_packages(cache_dir, hooks_dir, source_hash)
    compiler = frida.Compiler()
    diagnostics: list = []
    compiler.on("diagnostics", diagnostics.extend)
    try:
        bundle = compiler.build("src/index.ts", project_root=str(hooks_dir))
    except frida.InvalidArgumentError as exc:
        detail = "; ".join(_diagnostic(d) for d in diagnostics) or str(exc)
        raise AgentBuildError(f"the agent in {hooks_dir} does not compile: {detail}") from exc
    if diagnostics:
        raise AgentBuildError(f"the agent in {hooks_dir} does not compile: {diagnostics}")
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = bundle_path.with_suffix(f".tmp-{os.getpid()}")  # runs sharing a data dir build at once
    tmp.write_text(bundle, encoding="utf-8")
    tmp.replace(bundle_path)
    return bundle
