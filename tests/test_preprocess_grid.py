"""The 9 × 9 grid and interpolated topographic images."""

from __future__ import annotations

import numpy as np
import pytest

from eegemo.channels import SEED_CHANNELS, SEED_GRID
from eegemo.errors import ConfigurationError
from eegemo.preprocess.grid import image_positions, image_weights, to_grid, to_image
from eegemo.preprocess.transformers import ToGrid, ToImage


def _one_hot(ch, ch_names=SEED_CHANNELS, n_bands=5):
    f = np.zeros((len(ch_names), n_bands))
    f[list(ch_names).index(ch)] = np.arange(1, n_bands + 1)
    return f


@pytest.mark.parametrize("ch,rc", [("FPZ", (0, 4)), ("OZ", (8, 4)), ("T7", (4, 0)), ("T8", (4, 8)),
                                   ("CZ", (4, 4)), ("CB1", (8, 2)), ("PO7", (7, 1))])
def test_grid_positions_of_known_channels(ch, rc):
    g = to_grid(_one_hot(ch), SEED_CHANNELS)
    assert g.shape == (5, 9, 9)
    for b in range(5):
        assert np.argwhere(g[b]).tolist() == [list(rc)]
        assert g[b][rc] == b + 1


def test_grid_places_the_old_10_20_names():
    """T3/T4/T5/T6 (10-20) are T7/T8/P7/P8 (10-10): the grid places them as the images do."""
    names = ["T3", "T4", "T5", "T6", "CZ"]
    f = np.arange(1, 6, dtype=float)[:, None] * np.ones((5, 1))
    g = to_grid(f, names)[0]
    assert [g[4, 0], g[4, 8], g[6, 0], g[6, 8], g[4, 4]] == [1, 2, 3, 4, 5]


def test_two_names_of_one_site_are_refused():
    """T3 is T7's old name: both on one cell, to_grid kept the last one silently."""
    for names in (["T3", "T7", "CZ"], ["Fp1", "CZ", "FP1."]):
        with pytest.raises(ConfigurationError, match="are one electrode site on the grid"):
            to_grid(np.ones((1, 3, 5)), names)
    with pytest.raises(ConfigurationError, match="channels 'T3', 'T7' are one electrode site"):
        to_image(np.ones((1, 5, 5)), ["T3", "T7", "CZ", "FZ", "PZ"], size=8)


def test_grid_all_channels_order_and_empty_cells():
    rng = np.random.default_rng(0)
    order = rng.permutation(62)
    names = [SEED_CHANNELS[i] for i in order]
    feat = rng.standard_normal((3, 2, 62, 5)) + 10
    g = to_grid(feat, names)
    assert g.shape == (3, 2, 5, 9, 9)
    empty = np.array([[c is None for c in row] for row in SEED_GRID])
    assert np.all(g[..., empty] == 0) and np.all(g[..., ~empty] != 0)
    r, c = 2, 3  # F1
    np.testing.assert_array_equal(g[..., r, c], feat[..., names.index("F1"), :])
    # lower-case names and an off-grid channel are handled
    g2 = to_grid(feat[0, 0, :3], ["fpz", "oz", "M1"])
    assert g2[0, 0, 4] == feat[0, 0, 0, 0] and g2[0, 8, 4] == feat[0, 0, 1, 0]
    with pytest.raises(ConfigurationError, match="n_channels"):
        to_grid(feat, names[:10])


@pytest.mark.parametrize("method", ["cubic", "linear"])
@pytest.mark.parametrize("ch", ["OZ", "FPZ", "CZ", "T7", "P4"])
def test_image_of_single_active_channel_peaks_at_its_position(ch, method):
    img = to_image(_one_hot(ch, n_bands=1), SEED_CHANNELS, size=32, method=method)
    assert img.shape == (1, 32, 32)
    peak = np.unravel_index(np.argmax(img[0]), (32, 32))
    row, col = image_positions(SEED_CHANNELS, 32)[ch]
    assert abs(peak[0] - row) <= 1.5 and abs(peak[1] - col) <= 1.5
    assert 0.5 < img[0].max() < 1.2  # pixel centres need not fall on the electrode


def test_image_orientation_mask_constant_and_batch():
    pos = image_positions(SEED_CHANNELS, 32)
    assert pos["FPZ"][0] < pos["CZ"][0] < pos["OZ"][0]  # nose up
    assert pos["T7"][1] < pos["CZ"][1] < pos["T8"][1]   # left on the left
    w, mask = image_weights(SEED_CHANNELS, 32, "cubic")
    assert w.shape == (62, 1024) and image_weights(SEED_CHANNELS, 32, "cubic")[0] is w  # cached
    const = to_image(np.full((62, 2), 3.0), SEED_CHANNELS, 32)
    np.testing.assert_allclose(const[:, mask], 3.0, atol=1e-5)
    assert np.all(const[:, ~mask] == 0)
    rng = np.random.default_rng(1)
    feat = rng.standard_normal((4, 62, 5)).astype(np.float32)
    imgs = to_image(feat, SEED_CHANNELS, 16, "linear")
    assert imgs.shape == (4, 5, 16, 16) and imgs.dtype == np.float32
    np.testing.assert_allclose(imgs[2, 3], to_image(feat[2], SEED_CHANNELS, 16, "linear")[3])
    with pytest.raises(ConfigurationError, match="method"):
        to_image(feat, SEED_CHANNELS, 16, "nearest")
    with pytest.raises(ConfigurationError, match="position"):
        to_image(np.zeros((2, 1)), ["XX1", "XX2"], 16)


def test_grid_and_image_transformers():
    feat = np.random.default_rng(2).standard_normal((3, 62, 5))
    assert ToGrid(SEED_CHANNELS).fit_transform(feat).shape == (3, 5, 9, 9)
    assert ToImage(SEED_CHANNELS, size=8).fit_transform(feat).shape == (3, 5, 8, 8)
