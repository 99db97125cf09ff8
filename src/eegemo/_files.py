"""Folders that appear whole or not at all: write aside, then rename into place."""

from __future__ import annotations

import glob
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)


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


#: the files that make each kind of run folder: an output file written over one of them would
#: leave the run unreadable (``errors.check_output_file``)
RUN_OWN_FILES = {
    "recognition run": ("metrics.json", "predictions.parquet", "confusion.json", "history.json",
                        "per_subject.csv", "timing.json", "checkpoints"),
    "generator run": ("config.json", "generator.pt", "history.json", "train_rows.npy",
                      "holdout_rows.npy"),
}
#: for each kind of run folder: the files :func:`folder_kind` recognises it by, those of
#: :data:`RUN_OWN_FILES` that only such a run holds, and how many of those make a folder lacking
#: the first a damaged run (:func:`damaged_run`)
_RUN_FILES = {
    "recognition run": (("metrics.json",), ("predictions.parquet", "confusion.json",
                                             "per_subject.csv", "timing.json", "checkpoints"), 2),
    "generator run": (("config.json", "generator.pt"), ("generator.pt", "train_rows.npy",
                                                        "holdout_rows.npy"), 1),
}
_WRITER = {"recognition run": "eegemo train", "generator run": "eegemo train-generator"}


def damaged_run(path: str | os.PathLike):
    """The one-line error for a run folder that lacks a file :func:`folder_kind` recognises it by
    (``metrics.json``, ``generator.pt``, ``config.json``) but holds the other files of a run.

    Returns
    -------
    err : DataFormatError | None
        None for a whole run and for anything that is not a run.
    """
    from .errors import data_error

    p = Path(path)
    if not p.is_dir() or folder_kind(p) is not None:
        return None
    for kind, (needed, own, enough) in _RUN_FILES.items():
        missing = [n for n in needed if not (p / n).exists()]
        if missing and sum((p / n).exists() for n in own) >= enough:
            return data_error(p, f"damaged {kind}: {' and '.join(missing)} missing; run "
                              f"`{_WRITER[kind]}` again to rebuild it",
                              found=f"the other files of a {kind}")
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


def replace_dir(new: Path, final: Path, old: Path, *, keep_others: bool = False,
                drop: frozenset[str] = frozenset()) -> None:
    """Put folder ``new`` at ``final`` with one rename; an existing ``final`` is first renamed to
    ``old`` and removed afterwards, so ``final`` is never half old, half new.

    ``keep_others``: entries of the earlier ``final`` that ``new`` does not hold (a user's notes,
    a report, a store kept inside a run folder) are moved into the new ``final`` before the rest
    of the earlier one is removed; only what ``new`` replaces goes, and the names in ``drop``
    (files eegemo derives from the earlier contents, e.g. a generator's ``synth_eval.json``).
    """
    if not final.exists():
        os.rename(new, final)
        return
    os.rename(final, old)
    os.rename(new, final)
    if keep_others:
        _move_others(old, final, drop)
    shutil.rmtree(old, ignore_errors=True)


def _move_others(old: Path, final: Path, drop: frozenset[str] = frozenset()) -> None:
    """Move the entries of ``old`` that ``final`` lacks, and whose names are not in ``drop``, into
    ``final``."""
    for child in sorted(old.iterdir()):
        if child.name in drop:
            continue
        if not (final / child.name).exists() and not (final / child.name).is_symlink():
            os.rename(child, final / child.name)
            logger.info("%s: kept %s (not one of the files written here)", final, child.name)


@contextmanager
def written_aside(out: str | os.PathLike, *, drop: frozenset[str] = frozenset()
                  ) -> Iterator[Path]:
    """A hidden sibling folder of ``out`` to write into; renamed to ``out`` when the block ends.

    If the block raises, the sibling is removed and ``out`` (an earlier version, or nothing) stays
    as it was. Entries of an earlier ``out`` that the block does not write (a user's files, a
    report, a store kept inside a run folder) are kept in the new ``out``; only what the block
    writes is replaced, and the names in ``drop`` (files eegemo derives from the earlier contents,
    which would describe the new ones wrongly) are removed.
    """
    out = Path(out)
    if out.parent.is_dir():
        _tidy_leftovers(out, drop)
    # the writer's pid in the name lets a later call tell a killed writer's leftover from a live one
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    work = out.parent / f".{out.name}.partial-{tag}"
    work.mkdir(parents=True)
    try:
        yield work
        replace_dir(work, out, out.parent / f".{out.name}.old-{tag}", keep_others=True,
                    drop=drop)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _writer_gone(folder: Path) -> bool:
    """Whether the process named in a ``.<name>.partial-<pid>-<hex>`` folder is no longer running
    (on this machine). Folders of other shapes (older versions) are left alone: False."""
    parts = folder.name.rpartition(".partial-")[2].split("-")
    if len(parts) != 2 or not parts[0].isdigit():
        return False
    pid = int(parts[0])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


def _tidy_leftovers(out: Path, drop: frozenset[str] = frozenset()) -> None:
    """Undo what a killed :func:`written_aside` left beside ``out``.

    * ``.<name>.old-*``: the earlier ``out``, set aside by :func:`replace_dir`. Where ``out`` is
      missing, the writer died between its two renames: the newest one is put back. Where ``out``
      exists, the new folder was in place: they are removed.
    * ``.<name>.partial-<pid>-*`` whose writer is no longer running: removed.
    """
    pattern = glob.escape(out.name)
    aside = [q for q in out.parent.glob(f".{pattern}.old-*") if q.is_dir()]
    settle_set_aside(out, aside, new_in_place=out.exists(), what="write", keep_others=True,
                     drop=drop)
    for q in out.parent.glob(f".{pattern}.partial-*"):
        if q.is_dir() and _writer_gone(q):
            logger.info("%s: removing %s, left by an interrupted write", out, q.name)
            shutil.rmtree(q, ignore_errors=True)


def settle_set_aside(out: Path, aside: list[Path], *, new_in_place: bool, what: str,
                     keep_others: bool = False, drop: frozenset[str] = frozenset()) -> None:
    """Settle the earlier versions of ``out`` that an interrupted ``what`` left set aside.

    Where the new version is in place they are removed (``keep_others``: after the entries the
    new version lacks are moved into it, as :func:`replace_dir` would have done); else whatever
    half-written folder is at ``out`` goes and the newest of them is put back, as a failed write
    would have done.
    """
    aside = sorted(aside, key=lambda q: q.stat().st_mtime, reverse=True)
    if aside and not new_in_place:
        shutil.rmtree(out, ignore_errors=True)
        os.rename(aside[0], out)
        logger.warning("%s: an interrupted %s had set the earlier version aside (%s); it is back "
                       "in place", out, what, aside[0].name)
        aside = aside[1:]
    for q in aside:
        if keep_others and new_in_place:
            _move_others(q, out, drop)
        logger.info("%s: removing %s, left by an interrupted %s", out, q.name, what)
        shutil.rmtree(q, ignore_errors=True)
