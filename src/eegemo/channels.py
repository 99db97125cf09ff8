"""Channel orders, electrode positions and the 9 × 9 grid of the SEED family.

All tables are plain literals so a reader can check them against the datasets' documentation.
Names are kept as the datasets spell them (upper case, ``FP1``); :func:`standard_name` maps them to the
10-05 spelling of MNE's standard montages (``Fp1``). ``CB1`` and ``CB2`` (cerebellar electrodes) have no
position in MNE's standard montages: eegemo places them at the 10-05 positions ``I1`` and ``I2``, just
below ``O1``/``O2``, and says so wherever a topomap uses them.
"""

from __future__ import annotations

import functools

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .errors import ConfigurationError

if TYPE_CHECKING:
    import mne

__all__ = [
    "SEED_CHANNELS", "SEED_CNT_CHANNELS", "SEED_NON_EEG", "SEED_GRID", "DATASET_CHANNELS",
    "standard_name", "channel_positions", "make_montage", "grid_indices", "HAND_PLACED",
]

#: The 62 EEG channels of SEED, SEED-IV, SEED-V, SEED-GER and SEED-FRA, in the row order of the arrays.
SEED_CHANNELS: tuple[str, ...] = (
    "FP1", "FPZ", "FP2", "AF3", "AF4", "F7", "F5", "F3", "F1", "FZ", "F2", "F4", "F6", "F8",
    "FT7", "FC5", "FC3", "FC1", "FCZ", "FC2", "FC4", "FC6", "FT8",
    "T7", "C5", "C3", "C1", "CZ", "C2", "C4", "C6", "T8",
    "TP7", "CP5", "CP3", "CP1", "CPZ", "CP2", "CP4", "CP6", "TP8",
    "P7", "P5", "P3", "P1", "PZ", "P2", "P4", "P6", "P8",
    "PO7", "PO5", "PO3", "POZ", "PO4", "PO6", "PO8",
    "CB1", "O1", "OZ", "O2", "CB2",
)


def _insert_after(names: Sequence[str], after: str, new: str) -> list[str]:
    out = list(names)
    out.insert(out.index(after) + 1, new)
    return out


#: The 66 channels of the raw Neuroscan ``.cnt`` recordings: M1 after T8, M2 after TP8, VEO and HEO last.
SEED_CNT_CHANNELS: tuple[str, ...] = tuple(
    _insert_after(_insert_after(SEED_CHANNELS, "T8", "M1"), "TP8", "M2") + ["VEO", "HEO"])

#: Channels of the raw recordings that readers drop (mastoid references and EOG).
SEED_NON_EEG: tuple[str, ...] = ("M1", "M2", "VEO", "HEO")

#: The 9 × 9 grid used by CCNN-style models; ``None`` marks an empty cell.
SEED_GRID: tuple[tuple[str | None, ...], ...] = (
    (None, None, None, "FP1", "FPZ", "FP2", None, None, None),
    (None, None, None, "AF3", None, "AF4", None, None, None),
    ("F7", "F5", "F3", "F1", "FZ", "F2", "F4", "F6", "F8"),
    ("FT7", "FC5", "FC3", "FC1", "FCZ", "FC2", "FC4", "FC6", "FT8"),
    ("T7", "C5", "C3", "C1", "CZ", "C2", "C4", "C6", "T8"),
    ("TP7", "CP5", "CP3", "CP1", "CPZ", "CP2", "CP4", "CP6", "TP8"),
    ("P7", "P5", "P3", "P1", "PZ", "P2", "P4", "P6", "P8"),
    (None, "PO7", "PO5", "PO3", "POZ", "PO4", "PO6", "PO8", None),
    (None, None, "CB1", "O1", "OZ", "O2", "CB2", None, None),
)

#: EEG channel names of each dataset's arrays.
DATASET_CHANNELS: dict[str, tuple[str, ...]] = {
    "seed": SEED_CHANNELS,
    "seed-iv": SEED_CHANNELS,
    "seed-v": SEED_CHANNELS,
    "seed-ger": SEED_CHANNELS,
    "seed-fra": SEED_CHANNELS,
}

#: Channels without a standard position and the 10-05 position eegemo gives them.
HAND_PLACED: dict[str, str] = {"CB1": "I1", "CB2": "I2"}


@functools.cache
def _standard_montage():
    """MNE's template 10-05 montage (``colin27_1005``; ``standard_1005`` before MNE 1.13), cached."""
    import mne

    builtin = mne.channels.get_builtin_montages()
    name = "colin27_1005" if "colin27_1005" in builtin else "standard_1005"
    return mne.channels.make_standard_montage(name)


def _standard_lookup() -> dict[str, str]:
    names = _standard_montage().ch_names
    return {n.upper(): n for n in names}


