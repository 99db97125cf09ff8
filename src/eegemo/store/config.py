"""The configuration of ``prepare``: one JSON-able dataclass and its hash.

The hash identifies a store: an existing store is only ever resumed with the configuration it was
started with (see :func:`eegemo.store.prepare`), so a changed window length or band set never mixes
with old data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from ..bands import Band, SEED_BANDS, as_bands
from ..errors import ConfigurationError

__all__ = ["PrepareConfig", "FEATURES", "SMOOTHING", "GRIDS"]

#: Arrays that can be computed from raw recordings.
FEATURES: tuple[str, ...] = ("de", "psd", "raw")
#: Smoothing methods across the windows of one trial (``None`` = none).
SMOOTHING: tuple[str | None, ...] = (None, "moving_average", "lds")
#: Grid maps (``None`` = no grid arrays).
GRIDS: tuple[str | None, ...] = (None, "seed9x9")
KINDS: tuple[str | None, ...] = (None, "raw", "features")

_SMOOTH_ALIASES = {None: None, "none": None, "": None, "moving_average": "moving_average",
                   "moving-average": "moving_average", "movingave": "moving_average",
                   "moving_ave": "moving_average", "ma": "moving_average", "lds": "lds"}
_GRID_ALIASES = {None: None, "none": None, "": None, "seed9x9": "seed9x9", "seed": "seed9x9",
                 "9x9": "seed9x9"}


def _positive(value, name: str, *, integer: bool = False, allow_none: bool = False,
              minimum: float = 0.0, strict: bool = True):
    if value is None and allow_none:
        return None
    try:
        out = int(value) if integer else float(value)
        if integer and float(value) != out:
            raise ValueError
    except (TypeError, ValueError):
        kind = "an integer" if integer else "a number"
        raise ConfigurationError(f"prepare: {name} must be {kind}, found {value!r}") from None
    if not math.isfinite(out) or (out <= minimum if strict else out < minimum):
        rel = ">" if strict else ">="
        raise ConfigurationError(f"prepare: {name} must be {rel} {minimum:g}, found {value!r}")
    return out


#: Largest side of the topographic images (de_image/psd_image) that ``prepare`` writes: 256² pixels
#: × 5 bands is 1.25 MiB per window and feature already; the image models use 32. Checked when a
#: store is prepared, not when a configuration is read (a run of an older store keeps its own).
MAX_IMAGE_SIZE = 256


def check_image_size(config: "PrepareConfig") -> None:
    """Refuse, before any work, images too large to store (``--image-size 5000`` was killed for
    memory mid-run)."""
    size = config.image_size
    if size is None or size <= MAX_IMAGE_SIZE:
        return
    n_img = max(1, sum(f in ("de", "psd") for f in config.features))
    mib = 4 * len(config.bands) * n_img * size ** 2 / 2 ** 20
    raise ConfigurationError(
        f"prepare: image_size must be at most {MAX_IMAGE_SIZE} pixels a side, found {size} "
        f"({len(config.bands)} band(s) x {n_img} feature(s) x {size}² float32 would take "
        f"{mib:.0f} MiB per window)")


#: Version of the conditioning code (notch, band-pass, resampling), recorded in the configuration of
#: stores that use it, so that a store is never resumed with windows conditioned another way:
#: 2 = trials filtered with the recording around them and resampled on their own time axis
#: (session 20); stores without it were conditioned trial by trial, as before.
CONDITIONING_VERSION = 2


def _bandpass(value) -> tuple | None:
    """``(l_freq, h_freq)`` with None for an open side; ``"1,40"``, ``"1,"`` and ``",40"`` too."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [v.strip() or None for v in value.split(",")]
    try:
        low, high = value
    except (TypeError, ValueError):
        raise ConfigurationError(f"prepare: bandpass must be (l_freq, h_freq), e.g. (1, 40) or "
                                 f"(1, None), found {value!r}") from None
    low = _positive(low, "bandpass low edge", allow_none=True)
    high = _positive(high, "bandpass high edge", allow_none=True)
    if low is None and high is None:
        return None
    if low is not None and high is not None and low >= high:
        raise ConfigurationError(f"prepare: bandpass low edge must be below the high edge, found "
                                 f"{low:g}-{high:g} Hz")
    return (low, high)


