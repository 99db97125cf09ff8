"""Options shared by several commands: ``KEY=VALUE`` parameters and the reader's options."""

from __future__ import annotations

import ast

from ..errors import ConfigurationError


def _value(text: str):
    """``k=v`` values: Python literals (numbers, True/None, tuples), else the string itself."""
    low = text.lower()
    if low in ("true", "false", "none", "null"):
        return {"true": True, "false": False}.get(low)
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_params(items: list[str] | None, flag: str = "--param") -> dict:
    """``["lr=0.001", "filters=(32,64)"]`` → ``{"lr": 0.001, "filters": (32, 64)}``."""
    out = {}
    for item in items or []:
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise ConfigurationError(f"{flag} expects KEY=VALUE, found {item!r}")
        out[key.strip().replace("-", "_")] = _value(val.strip())
    return out


def add_reader_options(p) -> None:
    """``--labels``, ``--duration`` and ``--read-option``: how a recording becomes trials."""
    p.add_argument("--labels", metavar="A,B", default=None,
                   help="generic recordings: the event descriptions that become trials, in label "
                        "order (e.g. T1,T2)")
    p.add_argument("--duration", type=float, metavar="S", default=None,
                   help="generic recordings: trial length in seconds (needed for zero-length "
                        "trigger events; for epoched files, the part of each epoch from "
                        "tmin (default 0: the event) kept)")
    p.add_argument("--read-option", action="append", metavar="KEY=VALUE", default=None,
                   help="any other reader option, repeatable (e.g. tmin=-0.2, "
                        "data_format=int32, sidecar=events.tsv)")


def reader_options(args) -> dict:
    """The reader's keyword arguments from :func:`add_reader_options`' flags."""
    opts = parse_params(args.read_option, "--read-option")
    if args.labels is not None:
        opts["labels"] = [s.strip() for s in args.labels.split(",") if s.strip()]
        if not opts["labels"]:    # an empty list would read as "every event", not as asked
            raise ConfigurationError(f"--labels: expected event names such as T1,T2, found "
                                     f"{args.labels!r}")
    if args.duration is not None:
        opts["duration"] = args.duration
    return opts
