"""The command line as the README shows it: every documented ``eegemo`` command parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from eegemo.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_commands() -> list[str]:
    """``eegemo ...`` command lines inside the README's bash/console code blocks."""
    text = README.read_text(encoding="utf-8")
    cmds = []
    for block in re.findall(r"```(?:bash|console|sh)\n(.*?)```", text, flags=re.S):
        block = block.replace("\\\n", " ")                 # line continuations
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ").strip()
            if line.startswith("eegemo "):
                cmds.append(line)
    return cmds


def test_readme_has_commands_to_check():
    assert len(_readme_commands()) >= 20


@pytest.mark.parametrize("line", _readme_commands())
def test_readme_command_parses(line):
    argv = shlex.split(line, comments=True)[1:]
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:   # argparse's way of refusing: unknown flag, bad choice, missing value
        pytest.fail(f"README command does not parse (exit {exc.code}): {line}")
    assert getattr(args, "func", None) is not None, line