_LOOKUP: dict[str, str] | None = None


def standard_name(ch: str) -> str:
    """Return the 10-05 spelling of a channel name (``"FPZ"`` → ``"Fpz"``), or ``ch`` if unknown.

    Parameters
    ----------
    ch : str
        A channel name in any case, optionally prefixed ``"EEG "`` or suffixed with dots (EDF style).
    """
    global _LOOKUP
    if _LOOKUP is None:
        _LOOKUP = _standard_lookup()
    key = ch.upper().replace("EEG ", "").strip(" .")
    if key in HAND_PLACED:
        return key
    return _LOOKUP.get(key, ch)


def channel_positions(ch_names: Sequence[str]) -> dict[str, np.ndarray]:
    """Template positions (metres, in the template's own MRI frame) of the channels that have one.

    :func:`make_montage` hands MNE the template's fiducials with them, so that montages set on
    data are in MNE's head frame; projections (images, topomaps) fit their own sphere.

    Parameters
    ----------
    ch_names : sequence of str
        Channel names as the data spell them.

    Returns
    -------
    pos : dict of str -> ndarray, shape (3,)
        Keyed by the names given; channels without a known position are left out.
        ``CB1``/``CB2`` get the positions of ``I1``/``I2`` (see :data:`HAND_PLACED`).
    """
    std = _standard_montage().get_positions()["ch_pos"]
    out = {}
    for ch in ch_names:
        key = ch.upper().replace("EEG ", "").strip(" .")
        name = HAND_PLACED.get(key) or standard_name(ch)
        if name in std:
            out[ch] = np.asarray(std[name], dtype=float)
    return out


def make_montage(ch_names: Sequence[str]) -> mne.channels.DigMontage:
    """An :class:`mne.channels.DigMontage` for ``ch_names`` (names kept as given).

    Channels without a position are left out of the montage; pass ``on_missing="ignore"`` to
    :meth:`mne.io.Raw.set_montage` when some channels have none.

    Parameters
    ----------
    ch_names : sequence of str
        Channel names as the data spell them (positions from :func:`channel_positions`).

    Returns
    -------
    montage : mne.channels.DigMontage
        Positions of MNE's 10-05 template (``colin27_1005``, or ``standard_1005`` before MNE
        1.13) with its fiducials (nasion, LPA, RPA), in the template's coordinate frame.
    """
    import mne

    pos = channel_positions(ch_names)
    # The template's positions are in its MRI frame: give its fiducials with them, so that MNE
    # moves them into the head frame (origin between the ears) that topomaps and source models
    # assume. Declared "head" as they are, the head sits ~4 cm off its origin and occipital
    # electrodes fall outside the drawn head.
    fid = _standard_montage().get_positions()
    return mne.channels.make_dig_montage(ch_pos=pos, nasion=fid["nasion"], lpa=fid["lpa"],
                                         rpa=fid["rpa"], coord_frame=fid["coord_frame"])


#: 10-20 names of the sites the 10-10 system renamed (same positions in MNE's template)
OLD_NAMES = {"T3": "T7", "T4": "T8", "T5": "P7", "T6": "P8"}


def grid_indices(ch_names: Sequence[str],
                 grid: Sequence[Sequence[str | None]] = SEED_GRID) -> np.ndarray:
    """Row and column of each channel in ``grid``.

    Parameters
    ----------
    ch_names : sequence of str
        Channel names (case-insensitive match against the grid).
    grid : sequence of sequence of str | None
        The grid, rows top (frontal) to bottom (occipital); defaults to :data:`SEED_GRID`.

    Returns
    -------
    idx : ndarray of int, shape (n_channels, 2)
        ``(row, col)`` per channel, ``(-1, -1)`` for a channel not on the grid.

    Raises
    ------
    ConfigurationError
        If two channels name one site (``T3`` and ``T7``, ``Fp1`` and ``FP1.``).
    """
    where = {name.upper(): (r, c) for r, row in enumerate(grid) for c, name in enumerate(row) if name}
    for old, new in OLD_NAMES.items():       # the 10-20 names of four 10-10 sites
        if new in where and old not in where:
            where[old] = where[new]
    idx = np.array([where.get(ch.upper().replace("EEG ", "").strip(" ."), (-1, -1))
                    for ch in ch_names], dtype=int).reshape(len(ch_names), 2)
    cells: dict[tuple[int, int], str] = {}
    for ch, (r, c) in zip(ch_names, idx.tolist(), strict=True):
        if r >= 0 and (r, c) in cells:     # one cell, two channels: one would overwrite the other
            raise ConfigurationError(f"channels {cells[(r, c)]!r} and {ch!r} are one electrode "
                                     f"site on the grid (row {r}, column {c}); keep one of them")
        cells.setdefault((r, c), ch)
    return idx
