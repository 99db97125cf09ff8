"""The container every reader returns: a :class:`Recording` holding lazily loaded :class:`Trial` objects.

A recording is one subject's session (or one file of a generic dataset). Its trials are the labelled
stretches of that session. Two kinds of trial exist:

* ``kind="raw"``: ``data`` has shape ``(n_channels, n_times)``, in **volts** (MNE's convention; SEED's
  microvolt arrays are scaled by 1e-6 on reading), ``sfreq`` in Hz.
* ``kind="features"``: released features such as SEED's ``de_LDS``; ``data`` has shape
  ``(n_windows, n_channels, n_bands)``, ``sfreq`` is windows per second (1.0 for 1-s windows, 0.25 for
  4-s windows) and ``bands`` names the frequency bands.

Data are read only when :meth:`Trial.load` is called, one trial at a time where the format allows.
A raw trial cut from a continuous recording can also be read with some of the signal around it
(:meth:`Trial.load_padded`), so that filters see real signal past the trial's edges instead of a
reflection, as when a continuous recording is filtered before it is epoched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from .bands import Band
from .errors import DataFormatError, data_error

if TYPE_CHECKING:
    import mne

__all__ = ["Trial", "Recording", "check_finite"]

Kind = Literal["raw", "features"]


def check_finite(data: np.ndarray, path: str | os.PathLike | None, what: str) -> np.ndarray:
    """Raise a one-line :class:`~eegemo.errors.DataFormatError` if ``data`` holds NaN or inf.

    Parameters
    ----------
    data : ndarray
        The array read (only float and complex arrays are checked).
    path : path-like | None
        The file it came from, named first in the message.
    what : str
        What the array is, for the message (e.g. ``"trial 3"``).

    Returns
    -------
    data : ndarray
        ``data`` itself, unchanged, so that the call can wrap a read.

    Raises
    ------
    DataFormatError
        If ``data`` holds NaN or infinite values (the message gives how many).
    """
    if data.dtype.kind in "fc" and not np.isfinite(data).all():
        bad = int(np.size(data) - np.count_nonzero(np.isfinite(data)))
        raise data_error(path, f"{what} holds non-finite values", expected="finite numbers",
                         found=f"{bad} NaN/inf of {data.size}")
    return data


@dataclass(eq=False)
class Trial:
    """One labelled stretch of a recording, loaded on demand.

    Parameters
    ----------
    index : int
        1-based number of the trial within its session, in the dataset's order.
    label : int | None
        The dataset's integer label (see :attr:`Recording.label_names`).
    sfreq : float
        Samples per second (raw) or windows per second (features).
    ch_names : tuple of str
        Channel names, in row order of the data.
    kind : {"raw", "features"}
        See the module docstring.
    n_times : int | None
        Samples (raw) or windows (features), when known without loading.
    onset : float | None
        Start of the trial in seconds from the start of the source recording, when known.
    bands : tuple of Band | None
        Bands of a feature trial.
    loader : callable | None
        Called with no argument to read the data; ``None`` if ``data`` is given.
    data : ndarray | None
        The data, if already in memory.
    context : callable | None
        For a raw trial cut from a continuous recording: called with ``(before, after)`` sample
        counts (each within ``room``), returns the trial with that much of the recording on
        each side, shape ``(n_channels, before + n_times + after)``. ``None`` where the trial has
        no surrounding signal (a file or array per trial, features).
    room : tuple of (int, int)
        Samples of the recording before and after the trial (what ``context`` can add).
    """

    index: int
    label: int | None
    sfreq: float
    ch_names: tuple[str, ...]
    kind: Kind = "raw"
    n_times: int | None = None
    onset: float | None = None
    bands: tuple[Band, ...] | None = None
    loader: Callable[[], np.ndarray] | None = field(default=None, repr=False)
    data: np.ndarray | None = field(default=None, repr=False)
    context: Callable[[int, int], np.ndarray] | None = field(default=None, repr=False)
    room: tuple[int, int] = (0, 0)

    def load(self, cache: bool = False) -> np.ndarray:
        """Return the trial's data (see the module docstring for shapes and units).

        Parameters
        ----------
        cache : bool
            Keep the array on the trial after loading (uses memory; off by default).
        """
        if self.data is not None:
            return self.data
        if self.loader is None:
            raise RuntimeError(f"trial {self.index} has neither data nor a loader")
        data = self.loader()
        if self.n_times is None:
            self.n_times = int(data.shape[-1] if self.kind == "raw" else data.shape[0])
        if cache:
            self.data = data
        return data

    def load_padded(self, before: int, after: int, multiple: int = 1
                    ) -> tuple[np.ndarray, int, int]:
        """The trial with up to ``before`` and ``after`` samples of the recording around it.

        Parameters
        ----------
        before, after : int
            Samples wanted on each side; fewer are given where the recording starts or ends
            sooner (see ``room``).
        multiple : int
            Round the samples added before the trial down to a multiple of this (so that they
            map to whole samples after resampling), and those after it up (or, at the
            recording's end, down) so that the whole is a multiple of it.

        Returns
        -------
        data : ndarray, shape (n_channels, n_before + n_times + n_after)
        n_before, n_after : int
            Samples added on each side; both 0 for a trial without surrounding signal, or where
            that signal is not finite or cannot be read (the trial alone is then read by
            :meth:`load`, which raises if the trial itself is bad).
        """
        if self.kind != "raw" or self.context is None or self.data is not None:
            return self.load(), 0, 0
        step = max(1, int(multiple))
        nb = min(max(0, int(before)), int(self.room[0])) // step * step
        na = min(max(0, int(after)), int(self.room[1]))
        if step > 1 and self.n_times is not None and (nb + self.n_times + na) % step:
            # the whole a multiple too: more after the trial where the recording has it, else less
            up = (-(nb + self.n_times + na)) % step
            if na + up <= int(self.room[1]):
                na += up
            elif na >= step - up:
                na -= step - up
        if nb == na == 0:
            return self.load(), 0, 0
        try:
            data = self.context(nb, na)
        except DataFormatError:
            return self.load(), 0, 0
        if data.ndim != 2 or (self.n_times is not None
                              and data.shape[-1] != nb + self.n_times + na):
            raise RuntimeError(f"internal: trial {self.index}'s context has shape {data.shape}, "
                               f"expected {nb} + {self.n_times} + {na} samples")
        if data.dtype.kind in "fc" and not np.isfinite(data).all():
            return self.load(), 0, 0
        if self.n_times is None:
            self.n_times = int(data.shape[-1] - nb - na)
        return data, nb, na

    @property
    def duration(self) -> float | None:
        """Length in seconds, when the number of samples/windows is known."""
        return None if self.n_times is None else self.n_times / self.sfreq

    def to_mne(self, label_names: dict[int, str] | None = None) -> mne.io.RawArray:
        """A :class:`mne.io.RawArray` of a raw trial, with a montage where positions are known.

        Parameters
        ----------
        label_names : dict of int -> str | None
            Meaning of the integer labels (e.g. :attr:`Recording.label_names`); the trial's
            label as text where it is missing or None.

        Returns
        -------
        raw : mne.io.RawArray
            The trial's data (volts, EEG channels, ``sfreq``), loaded, with one annotation
            spanning the trial and named after its label.

        Raises
        ------
        ValueError
            For a feature trial.
        """
        if self.kind != "raw":
            raise ValueError("only raw trials convert to mne.io.Raw; feature trials are not signals")
        import mne

        from .channels import make_montage

        info = mne.create_info(list(self.ch_names), self.sfreq, ch_types="eeg")
        raw = mne.io.RawArray(self.load(), info, verbose="error")
        raw.set_montage(make_montage(self.ch_names), on_missing="ignore")
        desc = (label_names or {}).get(self.label, str(self.label))
        raw.set_annotations(mne.Annotations([0.0], [raw.times[-1]], [desc]))
        return raw


@dataclass(eq=False)
class Recording:
    """One session of one subject (or one file of a generic dataset) and its trials.

    Parameters
    ----------
    dataset : str
        ``"seed"``, ``"seed-iv"``, ``"seed-v"``, ``"seed-ger"``, ``"seed-fra"``, ``"bird"``, ``"generic"``.
    subject : str
        Subject identifier as the dataset names it (``"1"``, ``"S001"``).
    session : int | None
        1-based session number.
    trials : list of Trial
    label_names : dict of int -> str
        Meaning of the integer labels.
    source : Path
        The file the trials come from.
    date : str | None
        Recording date ``YYYYMMDD`` when the file name gives it.
    kind : {"raw", "features"}
    feature : str | None
        Name of the released feature (``"de_LDS"``) for feature recordings.
    simulated : bool
        True for data written by :mod:`eegemo.datasets.simulate`.
    extra : dict
        Reader-specific facts (the ``.mat`` prefix, the original channel count, ...).
    """

    dataset: str
    subject: str
    session: int | None
    trials: list[Trial]
    label_names: dict[int, str]
    source: Path
    date: str | None = None
    kind: Kind = "raw"
    feature: str | None = None
    simulated: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.source = Path(self.source)
        self.subject = str(self.subject)

    @property
    def ch_names(self) -> tuple[str, ...]:
        """Channel names of the first trial (all trials of a recording share them)."""
        return self.trials[0].ch_names if self.trials else ()

    @property
    def sfreq(self) -> float | None:
        """Sampling rate (raw) or window rate (features) of the trials."""
        return self.trials[0].sfreq if self.trials else None

    @property
    def labels(self) -> list[int | None]:
        """Label of each trial, in trial order."""
        return [t.label for t in self.trials]

    @property
    def id(self) -> str:
        """A stable identifier: ``dataset/subject/session/filename``."""
        return f"{self.dataset}/{self.subject}/{self.session}/{self.source.name}"

    def __iter__(self):
        return iter(self.trials)

    def __len__(self) -> int:
        return len(self.trials)

    def __repr__(self) -> str:
        return (f"<Recording {self.dataset} subject={self.subject} session={self.session} "
                f"{len(self.trials)} {self.kind} trials, {len(self.ch_names)} ch, "
                f"sfreq={self.sfreq}{' (simulated)' if self.simulated else ''} from {self.source.name}>")

    def to_mne(self) -> mne.io.RawArray:
        """All raw trials joined into one :class:`mne.io.RawArray`, one annotation per trial.

        Annotations are named after the emotion (``label_names``), onsets are in the joined time axis.
        The montage is set where positions are known. See :meth:`from_mne` for the way back.
        """
        if self.kind != "raw":
            raise ValueError("only raw recordings convert to mne.io.Raw")
        import mne

        from .channels import make_montage

        arrays = [t.load() for t in self.trials]
        onsets, durations, descs, start = [], [], [], 0
        for t, x in zip(self.trials, arrays, strict=True):
            onsets.append(start / self.sfreq)
            durations.append(x.shape[1] / self.sfreq)
            descs.append(self.label_names.get(t.label, str(t.label)))
            start += x.shape[1]
        info = mne.create_info(list(self.ch_names), self.sfreq, ch_types="eeg")
        raw = mne.io.RawArray(np.concatenate(arrays, axis=1), info, verbose="error")
        raw.set_montage(make_montage(self.ch_names), on_missing="ignore")
        raw.set_annotations(mne.Annotations(onsets, durations, descs))
        return raw

    @classmethod
    def from_mne(cls, raw: mne.io.BaseRaw, *, label_map: dict[str, int] | None = None,
                 dataset: str = "generic", subject: str = "0", session: int | None = None,
                 source: str | os.PathLike = "", picks: str | Sequence[str] = "eeg") -> Recording:
        """Build a recording from an :class:`mne.io.Raw` whose annotations mark the trials.

        Parameters
        ----------
        raw : mne.io.Raw
        label_map : dict of str -> int | None
            Annotation description → integer label; annotations not in it are skipped. ``None`` uses
            every distinct description, numbered in sorted order.
        dataset, subject, session, source
            Stored on the recording.
        picks : str | sequence of str
            Channels to keep (MNE ``picks``); EEG channels by default.

        Returns
        -------
        recording : Recording
        """
        ann = raw.annotations
        if label_map is None:
            label_map = {d: i for i, d in enumerate(sorted(set(ann.description)))}
        picked = raw.copy().pick(picks) if picks is not None else raw
        ch_names = tuple(picked.ch_names)
        sfreq = float(raw.info["sfreq"])
        first = raw.first_time if hasattr(raw, "first_time") else 0.0
        trials = []
        for onset, dur, desc in zip(ann.onset, ann.duration, ann.description, strict=True):
            if desc not in label_map:
                continue
            start = int(round((onset - first) * sfreq))
            stop = min(start + int(round(dur * sfreq)), picked.n_times)
            if stop <= start:
                continue

            def loader(start=start, stop=stop):
                return picked.get_data(start=start, stop=stop)

            trials.append(Trial(index=len(trials) + 1, label=label_map[desc], sfreq=sfreq,
                                ch_names=ch_names, kind="raw", n_times=stop - start,
                                onset=onset - first, loader=loader))
        label_names = {v: k for k, v in label_map.items()}
        return cls(dataset=dataset, subject=subject, session=session, trials=trials,
                   label_names=label_names, source=Path(source), kind="raw")
