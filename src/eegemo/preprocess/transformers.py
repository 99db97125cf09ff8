"""Thin scikit-learn transformers over :mod:`eegemo.preprocess`'s array functions.

Each ``__init__`` only stores its arguments; checks happen in ``fit``/``transform``. All but
:class:`NormalizerTransformer` are stateless (``fit`` only records ``n_features_in_``-style shape
information), so they can be used in a :class:`sklearn.pipeline.Pipeline`, e.g.
``make_pipeline(DE(200.0), Flatten(), LogisticRegression())`` on windows of shape
(n_windows, n_channels, n_samples).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Self

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..errors import ConfigurationError
from .features import check_bands, differential_entropy, psd_features
from .grid import to_grid, to_image
from .normalize import Normalizer
from .windows import make_windows, window_samples

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6: the same check is the estimator's own method
    def validate_data(_estimator, /, X, **kwargs):
        return _estimator._validate_data(X, **kwargs)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .features import BandsLike

__all__ = ["DE", "PSD", "Windower", "ToGrid", "ToImage", "Flatten", "NormalizerTransformer"]


def _array(X, ndim_min: int, what: str) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim < ndim_min:
        raise ConfigurationError(f"{what}: expected an array with at least {ndim_min} dimensions, "
                                 f"found shape {X.shape}")
    return X


class _Stateless(TransformerMixin, BaseEstimator):
    """A transformer whose ``fit`` only validates its parameters."""

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Validate the parameters; nothing is learnt. Returns ``self``."""
        self._validate()
        self.fitted_ = True
        return self

    def _validate(self) -> None:  # pragma: no cover - overridden
        pass

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


