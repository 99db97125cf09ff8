"""Realism and usefulness of synthetic EEG, computed on arrays.

Every function takes real and synthetic rows (same shape tail) and returns a float or a dict of
floats; none reads files. The data kinds are

``"raw"``
    windows (n, n_channels, n_samples) in any unit, with ``sfreq``: band powers are computed here
    (:func:`eegemo.preprocess.features.band_power`, SEED bands unless ``bands`` is given).
``"de"``
    differential-entropy features (n, n_channels, n_bands) or grids (n, n_bands, 9, 9) in nats:
    DE = ½·log(2πe·σ²) is already a log band power, so the metrics compare DE directly (a DE
    difference Δ is a power ratio of e^(2Δ), i.e. 8.686·Δ dB). Grid cells without an electrode (constant
    in the real rows) are left out.
``"log"``
    any other log-power features, compared as they are.

Summary of the metrics (their value for two samples of one distribution → for clearly different ones):

=======================  ================================================  ============  =========
function                 what                                              same          different
=======================  ================================================  ============  =========
psd_distance             mean |Δ mean log band power| per channel × band   0 dB          large
topomap_correlation      Pearson r of per-class mean band topographies     1             < 1
c2st                     cross-validated accuracy real-vs-fake classifier  0.5           → 1
frechet_distance         Fréchet distance of Gaussian fits to features     0             large
tstr / trtr              accuracy trained on fake / real, tested on real   tstr ≈ trtr
augmentation_gain        accuracy with − without synthetic training rows   > 0 helps
diversity                mean pairwise distance fake / real                1             ≪ 1 collapse
=======================  ================================================  ============  =========
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._logging import logger, progress_disabled
from ..errors import ConfigurationError

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import ArrayLike
    from sklearn.base import BaseEstimator

    from ..preprocess.features import BandsLike

__all__ = ["band_log_power", "psd_distance", "topomap_correlation", "c2st", "frechet_distance",
           "tstr", "trtr", "augmentation_gain", "diversity", "flatten_features"]

_DB_PER_NAT = 20.0 / np.log(10.0)   # Δ DE (nats) → Δ 10·log10(power) (dB)
_KINDS = ("auto", "raw", "de", "log")


def _kind(kind: str, sfreq: float | None) -> str:
    if kind not in _KINDS:
        raise ConfigurationError(f"kind must be one of {', '.join(_KINDS)}, found {kind!r}")
    if kind == "auto":
        return "raw" if sfreq is not None else "de"
    if kind == "raw" and sfreq is None:
        raise ConfigurationError("kind='raw' needs sfreq (sampling rate of the windows)")
    return kind


def _pair(real, fake, what: str) -> tuple[np.ndarray, np.ndarray]:
    real = np.asarray(real, dtype=np.float64)
    fake = np.asarray(fake, dtype=np.float64)
    if real.ndim < 2 or real.shape[1:] != fake.shape[1:]:
        raise ConfigurationError(f"{what}: real and fake rows must have the same shape, found "
                                 f"{real.shape} and {fake.shape}")
    if len(real) < 2 or len(fake) < 2:
        raise ConfigurationError(f"{what}: needs at least 2 real and 2 fake rows, found {len(real)} "
                                 f"and {len(fake)}")
    return real, fake


def band_log_power(x: ArrayLike, sfreq: float, bands: BandsLike = None) -> np.ndarray:
    """Log10 band power of raw windows.

    Parameters
    ----------
    x : ndarray, shape (n, n_channels, n_samples)
        Raw windows.
    sfreq : float
        Sampling rate in Hz.
    bands : None | str | sequence
        Bands (default SEED's five).

    Returns
    -------
    logp : ndarray, shape (n, n_channels, n_bands)
        ``log10`` of the band power (squared input units).
    """
    from ..preprocess.features import band_power

    p = band_power(np.asarray(x, dtype=np.float64), float(sfreq), bands)
    return np.log10(np.maximum(p, np.finfo(np.float64).tiny))


def _as_log_power(x: np.ndarray, kind: str, sfreq, bands) -> tuple[np.ndarray, float]:
    """(n, positions, bands) log power and the factor that turns its differences into dB."""
    if kind == "raw":
        if x.ndim != 3:
            raise ConfigurationError(f"raw windows must be (n, n_channels, n_samples), found shape "
                                     f"{x.shape}")
        return band_log_power(x, sfreq, bands), 10.0
    if x.ndim == 4:     # grids (n, bands, H, W) → (n, H*W, bands)
        x = x.reshape(x.shape[0], x.shape[1], -1).transpose(0, 2, 1)
    elif x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ConfigurationError(f"features must be (n, n_channels, n_bands) or (n, n_bands, H, W), "
                                 f"found shape {x.shape}")
    return x, (_DB_PER_NAT if kind == "de" else 1.0)


def _valid_positions(real_lp: np.ndarray) -> np.ndarray:
    """Positions (channels / grid cells) that are not constant in the real rows."""
    return np.any(real_lp.std(axis=0) > 1e-12, axis=-1)


def psd_distance(real: ArrayLike, fake: ArrayLike, sfreq: float | None = None,
                 bands: BandsLike = None, *, kind: str = "auto") -> float:
    """Mean absolute difference of the mean log band power, per channel and band.

    Parameters
    ----------
    real, fake : ndarray, shape (n, ...)
        Real and synthetic rows: raw windows (n, n_channels, n_samples) with ``sfreq``, or DE features
        (n, n_channels, n_bands) / grids (n, n_bands, 9, 9) without (see the module docstring).
    sfreq : float | None
        Sampling rate of raw windows.
    bands : None | str | sequence
        Bands for raw windows (default SEED's five).
    kind : {"auto", "raw", "de", "log"}
        ``"auto"``: ``"raw"`` when ``sfreq`` is given, else ``"de"``.

    Returns
    -------
    distance : float
        In dB (10·log10 power) for ``"raw"`` and ``"de"``, in the input's units for ``"log"``;
        0 when the per-channel, per-band mean log powers agree.
    """
    real, fake = _pair(real, fake, "psd_distance")
    kind = _kind(kind, sfreq)
    lr, scale = _as_log_power(real, kind, sfreq, bands)
    lf, _ = _as_log_power(fake, kind, sfreq, bands)
    keep = _valid_positions(lr) if kind != "raw" else np.ones(lr.shape[1], bool)
    diff = np.abs(lr[:, keep].mean(0) - lf[:, keep].mean(0))
    return float(scale * diff.mean())


def topomap_correlation(real: ArrayLike, fake: ArrayLike, y_real: ArrayLike, y_fake: ArrayLike, *,
                        sfreq: float | None = None, bands: BandsLike = None,
                        kind: str = "auto") -> dict[str, Any]:
    """Correlation of per-class mean band topographies, real vs synthetic.

    For each class present in both sets and each band, the mean log power (DE for features) of every
    channel (or grid cell with an electrode) is averaged over the class's rows, and the Pearson
    correlation across channels between the real and the synthetic map is taken.

    Parameters
    ----------
    real, fake : ndarray, shape (n, ...)
        As in :func:`psd_distance`.
    y_real, y_fake : array_like of int
        Labels of the rows.
    sfreq, bands, kind
        As in :func:`psd_distance`.

    Returns
    -------
    result : dict
        ``mean`` (over classes and bands; 1 = identical maps up to offset and scale),
        ``per_class`` ({label: mean over bands}), ``per_band`` ({band index: mean over classes}).
    """
    real, fake = _pair(real, fake, "topomap_correlation")
    y_real, y_fake = np.asarray(y_real), np.asarray(y_fake)
    if len(y_real) != len(real) or len(y_fake) != len(fake):
        raise ConfigurationError(f"topomap_correlation: one label per row needed (found "
                                 f"{len(y_real)} labels for {len(real)} real rows, {len(y_fake)} for "
                                 f"{len(fake)} fake rows)")
    kind = _kind(kind, sfreq)
    lr, _ = _as_log_power(real, kind, sfreq, bands)
    lf, _ = _as_log_power(fake, kind, sfreq, bands)
    keep = _valid_positions(lr)
    lr, lf = lr[:, keep], lf[:, keep]
    per_class: dict[str, float] = {}
    table = []
    for c in np.intersect1d(np.unique(y_real), np.unique(y_fake)):
        mr, mf = lr[y_real == c].mean(0), lf[y_fake == c].mean(0)
        rs = []
        for b in range(mr.shape[1]):
            a, f = mr[:, b], mf[:, b]
            if a.std() < 1e-12 or f.std() < 1e-12:
                rs.append(np.nan)
            else:
                rs.append(float(np.corrcoef(a, f)[0, 1]))
        table.append(rs)
        per_class[str(int(c))] = float(np.nanmean(rs)) if np.any(np.isfinite(rs)) else float("nan")
    if not table:
        raise ConfigurationError("topomap_correlation: no class is present in both sets")
    arr = np.asarray(table)
    per_band = {str(b): float(np.nanmean(arr[:, b])) if np.any(np.isfinite(arr[:, b])) else
                float("nan") for b in range(arr.shape[1])}
    return {"mean": float(np.nanmean(arr)), "per_class": per_class, "per_band": per_band}


def flatten_features(x: ArrayLike) -> np.ndarray:
    """Rows flattened to (n, n_features), float64.

    Parameters
    ----------
    x : array_like, shape (n, ...)
        Rows of any shape (e.g. DE features, grids or raw windows).

    Returns
    -------
    flat : ndarray of float64, shape (n, n_features)
        Each row in C order; ``n_features`` is the product of the row shape.
    """
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(len(x), -1)


def _clf(classifier, random_state):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if classifier is None:
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    from sklearn.base import clone

    return clone(classifier)


def c2st(real: ArrayLike, fake: ArrayLike, random_state: int | None = 0, *, n_splits: int = 5,
         classifier: BaseEstimator | None = None, max_rows: int | None = 5000,
         groups_real: ArrayLike | None = None, groups_fake: ArrayLike | None = None) -> float:
    """Classifier two-sample test: cross-validated accuracy of telling real from synthetic rows.

    Both sets are subsampled to the same size (so chance is exactly 0.5), flattened, columns constant
    in both are dropped, and a classifier (default: standardisation + logistic regression) is scored
    by stratified ``n_splits``-fold cross-validation. With ``groups_real`` (e.g. the trial of every
    real window) the folds are made of whole groups: windows of one trial are alike, and a
    classifier tested on windows of trials it was trained on would tell *trials* apart, inflating
    the score (two random halves of the same real trials score well above 0.5 with window-level
    folds).

    Parameters
    ----------
    real, fake : ndarray, shape (n, ...)
        Feature rows (e.g. DE grids, or :func:`band_log_power` of raw windows).
    random_state : int | None
        Seed of the subsampling and of the folds.
    n_splits : int
        Cross-validation folds.
    classifier : sklearn estimator | None
        Replaces the default classifier (cloned).
    max_rows : int | None
        At most this many rows of each set are used.
    groups_real, groups_fake : array_like of shape (n_real,) / (n_fake,) | None
        Group of every row (compared as strings). Groups shared by the two sets stay together: pass
        the trial of the real row a synthetic row was drawn like (``sample_like``) as its group. A
        set without groups counts each row as its own group.

    Returns
    -------
    accuracy : float
        0.5 = indistinguishable, 1.0 = always told apart (values below 0.5 are chance fluctuations).
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_score

    real, fake = _pair(real, fake, "c2st")
    rng = np.random.default_rng(random_state)
    n = min(len(real), len(fake), max_rows or len(real))
    if n < n_splits:
        raise ConfigurationError(f"c2st: needs at least n_splits={n_splits} rows per set, found {n}")
    pick_r = rng.choice(len(real), n, replace=False)
    pick_f = rng.choice(len(fake), n, replace=False)
    r = flatten_features(real[pick_r])
    f = flatten_features(fake[pick_f])
    X = np.concatenate([r, f])
    keep = X.std(0) > 1e-12
    X = X[:, keep] if keep.any() else X[:, :1]
    y = np.r_[np.zeros(n, int), np.ones(n, int)]
    seed = int(rng.integers(2**31 - 1))
    if groups_real is None and groups_fake is None:
        cv, groups = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed), None
    else:
        def named(g, m, what, tag):
            if g is None:
                return np.array([f"\0{tag}{i}" for i in range(m)], dtype=object)
            g = np.asarray(g).astype(str).astype(object)
            if g.shape != (m,):
                raise ConfigurationError(f"c2st: {what} needs one group per row ({m}), found "
                                         f"shape {g.shape}")
            return g
        groups = np.r_[named(groups_real, len(real), "groups_real", "r")[pick_r],
                       named(groups_fake, len(fake), "groups_fake", "f")[pick_f]]
        k = min(n_splits, len(np.unique(groups)))
        if k < 2:
            raise ConfigurationError(f"c2st: needs at least 2 groups to cross-validate by group, "
                                     f"found {k}")
        # The groups are shuffled here, as integer codes in a random order, and the splitter keeps
        # that order (shuffle=False): StratifiedGroupKFold(shuffle=True) before scikit-learn 1.8
        # shuffled the groups' class counts but not the groups, so its folds were not stratified
        # (two halves of the same trials scored about 0.4). These folds are the ones 1.8's fixed
        # shuffle=True makes with random_state=seed.
        _, inv = np.unique(groups, return_inverse=True)
        perm = np.arange(inv.max() + 1)
        np.random.RandomState(seed).shuffle(perm)
        order = np.empty_like(perm)
        order[perm] = np.arange(len(perm))
        groups = order[inv]
        cv = StratifiedGroupKFold(n_splits=k)
    scores = cross_val_score(_clf(classifier, random_state), X, y, cv=cv, groups=groups)
    return float(np.mean(scores))


def frechet_distance(feat_real: ArrayLike, feat_fake: ArrayLike, *, eps: float = 1e-6) -> float:
    """Fréchet distance between Gaussians fitted to two sets of feature vectors.

    ``‖μ_r − μ_f‖² + Tr(Σ_r + Σ_f − 2 (Σ_r Σ_f)^½)`` (the FID formula when the features come from a
    trained recogniser's penultimate layer, e.g. ``model.embed(X)``).

    Parameters
    ----------
    feat_real, feat_fake : ndarray, shape (n, n_features)
        Feature vectors (higher-rank rows are flattened).
    eps : float
        Added to the covariance diagonals when their product's square root is not finite.

    Returns
    -------
    distance : float
        ≥ 0; 0 for identical Gaussian fits.
    """
    import scipy.linalg

    a, b = _pair(flatten_features(feat_real), flatten_features(feat_fake), "frechet_distance")
    mu_a, mu_b = a.mean(0), b.mean(0)
    sa = np.atleast_2d(np.cov(a, rowvar=False))
    sb = np.atleast_2d(np.cov(b, rowvar=False))
    with warnings.catch_warnings():   # singular covariances (fewer rows than features) are fine
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        covmean = scipy.linalg.sqrtm(sa @ sb)
        if not np.all(np.isfinite(covmean)):
            off = np.eye(len(sa)) * eps
            covmean = scipy.linalg.sqrtm((sa + off) @ (sb + off))
    covmean = np.real(covmean)
    d = float(np.sum((mu_a - mu_b) ** 2) + np.trace(sa) + np.trace(sb) - 2 * np.trace(covmean))
    return max(d, 0.0)


def _make_model(model, model_params, random_state):
    if isinstance(model, str):
        from ..models import get_model

        params = dict(model_params or {})
        params.setdefault("random_state", random_state)
        return get_model(model, **params)
    from sklearn.base import clone

    return clone(model)


def _adapt(model, *arrays):
    """Flatten rows of rank > 2 for feature models (``"logreg"``, ``"svm"``, sklearn estimators)."""
    if isinstance(model, str):
        from ..models import model_class

        kind = model_class(model).input_kind
    else:
        kind = getattr(model, "input_kind", None)
    max_ndim = {"features": 3, None: 2}.get(kind, 99)
    out = []
    for a in arrays:
        a = None if a is None else np.asarray(a, dtype=np.float32)
        if a is not None and a.ndim > max_ndim:
            a = a.reshape(len(a), -1)
        out.append(a)
    return out


def _fit_score(X_train, y_train, X_test, y_test, model, model_params, normalize, random_state
               ) -> float:
    X_train, X_test = _adapt(model, X_train, X_test)
    if normalize:
        from ..preprocess.normalize import Normalizer

        norm = Normalizer("global").fit(X_train)
        X_train, X_test = norm.transform(X_train), norm.transform(X_test)
    est = _make_model(model, model_params, random_state)
    est.fit(X_train, np.asarray(y_train))
    pred = est.predict(X_test)
    return float(np.mean(np.asarray(pred) == np.asarray(y_test)))


def tstr(X_synth: ArrayLike, y_synth: ArrayLike, X_test: ArrayLike, y_test: ArrayLike, *,
         model: Any = "logreg",
         model_params: Mapping | None = None, normalize: bool = True,
         random_state: int | None = 0) -> float:
    """Train on synthetic, test on real: accuracy of a recogniser fitted on synthetic rows only.

    Parameters
    ----------
    X_synth, y_synth : ndarray
        Synthetic rows and the labels they were generated for.
    X_test, y_test : ndarray
        Real held-out rows (never seen by the generator).
    model : str | estimator
        An :func:`eegemo.models.get_model` name (``"logreg"``, ``"svm"`` on DE features, ``"ccnn"`` on
        grids, ``"eegnet"`` on raw windows …) or an sklearn estimator (cloned).
    model_params : dict | None
        Parameters of the named model.
    normalize : bool
        z-score with statistics of the training rows (here the synthetic ones).
    random_state : int | None
        Seed of the model.

    Returns
    -------
    accuracy : float
        Compare with :func:`trtr` on the same test rows.
    """
    return _fit_score(X_synth, y_synth, X_test, y_test, model, model_params, normalize, random_state)


def trtr(X_train: ArrayLike, y_train: ArrayLike, X_test: ArrayLike, y_test: ArrayLike, *,
         model: Any = "logreg",
         model_params: Mapping | None = None, normalize: bool = True,
         random_state: int | None = 0) -> float:
    """Train on real, test on real: the reference accuracy for :func:`tstr`.

    Parameters are those of :func:`tstr` with real training rows.

    Parameters
    ----------
    X_train, y_train : ndarray
        Real training rows and their labels.
    X_test, y_test : ndarray
        Real held-out rows (disjoint from the training trials) and their labels.
    model : str | estimator
        An :func:`eegemo.models.get_model` name (default ``"logreg"``) or an sklearn estimator
        (cloned).
    model_params : dict | None
        Parameters of the named model.
    normalize : bool
        z-score with statistics of the training rows.
    random_state : int | None
        Seed of the model.

    Returns
    -------
    accuracy : float
        Fraction of test rows predicted correctly.
    """
    return _fit_score(X_train, y_train, X_test, y_test, model, model_params, normalize, random_state)


def augmentation_gain(X: ArrayLike, y: ArrayLike, folds: Iterable, synthesize: Callable, *,
                      model: Any = "logreg", model_params: Mapping | None = None,
                      normalize: bool = True, index: pd.DataFrame | None = None,
                      random_state: int | None = 0,
                      control: Callable | None = None) -> dict[str, Any]:
    """Accuracy gained by adding synthetic windows to the training trials of each fold.

    For every fold the same recogniser is trained twice, on the real training rows and on the real
    training rows plus ``synthesize(fold)``'s synthetic rows, and both are scored on the fold's real
    test rows only. The normaliser is fitted on the real training rows in both cases. Synthetic rows
    are never put into a test set; the generator behind ``synthesize`` must itself have been trained
    without the fold's test trials (e.g. on ``fold.train_rows``).

    Parameters
    ----------
    X : ndarray, shape (n_rows, ...)
        All real rows (e.g. a store array).
    y : ndarray of int, shape (n_rows,)
        Their labels.
    folds : iterable of Fold
        Objects with ``name``, ``subject``, ``train_rows``, ``test_rows`` (row positions into ``X``),
        e.g. from :func:`eegemo.evaluation.splits.split`.
    synthesize : callable
        ``synthesize(fold) -> (X_synth, y_synth)`` (or None to skip the fold).
    model, model_params, normalize, random_state
        As in :func:`tstr`.
    index : DataFrame | None
        The store index: when given, every fold is checked for trial leakage first.
    control : callable | None
        ``control(fold, y_synth) -> (X_real, y_real)`` (or None to skip the fold): *real* rows with
        the synthetic rows' labels, as many, from outside the fold (e.g. the other training trials
        the generator learnt from). The recogniser is trained a third time with them in place of
        the synthetic rows: a generator that pools subjects or sessions can raise the gain by what
        pooling real data alone would give, and ``gain_over_control`` (augmented − control) takes
        that out.

    Returns
    -------
    result : dict
        ``per_fold`` (list of dicts: fold, subject, baseline, augmented, gain, n_train, n_synthetic,
        n_test, and with ``control`` also control, gain_over_control), ``per_subject`` ({subject:
        mean gain over its folds}), ``mean`` and ``std`` of the per-subject gains (std with ddof=1;
        0 for one subject), ``baseline_mean``, ``augmented_mean``, ``n_subjects``, ``n_folds``; with
        ``control``, ``control_mean`` and ``gain_over_control`` ({``mean``, ``std`` over subjects,
        ``per_subject``}).
    """
    from tqdm.auto import tqdm

    X = np.asarray(X)
    y = np.asarray(y)
    rows = []
    for fold in tqdm(list(folds), desc="augmentation", unit="fold", disable=progress_disabled(),
                     leave=False):
        train = np.asarray(fold.train_rows, dtype=np.int64)
        test = np.asarray(fold.test_rows, dtype=np.int64)
        if np.intersect1d(train, test).size:
            raise ConfigurationError(f"augmentation_gain: fold {fold.name!r} has rows in both its "
                                     f"training and test sets")
        if index is not None:
            from .splits import check_no_leakage

            check_no_leakage(index, train, test, what=f"fold {fold.name}")
        out = synthesize(fold)
        if out is None:
            continue
        X_syn, y_syn = np.asarray(out[0]), np.asarray(out[1])
        if X_syn.shape[1:] != X.shape[1:] or len(X_syn) != len(y_syn):
            raise ConfigurationError(f"augmentation_gain: synthetic rows of fold {fold.name!r} must "
                                     f"match X's row shape {X.shape[1:]} with one label each, found "
                                     f"{X_syn.shape} and {len(y_syn)} labels")
        X_tr, y_tr, X_te, y_te = X[train], y[train], X[test], y[test]
        base = _score_with(X_tr, y_tr, None, None, X_te, y_te, model, model_params, normalize,
                           random_state)
        aug = _score_with(X_tr, y_tr, X_syn, y_syn, X_te, y_te, model, model_params, normalize,
                          random_state)
        subject = str(fold.subject) if getattr(fold, "subject", None) is not None else "all"
        row = {"fold": str(fold.name), "subject": subject, "baseline": base,
               "augmented": aug, "gain": aug - base, "n_train": int(len(train)),
               "n_synthetic": int(len(X_syn)), "n_test": int(len(test))}
        ctrl = control(fold, y_syn) if control is not None else None
        if ctrl is not None:
            X_c, y_c = np.asarray(ctrl[0]), np.asarray(ctrl[1])
            if X_c.shape[1:] != X.shape[1:] or len(X_c) != len(y_c):
                raise ConfigurationError(f"augmentation_gain: control rows of fold {fold.name!r} "
                                         f"must match X's row shape {X.shape[1:]} with one label "
                                         f"each, found {X_c.shape} and {len(y_c)} labels")
            ctl = _score_with(X_tr, y_tr, X_c, y_c, X_te, y_te, model, model_params, normalize,
                              random_state)
            row.update(control=ctl, gain_over_control=aug - ctl)
        rows.append(row)
        logger.info("augmentation %s: %.3f -> %.3f%s", fold.name, base, aug,
                    "" if ctrl is None else f" (real control rows instead: {row['control']:.3f})")
    if not rows:
        raise ConfigurationError("augmentation_gain: no fold produced synthetic rows")
    gain = _over_subjects(rows, "gain")
    extra: dict[str, Any] = {}
    with_ctl = [r for r in rows if "control" in r]
    if with_ctl:
        extra = {"control_mean": float(np.mean([r["control"] for r in with_ctl])),
                 "gain_over_control": _over_subjects(with_ctl, "gain_over_control")}
    return {**extra, "per_fold": rows, "per_subject": gain["per_subject"], "mean": gain["mean"],
            "std": gain["std"], "std_folds": gain["std_folds"],
            "baseline_mean": float(np.mean([r["baseline"] for r in rows])),
            "augmented_mean": float(np.mean([r["augmented"] for r in rows])),
            "n_subjects": len(gain["per_subject"]), "n_folds": len(rows)}


def _over_subjects(rows: list[dict], key: str) -> dict[str, Any]:
    """``rows[key]`` averaged per subject, then ``mean`` and ``std`` (ddof=1; 0 for one subject)
    over subjects, ``std_folds`` over the rows, ``per_subject`` and ``n_folds``."""
    by_subject: dict[str, list[float]] = {}
    for r in rows:
        by_subject.setdefault(r["subject"], []).append(r[key])
    per_subject = {s: float(np.mean(v)) for s, v in by_subject.items()}
    v = np.array(list(per_subject.values()))
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
            "std_folds": float(np.std([r[key] for r in rows], ddof=1)) if len(rows) > 1 else 0.0,
            "per_subject": per_subject, "n_folds": len(rows)}


