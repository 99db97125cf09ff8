"""Z-score normalisation fitted on training rows only, globally or per subject / session.

Statistics are per feature element (every position of ``X[0]``), over the rows (axis 0). Nothing is
baked into a store: fit a :class:`Normalizer` inside each fold on the training rows, keep its
parameters with the run (:meth:`Normalizer.to_dict`, JSON-safe), and apply it to the test rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._logging import logger
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["Normalizer"]

_SCOPES = ("global", "subject", "session")


def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0, dtype=np.float64)
    std = x.std(axis=0, dtype=np.float64)
    # constant elements (spread at rounding level of their mean): centre only; relative, so features
    # in small units (PSD in V^2/Hz, ~1e-13) are still scaled
    std[~((std > 1e-12 * np.abs(mean)) & (std > np.finfo(np.float64).tiny))] = 1.0
    return mean, std


class Normalizer:
    """Per-element z-scoring with statistics from training rows, optionally per group.

    Parameters
    ----------
    scope : {"global", "subject", "session"}
        ``"global"``: one mean/std per feature element over all training rows. ``"subject"`` /
        ``"session"``: one per group, where ``groups`` passed to :meth:`fit` and :meth:`transform`
        name the subject (``"subject"``) or the subject-and-session (``"session"``, e.g.
        ``index.subject + "/" + index.session.astype(str)``) of every row. Groups are compared as
        strings. Rows of a group unseen at fit time (e.g. the held-out subject of leave-one-subject-out)
        get the global training statistics; :meth:`fit_unlabelled` is the transductive alternative.
    winsorize : None | float
        If given (> 0), clip the z-scored values to ``[-winsorize, winsorize]``, i.e. at that many
        training standard deviations from the training mean (std-based, not quantile-based).

    Attributes
    ----------
    mean_, std_ : ndarray, shape X.shape[1:]
        Global training statistics (float64).
    group_stats_ : dict of str -> (mean, std)
        Per-group statistics (empty for ``scope="global"``).
    transductive_groups_ : set of str
        Groups whose statistics came from :meth:`fit_unlabelled`.
    """

    def __init__(self, scope: str = "global", winsorize: float | None = None):
        self.scope = scope
        self.winsorize = winsorize

    # -- validation -------------------------------------------------------------------------------
    def _check_params(self) -> None:
        if self.scope not in _SCOPES:
            raise ConfigurationError(f"normalisation scope must be one of {', '.join(_SCOPES)}, "
                                     f"found {self.scope!r}")
        try:
            ok = self.winsorize is None or float(self.winsorize) > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ConfigurationError(f"winsorize must be None or a positive number of standard "
                                     f"deviations, found {self.winsorize!r}")

    def _groups(self, groups, n: int, what: str) -> np.ndarray | None:
        if self.scope == "global":
            return None
        if groups is None:
            raise ConfigurationError(f"Normalizer(scope={self.scope!r}).{what} needs groups "
                                     f"(one {self.scope} label per row), found None")
        g = np.asarray(groups).astype(str)
        if g.shape != (n,):
            raise ConfigurationError(f"Normalizer.{what}: expected one group per row ({n}), "
                                     f"found groups of shape {g.shape}")
        return g

    @staticmethod
    def _array(X, what: str) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim < 1 or X.shape[0] == 0:
            raise ConfigurationError(f"Normalizer.{what}: expected at least one row, found shape "
                                     f"{X.shape}")
        if not np.issubdtype(X.dtype, np.floating):
            X = X.astype(np.float64)
        if what != "transform" and not (np.isfinite(X.min()) and np.isfinite(X.max())):
            # a NaN or inf in fit rows makes that feature's statistics NaN: every row spoilt
            bad = np.argwhere(~np.isfinite(X))
            where = f"row {bad[0][0]}, feature {tuple(bad[0][1:].tolist())}"
            raise ConfigurationError(f"Normalizer.{what}: {len(bad)} value(s) are NaN or infinite "
                                     f"(first at {where}); they would spoil that feature in "
                                     "every row")
        return X

    # -- API ----------------------------------------------------------------------------------------
    def fit(self, X: ArrayLike, groups: Sequence | None = None) -> Normalizer:
        """Compute statistics from training rows.

        Parameters
        ----------
        X : array_like, shape (n_rows, ...)
            Training features.
        groups : array_like of shape (n_rows,) | None
            Subject or session label per row (required unless ``scope="global"``).

        Returns
        -------
        self : Normalizer
        """
        self._check_params()
        X = self._array(X, "fit")
        g = self._groups(groups, X.shape[0], "fit")
        self.mean_, self.std_ = _stats(X)
        self.group_stats_: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.transductive_groups_: set[str] = set()
        if g is not None:
            for key in np.unique(g):
                self.group_stats_[str(key)] = _stats(X[g == key])
        self.shape_ = tuple(X.shape[1:])
        return self

    def fit_unlabelled(self, X: ArrayLike, groups: Sequence) -> Normalizer:
        """Add per-group statistics from unlabelled rows (transductive normalisation).

        Common in the SEED literature (each test subject z-scored with its own statistics); it uses
        the test features (never labels) and must be reported as transductive. Groups already fitted
        on training rows keep their statistics; the global statistics are unchanged.

        Parameters
        ----------
        X : array_like, shape (n_rows, ...)
            Features of rows to be transformed later (e.g. the test subject's).
        groups : array_like of shape (n_rows,)
            Their group labels.

        Returns
        -------
        self : Normalizer
        """
        self._check_fitted()
        if self.scope == "global":
            raise ConfigurationError("Normalizer.fit_unlabelled needs scope 'subject' or 'session', "
                                     "found 'global'")
        X = self._array(X, "fit_unlabelled")
        self._check_shape(X)
        g = self._groups(groups, X.shape[0], "fit_unlabelled")
        for key in np.unique(g):
            key = str(key)
            if key not in self.group_stats_:
                self.group_stats_[key] = _stats(X[g == key])
                self.transductive_groups_.add(key)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "mean_"):
            raise ConfigurationError("this Normalizer is not fitted yet: call fit(X_train) first")

    def _check_shape(self, X: np.ndarray) -> None:
        if tuple(X.shape[1:]) != self.shape_:
            raise ConfigurationError(f"Normalizer: feature shape differs from fit "
                                     f"(expected {self.shape_}, found {tuple(X.shape[1:])})")

    def transform(self, X: ArrayLike, groups: Sequence | None = None) -> np.ndarray:
        """Z-score rows with the fitted statistics (and clip if ``winsorize``).

        Parameters
        ----------
        X : array_like, shape (n_rows, ...)
            Features.
        groups : array_like of shape (n_rows,) | None
            Group label per row (required unless ``scope="global"``).

        Returns
        -------
        Xn : ndarray, shape (n_rows, ...)
            float32 for float32 input, else float64.
        """
        self._check_fitted()
        X = self._array(X, "transform")
        self._check_shape(X)
        g = self._groups(groups, X.shape[0], "transform")
        out = np.empty(X.shape, dtype=X.dtype)
        if g is None:
            np.divide(X - self.mean_, self.std_, out=out, casting="unsafe")
        else:
            unseen = []
            for key in np.unique(g):
                rows = g == key
                mean, std = self.group_stats_.get(str(key), (self.mean_, self.std_))
                if str(key) not in self.group_stats_:
                    unseen.append(str(key))
                out[rows] = (X[rows] - mean) / std
            if unseen:
                logger.info("Normalizer: %d group(s) unseen at fit time use the global training "
                            "statistics: %s", len(unseen), ", ".join(unseen[:10]))
        if self.winsorize is not None:
            c = float(self.winsorize)
            np.clip(out, -c, c, out=out)
        return out

    def fit_transform(self, X: ArrayLike, groups: Sequence | None = None) -> np.ndarray:
        """:meth:`fit` then :meth:`transform` on the same rows.

        Parameters
        ----------
        X : array_like, shape (n_rows, ...)
            Training features.
        groups : array_like of shape (n_rows,) | None
            Subject or session label per row (required unless ``scope="global"``).

        Returns
        -------
        Xn : ndarray, shape (n_rows, ...)
            float32 for float32 input, else float64.
        """
        return self.fit(X, groups).transform(X, groups)

    # -- persistence ---------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-safe parameters and statistics (nested lists of floats)."""
        self._check_fitted()
        return {
            "scope": self.scope,
            "winsorize": None if self.winsorize is None else float(self.winsorize),
            "shape": list(self.shape_),
            "mean": self.mean_.tolist(),
            "std": self.std_.tolist(),
            "groups": {k: {"mean": m.tolist(), "std": s.tolist(),
                           "transductive": k in self.transductive_groups_}
                       for k, (m, s) in self.group_stats_.items()},
        }

    @classmethod
    def from_dict(cls, d: dict) -> Normalizer:
        """Rebuild a fitted :class:`Normalizer` from :meth:`to_dict`'s output."""
        try:
            self = cls(scope=d["scope"], winsorize=d.get("winsorize"))
            self._check_params()
            shape = tuple(int(v) for v in d["shape"])
            self.shape_ = shape
            self.mean_ = np.asarray(d["mean"], dtype=np.float64).reshape(shape)
            self.std_ = np.asarray(d["std"], dtype=np.float64).reshape(shape)
            self.group_stats_ = {}
            self.transductive_groups_ = set()
            for k, v in d.get("groups", {}).items():
                self.group_stats_[str(k)] = (np.asarray(v["mean"], dtype=np.float64).reshape(shape),
                                             np.asarray(v["std"], dtype=np.float64).reshape(shape))
                if v.get("transductive"):
                    self.transductive_groups_.add(str(k))
        except (KeyError, TypeError, ValueError) as err:
            raise ConfigurationError(f"Normalizer.from_dict: not a saved Normalizer ({err})") from None
        return self

    def __repr__(self) -> str:
        return f"Normalizer(scope={self.scope!r}, winsorize={self.winsorize!r})"
