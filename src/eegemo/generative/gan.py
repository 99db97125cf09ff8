"""Conditional GANs: the original project's dense GAN and two WGAN-GPs (4-D DE grids, raw windows).

=========  =====================  ===========================================================
name       rows                   networks
=========  =====================  ===========================================================
dense-gan  any shape (flattened)  MLP generator / discriminator, BCE loss, one-hot conditioning
wgan-4d    (n_bands, 9, 9)        2-D conv generator / critic, label embedding + projection
                                  critic, gradient penalty (λ = 10), 5 critic steps per G step
wgan-raw   (n_channels, n_samp.)  1-D conv generator (upsampling) / strided conv critic, same loss
=========  =====================  ===========================================================

All are conditioned on the emotion (and, with ``condition_subject=True``, on the subject); all work on
data scaled inside ``fit`` (per element for the dense GAN and the grid WGAN, per channel for raw
windows) and return samples in the original units.

References
----------
Goodfellow I. et al. (2014) Generative adversarial nets. NeurIPS.
Gulrajani I. et al. (2017) Improved training of Wasserstein GANs. NeurIPS.
Miyato T. & Koyama M. (2018) cGANs with projection discriminator. ICLR.
Hartmann K. G. et al. (2018) EEG-GAN: Generative adversarial networks for electroencephalographic
brain signals. arXiv:1806.01875.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigurationError
from ._base import BaseGenerator

__all__ = ["DenseGAN", "WGAN4D", "WGANRaw"]


def _nets():
    """Network classes (built lazily so importing eegemo does not import torch)."""
    import torch
    from torch import nn

    class Cond(nn.Module):
        """Embedding of the class (plus the subject when there are subjects)."""

        def __init__(self, n_classes: int, n_subjects: int, dim: int) -> None:
            super().__init__()
            self.y = nn.Embedding(n_classes, dim)
            self.s = nn.Embedding(n_subjects, dim) if n_subjects else None

        def forward(self, y, s):
            e = self.y(y)
            return e + self.s(s) if self.s is not None else e

    class DenseG(nn.Module):
        def __init__(self, latent: int, n_cond: int, hidden, n_out: int) -> None:
            super().__init__()
            layers, d = [], latent + n_cond
            for h in hidden:
                layers += [nn.Linear(d, h), nn.LeakyReLU(0.2)]
                d = h
            self.net = nn.Sequential(*layers, nn.Linear(d, n_out))

        def forward(self, z, c):
            return self.net(torch.cat([z, c], 1))

    class DenseD(nn.Module):
        def __init__(self, n_in: int, n_cond: int, hidden) -> None:
            super().__init__()
            layers, d = [], n_in + n_cond
            for h in reversed(hidden):
                layers += [nn.Linear(d, h), nn.LeakyReLU(0.2), nn.Dropout(0.3)]
                d = h
            self.net = nn.Sequential(*layers, nn.Linear(d, 1))

        def forward(self, x, c):
            return self.net(torch.cat([x.flatten(1), c], 1)).squeeze(1)

    class Grid4DG(nn.Module):
        def __init__(self, latent: int, n_classes: int, n_subjects: int, width: int,
                     shape: tuple[int, ...]) -> None:
            super().__init__()
            b, h, w = shape
            self.shape = (2 * width, h, w)
            self.cond = Cond(n_classes, n_subjects, latent)
            self.fc = nn.Sequential(nn.Linear(2 * latent, 2 * width * h * w), nn.LeakyReLU(0.2))
            self.conv = nn.Sequential(
                nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width),
                nn.LeakyReLU(0.2),
                nn.Conv2d(2 * width, width, 3, padding=1), nn.BatchNorm2d(width), nn.LeakyReLU(0.2),
                nn.Conv2d(width, b, 3, padding=1))

        def forward(self, z, y, s):
            h = self.fc(torch.cat([z, self.cond(y, s)], 1)).view(-1, *self.shape)
            return self.conv(h)

    class Grid4DD(nn.Module):
        def __init__(self, n_classes: int, n_subjects: int, width: int,
                     shape: tuple[int, ...]) -> None:
            super().__init__()
            b, h, w = shape
            self.conv = nn.Sequential(
                nn.Conv2d(b, width, 3, padding=1), nn.LeakyReLU(0.2),
                nn.Conv2d(width, 2 * width, 3, padding=1), nn.LeakyReLU(0.2),
                nn.Conv2d(2 * width, 2 * width, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
                nn.Flatten())
            with torch.no_grad():
                n_flat = self.conv(torch.zeros(1, b, h, w)).shape[1]
            hidden = 4 * width
            self.fc = nn.Sequential(nn.Linear(n_flat, hidden), nn.LeakyReLU(0.2))
            self.out = nn.Linear(hidden, 1)
            self.cond = Cond(n_classes, n_subjects, hidden)

        def forward(self, x, y, s):
            h = self.fc(self.conv(x))
            return self.out(h).squeeze(1) + (self.cond(y, s) * h).sum(1)

    class RawG(nn.Module):
        def __init__(self, latent: int, n_classes: int, n_subjects: int, width: int,
                     shape: tuple[int, ...], n_up: int) -> None:
            super().__init__()
            c, n = shape
            self.n = n
            self.l0 = -(-n // 2 ** n_up)
            top = width * 2 ** min(n_up, 2)
            self.top = top
            self.cond = Cond(n_classes, n_subjects, latent)
            self.fc = nn.Sequential(nn.Linear(2 * latent, top * self.l0), nn.LeakyReLU(0.2))
            layers, ch = [], top
            for i in range(n_up):
                out = max(width, top // 2 ** (i + 1))
                layers += [nn.Upsample(scale_factor=2, mode="linear", align_corners=False),
                           nn.Conv1d(ch, out, 5, padding=2), nn.BatchNorm1d(out), nn.LeakyReLU(0.2)]
                ch = out
            layers += [nn.Conv1d(ch, c, 5, padding=2)]
            self.conv = nn.Sequential(*layers)

        def forward(self, z, y, s):
            h = self.fc(torch.cat([z, self.cond(y, s)], 1)).view(-1, self.top, self.l0)
            return self.conv(h)[..., :self.n]

    class RawD(nn.Module):
        def __init__(self, n_classes: int, n_subjects: int, width: int,
                     shape: tuple[int, ...], n_down: int) -> None:
            super().__init__()
            c, n = shape
            layers, ch = [nn.Conv1d(c, width, 5, padding=2), nn.LeakyReLU(0.2)], width
            for i in range(n_down):
                out = width * 2 ** min(i + 1, 2)
                layers += [nn.Conv1d(ch, out, 5, stride=2, padding=2), nn.LeakyReLU(0.2)]
                ch = out
            layers += [nn.AdaptiveAvgPool1d(8), nn.Flatten()]
            self.conv = nn.Sequential(*layers)
            hidden = 2 * ch
            self.fc = nn.Sequential(nn.Linear(ch * 8, hidden), nn.LeakyReLU(0.2))
            self.out = nn.Linear(hidden, 1)
            self.cond = Cond(n_classes, n_subjects, hidden)

        def forward(self, x, y, s):
            h = self.fc(self.conv(x))
            return self.out(h).squeeze(1) + (self.cond(y, s) * h).sum(1)

    return {"DenseG": DenseG, "DenseD": DenseD, "Grid4DG": Grid4DG, "Grid4DD": Grid4DD,
            "RawG": RawG, "RawD": RawD}


_WHITEN_DOC = """whiten : bool
        Scale each window by the training data's mean amplitude spectrum per channel (spectral
        whitening) instead of by each channel's std, so the weak high frequencies of EEG's 1/f
        spectrum are learnt as carefully as the strong low ones; samples are re-coloured."""

_COND_SPECTRUM_DOC = """condition_spectrum : bool
        With ``whiten``, also divide out each emotion's (and subject's) own amplitude spectrum per
        channel, measured on the training rows after the global whitening, and multiply it back
        when sampling; after training, the networks' own spectrum per condition (256 samples) is
        divided out too. Every condition's mean power per channel and frequency is then the
        data's by construction, and the networks supply the fluctuations around it (default
        True)."""

_COMMON_DOC = """epochs : int
        Passes over the training rows.
    batch_size : int
        Rows per mini-batch.
    lr : float
        Adam learning rate of both networks.
    condition_subject : bool
        Also condition on the subject when ``fit`` is given ``subjects``.
    label_names : dict of int -> str | None
        Names of the labels, so ``sample(n, "positive")`` works.
    device : str
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    n_threads : int | None
        ``torch.set_num_threads`` during ``fit``/``sample`` (restored afterwards).
    random_state : int | None
        Seeds weights, noise and shuffling; the same int gives the same generator on one device.
    verbose : bool
        Progress bar over epochs with the losses."""


_LOG_SCALE_DOC = """log_scale : bool
        Model the natural log of the rows and return ``exp`` of the samples: for rows of band
        powers (the store's ``psd`` array, which the training runner sets it for), so that every
        sample is a positive power and errors are relative, as in dB. Needs positive rows."""


class DenseGAN(BaseGenerator):
    __doc__ = f"""The original project's dense conditional GAN, kept as a named reference.

    Multilayer perceptrons on flattened rows: the generator maps noise and a one-hot label to a row,
    the discriminator a row and the one-hot label to a logit; binary cross-entropy (the
    non-saturating GAN loss), Adam (β1 = 0.5). Unlike the original, it trains on standardised
    windows instead of trials interpolated to 50,000 samples.

    Parameters
    ----------
    latent_dim : int
        Noise dimension.
    hidden : tuple of int
        Generator layer widths (the discriminator uses them reversed).
    {_COMMON_DOC}
    {_LOG_SCALE_DOC}
    """

    name: ClassVar[str] = "dense-gan"
    input_ndim: ClassVar[int | None] = None

    def __init__(self, latent_dim: int = 100, hidden: tuple[int, ...] = (256, 512, 1024),
                 epochs: int = 100, batch_size: int = 64, lr: float = 2e-4,
                 condition_subject: bool = False, label_names: dict | None = None,
                 device: str = "auto", n_threads: int | None = None,
                 random_state: int | None = None, verbose: bool = False,
                 log_scale: bool = False) -> None:
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.log_scale = log_scale
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.condition_subject = condition_subject
        self.label_names = label_names
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def _build(self, input_shape, n_classes, n_subjects, device) -> None:
        import torch

        nets = _nets()
        self._n_cond = n_classes + n_subjects
        self._n_classes = n_classes
        n_out = int(np.prod(input_shape))
        try:   # one width (an int, as --param hidden=256 gives) or a sequence of widths
            hidden = ((int(self.hidden),) if np.ndim(self.hidden) == 0
                      else tuple(int(h) for h in self.hidden))
        except (TypeError, ValueError):
            hidden = ()
        if not hidden or min(hidden) < 1:
            raise ConfigurationError(f"{self.name}: hidden must be positive widths, found "
                                     f"{self.hidden!r}")
        self._check_positive_ints("latent_dim")
        self.generator_ = nets["DenseG"](int(self.latent_dim), self._n_cond, hidden, n_out).to(device)
        self.discriminator_ = nets["DenseD"](n_out, self._n_cond, hidden).to(device)
        self._opt_g = torch.optim.Adam(self.generator_.parameters(), lr=self.lr, betas=(0.5, 0.999))
        self._opt_d = torch.optim.Adam(self.discriminator_.parameters(), lr=self.lr,
                                       betas=(0.5, 0.999))

    def _modules(self) -> dict[str, Any]:
        return {"generator": self.generator_, "discriminator": self.discriminator_}

    def _onehot(self, y, s):
        import torch

        c = torch.nn.functional.one_hot(y, self._n_classes).float()
        if self._n_cond > self._n_classes:
            c = torch.cat([c, torch.nn.functional.one_hot(s, self._n_cond - self._n_classes)
                           .float()], 1)
        return c

    def _generate(self, y, s, gen):
        import torch

        z = torch.randn(len(y), int(self.latent_dim), generator=gen, device=y.device)
        return self.generator_(z, self._onehot(y, s)).view(len(y), *self.input_shape_)

    def _train_epoch(self, Z, y, s, rng) -> Mapping[str, float]:
        import torch
        import torch.nn.functional as F

        d_sum = g_sum = 0.0
        nb = 0
        for idx in self._batches(len(Z), int(self.batch_size), rng):
            idx = torch.from_numpy(idx).to(Z.device)
            real, yb, sb = Z[idx], y[idx], s[idx]
            c = self._onehot(yb, sb)
            z = torch.randn(len(idx), int(self.latent_dim), device=Z.device)
            fake = self.generator_(z, c)
            d_real = self.discriminator_(real, c)
            d_fake = self.discriminator_(fake.detach(), c)
            d_loss = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                      + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
            self._opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self._opt_d.step()
            d_gen = self.discriminator_(fake, c)
            g_loss = F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen))
            self._opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            self._opt_g.step()
            d_sum += float(d_loss.detach())
            g_sum += float(g_loss.detach())
            nb += 1
        return {"d_loss": d_sum / nb, "g_loss": g_sum / nb}


class _WGANGP(BaseGenerator):
    """Conditional WGAN-GP training shared by :class:`WGAN4D` and :class:`WGANRaw`."""

    def _check_wgan(self) -> None:
        self._check_positive_ints("latent_dim", "width", "n_critic")
        if not self.gp_weight >= 0:
            raise ConfigurationError(f"{self.name}: gp_weight must be >= 0, found {self.gp_weight!r}")

    def _optimizers(self) -> None:
        import torch

        self._opt_g = torch.optim.Adam(self.generator_.parameters(), lr=self.lr, betas=(0.5, 0.9))
        self._opt_d = torch.optim.Adam(self.critic_.parameters(), lr=self.lr, betas=(0.5, 0.9))

    def _modules(self) -> dict[str, Any]:
        return {"generator": self.generator_, "critic": self.critic_}

    def _generate(self, y, s, gen):
        import torch

        z = torch.randn(len(y), int(self.latent_dim), generator=gen, device=y.device)
        return self.generator_(z, y, s)

    def _gradient_penalty(self, real, fake, y, s):
        import torch

        eps = torch.rand((len(real),) + (1,) * (real.ndim - 1), device=real.device)
        mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
        out = self.critic_(mix, y, s)
        (grad,) = torch.autograd.grad(out.sum(), mix, create_graph=True)
        return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()

    def _train_epoch(self, Z, y, s, rng) -> Mapping[str, float]:
        import torch

        d_sum = g_sum = w_sum = 0.0
        nd = ng = 0
        batches = list(self._batches(len(Z), int(self.batch_size), rng))
        for i, idx in enumerate(batches):
            idx = torch.from_numpy(idx).to(Z.device)
            real, yb, sb = Z[idx], y[idx], s[idx]
            z = torch.randn(len(idx), int(self.latent_dim), device=Z.device)
            with torch.no_grad():
                fake = self.generator_(z, yb, sb)
            d_real = self.critic_(real, yb, sb).mean()
            d_fake = self.critic_(fake, yb, sb).mean()
            gp = self._gradient_penalty(real, fake, yb, sb)
            d_loss = d_fake - d_real + self.gp_weight * gp
            self._opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self._opt_d.step()
            d_sum += float(d_loss.detach())
            w_sum += float((d_real - d_fake).detach())
            nd += 1
            last = i == len(batches) - 1
            if (i + 1) % int(self.n_critic) == 0 or (last and ng == 0):
                z = torch.randn(len(idx), int(self.latent_dim), device=Z.device)
                g_loss = -self.critic_(self.generator_(z, yb, sb), yb, sb).mean()
                self._opt_g.zero_grad(set_to_none=True)
                g_loss.backward()
                self._opt_g.step()
                g_sum += float(g_loss.detach())
                ng += 1
        return {"d_loss": d_sum / nd, "g_loss": g_sum / max(ng, 1), "wasserstein": w_sum / nd}


class WGAN4D(_WGANGP):
    __doc__ = f"""Conditional WGAN-GP on 4-D DE segments: rows of shape (n_bands, 9, 9).

    The generator maps noise and a label embedding through a dense layer to a (2·width, 9, 9) map and
    three 3 × 3 convolutions (batch norm, leaky ReLU) to the band maps. The critic (three 3 × 3
    convolutions, the last strided, a dense layer) scores a grid and adds the projection
    ``<embed(label), h>`` of its hidden features (Miyato & Koyama 2018). Loss: Wasserstein with
    gradient penalty ``gp_weight`` = 10, ``n_critic`` = 5 critic steps per generator step, Adam
    (β = 0.5, 0.9). Grid cells without an electrode (constant in the data) are returned constant.

    Parameters
    ----------
    latent_dim : int
        Noise dimension.
    width : int
        Base number of convolution filters.
    n_critic : int
        Critic steps per generator step.
    gp_weight : float
        Gradient-penalty weight λ.
    condition_mean : bool
        Learn deviations from the training mean of each emotion (and subject, with
        ``condition_subject``): the mean grid of the condition is computed from the training rows
        and added to every sample, so the networks model the spread around it; after training, the
        networks' own mean output per condition (256 samples) is taken out too, so samples have the
        training mean of their condition by construction (default True; False lets the GAN learn
        the means).
    {_COMMON_DOC}
    {_LOG_SCALE_DOC}
    """

    name: ClassVar[str] = "wgan-4d"
    input_ndim: ClassVar[int | None] = 3

    def __init__(self, latent_dim: int = 64, width: int = 64, n_critic: int = 5,
                 gp_weight: float = 10.0, condition_mean: bool = True, epochs: int = 100,
                 batch_size: int = 64, lr: float = 2e-4, condition_subject: bool = False,
                 label_names: dict | None = None, device: str = "auto",
                 n_threads: int | None = None, random_state: int | None = None,
                 verbose: bool = False, log_scale: bool = False) -> None:
        self.latent_dim = latent_dim
        self.width = width
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.condition_mean = condition_mean
        self.log_scale = log_scale
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.condition_subject = condition_subject
        self.label_names = label_names
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def _build(self, input_shape, n_classes, n_subjects, device) -> None:
        self._check_wgan()
        nets = _nets()
        w = int(self.width)
        self.generator_ = nets["Grid4DG"](int(self.latent_dim), n_classes, n_subjects, w,
                                          input_shape).to(device)
        self.critic_ = nets["Grid4DD"](n_classes, n_subjects, w, input_shape).to(device)
        self._optimizers()


class WGANRaw(_WGANGP):
    __doc__ = f"""Conditional WGAN-GP with 1-D convolutions on raw windows (n_channels, n_samples).

    The generator maps noise and a label embedding to a short (4·width, n_samples / 2^n_up) sequence
    and upsamples it ``n_up`` times (linear upsampling, kernel-5 convolution, batch norm, leaky ReLU)
    to all channels at once, cropped to ``n_samples``. The critic applies strided kernel-5
    convolutions, pools to 8 steps, and adds a label projection as in :class:`WGAN4D`. Windows are
    spectrally whitened per channel (``whiten=True``) or scaled per channel inside ``fit``.

    Parameters
    ----------
    latent_dim : int
        Noise dimension.
    width : int
        Base number of convolution filters.
    n_up : int
        Upsampling stages of the generator (and strided stages of the critic).
    n_critic : int
        Critic steps per generator step.
    gp_weight : float
        Gradient-penalty weight λ.
    {_WHITEN_DOC}
    {_COND_SPECTRUM_DOC}
    {_COMMON_DOC}
    """

    name: ClassVar[str] = "wgan-raw"
    input_ndim: ClassVar[int | None] = 2
    scale_axes: ClassVar[tuple[int, ...]] = (1,)

    def __init__(self, latent_dim: int = 64, width: int = 32, n_up: int = 3, n_critic: int = 5,
                 gp_weight: float = 10.0, whiten: bool = True, condition_spectrum: bool = True,
                 epochs: int = 100, batch_size: int = 64, lr: float = 2e-4,
                 condition_subject: bool = False, label_names: dict | None = None,
                 device: str = "auto", n_threads: int | None = None,
                 random_state: int | None = None, verbose: bool = False) -> None:
        self.latent_dim = latent_dim
        self.width = width
        self.n_up = n_up
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.whiten = whiten
        self.condition_spectrum = condition_spectrum
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.condition_subject = condition_subject
        self.label_names = label_names
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def _build(self, input_shape, n_classes, n_subjects, device) -> None:
        self._check_wgan()
        if not isinstance(self.n_up, (int, np.integer)) or not 0 <= self.n_up <= 6:
            raise ConfigurationError(f"{self.name}: n_up must be an int in 0..6, found {self.n_up!r}")
        nets = _nets()
        w = int(self.width)
        self.generator_ = nets["RawG"](int(self.latent_dim), n_classes, n_subjects, w, input_shape,
                                       int(self.n_up)).to(device)
        self.critic_ = nets["RawD"](n_classes, n_subjects, w, input_shape, int(self.n_up)).to(device)
        self._optimizers()