class DE(_Stateless):
    """Differential entropy per band (:func:`~eegemo.preprocess.features.differential_entropy`).

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz (required: no default rate, so that 128- or 250-Hz
        windows are never read as SEED's 200 Hz, which would shift every band).
    bands : None | str | sequence of (name, low, high)
        Bands (default SEED's five).

    Notes
    -----
    ``transform``: (n_windows, n_channels, n_samples) → (n_windows, n_channels, n_bands).
    """

    def __init__(self, sfreq: float, bands: BandsLike = None):
        self.sfreq = sfreq
        self.bands = bands

    def _validate(self) -> None:
        check_bands(self.bands, self.sfreq, "DE(bands=...)")

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Return the DE of each window, channel and band.

        Parameters
        ----------
        X : array_like, shape (n_windows, n_channels, n_samples)
            Windows of signal at ``sfreq``, samples on the last axis (any leading shape works).

        Returns
        -------
        X_new : ndarray, shape (n_windows, n_channels, n_bands)
            DE in nats; float32 for float32 input, else float64.
        """
        return differential_entropy(_array(X, 1, "DE.transform"), self.sfreq, self.bands)


class PSD(_Stateless):
    """Mean PSD per band (:func:`~eegemo.preprocess.features.psd_features`).

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz.
    bands : None | str | sequence of (name, low, high)
        Bands (default SEED's five).
    log : bool
        Natural log of the PSD.
    """

    def __init__(self, sfreq: float, bands: BandsLike = None, log: bool = False):
        self.sfreq = sfreq
        self.bands = bands
        self.log = log

    def _validate(self) -> None:
        check_bands(self.bands, self.sfreq, "PSD(bands=...)")

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Return the mean PSD of each window, channel and band.

        Parameters
        ----------
        X : array_like, shape (n_windows, n_channels, n_samples)
            Windows of signal at ``sfreq``, samples on the last axis (any leading shape works).

        Returns
        -------
        X_new : ndarray, shape (n_windows, n_channels, n_bands)
            Mean one-sided PSD in squared input units per Hz (its natural log if ``log``); float32
            for float32 input, else float64.
        """
        return psd_features(_array(X, 1, "PSD.transform"), self.sfreq, self.bands, log=self.log)


class Windower(_Stateless):
    """Cut trials into windows (:func:`~eegemo.preprocess.windows.make_windows`).

    Changes the number of rows, so it belongs before label-free steps (not before a classifier
    in a Pipeline that also receives ``y``).

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz.
    length, overlap : float
        Window length and overlap in seconds.

    Notes
    -----
    ``transform``: one trial (n_channels, n_times) → (n_windows, n_channels, n_samples); equal-length
    trials (n_trials, n_channels, n_times) or a list of trials of any lengths → all their windows
    concatenated, trial-major (windows never cross trials). The result is a copy, safe to write.
    """

    def __init__(self, sfreq: float, length: float = 1.0, overlap: float = 0.0):
        self.sfreq = sfreq
        self.length = length
        self.overlap = overlap

    def _validate(self) -> None:
        window_samples(self.sfreq, self.length, self.overlap)

    def transform(self, X: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
        """Return the windows of every trial.

        Parameters
        ----------
        X : array_like, shape (n_channels, n_times) or (n_trials, n_channels, n_times) | list
            One trial, equal-length trials, or a list (or tuple) of trials of any lengths, each
            of shape (n_channels, n_times), sampled at ``sfreq``.

        Returns
        -------
        X_new : ndarray, shape (n_windows, n_channels, n_samples)
            The windows of all trials, trial-major; a writable copy. The incomplete tail of each
            trial is dropped.
        """
        if isinstance(X, (list, tuple)):
            if not X:
                raise ConfigurationError("Windower.transform: expected at least one trial, found none")
            return np.concatenate([np.array(make_windows(np.asarray(t), self.sfreq, self.length,
                                                         self.overlap)) for t in X])
        X = _array(X, 2, "Windower.transform")
        if X.ndim == 2:
            return np.array(make_windows(X, self.sfreq, self.length, self.overlap))
        if X.ndim != 3:
            raise ConfigurationError(f"Windower.transform: expected (n_channels, n_times) or "
                                     f"(n_trials, n_channels, n_times), found shape {X.shape}")
        return np.concatenate([make_windows(t, self.sfreq, self.length, self.overlap) for t in X])


class ToGrid(_Stateless):
    """Channel features to the 9 × 9 grid (:func:`~eegemo.preprocess.grid.to_grid`).

    Parameters
    ----------
    ch_names : sequence of str
        Channel order of the features.
    """

    def __init__(self, ch_names: Sequence[str] = ()):
        self.ch_names = ch_names

    def transform(self, X: ArrayLike) -> np.ndarray:
        """(..., n_channels, n_bands) → (..., n_bands, 9, 9).

        Parameters
        ----------
        X : array_like, shape (..., n_channels, n_bands)
            Channel features, channels in the order of ``ch_names``.

        Returns
        -------
        X_new : ndarray, shape (..., n_bands, 9, 9)
            Same dtype as ``X``; zeros in empty cells and for grid channels missing from
            ``ch_names``.
        """
        return to_grid(_array(X, 2, "ToGrid.transform"), self.ch_names)


class ToImage(_Stateless):
    """Channel features to topographic images (:func:`~eegemo.preprocess.grid.to_image`).

    Parameters
    ----------
    ch_names : sequence of str
        Channel order of the features.
    size : int
        Image side in pixels.
    method : {"cubic", "linear"}
        Interpolation.
    """

    def __init__(self, ch_names: Sequence[str] = (), size: int = 32, method: str = "cubic"):
        self.ch_names = ch_names
        self.size = size
        self.method = method

    def transform(self, X: ArrayLike) -> np.ndarray:
        """(..., n_channels, n_bands) → (..., n_bands, size, size).

        Parameters
        ----------
        X : array_like, shape (..., n_channels, n_bands)
            Channel features, channels in the order of ``ch_names``.

        Returns
        -------
        X_new : ndarray, shape (..., n_bands, size, size)
            0 outside the head disc; float32 for float32 input, else float64.
        """
        return to_image(_array(X, 2, "ToImage.transform"), self.ch_names, self.size, self.method)


class Flatten(TransformerMixin, BaseEstimator):
    """Flatten every row: (n_rows, ...) → (n_rows, n_features), C order (channel-major for DE).

    Attributes
    ----------
    row_shape_ : tuple of int
        Shape of one row seen in ``fit`` (checked again in ``transform``).
    """

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Flatten:
        """Record the row shape. Returns ``self``.

        Parameters
        ----------
        X : array_like, shape (n_rows, ...)
            Numeric training rows of any shape.
        y : None
            Ignored.

        Returns
        -------
        self : Flatten
        """
        X = validate_data(self, X, allow_nd=True, dtype="numeric")
        self.row_shape_ = tuple(X.shape[1:])
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Return ``X.reshape(len(X), -1)``.

        Parameters
        ----------
        X : array_like, shape (n_rows, ...)
            Numeric rows of the shape seen in :meth:`fit`.

        Returns
        -------
        X_new : ndarray, shape (n_rows, n_features)
            ``n_features`` is the product of the row shape; C order.
        """
        check_is_fitted(self, "row_shape_")
        X = validate_data(self, X, allow_nd=True, dtype="numeric", reset=False)
        if tuple(X.shape[1:]) != self.row_shape_:
            raise ConfigurationError(f"Flatten.transform: row shape differs from fit "
                                     f"(expected {self.row_shape_}, found {tuple(X.shape[1:])})")
        return X.reshape(X.shape[0], -1)


class NormalizerTransformer(TransformerMixin, BaseEstimator):
    """:class:`~eegemo.preprocess.normalize.Normalizer` as a transformer.

    In a Pipeline only ``scope="global"`` works without extra plumbing; for per-subject scopes pass
    ``groups`` to ``fit``/``transform`` directly (or use :class:`Normalizer`).

    Parameters
    ----------
    scope : {"global", "subject", "session"}
        See :class:`Normalizer`.
    winsorize : None | float
        Clip z-scores at this many standard deviations.

    Attributes
    ----------
    normalizer_ : Normalizer
        The fitted normaliser.
    """

    def __init__(self, scope: str = "global", winsorize: float | None = None):
        self.scope = scope
        self.winsorize = winsorize

    def fit(self, X: ArrayLike, y: ArrayLike | None = None,
            groups: ArrayLike | None = None) -> NormalizerTransformer:
        """Fit the statistics on ``X`` (training rows).

        Parameters
        ----------
        X : array_like, shape (n_rows, ...)
            Training features (converted to float64 unless float32).
        y : None
            Ignored.
        groups : array_like of shape (n_rows,) | None
            Subject or session label per row (required unless ``scope="global"``).

        Returns
        -------
        self : NormalizerTransformer
        """
        X = validate_data(self, X, allow_nd=True, dtype=(np.float64, np.float32))
        self.normalizer_ = Normalizer(self.scope, self.winsorize).fit(X, groups)
        return self

    def fit_transform(self, X: ArrayLike, y: ArrayLike | None = None,
                      groups: ArrayLike | None = None) -> np.ndarray:
        """Fit on ``X`` and return it z-scored.

        Parameters
        ----------
        X : array_like, shape (n_rows, ...)
            Training features (converted to float64 unless float32).
        y : None
            Ignored.
        groups : array_like of shape (n_rows,) | None
            Subject or session label per row (required unless ``scope="global"``).

        Returns
        -------
        X_new : ndarray, shape (n_rows, ...)
            float32 for float32 input, else float64.
        """
        return self.fit(X, y, groups).transform(X, groups)

    def transform(self, X: ArrayLike, groups: ArrayLike | None = None) -> np.ndarray:
        """Z-score ``X`` with the training statistics.

        Parameters
        ----------
        X : array_like, shape (n_rows, ...)
            Features of the row shape seen in :meth:`fit` (converted to float64 unless float32).
        groups : array_like of shape (n_rows,) | None
            Group label per row (required unless ``scope="global"``); groups unseen at fit time
            get the global training statistics.

        Returns
        -------
        X_new : ndarray, shape (n_rows, ...)
            float32 for float32 input, else float64.
        """
        check_is_fitted(self, "normalizer_")
        X = validate_data(self, X, allow_nd=True, dtype=(np.float64, np.float32), reset=False)
        return self.normalizer_.transform(X, groups)
