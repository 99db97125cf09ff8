"""Folders that appear whole or not at all: write aside, then rename into place."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


#: what each kind of folder eegemo writes is for, for the hints of errors that meet one
NEXT_STEP = {
    "store": "an eegemo store (written by `eegemo prepare`); give it to `eegemo train`, "
             "`eegemo train-generator` or `eegemo info`",
    "recognition run": "a recognition run (written by `eegemo train`); give it to `eegemo "
                       "evaluate`, `eegemo predict`, `eegemo report` or `eegemo info`",
    "generator run": "a generator run (written by `eegemo train-generator`); give it to "
                     "`eegemo generate`, `eegemo synth-eval`, `eegemo report` or `eegemo info`",
}


def folder_kind(path: str | os.PathLike) -> str | None:
    """Which kind of eegemo output a folder is, from its files alone.

    Returns
    -------
    kind : {"store", "recognition run", "generator run"} | None
        None for anything else (a dataset, an empty folder, a file).
    """
    p = Path(path)
    if not p.is_dir():
        return None
    if (p / "manifest.json").is_file() and ((p / "recordings").is_dir()
                                            or _is_store_manifest(p / "manifest.json")):
        # manifest.json is a common name (web apps, data packages): a store's says so, or has
        # its recordings/ beside it (a store whose manifest is damaged is still a store)
        return "store"
    if (p / "generator.pt").is_file() and (p / "config.json").is_file():
        return "generator run"
    if (p / "metrics.json").is_file():
        return "recognition run"
    return None


#: the ``format`` of a store's manifest.json (``eegemo.store`` writes it)
STORE_FORMAT = "eegemo-store"


def _is_store_manifest(path: Path) -> bool:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8")).get("format") == STORE_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def dir_bytes(path: Path) -> int:
    """Bytes of all files under ``path``."""
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def replace_dir(new: Path, final: Path, old: Path) -> None:
    """Put folder ``new`` at ``final`` with one rename; an existing ``final`` is first renamed to
    ``old`` and removed afterwards, so ``final`` is never half old, half new."""
    if not final.exists():
        os.rename(new, final)
        return
    os.rename(final, old)
    os.rename(new, final)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def written_aside(out: str | os.PathLike) -> Iterator[Path]:
    """A hidden sibling folder of ``out`` to write into; renamed to ``out`` when the block ends.

    If the block raises, the sibling is removed and ``out`` (an earlier version, or nothing) stays
    as it was.
    """
    out = Path(out)
    tag = uuid.uuid4().hex[:8]
    work = out.parent / f".{out.name}.partial-{tag}"
    work.mkdir(parents=True)
    try:
        yield work
        replace_dir(work, out, out.parent / f".{out.name}.old-{tag}")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
