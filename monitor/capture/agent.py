"""Builds the Frida agent in hooks/ with frida.Compiler, cached by the hash of its sources."""

from __future__ import annotations

import hashlib
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


def build_agent(cache_dir: Path, hooks_dir: Path = HOOKS_DIR) -> str:
    if not (hooks_dir / "node_modules" / "frida-java-bridge").is_dir():
        raise AgentBuildError(
            f"{hooks_dir}/node_modules is missing frida-java-bridge: run `make setup` (npm ci in hooks/)"
        )
    bundle_path = cache_dir / f"agent-{_source_hash(hooks_dir)}.js"
    if bundle_path.exists():
        return bundle_path.read_text(encoding="utf-8")
    compiler = frida.Compiler()
    diagnostics: list = []
    compiler.on("diagnostics", diagnostics.extend)
    try:
        bundle = compiler.build("src/index.ts", project_root=str(hooks_dir))
    except frida.InvalidArgumentError as exc:
        raise AgentBuildError(f"the agent in {hooks_dir} does not compile: {exc}") from exc
    if diagnostics:
        raise AgentBuildError(f"the agent in {hooks_dir} does not compile: {diagnostics}")
    tmp = bundle_path.with_suffix(".tmp")
    tmp.write_text(bundle, encoding="utf-8")
    tmp.replace(bundle_path)
    return bundle
