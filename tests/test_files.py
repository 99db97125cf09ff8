"""Folders written aside (eegemo._files): what a killed writer leaves is tidied by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from eegemo._files import written_aside


def _run_killed_writer(out: Path) -> None:
    """A separate process writes into ``written_aside(out)`` and is SIGKILLed inside the block."""
    code = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from eegemo._files import written_aside
        with written_aside(Path({str(out)!r})) as work:
            (work / "half.txt").write_text("half")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, "-c", code], env=env)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_killed_writer_leftover_removed_by_next_write(tmp_path):
    out = tmp_path / "run"
    _run_killed_writer(out)
    left = list(tmp_path.glob(".run.partial-*"))
    assert len(left) == 1 and (left[0] / "half.txt").is_file()
    assert not out.exists()
    with written_aside(out) as work:
        (work / "metrics.json").write_text("{}")
    assert (out / "metrics.json").is_file()
    assert not list(tmp_path.glob(".run.partial-*"))


def test_live_writer_partial_is_kept(tmp_path):
    out = tmp_path / "run"
    live = tmp_path / f".run.partial-{os.getppid()}-0123abcd"   # the parent process is running
    older = tmp_path / ".run.partial-0123abcd"                    # a name without a pid: unknown
    live.mkdir()
    older.mkdir()
    with written_aside(out) as work:
        (work / "x").write_text("1")
    assert live.is_dir() and older.is_dir()


def test_earlier_version_set_aside_is_put_back(tmp_path):
    # a writer killed between replace_dir's two renames: the old folder is aside, ``out`` is gone
    out = tmp_path / "run"
    aside = tmp_path / ".run.old-0123abcd"
    aside.mkdir()
    (aside / "metrics.json").write_text('{"old": true}')
    with pytest.raises(RuntimeError):
        with written_aside(out):
            raise RuntimeError("the new write fails")
    assert (out / "metrics.json").read_text() == '{"old": true}'
    assert not aside.exists()


def test_set_aside_copy_removed_once_new_version_in_place(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "metrics.json").write_text("new")
    aside = tmp_path / ".run.old-0123abcd"
    aside.mkdir()
    with written_aside(out) as work:
        (work / "metrics.json").write_text("newer")
    assert (out / "metrics.json").read_text() == "newer"
    assert not aside.exists()
