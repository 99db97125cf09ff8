"""Channel features to 2-D maps: the 9 × 9 SEED grid and interpolated topographic images.

:func:`to_grid` places each channel in its cell of :data:`eegemo.channels.SEED_GRID` (rows frontal to
occipital, columns left to right), zeros elsewhere. :func:`to_image` interpolates the channels onto a
``size × size`` image of the head seen from above (nose up, left hemisphere left): electrode positions
(:func:`eegemo.channels.channel_positions`) are projected azimuthally-equidistantly from the centre of a
sphere fitted to the 10-05 montage, as MNE's topomaps do, so the vertex (Cz) is the centre and the
equator (Fpz, T7, T8, Oz) lies on a circle; values are interpolated linearly or with a C1 cubic
(Clough-Tocher) surface, and pixels outside the head disc are 0. The interpolation is linear in the
channel values, so it is precomputed once per (channels, size, method) as a weight matrix and applied
with one matrix product per batch.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._logging import logger
from ..channels import SEED_GRID, channel_positions, grid_indices
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["to_grid", "to_image", "project_positions", "image_weights", "image_positions"]


def _check_feat(feat, n_channels: int, what: str) -> np.ndarray:
    feat = np.asarray(feat)
    if feat.ndim < 2 or feat.shape[-2] != n_channels:
        raise ConfigurationError(
            f"{what}: expected features of shape (..., n_channels={n_channels}, n_bands), "
            f"found {feat.shape}")
    if not np.issubdtype(feat.dtype, np.floating):
        feat = feat.astype(np.float64)
    return feat


def to_grid(feat: ArrayLike, ch_names: Sequence[str],
            grid: Sequence[Sequence[str | None]] = SEED_GRID) -> np.ndarray:
    """Place channel features on a 2-D grid.

    Parameters
    ----------
    feat : array_like, shape (..., n_channels, n_bands)
        Features, channels in the order of ``ch_names``.
    ch_names : sequence of str
        Channel names (matched case-insensitively against the grid).
    grid : sequence of sequence of str | None
        Rows top (frontal) to bottom (occipital); default :data:`eegemo.channels.SEED_GRID` (9 × 9).

    Returns
    -------
    maps : ndarray, shape (..., n_bands, n_rows, n_cols)
        Zeros in empty cells and in cells whose channel is missing from ``ch_names``; channels not on
        the grid are left out.

    Examples
    --------
    >>> import numpy as np
    >>> from eegemo.channels import SEED_CHANNELS
    >>> m = to_grid(np.ones((2, 62, 5)), SEED_CHANNELS)
    >>> m.shape, float(m[0, 0, 0, 4])
    ((2, 5, 9, 9), 1.0)
    """
    ch_names = list(ch_names)
    feat = _check_feat(feat, len(ch_names), "to_grid")
    n_rows, n_cols = len(grid), max(len(r) for r in grid)
    idx = grid_indices(ch_names, grid)
    on = np.flatnonzero(idx[:, 0] >= 0)
    if on.size == 0:
        raise ConfigurationError(f"to_grid: none of the channels is on the grid "
                                 f"(found {ch_names[:5]}...)")
    if on.size < len(ch_names):
        logger.debug("to_grid: %d channel(s) not on the grid are left out",
                     len(ch_names) - on.size)
    flat = idx[on, 0] * n_cols + idx[on, 1]
    lead = feat.shape[:-2]
    n_bands = feat.shape[-1]
    out = np.zeros(lead + (n_bands, n_rows * n_cols), dtype=feat.dtype)
    out[..., flat] = np.swapaxes(feat[..., on, :], -1, -2)
    return out.reshape(lead + (n_bands, n_rows, n_cols))


@functools.lru_cache(maxsize=1)
def _sphere() -> tuple[np.ndarray, float]:
    """Centre and radius of the sphere fitted to all 10-05 positions (least squares)."""
    from ..channels import _standard_montage

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        montage = _standard_montage()
    pts = np.array(list(montage.get_positions()["ch_pos"].values()), dtype=float)
    a = np.c_[2 * pts, np.ones(len(pts))]
    sol = np.linalg.lstsq(a, (pts ** 2).sum(axis=1), rcond=None)[0]
    centre = sol[:3]
    return centre, float(np.sqrt(sol[3] + centre @ centre))


def project_positions(ch_names: Sequence[str]) -> dict[str, np.ndarray]:
    """Azimuthal equidistant projection of electrode positions (nose up, +x right).

    Parameters
    ----------
    ch_names : sequence of str
        Channel names; those without a known position are left out.

    Returns
    -------
    xy : dict of str -> ndarray, shape (2,)
        Projected positions; the distance from the origin is the polar angle from the vertex divided
        by 90°, so the equator (Fpz, T7, T8, Oz) is at radius ~1 and Cz at ~0.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        pos = channel_positions(list(ch_names))
    centre, _ = _sphere()
    out = {}
    for ch, p in pos.items():
        d = np.asarray(p, dtype=float) - centre
        norm = np.linalg.norm(d)
        theta = np.arccos(np.clip(d[2] / norm, -1.0, 1.0))
        phi = np.arctan2(d[1], d[0])
        rho = theta / (np.pi / 2)
        out[ch] = np.array([rho * np.cos(phi), rho * np.sin(phi)])
    return out


