"""Checks over the project's own declarative files and command help."""

from pathlib import Path

import click
import pytest
import typer.main

from monitor.capture.agent import build_agent
from monitor.cli import app
from monitor.device_profile import PROFILES_DIR, load_profile

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", sorted(PROFILES_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_device_profile_loads(path):
    profile = load_profile(path)
    assert profile.name == path.stem
    assert profile.lab_properties()


def test_agent_compiles_with_frida_compiler(tmp_path):
    bundle = build_agent(tmp_path)
    assert "hook:events" in bundle
    assert build_agent(tmp_path) == bundle  # cached


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    for path, cmd in _commands(root):
        assert (cmd.help or "").strip(), path
        assert f"privmon {' '.join(path)}" in readme, f"README does not mention `privmon {' '.join(path)}`"


def test_rules_doc_is_generated_from_the_catalogue():
    from monitor.analysis.rule_docs import RULES_DOC, render

    assert RULES_DOC.read_text(encoding="utf-8") == render(), "run: python -m monitor.analysis.rule_docs"
