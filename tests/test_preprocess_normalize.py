"""Normalizer: fitted on training rows only, per-group stats with fallback, JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from eegemo.errors import ConfigurationError
from eegemo.preprocess.normalize import Normalizer
from eegemo.preprocess.transformers import NormalizerTransformer


def _data(rng, n, shift=0.0, scale=1.0, shape=(4, 5)):
    return shift + scale * rng.standard_normal((n, *shape))


def test_global_fit_uses_training_rows_only():
    rng = np.random.default_rng(0)
    train = _data(rng, 500, shift=3.0, scale=2.0)
    test = _data(rng, 300, shift=10.0, scale=5.0)
    norm = Normalizer().fit(train)
    zt = norm.transform(train)
    np.testing.assert_allclose(zt.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(zt.std(axis=0), 1, atol=1e-12)
    z = norm.transform(test)
    # test rows are scaled by the TRAINING stats, so they are not centred on zero
    np.testing.assert_allclose(z, (test - train.mean(0)) / train.std(0))
    assert np.all(z.mean(axis=0) > 2)
    # changing the test data changes nothing in the fitted state
    before = norm.to_dict()
    norm.transform(test * 100)
    assert norm.to_dict() == before


def test_subject_scope_and_unseen_group_fallback(caplog):
    rng = np.random.default_rng(1)
    a, b = _data(rng, 200, shift=1.0), _data(rng, 200, shift=-4.0, scale=3.0)
    X = np.concatenate([a, b])
    groups = np.array(["1"] * 200 + ["2"] * 200)
    norm = Normalizer(scope="subject").fit(X, groups)
    z = norm.transform(X, groups)
    np.testing.assert_allclose(z[:200].mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(z[200:].std(0), 1, atol=1e-12)
    c = _data(rng, 50, shift=7.0)
    with caplog.at_level("INFO", logger="eegemo"):
        zc = norm.transform(c, ["3"] * 50)
    np.testing.assert_allclose(zc, (c - X.mean(0)) / X.std(0))  # global training stats
    assert "unseen" in caplog.text
    # integer group labels match their string form
    np.testing.assert_allclose(norm.transform(b, [2] * 200), z[200:])
    # transductive alternative: unseen group gets its own stats, seen groups keep theirs
    norm.fit_unlabelled(np.concatenate([c, b + 100]), ["3"] * 50 + ["2"] * 200)
    np.testing.assert_allclose(norm.transform(c, ["3"] * 50).mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(norm.transform(b, ["2"] * 200), z[200:])
    assert norm.transductive_groups_ == {"3"}


def test_json_round_trip_and_winsorize():
    rng = np.random.default_rng(2)
    X = _data(rng, 100, shape=(3, 2, 2)).astype(np.float32)
    X[0, 0, 0, 0] = 50.0
    groups = np.repeat(["s1/1", "s1/2"], 50)
    norm = Normalizer(scope="session", winsorize=3.0).fit(X, groups)
    z = norm.transform(X, groups)
    assert z.dtype == np.float32 and np.abs(z).max() == pytest.approx(3.0)
    back = Normalizer.from_dict(json.loads(json.dumps(norm.to_dict())))
    assert back.scope == "session" and back.winsorize == 3.0
    np.testing.assert_array_equal(back.transform(X, groups), z)
    with pytest.raises(ConfigurationError, match="not a saved Normalizer"):
        Normalizer.from_dict({"scope": "global"})


def test_errors():
    X = np.ones((5, 2))
    with pytest.raises(ConfigurationError, match="scope"):
        Normalizer(scope="trial").fit(X)
    with pytest.raises(ConfigurationError, match="winsorize"):
        Normalizer(winsorize=-1).fit(X)
    with pytest.raises(ConfigurationError, match="needs groups"):
        Normalizer(scope="subject").fit(X)
    with pytest.raises(ConfigurationError, match="one group per row"):
        Normalizer(scope="subject").fit(X, [1, 2])
    with pytest.raises(ConfigurationError, match="not fitted"):
        Normalizer().transform(X)
    norm = Normalizer().fit(X)
    np.testing.assert_allclose(norm.transform(X), 0)  # constant features are only centred
    with pytest.raises(ConfigurationError, match="feature shape"):
        norm.transform(np.ones((5, 3)))
    # a NaN or inf among the fit rows would make one feature NaN in every transformed row
    for bad in (np.nan, np.inf):
        Xb = np.random.default_rng(0).standard_normal((6, 3))
        Xb[2, 1] = bad
        with pytest.raises(ConfigurationError, match=r"1 value\(s\) are NaN or infinite "
                           r"\(first at row 2, feature \(1,\)\)"):
            Normalizer().fit(Xb)
        with pytest.raises(ConfigurationError, match="NaN or infinite"):
            Normalizer(scope="subject").fit(np.ones((6, 3)), [1] * 6).fit_unlabelled(Xb, [2] * 6)


def test_normalizer_transformer_groups():
    rng = np.random.default_rng(3)
    X = _data(rng, 40)
    g = np.repeat(["a", "b"], 20)
    t = NormalizerTransformer(scope="subject", winsorize=2.5)
    z = t.fit_transform(X, groups=g)
    np.testing.assert_allclose(z, Normalizer("subject", 2.5).fit(X, g).transform(X, g))


def test_sklearn_estimator_contract():
    import warnings

    from sklearn.utils.estimator_checks import check_estimator

    from eegemo.preprocess.transformers import Flatten

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for est in (Flatten(), NormalizerTransformer(), NormalizerTransformer(winsorize=3.0)):
            check_estimator(est)


def test_features_in_small_units_are_scaled_constant_ones_centred():
    """PSD in V^2/Hz varies around 1e-13: it is a feature to scale, not a constant."""
    rng = np.random.default_rng(0)
    small = rng.normal(loc=3e-13, scale=1e-13, size=(200, 4))
    X = np.c_[small, np.full(200, 5.0), np.zeros(200), np.full(200, 1e-13)]
    Z = Normalizer().fit_transform(X)
    np.testing.assert_allclose(Z[:, :4].std(axis=0), 1.0, rtol=1e-6)
    np.testing.assert_allclose(Z[:, 4:], 0.0, atol=1e-20)   # centred, not blown up
