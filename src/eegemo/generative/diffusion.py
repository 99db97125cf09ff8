"""Conditional denoising diffusion (DDPM) on raw windows, sampled with DDIM.

The network is a small 1-D U-Net (two resolutions, residual blocks with group norm and SiLU, the
time step and the condition added to every block). By default it predicts the velocity
``v = √ᾱ ε − √(1−ᾱ) x₀`` (Salimans & Ho 2022), which stays well-conditioned at both ends of the cosine
schedule of Nichol & Dhariwal (2021); ``prediction="eps"`` predicts the noise as Ho et al. (2020). The
condition (emotion, optionally subject) is dropped with probability ``p_uncond`` so sampling can use
classifier-free guidance (Ho & Salimans 2022): ``ε = (1 + w) ε(x, c) − w ε(x, ∅)`` with
``w = guidance`` (0 = plain conditional sampling). Sampling uses DDIM (Song et al. 2021) with
``sample_steps`` evenly spaced steps (``eta`` = 0 deterministic, 1 ≈ ancestral DDPM) and an
exponential moving average of the weights.

References
----------
Ho J., Jain A., Abbeel P. (2020) Denoising diffusion probabilistic models. NeurIPS.
Nichol A., Dhariwal P. (2021) Improved denoising diffusion probabilistic models. ICML.
Song J., Meng C., Ermon S. (2021) Denoising diffusion implicit models. ICLR.
Ho J., Salimans T. (2022) Classifier-free diffusion guidance. arXiv:2207.12598.
Salimans T., Ho J. (2022) Progressive distillation for fast sampling of diffusion models. ICLR.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigurationError
from ._base import BaseGenerator
from .gan import _COMMON_DOC, _COND_SPECTRUM_DOC, _WHITEN_DOC

__all__ = ["DDPM", "cosine_alpha_bar"]


def cosine_alpha_bar(timesteps: int, s: float = 0.008) -> np.ndarray:
    """Cumulative signal fraction ᾱ_t of the cosine schedule, t = 1 … T.

    Parameters
    ----------
    timesteps : int
        T.
    s : float
        Offset of Nichol & Dhariwal (2021).

    Returns
    -------
    alpha_bar : ndarray, shape (timesteps,)
        Decreasing from about 1 to about 0; the implied β_t are clipped to 0.999.
    """
    t = np.arange(timesteps + 1, dtype=np.float64) / timesteps
    f = np.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    betas = np.clip(1 - f[1:] / f[:-1], 0, 0.999)
    return np.cumprod(1 - betas)


def _unet():
    import torch
    from torch import nn

    def norm(ch: int) -> nn.GroupNorm:
        groups = next(g for g in (8, 4, 2, 1) if ch % g == 0)
        return nn.GroupNorm(groups, ch)

    class Res(nn.Module):
        def __init__(self, cin: int, cout: int, emb: int) -> None:
            super().__init__()
            self.n1, self.c1 = norm(cin), nn.Conv1d(cin, cout, 3, padding=1)
            self.e = nn.Linear(emb, cout)
            self.n2, self.c2 = norm(cout), nn.Conv1d(cout, cout, 3, padding=1)
            self.skip = nn.Conv1d(cin, cout, 1) if cin != cout else nn.Identity()
            self.act = nn.SiLU()

        def forward(self, x, e):
            h = self.c1(self.act(self.n1(x))) + self.e(e)[..., None]
            h = self.c2(self.act(self.n2(h)))
            return h + self.skip(x)

    class UNet1d(nn.Module):
        def __init__(self, n_channels: int, width: int, n_classes: int, n_subjects: int) -> None:
            super().__init__()
            w, emb = width, 4 * width
            self.w = w
            self.t_mlp = nn.Sequential(nn.Linear(w, emb), nn.SiLU(), nn.Linear(emb, emb))
            self.y_emb = nn.Embedding(n_classes + 1, emb)          # last index: "no condition"
            self.s_emb = nn.Embedding(n_subjects + 1, emb) if n_subjects else None
            self.inp = nn.Conv1d(n_channels, w, 3, padding=1)
            self.r1 = Res(w, w, emb)
            self.d1 = nn.Conv1d(w, w, 4, stride=2, padding=1)
            self.r2 = Res(w, 2 * w, emb)
            self.d2 = nn.Conv1d(2 * w, 2 * w, 4, stride=2, padding=1)
            self.mid = Res(2 * w, 2 * w, emb)
            self.u2 = nn.ConvTranspose1d(2 * w, 2 * w, 4, stride=2, padding=1)
            self.r3 = Res(4 * w, 2 * w, emb)
            self.u1 = nn.ConvTranspose1d(2 * w, 2 * w, 4, stride=2, padding=1)
            self.r4 = Res(3 * w, w, emb)
            self.out = nn.Sequential(norm(w), nn.SiLU(), nn.Conv1d(w, n_channels, 3, padding=1))

        def t_embed(self, t):
            half = self.w // 2
            freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device) / max(half, 1))
            ang = t.float()[:, None] * freqs[None]
            e = torch.cat([torch.sin(ang), torch.cos(ang)], 1)
            if e.shape[1] < self.w:
                e = torch.nn.functional.pad(e, (0, self.w - e.shape[1]))
            return self.t_mlp(e)

        def forward(self, x, t, y, s):
            e = self.t_embed(t) + self.y_emb(y)
            if self.s_emb is not None:
                e = e + self.s_emb(s)
            n = x.shape[-1]
            pad = (-n) % 4
            if pad:
                x = torch.nn.functional.pad(x, (0, pad))
            h1 = self.r1(self.inp(x), e)
            h2 = self.r2(self.d1(h1), e)
            m = self.mid(self.d2(h2), e)
            u = self.r3(torch.cat([self.u2(m), h2], 1), e)
            u = self.r4(torch.cat([self.u1(u), h1], 1), e)
            return self.out(u)[..., :n]

    return UNet1d


class DDPM(BaseGenerator):
    __doc__ = f"""Conditional denoising diffusion model on raw windows (n_channels, n_samples).

    See the module docstring for the method. Windows are spectrally whitened per channel
    (``whiten=True``) or scaled per channel inside ``fit``.

    Parameters
    ----------
    width : int
        Base number of U-Net filters (the embedding has 4·width dimensions).
    timesteps : int
        Diffusion steps T of training.
    prediction : {"v", "eps"}
        What the network predicts: the velocity ``v = √ᾱ ε − √(1−ᾱ) x₀`` (Salimans & Ho 2022; stable
        at both ends of the cosine schedule) or the noise ε (Ho et al. 2020).
    sample_steps : int
        DDIM steps used by ``sample`` (fast sampling with few steps; ``timesteps`` for all).
    eta : float
        DDIM stochasticity (0 deterministic, 1 ≈ DDPM).
    guidance : float
        Classifier-free guidance weight w (0 = plain conditional sampling).
    p_uncond : float
        Probability of dropping the condition during training (0 disables guidance).
    ema : float
        Decay of the exponential moving average of the weights used for sampling (0 = none).
    clip_x0 : float | None
        Clip the predicted clean window to ±clip_x0 (scaled units) at each sampling step.
    {_WHITEN_DOC}
    {_COND_SPECTRUM_DOC}
    {_COMMON_DOC}
    """

    name: ClassVar[str] = "ddpm"
    input_ndim: ClassVar[int | None] = 2
    scale_axes: ClassVar[tuple[int, ...]] = (1,)

    def __init__(self, width: int = 32, timesteps: int = 1000, sample_steps: int = 50,
                 prediction: str = "v",
                 eta: float = 0.0, guidance: float = 0.5, p_uncond: float = 0.1, ema: float = 0.995,
                 clip_x0: float | None = 6.0, whiten: bool = True, condition_spectrum: bool = True,
                 epochs: int = 100, batch_size: int = 64,
                 lr: float = 1e-3, condition_subject: bool = False, label_names: dict | None = None,
                 device: str = "auto", n_threads: int | None = None,
                 random_state: int | None = None, verbose: bool = False) -> None:
        self.width = width
        self.timesteps = timesteps
        self.prediction = prediction
        self.sample_steps = sample_steps
        self.eta = eta
        self.guidance = guidance
        self.p_uncond = p_uncond
        self.ema = ema
        self.clip_x0 = clip_x0
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
        import torch

        self._check_positive_ints("width", "timesteps", "sample_steps")
        if self.prediction not in ("v", "eps"):
            raise ConfigurationError(f"{self.name}: prediction must be 'v' or 'eps', found "
                                     f"{self.prediction!r}")
        if not 0 <= self.p_uncond < 1 or not 0 <= self.ema < 1 or self.eta < 0:
            raise ConfigurationError(f"{self.name}: need 0 <= p_uncond < 1, 0 <= ema < 1, eta >= 0; "
                                     f"found p_uncond={self.p_uncond!r}, ema={self.ema!r}, "
                                     f"eta={self.eta!r}")
        self._n_classes, self._n_subjects = n_classes, n_subjects
        net = _unet()(input_shape[0], int(self.width), n_classes, n_subjects).to(device)
        self.network_ = net
        self.ema_network_ = copy.deepcopy(net).requires_grad_(False)
        self._opt = torch.optim.Adam(net.parameters(), lr=self.lr)
        self._alpha_bar = torch.tensor(cosine_alpha_bar(int(self.timesteps)), dtype=torch.float32,
                                       device=device)
        self._step = 0

    def _modules(self) -> dict[str, Any]:
        return {"network": self.network_, "ema": self.ema_network_}

    def _train_epoch(self, Z, y, s, rng) -> Mapping[str, float]:
        import torch

        total, nb = 0.0, 0
        T = int(self.timesteps)
        for idx in self._batches(len(Z), int(self.batch_size), rng):
            idx = torch.from_numpy(idx).to(Z.device)
            x0, yb, sb = Z[idx], y[idx].clone(), s[idx].clone()
            drop = torch.rand(len(idx), device=Z.device) < self.p_uncond
            yb[drop] = self._n_classes
            if self._n_subjects:
                sb[drop] = self._n_subjects
            t = torch.randint(0, T, (len(idx),), device=Z.device)
            ab = self._alpha_bar[t].view(-1, 1, 1)
            eps = torch.randn_like(x0)
            xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
            target = eps if self.prediction == "eps" else ab.sqrt() * eps - (1 - ab).sqrt() * x0
            loss = torch.nn.functional.mse_loss(self.network_(xt, t, yb, sb), target)
            self._opt.zero_grad(set_to_none=True)
            loss.backward()
            self._opt.step()
            self._update_ema()
            total += float(loss.detach())
            nb += 1
        return {"loss": total / nb}

    def _update_ema(self) -> None:
        import torch

        self._step += 1
        decay = min(float(self.ema), (1 + self._step) / (10 + self._step))
        with torch.no_grad():
            for pe, p in zip(self.ema_network_.parameters(), self.network_.parameters(),
                             strict=True):
                pe.mul_(decay).add_(p.detach(), alpha=1 - decay)
            for be, b in zip(self.ema_network_.buffers(), self.network_.buffers(), strict=True):
                be.copy_(b)

    def _set_train(self, mode: bool) -> None:
        self.network_.train(mode)
        self.ema_network_.train(False)

    def _out(self, net, x, t, y, s):
        """Network output (ε or v) with classifier-free guidance."""
        import torch

        tt = torch.full((len(x),), int(t), dtype=torch.int64, device=x.device)
        if self.guidance == 0 or self.p_uncond == 0:
            return net(x, tt, y, s)
        yn = torch.full_like(y, self._n_classes)
        sn = torch.full_like(s, self._n_subjects) if self._n_subjects else s
        both = net(torch.cat([x, x]), torch.cat([tt, tt]), torch.cat([y, yn]), torch.cat([s, sn]))
        e_c, e_u = both[:len(x)], both[len(x):]
        return (1 + self.guidance) * e_c - self.guidance * e_u

    def _monitor_generate(self, y, s, gen):
        """Cheap per-epoch samples: 10 DDIM steps."""
        return self._generate(y, s, gen, steps=10)

    def _generate(self, y, s, gen, steps: int | None = None):
        import torch

        net = self.ema_network_ if self.ema > 0 else self.network_
        T = int(self.timesteps)
        steps = min(int(steps or self.sample_steps), T)
        ts = np.unique(np.linspace(T - 1, 0, steps).round().astype(int))[::-1]
        x = torch.randn((len(y),) + tuple(self.input_shape_), generator=gen, device=y.device)
        for i, t in enumerate(ts):
            ab = self._alpha_bar[t]
            ab_prev = self._alpha_bar[ts[i + 1]] if i + 1 < len(ts) else torch.tensor(
                1.0, device=y.device)
            out = self._out(net, x, t, y, s)
            if self.prediction == "eps":
                eps = out
                x0 = (x - (1 - ab).sqrt() * eps) / ab.sqrt()
            else:   # v = sqrt(ab) eps - sqrt(1 - ab) x0
                x0 = ab.sqrt() * x - (1 - ab).sqrt() * out
                eps = (1 - ab).sqrt() * x + ab.sqrt() * out
            if self.clip_x0:
                x0 = x0.clamp(-float(self.clip_x0), float(self.clip_x0))
                eps = (x - ab.sqrt() * x0) / (1 - ab).sqrt()
            sigma = float(self.eta) * ((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev)).clamp(
                min=0).sqrt()
            x = ab_prev.sqrt() * x0 + (1 - ab_prev - sigma ** 2).clamp(min=0).sqrt() * eps
            if float(self.eta) > 0 and i + 1 < len(ts):
                x = x + sigma * torch.randn(x.shape, generator=gen, device=x.device)
        return x
