"""The command line as the README shows it: every documented ``eegemo`` command parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from eegemo.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_commands() -> list[str]:
    """``eegemo ...`` command lines inside the README's bash/console code blocks."""
    text = README.read_text(encoding="utf-8")
    cmds = []
    for block in re.findall(r"```(?:bash|console|sh)\n(.*?)```", text, flags=re.S):
        block = block.replace("\\\n", " ")                 # line continuations
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ").strip()
            if line.startswith("eegemo "):
                cmds.append(line)
    return cmds


def test_readme_has_commands_to_check():
    assert len(_readme_commands()) >= 20


@pytest.mark.parametrize("line", _readme_commands())
def test_readme_command_parses(line):
    argv = shlex.split(line, comments=True)[1:]
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:   # argparse's way of refusing: unknown flag, bad choice, missing value
        pytest.fail(f"README command does not parse (exit {exc.code}): {line}")
    assert getattr(args, "func", None) is not None, line


def test_an_output_file_never_lands_on_a_store_or_a_runs_own_files(tmp_path, capsys):
    from eegemo.cli import main
    from eegemo.errors import ConfigurationError, check_output_file

    store, run, gen = tmp_path / "store", tmp_path / "run", tmp_path / "gen"
    for folder, files in ((store, ("manifest.json",)), (run, ("metrics.json",)),
                          (gen, ("config.json", "generator.pt"))):
        folder.mkdir()
        for name in files:
            (folder / name).write_text("{}")
    (store / "manifest.json").write_text('{"format": "eegemo-store"}')
    for bad in (store / "x.csv", store / "manifest.json", run / "metrics.json",
                run / "checkpoints" / "a.pt", gen / "generator.pt", store):
        with pytest.raises(ConfigurationError):
            check_output_file(bad)
    (tmp_path / "f").write_text("a file")
    with pytest.raises(ConfigurationError, match="is a file, not a folder"):
        check_output_file(tmp_path / "f" / "x.csv")
    (gen / "holdout_rows.npy").write_bytes(b"")
    with pytest.raises(ConfigurationError, match="generator run"):
        check_output_file(gen / "holdout_rows.npy")        # synth-eval's held-out trials
    # another program's manifest.json is no store; ".." is where the file really lands
    (tmp_path / "webapp" / "out").mkdir(parents=True)
    (tmp_path / "webapp" / "manifest.json").write_text('{"name": "my app"}')
    for fine in (run / "probs.csv", gen / "synth_eval.json", tmp_path / "new" / "r.html",
                 tmp_path / "webapp" / "out" / "p.csv", store / ".." / "r.html",
                 run / "checkpoints" / ".." / ".." / "x.csv"):
        check_output_file(fine)
    # never over the file the command reads, nor over an existing recording or array (a CSV/JSON/
    # HTML written there destroys it); generate writes recordings itself (data_ok)
    rec = tmp_path / "1_20131027.mat"
    rec.write_bytes(b"MATLAB")
    with pytest.raises(ConfigurationError, match="is the file this command reads"):
        check_output_file(tmp_path / "." / "1_20131027.mat", inputs=[rec])
    for name in ("1_20131027.mat", "x.EDF", "s-epo.fif"):
        (tmp_path / name).write_bytes(b"data")
        with pytest.raises(ConfigurationError, match="would write over an existing"):
            check_output_file(tmp_path / name)
        check_output_file(tmp_path / name, data_ok=True)
    check_output_file(tmp_path / "new.mat")            # nothing there to lose
    # a folder to write below a file: said before anything is read (was "[Errno 17] File exists")
    from eegemo.evaluation.runner import check_run_folder

    with pytest.raises(ConfigurationError, match="is a file, not a folder"):
        check_run_folder(tmp_path / "f" / "run", False, ("metrics.json",), "eegemo train")
    assert main(["prepare", str(tmp_path), "--out", str(tmp_path / "f" / "store")]) == 2
    assert "f is a file, not a folder" in capsys.readouterr().err
    # from the shell: one line, and the run's metrics.json is untouched
    rc = main(["predict", str(run), str(tmp_path / "f"), "--out", str(run / "metrics.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "would write over a file of the eegemo recognition run" in err[0]
    assert (run / "metrics.json").read_text() == "{}"


def test_python_dash_m_eegemo_is_the_command():
    import subprocess
    import sys

    import eegemo

    out = subprocess.run([sys.executable, "-m", "eegemo", "--version"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert eegemo.__version__ in out.stdout + out.stderr


@pytest.mark.parametrize("value", ["", " , "])
def test_empty_labels_are_refused_not_read_as_every_event(tmp_path, capsys, value):
    from eegemo.cli import main

    rc = main(["info", str(tmp_path), "--labels", value])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "--labels: expected event names" in err[0], err


def test_a_missing_path_or_the_wrong_kind_of_folder_is_named(tmp_path, capsys):
    """A mistyped path says it does not exist; a store given where a generator run belongs says
    it is a store and which command takes one (as train/evaluate/predict/report do)."""
    from eegemo.cli import main

    store = tmp_path / "store"
    store.mkdir()
    (store / "manifest.json").write_text('{"format": "eegemo-store"}')
    (tmp_path / "rec.edf").write_text("x")
    nosuch = str(tmp_path / "nosuch")
    out = ["--out", str(tmp_path / "o.npy")]
    for argv, found in (
            (["train", nosuch, "--model", "svm", "--protocol", "loso",
              "--out", str(tmp_path / "r")], "nosuch: path not found"),
            (["evaluate", nosuch], "nosuch: path not found"),
            (["predict", nosuch, str(tmp_path / "rec.edf"), *out], "nosuch: path not found"),
            (["generate", nosuch, "--emotion", "positive", *out], "nosuch: path not found"),
            (["generate", str(store), "--emotion", "positive", *out],
             "a store of `eegemo prepare` (train a generator on it"),
            (["synth-eval", str(store), str(store), "--out", str(tmp_path / "s.json")],
             "a store of `eegemo prepare`")):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert found in err and len(err.strip().splitlines()) == 1, (argv, err)
    assert not (tmp_path / "r").exists() and not (tmp_path / "o.npy").exists()
    # report: a missing run folder is 'path not found', not 'not a run folder'
    assert main(["report", nosuch, "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "nosuch: path not found" in err and len(err.strip().splitlines()) == 1, err


def test_unknown_options_name_the_commands_help(capsys):
    from eegemo.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["info", "x", "--what", "y"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err == ("eegemo info: error: unrecognized arguments: --what y "
                                           "(see eegemo info --help)\n"), err


@pytest.mark.parametrize("argv, said", [
    (["train", "s", "--bogus"], "eegemo train: error: the following arguments are required"),
    (["prepare", "x", "--out", "y", "--window", "abc"], "eegemo prepare: error: argument --window"),
    (["tran"], "eegemo: error: argument COMMAND: invalid choice: 'tran'"),
    (["-q", "-v", "info", "x"], "eegemo: error: argument -v/--verbose: not allowed with")])
def test_usage_errors_are_one_line(argv, said, capsys):
    """argparse's usage errors are one line naming --help, as every other error (it printed the
    usage block first: up to 13 lines)."""
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith(said) and "--help)" in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_quiet_shows_warnings_only(tmp_path, capsys, monkeypatch):
    """-q: no info lines and no progress bars (and the environment as it was after); -v: debug."""
    import logging
    import os

    from eegemo.cli import main

    monkeypatch.delenv("EEGEMO_NO_PROGRESS", raising=False)
    argv = ["simulate", "--dataset", "seed", "--subjects", "1", "--sessions", "1",
            "--duration-scale", "0.002"]
    assert main([*argv, str(tmp_path / "a")]) == 0
    loud = capsys.readouterr().err
    assert main(["-q", *argv, str(tmp_path / "b")]) == 0
    quiet = capsys.readouterr().err
    assert "INFO" in loud and "INFO" not in quiet and "%|" not in quiet, quiet
    assert "EEGEMO_NO_PROGRESS" not in os.environ
    assert main(["-v", *argv, str(tmp_path / "c")]) == 0
    assert logging.getLogger("eegemo").level == logging.DEBUG
    with pytest.raises(SystemExit):   # both at once is refused
        build_parser().parse_args(["-q", "-v", "info", "x"])
    main(["info", str(tmp_path / "a")])   # leave the default level for the tests after this one
    capsys.readouterr()
