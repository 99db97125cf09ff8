"""Frequency bands, as immutable constants."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Band", "SEED_BANDS", "as_bands"]


class Band(NamedTuple):
    """A frequency band: a name and its edges in Hz (``low <= f < high``)."""

    name: str
    low: float
    high: float


#: The five bands of every released SEED-family DE/PSD feature, in their stored order.
SEED_BANDS: tuple[Band, ...] = (
    Band("delta", 1.0, 4.0),
    Band("theta", 4.0, 8.0),
    Band("alpha", 8.0, 14.0),
    Band("beta", 14.0, 31.0),
    Band("gamma", 31.0, 50.0),
)


def as_bands(bands: str | dict[str, tuple[float, float]] | Iterable[tuple[str, float, float]]
             | tuple[str, float, float] | None) -> tuple[Band, ...]:
    """Normalise ``bands`` to a tuple of :class:`Band`.

    Parameters
    ----------
    bands : None | sequence of (name, low, high) | dict of name -> (low, high) | str
        ``None`` gives :data:`SEED_BANDS`; a string such as ``"delta:1-4,theta:4-8"`` is parsed.

    Returns
    -------
    bands : tuple of Band
    """
    from .errors import ConfigurationError

    if bands is None:
        return SEED_BANDS
    if isinstance(bands, str):
        items = []
        for part in bands.split(","):
            try:
                name, rng = part.split(":")
                low, high = rng.split("-")
                items.append((name.strip(), float(low), float(high)))
            except ValueError:
                raise ConfigurationError(
                    f"band {part!r} is not of the form name:low-high (e.g. alpha:8-14)") from None
        bands = items
    try:
        if isinstance(bands, dict):
            bands = [(k, *v) for k, v in bands.items()]
        if isinstance(bands, tuple) and len(bands) == 3 and isinstance(bands[0], str):
            bands = [bands]          # one band given bare: ("alpha", 8, 14)
        out = tuple(Band(str(n), float(lo), float(hi)) for n, lo, hi in bands)
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"bands must be (name, low, high) triples, a dict of name -> (low, high) or a string "
            f"such as 'alpha:8-14,beta:14-31' (found {bands!r})") from None
    for b in out:
        if not b.name:
            raise ConfigurationError(f"band {b.low:g}-{b.high:g} Hz has no name (expected e.g. "
                                     f"alpha:8-14)")
        if not 0 <= b.low < b.high:
            raise ConfigurationError(f"band {b.name!r} has edges {b.low}-{b.high} Hz; "
                                     "expected 0 <= low < high")
    names = [b.name for b in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:   # names label the arrays' band axis, the figures and the xarray coordinates
        raise ConfigurationError(f"band names must be unique (found {', '.join(twice)} more than "
                                 f"once)")
    return out