def _layout(ch_names: tuple[str, ...], size: int):
    """Projected positions of the placed channels, head radius and pixel coordinates."""
    xy = project_positions(ch_names)
    placed = [i for i, ch in enumerate(ch_names) if ch in xy]
    if len(placed) < 3:
        raise ConfigurationError(
            f"to_image: at least 3 channels need a known position (found {len(placed)} of "
            f"{len(ch_names)}: {list(ch_names)[:5]}...)")
    pts = np.array([xy[ch_names[i]] for i in placed])
    _, first, count = np.unique(np.round(pts, 9), axis=0, return_index=True, return_counts=True)
    if (count > 1).any():     # two names of one site (T3 and T7): one value would be lost
        j = first[np.flatnonzero(count > 1)[0]]
        twins = [ch_names[placed[i]] for i in range(len(placed)) if np.allclose(pts[i], pts[j])]
        raise ConfigurationError(f"to_image: channels {', '.join(map(repr, twins))} are one "
                                 "electrode site; keep one of them")
    radius = max(1.0, float(np.linalg.norm(pts, axis=1).max())) * 1.05
    # Pixel centres: columns left→right = -R..R in x, rows top→bottom = +R..-R in y (nose up).
    coords = (np.arange(size) + 0.5) / size * 2 * radius - radius
    px, py = np.meshgrid(coords, -coords)
    return placed, pts, radius, px, py


@functools.lru_cache(maxsize=32)
def _weights_cached(ch_names: tuple[str, ...], size: int, method: str):
    from scipy.interpolate import CloughTocher2DInterpolator, LinearNDInterpolator
    from scipy.spatial import cKDTree

    placed, pts, radius, px, py = _layout(ch_names, size)
    n_placed = len(placed)
    # Extra nodes on a circle just outside the head, each the inverse-distance mean of its 3 nearest
    # electrodes, so the surface covers the whole head disc (as MNE's "head" extrapolation does).
    n_extra = 36
    ang = np.linspace(0, 2 * np.pi, n_extra, endpoint=False)
    extra = 1.15 * radius * np.c_[np.cos(ang), np.sin(ang)]
    k = min(3, n_placed)
    dist, nn = cKDTree(pts).query(extra, k=k)
    dist = np.asarray(dist).reshape(n_extra, k)
    nn = np.asarray(nn).reshape(n_extra, k)
    w_extra = 1.0 / np.maximum(dist, 1e-9)
    w_extra /= w_extra.sum(axis=1, keepdims=True)
    node_map = np.zeros((n_placed + n_extra, n_placed))
    node_map[np.arange(n_placed), np.arange(n_placed)] = 1.0
    node_map[n_placed + np.arange(n_extra)[:, None], nn] = w_extra
    nodes = np.vstack([pts, extra])
    cls = CloughTocher2DInterpolator if method == "cubic" else LinearNDInterpolator
    interp = cls(nodes, node_map, fill_value=0.0)
    inside = (px ** 2 + py ** 2) <= radius ** 2
    q = np.c_[px[inside], py[inside]]
    w_in = np.nan_to_num(interp(q), nan=0.0)  # (n_inside, n_placed)
    weights = np.zeros((len(ch_names), size * size), dtype=np.float64)
    weights[np.asarray(placed)[:, None], np.flatnonzero(inside.ravel())[None, :]] = w_in.T
    weights.setflags(write=False)
    inside.setflags(write=False)
    return weights, inside


