"""Which torch device a model or generator runs on, refused in one line when it cannot be had."""

from __future__ import annotations

from .errors import ConfigurationError


def resolve_device(device: str | None, owner: str):
    """The ``torch.device`` for a ``device`` setting.

    Parameters
    ----------
    device : str | None
        ``None`` or ``"auto"`` (CUDA when present, else the CPU), ``"cpu"``, ``"cuda"`` or
        ``"cuda:N"``.
    owner : str
        Who asks (a model or generator name), for the message.

    Returns
    -------
    device : torch.device

    Raises
    ------
    eegemo.errors.ConfigurationError
        An unknown device, CUDA asked for on a machine without it, or a CUDA index that does not exist.
    """
    import torch

    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ConfigurationError(f"{owner}: device must be 'auto', 'cpu', 'cuda' or 'cuda:N', "
                                 f"found {device!r} ({err})") from None
    if dev.type == "cuda":
        n = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if n == 0:
            raise ConfigurationError(f"{owner}: device {device!r} requested, found no CUDA device")
        if dev.index is not None and dev.index >= n:
            raise ConfigurationError(f"{owner}: device {device!r} requested, found {n} CUDA "
                                     f"device(s) (cuda:0 to cuda:{n - 1})")
    return dev