def _score_with(X_tr, y_tr, X_syn, y_syn, X_te, y_te, model, model_params, normalize,
                random_state) -> float:
    """Fit on real training rows (+ synthetic rows), normaliser from the real rows, score on X_te."""
    X_tr, X_syn, X_te = _adapt(model, X_tr, X_syn, X_te)
    if normalize:
        from ..preprocess.normalize import Normalizer

        norm = Normalizer("global").fit(X_tr)
        X_tr, X_te = norm.transform(X_tr), norm.transform(X_te)
        if X_syn is not None:
            X_syn = norm.transform(X_syn)
    if X_syn is not None:
        X_tr = np.concatenate([X_tr, X_syn])
        y_tr = np.concatenate([np.asarray(y_tr), np.asarray(y_syn)])
    est = _make_model(model, model_params, random_state)
    est.fit(X_tr, y_tr)
    return float(np.mean(np.asarray(est.predict(X_te)) == np.asarray(y_te)))


def diversity(fake: ArrayLike, real: ArrayLike, *, max_rows: int = 500,
              random_state: int | None = 0) -> float:
    """Mode-collapse check: mean pairwise distance among fake rows over that among real rows.

    Rows are flattened and standardised with the real rows' per-feature statistics, then the mean
    Euclidean distance over all pairs (of at most ``max_rows`` random rows per set) is compared.

    Parameters
    ----------
    fake, real : ndarray, shape (n, ...)
        Synthetic and real rows (same shape tail).
    max_rows : int
        Rows drawn from each set.
    random_state : int | None
        Seed of the draw.

    Returns
    -------
    ratio : float
        ≈ 1 for a generator as varied as the data, → 0 under mode collapse, > 1 for noisier output.
    """
    from scipy.spatial.distance import pdist

    real, fake = _pair(real, fake, "diversity")
    rng = np.random.default_rng(random_state)
    r = flatten_features(real[rng.choice(len(real), min(max_rows, len(real)), replace=False)])
    f = flatten_features(fake[rng.choice(len(fake), min(max_rows, len(fake)), replace=False)])
    mu, sd = r.mean(0), r.std(0)
    keep = sd > 1e-12
    r = (r[:, keep] - mu[keep]) / sd[keep]
    f = (f[:, keep] - mu[keep]) / sd[keep]
    dr = pdist(r).mean()
    return float(pdist(f).mean() / dr) if dr > 0 else float("nan")