def _read_options(value) -> dict | None:
    if value is None or value == {}:
        return None
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ConfigurationError(f"prepare: read_options must be a dict of reader options, "
                                 f"found {value!r}")
    from ..datasets import COMMON_READ_OPTIONS   # settings of their own, passed to every reader

    reserved = sorted(set(value) & COMMON_READ_OPTIONS)
    if reserved:
        raise ConfigurationError(f"prepare: read_options cannot set {reserved}; they are settings "
                                 f"of their own")
    try:   # JSON round trip: tuples become lists, so equal options give equal hashes
        return json.loads(json.dumps(value, sort_keys=True))
    except (TypeError, ValueError):
        raise ConfigurationError(f"prepare: read_options must hold JSON values (numbers, strings, "
                                 f"lists, dicts), found {value!r}") from None


@dataclass(frozen=True)
class PrepareConfig:
    """Everything that decides the content of a store.

    Parameters
    ----------
    window : float
        Window length in seconds (raw recordings; default 1 s, as SEED's released features).
    overlap : float
        Overlap of consecutive windows in seconds (default 0). Windows never cross a trial's end.
    bands : tuple of Band
        Frequency bands (default :data:`eegemo.bands.SEED_BANDS`); anything
        :func:`eegemo.bands.as_bands` accepts, e.g. ``"delta:1-4,theta:4-8"``.
    features : tuple of str
        Arrays computed from raw recordings, among ``"de"``, ``"psd"``, ``"raw"`` (raw windows, µV).
    smoothing : {None, "moving_average", "lds"}
        Smoothing of DE/PSD across the windows of one trial (never across trials).
    smoothing_window : int
        Length in windows of the moving average.
    grid : {"seed9x9", None}
        Also store every feature on the 9 × 9 SEED grid (``de_grid``, ``psd_grid``).
    image_size : int | None
        Also store interpolated topographic images of this side (``de_image``, ``psd_image``).
    interpolate_to : int | None
        Opt-in: stretch every raw trial to this many samples before windowing (the original project's
        lossy method, kept for comparison; see :func:`eegemo.preprocess.interpolate_to_length`).
        Window times in the index then refer to the stretched trial at the original rate.
    feature : str
        Released feature to ingest from feature recordings (``"de_LDS"``, ``"de_movingAve"``,
        ``"psd_LDS"``, ...).
    dataset : str | None
        Dataset name passed to :func:`eegemo.datasets.read` (``None`` auto-detects).
    kind : {None, "raw", "features"}
        Which recordings to read from a folder holding both (``None``: raw where present).
    subjects, sessions : tuple | None
        Restrict reading to these subjects / sessions (passed to the reader).
    bandpass : tuple of (float | None, float | None) | None
        Raw recordings: zero-phase FIR band-pass ``(l_freq, h_freq)`` in Hz before windowing
        (``(1, None)`` high-pass only); see :func:`eegemo.preprocess.condition`.
    notch : float | None
        Raw recordings: line frequency (50 or 60 Hz) notched with its harmonics.
    resample : float | None
        Raw recordings: resample every trial to this rate (after the filters); recordings of
        different rates can then share a store.
    read_options : dict | None
        Further options of the reader, e.g. ``{"labels": ["T1", "T2"]}`` or ``{"duration": 4.0}``
        for a generic recording (see :func:`eegemo.datasets.read`); JSON values only, since they
        are part of the store's configuration. ``eegemo predict`` reads new files with them too.
    """

    window: float = 1.0
    overlap: float = 0.0
    bands: tuple[Band, ...] = SEED_BANDS
    features: tuple[str, ...] = ("de",)
    smoothing: str | None = None
    smoothing_window: int = 5
    grid: str | None = "seed9x9"
    image_size: int | None = None
    interpolate_to: int | None = None
    feature: str = "de_LDS"
    dataset: str | None = None
    kind: str | None = None
    subjects: tuple | None = field(default=None)
    sessions: tuple | None = field(default=None)
    read_options: dict | None = field(default=None, hash=False)
    bandpass: tuple | None = None
    notch: float | None = None
    resample: float | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "window", _positive(self.window, "window"))
        set_(self, "overlap", _positive(self.overlap, "overlap", strict=False))
        if self.overlap >= self.window:
            raise ConfigurationError(f"prepare: overlap must be shorter than the window "
                                     f"(expected < {self.window:g} s, found {self.overlap:g} s)")
        set_(self, "bands", as_bands(self.bands))
        if not self.bands:
            raise ConfigurationError("prepare: bands must name at least one band, found none")
        feats = self.features
        if isinstance(feats, str):
            feats = [f for f in feats.split(",")]
        feats = tuple(dict.fromkeys(str(f).strip().lower() for f in feats if str(f).strip()))
        bad = [f for f in feats if f not in FEATURES]
        if bad or not feats:
            raise ConfigurationError(f"prepare: features must be among {list(FEATURES)}, "
                                     f"found {list(bad) or 'none'}")
        set_(self, "features", feats)
        key = self.smoothing.lower() if isinstance(self.smoothing, str) else self.smoothing
        if key not in _SMOOTH_ALIASES:
            raise ConfigurationError(f"prepare: smoothing must be one of none, moving-average, lds; "
                                     f"found {self.smoothing!r}")
        set_(self, "smoothing", _SMOOTH_ALIASES[key])
        set_(self, "smoothing_window", _positive(self.smoothing_window, "smoothing_window",
                                                 integer=True))
        key = self.grid.lower() if isinstance(self.grid, str) else self.grid
        if key not in _GRID_ALIASES:
            raise ConfigurationError(f"prepare: grid must be 'seed9x9' or none, found {self.grid!r}")
        set_(self, "grid", _GRID_ALIASES[key])
        if self.image_size is not None and int(self.image_size) == 0:
            set_(self, "image_size", None)
        set_(self, "image_size", _positive(self.image_size, "image_size", integer=True,
                                           allow_none=True, minimum=3))
        if self.interpolate_to is not None and int(self.interpolate_to) == 0:
            set_(self, "interpolate_to", None)
        set_(self, "interpolate_to", _positive(self.interpolate_to, "interpolate_to", integer=True,
                                               allow_none=True, minimum=1))
        if not isinstance(self.feature, str) or "_" not in self.feature:
            raise ConfigurationError(f"prepare: feature must name a released feature such as "
                                     f"'de_LDS' or 'psd_movingAve', found {self.feature!r}")
        if self.kind not in KINDS:
            raise ConfigurationError(f"prepare: kind must be 'raw', 'features' or None, "
                                     f"found {self.kind!r}")
        if self.dataset is not None:
            set_(self, "dataset", str(self.dataset).lower())
        for name in ("subjects", "sessions"):
            val = getattr(self, name)
            if val is not None:
                if isinstance(val, (str, int)):
                    val = (val,)
                try:
                    val = tuple(str(v) if name == "subjects" else int(v) for v in val)
                except (TypeError, ValueError):
                    raise ConfigurationError(f"prepare: sessions must be integers (e.g. 1,2), found "
                                             f"{list(val)!r}") from None
                set_(self, name, val)
        set_(self, "read_options", _read_options(self.read_options))
        set_(self, "bandpass", _bandpass(self.bandpass))
        set_(self, "notch", _positive(self.notch, "notch", allow_none=True))
        set_(self, "resample", _positive(self.resample, "resample", allow_none=True))

    # --- serialisation -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-able dict (bands as ``[name, low, high]`` lists; ``conditioning``, the version of
        the notch/band-pass/resampling code, where any of them is set)."""
        out = dataclasses.asdict(self)
        out["bands"] = [[b.name, b.low, b.high] for b in self.bands]
        for k in ("features", "subjects", "sessions"):
            if out[k] is not None:
                out[k] = list(out[k])
        for k in ("read_options", "bandpass", "notch", "resample"):
            if out[k] is None:   # absent, so stores prepared before these existed keep their hash
                del out[k]
        if "bandpass" in out:
            out["bandpass"] = list(out["bandpass"])
        if self.bandpass or self.notch or self.resample:
            out["conditioning"] = CONDITIONING_VERSION
        return out

    @classmethod
    def from_dict(cls, d: dict) -> PrepareConfig:
        """Inverse of :meth:`to_dict` (unknown keys are refused)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names - {"conditioning"})
        if unknown:
            raise ConfigurationError(f"prepare: unknown configuration keys {unknown} "
                                     f"(expected among {sorted(names)})")
        return cls(**{k: v for k, v in d.items() if k != "conditioning"})

    def to_json(self) -> str:
        """Canonical JSON (sorted keys) of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def config_hash(self) -> str:
        """First 16 hex digits of the SHA-256 of :meth:`to_json`: equal hashes ⇔ equal stores."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    def replace(self, **overrides: Any) -> PrepareConfig:
        """A copy with some fields changed (unknown names are refused with the allowed ones).

        Parameters
        ----------
        **overrides
            New values of fields, by field name (as :func:`dataclasses.replace` takes them; the
            copy's ``__post_init__`` checks run again).

        Returns
        -------
        config : PrepareConfig
            The copy; ``self`` is unchanged.

        Raises
        ------
        ConfigurationError
            If a name is not a field of :class:`PrepareConfig`.
        """
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ConfigurationError(f"prepare: unknown setting(s) {unknown} "
                                     f"(expected among {sorted(names)})")
        return dataclasses.replace(self, **overrides)

    @property
    def released_array(self) -> str:
        """Store array name of the released feature (``"de"`` for ``"de_LDS"``)."""
        return self.feature.split("_", 1)[0].lower()
