"""Command-line interface: ``eegemo <command> ...``.

This package is thin: each module in it defines ``add_parser(subparsers)``, which adds one or more
subcommands whose ``func(args)`` calls the Python API. Modules are discovered automatically, so each
command group lives in its own file. Errors raised on purpose (:class:`~eegemo.errors.EegemoError`)
are printed as one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from .._logging import set_log_level
from ..errors import EegemoError

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (argparse prints the usage block first),
    pointing to ``--help``; subcommand parsers are of this class too."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``eegemo`` argument parser with every command module's subcommands."""
    from .. import __version__

    parser = _Parser(
        prog="eegemo",
        description="Emotion recognition and synthetic emotional EEG for the SEED family and any "
                    "MNE-readable recording.")
    parser.add_argument("--version", action="version", version=f"eegemo {__version__}")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="count", default=0,
                       help="more messages: -v debug, -vv also the traceback of a file-system "
                            "error (default: info messages and progress bars)")
    noise.add_argument("-q", "--quiet", action="store_true",
                       help="warnings and errors only, no progress bars")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        if hasattr(module, "add_parser"):
            module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:   # argparse blames the top-level parser; name the command whose options they miss
        commands = next((a.choices for a in parser._actions
                         if isinstance(a, argparse._SubParsersAction)), {})
        where = commands.get(getattr(args, "command", None), parser)
        where.error(f"unrecognized arguments: {' '.join(extra)}")
    set_log_level("warning" if args.quiet else "info" if args.verbose == 0 else "debug")
    if args.quiet:   # the folds of a run read it in their worker processes too
        before = os.environ.get("EEGEMO_NO_PROGRESS")
        os.environ["EEGEMO_NO_PROGRESS"] = "1"
        try:
            return _run(parser, args)
        finally:
            if before is None:
                os.environ.pop("EEGEMO_NO_PROGRESS", None)
            else:
                os.environ["EEGEMO_NO_PROGRESS"] = before
    return _run(parser, args)


def _run(parser, args) -> int:
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except EegemoError as exc:
        print(f"eegemo {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"eegemo {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:   # the reader of stdout left (`eegemo info ... | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())    # so the interpreter's final flush cannot fail too
        return 141
    except OSError as exc:   # the file system said no (permission, full disk, a folder for a file)
        if args.verbose >= 2:
            raise
        print(f"eegemo {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