def image_weights(ch_names: Sequence[str], size: int = 32,
                  method: str = "cubic") -> tuple[np.ndarray, np.ndarray]:
    """The matrix that maps channel values to a topographic image.

    Parameters
    ----------
    ch_names : sequence of str
        Channel names; channels without a known position get zero weight.
    size : int
        Image side in pixels.
    method : {"cubic", "linear"}
        Clough-Tocher C1 cubic or piecewise-linear interpolation over a Delaunay triangulation.

    Returns
    -------
    weights : ndarray, shape (n_channels, size * size)
        Read-only; ``image.ravel() = values @ weights``. Cached per (ch_names, size, method).
    mask : ndarray of bool, shape (size, size)
        Pixels inside the head disc (outside are always 0).
    """
    if method not in ("cubic", "linear"):
        raise ConfigurationError(f"to_image: method must be 'cubic' or 'linear', found {method!r}")
    size = int(size)
    if size < 4:
        raise ConfigurationError(f"to_image: image size must be at least 4 pixels, found {size}")
    return _weights_cached(tuple(ch_names), size, method)


def image_positions(ch_names: Sequence[str], size: int = 32) -> dict[str, tuple[float, float]]:
    """Fractional (row, column) pixel position of each placed channel in :func:`to_image`'s images.

    Parameters
    ----------
    ch_names : sequence of str
        Channel names, as passed to :func:`to_image`.
    size : int
        Image side in pixels (default 32).

    Returns
    -------
    positions : dict of str to (float, float)
        ``(row, column)`` of each channel with a known position (others are left out), in pixel
        units where ``(0.0, 0.0)`` is the centre of the top-left pixel.

    Raises
    ------
    ConfigurationError
        If fewer than 3 channels have a known position, or two names are one electrode site.
    """
    placed, pts, radius, _, _ = _layout(tuple(ch_names), int(size))
    names = list(ch_names)
    out = {}
    for i, (x, y) in zip(placed, pts, strict=True):
        col = (x + radius) / (2 * radius) * size - 0.5
        row = (radius - y) / (2 * radius) * size - 0.5
        out[names[i]] = (float(row), float(col))
    return out


def to_image(feat: ArrayLike, ch_names: Sequence[str], size: int = 32,
             method: str = "cubic") -> np.ndarray:
    """Interpolated topographic images of channel features.

    Parameters
    ----------
    feat : array_like, shape (..., n_channels, n_bands)
        Features, channels in the order of ``ch_names``.
    ch_names : sequence of str
        Channel names (positions from :func:`eegemo.channels.channel_positions`).
    size : int
        Image side in pixels (default 32).
    method : {"cubic", "linear"}
        Interpolation (see :func:`image_weights`).

    Returns
    -------
    images : ndarray, shape (..., n_bands, size, size)
        Row 0 is the front of the head, column 0 its left side; 0 outside the head disc. float32 for
        float32 input, else float64.
    """
    ch_names = list(ch_names)
    feat = _check_feat(feat, len(ch_names), "to_image")
    weights, _ = image_weights(ch_names, size, method)
    w = weights.astype(feat.dtype, copy=False)
    lead = feat.shape[:-2]
    img = np.swapaxes(feat, -1, -2) @ w  # (..., n_bands, size * size)
    return img.reshape(lead + (feat.shape[-1], int(size), int(size)))
