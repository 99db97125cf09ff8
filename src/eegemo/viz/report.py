"""One self-contained HTML page: dataset, features, recognition and generation results.

The page is an :class:`mne.Report` (figures embedded as images, no external files), so it opens in any
browser and can be mailed as one file. Every figure carries a caption saying what it shows, on which data
(simulated data is labelled as such) and, for results, which protocol produced it.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._logging import logger
from ..errors import ConfigurationError, check_output_file, first_line
from ..evaluation.runner import WINDOW_LEVEL_NOTE, normalize_text
from ..store._store import filters_text, manifest_hash
from . import figures

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["make_report", "sort_runs"]

_MAX_WINDOWS = 4000


def _table(rows: Sequence[Sequence], header: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return (f'<table class="table table-sm table-striped" style="width:auto"><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table>")


def _fmt(x, digits: int = 3) -> str:
    if x is None:          # undefined (a std over one fold, kappa on a one-class side)
        return "–"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    try:
        return f"{float(x):.{digits}f}"
    except (TypeError, ValueError):
        return str(x)


def _read_json(path: Path):
    """A run file's JSON, or None: absent files are skipped quietly, damaged ones with a warning."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        logger.warning("report: %s is unreadable (%s); what it holds is left out of the report",
                       path, first_line(err))
        return None


def sort_runs(paths: Sequence[str | os.PathLike]) -> tuple[list[Path], list[Path]]:
    """Tell recognition runs (``metrics.json`` with a ``summary``) from generator runs (``config.json``).

    Parameters
    ----------
    paths : sequence of path-like
        Run folders.

    Returns
    -------
    recognition, generator : list of Path

    Raises
    ------
    ConfigurationError
        If a path is neither kind of run folder.
    DataFormatError
        If a ``metrics.json`` cannot be read as the JSON object ``eegemo train`` writes.
    """
    from ..errors import data_error

    rec, gen = [], []
    for run in map(Path, paths):
        metrics = run / "metrics.json"
        if metrics.is_file():
            try:
                m = json.loads(metrics.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise data_error(metrics, "unreadable run metrics",
                                 expected="the JSON written by `eegemo train`",
                                 found=first_line(err)) from None
            if isinstance(m, dict) and "summary" in m:
                from ..evaluation.runner import check_run_metrics

                check_run_metrics(metrics, m)    # a hand-edited file: one line, not a TypeError
                rec.append(run)
                continue
        if (run / "config.json").is_file():
            gen.append(run)
        elif metrics.is_file():
            raise data_error(metrics, "not the metrics of a recognition run",
                             expected="a JSON object with a 'summary'", found="none")
        elif not run.exists():
            raise data_error(run, "path not found", expected="a run folder of `eegemo train` or "
                             "`eegemo train-generator`")
        else:
            from .._files import folder_kind

            is_store = folder_kind(run) == "store"
            dataset = None if is_store else _dataset_name(run)
            what = ("; it is a store: give it as --store STORE" if is_store
                    else f"; it is a {dataset} dataset: prepare it with `eegemo prepare` first"
                    if dataset else "")
            raise ConfigurationError(f"{run}: not a run folder (expected metrics.json of `eegemo "
                                     f"train` or config.json of `eegemo train-generator`){what}")
    return rec, gen


def _dataset_name(path: Path) -> str | None:
    """The dataset a folder holds, for a hint (None when it holds none eegemo reads)."""
    try:
        from ..datasets import detect_dataset

        return detect_dataset(path)
    except Exception:   # noqa: BLE001 - only a hint
        return None


def _to_volts(store, name: str) -> float:
    """Factor from the store's units of ``name`` to volts (raw windows are stored in µV)."""
    if name != "raw":
        return 1.0
    unit = (store.manifest.get("units") or {}).get("raw", "µV")
    return 1e-6 if unit in ("µV", "uV") else 1.0


def _raw_volts(store, name: str, rows) -> np.ndarray:
    """Load ``name`` from the store, raw windows in volts."""
    return store.load(name, rows) * _to_volts(store, name)


def _unit(store, name: str) -> str:
    """Colour-bar label of a store array (its manifest's units)."""
    base = name.split("_", 1)[0]
    unit = (store.manifest.get("units") or {}).get(base)
    return f"{base.upper()} ({unit})" if unit else base.upper()


def _sample_rows(index, rng, n=_MAX_WINDOWS) -> np.ndarray:
    rows = np.arange(len(index))
    if len(rows) > n:
        rows = np.sort(rng.choice(rows, n, replace=False))
    return rows


def _label_kind(dataset) -> str:
    """What a store's labels are: SEED-family and Bird labels are emotions; a generic recording's
    (T1/T2, ...) are classes (``dataset``: one name, or the list of a mixed store)."""
    return "class" if "generic" in np.atleast_1d(dataset) else "emotion"


def _store_section(report, store, rng) -> tuple[str, dict]:
    """Dataset summary and feature figures; returns the data label and facts for later captions."""
    idx = store.index
    simulated = bool(store.manifest.get("simulated", idx["simulated"].any() if "simulated" in idx else False))
    dataset = store.manifest.get("dataset") or (idx["dataset"].iloc[0] if len(idx) else "?")
    data_label = f"{dataset}{' (SIMULATED data)' if simulated else ''}"
    kind = _label_kind(dataset)
    kind_plural = {"class": "classes", "emotion": "emotions"}[kind]
    names = {int(k): v for k, v in store.label_names.items()}
    counts = idx.groupby("label").size()
    trials = idx.drop_duplicates(["recording", "trial"])
    rows = [
        ("dataset", data_label),
        ("store", str(store.path)),
        ("subjects", idx["subject"].nunique()),
        ("recordings", idx["recording"].nunique()),
        ("trials", len(trials)),
        ("windows", len(idx)),
        ("channels", len(store.ch_names)),
        ("window length (s)", store.window),
        ("bands", ", ".join(f"{b.name} {b.low:g}–{b.high:g} Hz" for b in store.bands)),
        ("arrays", ", ".join(store.arrays)),
        ("filters before windowing", filters_text(store.filters)),
        (f"windows per {kind}", ", ".join(f"{names.get(int(k), k)}: {v}"
                                          for k, v in counts.items())),
    ]
    banner = ('<p style="color:#b00;font-weight:bold">These data are SIMULATED by eegemo\'s simulator: '
              "they show that the pipeline works, not how real brains respond.</p>") if simulated else ""
    report.add_html(banner + _table(rows, ["", ""]), title="Dataset summary", section="Dataset")

    rows_s = _sample_rows(idx, rng)
    y = idx["label"].to_numpy()[rows_s]
    if "raw" in store.arrays:
        X = _raw_volts(store, "raw", rows_s)
        first = rows_s[idx["window"].to_numpy()[rows_s] >= 0][:1]
        rec = idx.iloc[int(first[0])] if len(first) else None
        if rec is not None:
            sel = np.flatnonzero((idx["recording"] == rec["recording"]) & (idx["trial"] == rec["trial"]))
            sel = sel[np.argsort(idx["start"].to_numpy()[sel], kind="stable")][:20]
            trace = _continuous(_raw_volts(store, "raw", sel), idx["start"].to_numpy()[sel],
                                store.sfreq)
            fig = figures.plot_trial(trace, store.sfreq, store.ch_names, duration=min(10, trace.shape[1] / store.sfreq))
            report.add_figure(fig, title="Raw EEG of one trial", section="Dataset",
                              caption=f"First seconds of subject {rec['subject']}, session {rec['session']}, "
                                      f"trial {rec['trial']} ({names.get(int(rec['label']), rec['label'])}); "
                                      f"{data_label}.")
        fig = figures.plot_psd_by_emotion(
            X, y, store.sfreq, names, bands=store.bands,
            title=f"spectrum per {kind} (mean over channels and windows)")
        report.add_figure(fig, title=f"Spectrum per {kind}", section="Dataset",
                          caption=f"Welch PSD in dB: power averaged over channels, then "
                                  f"averaged as dB (a geometric mean) over {len(rows_s)} windows, "
                                  f"per {kind}; {data_label}.")
    feat_name = "de" if "de" in store.arrays else ("psd" if "psd" in store.arrays else None)
    if feat_name:
        F = store.load(feat_name, rows_s)
        try:
            placed = len(figures._topo_pos(store.ch_names)[1])
            fig = figures.plot_band_topomaps(
                F, y, store.ch_names, names, store.bands, unit=_unit(store, feat_name),
                title=f"{feat_name.upper()} per band and {kind} ({placed} of "
                      f"{len(store.ch_names)} channels placed)")
        except ConfigurationError as exc:     # e.g. numbered channels of a CNT: no montage
            logger.warning("report: %s topomaps left out: %s", feat_name.upper(), exc)
            report.add_html(f"<p>{html.escape(f'Topomaps left out: {exc}.')}</p>",
                            title=f"{feat_name.upper()} topomaps per band and {kind}",
                            section="Features")
        else:
            cb = " CB1/CB2 are drawn at I1/I2." if {"CB1", "CB2"} & set(store.ch_names) else ""
            report.add_figure(fig, title=f"{feat_name.upper()} topomaps per band and {kind}",
                              section="Features",
                              caption=f"Mean {feat_name.upper()} per channel, band and {kind} "
                                      f"(top rows) and each {kind} minus the mean over "
                                      f"{kind_plural} (bottom rows); {data_label}.{cb}")
        fig = figures.plot_embedding(F, y, names, method="pca",
                                     title=f"{feat_name.upper()} vectors (PCA), coloured by {kind}")
        report.add_figure(fig, title=f"{feat_name.upper()} embedding", section="Features",
                          caption=f"PCA of standardised {feat_name.upper()} vectors, coloured "
                                  f"by {kind}; {data_label}.")
    for arr, what in (("de_grid", "9 × 9 grid"), ("de_image", "topographic image"),
                      ("psd_grid", "9 × 9 grid"), ("psd_image", "topographic image")):
        if arr in store.arrays and not (arr.startswith("psd") and f"de{arr[3:]}" in store.arrays):
            G = store.load(arr, rows_s)
            classes, means = figures.class_means(G, y)
            fig = figures.plot_grids(means, store.bands, row_labels=[names.get(int(c), str(c)) for c in classes],
                                     title=f"mean {arr.split('_')[0].upper()} {what} per {kind}",
                                     unit=_unit(store, arr))
            size = "" if arr.endswith("_grid") else f" ({G.shape[-2]} × {G.shape[-1]})"
            report.add_figure(fig, title=f"Model input: {what}", section="Features",
                              caption=f"The {what}{size} that the models see, "
                                      f"averaged per {kind}; {data_label}.")
    return data_label, {"label_names": names, "simulated": simulated, "kind": kind,
                        "manifest_hash": manifest_hash(store.manifest) if store.manifest else None,
                        "store": str(store.path)}


def _other_store(report, run: Path, trained_on: str | None, facts: dict, section: str,
                 what: str) -> bool:
    """Note in the run's section (and log) when the report's store is not the one the run used."""
    given = facts.get("manifest_hash")
    if not (trained_on and given) or trained_on == given:
        return False
    logger.warning("report: %s was trained on another store than %s (or it was prepared again "
                   "since); %s", run, facts.get("store"), what)
    report.add_html(f'<p style="color:#b00">This run was trained on another store than '
                    f"{html.escape(str(facts.get('store')))} (or that store was prepared again since): "
                    f"{html.escape(what)}.</p>", title="Note: another store", section=section)
    return True


def _continuous(windows: np.ndarray, starts: np.ndarray, sfreq: float) -> np.ndarray:
    """The signal under consecutive windows of one trial, each sample once: an overlapping window
    contributes only what follows the previous window's start by the stride."""
    parts = []
    for i, w in enumerate(windows):
        n = w.shape[1] if i + 1 == len(windows) else \
            max(0, min(w.shape[1], int(round((starts[i + 1] - starts[i]) * sfreq))))
        parts.append(w[:, :n])
    return np.concatenate(parts, axis=1)


def _run_section(report, run: Path, facts: dict,
                 label: str | None = None) -> tuple[list, bool]:
    """Add a recognition run's section; its row of the summary table (empty if skipped) and
    whether its splits were of rows, not trials."""
    m = _read_json(run / "metrics.json")
    if not m:
        logger.warning("report: %s has no readable metrics.json; skipped", run)
        return [], False
    s = m.get("summary", {})
    protocol = m.get("protocol", "?")
    notes = [protocol.get(k) for k in ("note", "transductive_note")] if isinstance(protocol, dict) else []
    split_text = protocol.get("split") if isinstance(protocol, dict) else None
    protocol = protocol.get("name", protocol) if isinstance(protocol, dict) else protocol
    if isinstance(m.get("protocol"), dict) and m["protocol"].get("transductive"):
        protocol = f"{protocol} (transductive)"
    if isinstance(m.get("protocol"), dict) and m["protocol"].get("selection"):
        protocol = f"{protocol} on {m['protocol']['selection']} only"
    model = m.get("model", "?")
    model = model.get("name", model) if isinstance(model, dict) else model
    sim = " on SIMULATED data" if m.get("simulated", facts.get("simulated")) else ""
    label = label or run.name
    section = f"Recognition: {model} ({label})"
    cfg = m.get("config") if isinstance(m.get("config"), dict) else {}
    other = _other_store(report, run, cfg.get("store_manifest_hash"), facts, section,
                         "the dataset section does not describe its data")
    # the run's own classes, not the report store's (which may be another dataset)
    run_names = cfg.get("label_names")
    names = ({int(k): str(v) for k, v in run_names.items()} if isinstance(run_names, dict) and run_names
             else facts.get("label_names") or {})
    one = s.get("n_subjects") == 1
    rows = [(k, "– (1 subject)" if one and k.endswith("_std") else _fmt(v))
            for k, v in s.items() if not isinstance(v, (dict, list))]
    window_level = WINDOW_LEVEL_NOTE in notes
    store_dataset = cfg.get("store_dataset")
    kind = _label_kind(store_dataset) if store_dataset else facts.get("kind", "emotion")
    report.add_html(f"<p>Model <b>{html.escape(str(model))}</b>, protocol <b>{html.escape(str(protocol))}"
                    f"</b>{sim}; run folder {html.escape(str(run))}. Means and standard deviations are over "
                    f"subjects; splits are made of "
                    f"{'rows, not trials (see the note)' if window_level else 'whole trials'}"
                    f"; inputs "
                    f"{html.escape(normalize_text(m))}.</p>"
                    + (f"<p>Trials: {html.escape(str(split_text))}.</p>" if split_text else "")
                    + "".join(f'<p style="color:#b00">Note: {html.escape(str(n))}.</p>'
                              for n in notes if n)
                    + _table(rows, ["metric", "value"]),
                    title=f"{model}: summary", section=section)
    per = m.get("per_subject") or {}
    if isinstance(per, list):
        per = {str(r.get("subject")): r for r in per}
    acc = {str(k): (v.get("accuracy") if isinstance(v, dict) else v) for k, v in per.items()}
    acc = {k: v for k, v in acc.items() if v is not None}
    n_classes = len(names) or None
    if acc:
        fig = figures.plot_subject_accuracy(acc, chance=1 / n_classes if n_classes else None,
                                            title=f"{model}, {protocol}: accuracy per subject")
        spread = ("line: mean, band: ± std over subjects" if len(acc) > 1
                  else "one subject: no mean or spread over subjects")
        report.add_figure(fig, title=f"{model}: accuracy per subject", section=section,
                          caption=f"{model}: test accuracy per subject under the {protocol} "
                                  f"protocol{sim}; {spread}; dashed: chance.")
    conf = _read_json(run / "confusion.json")
    if conf is not None:
        try:
            cm = conf.get("matrix", conf.get("confusion")) if isinstance(conf, dict) else conf
            labels = conf.get("labels") if isinstance(conf, dict) else None
            tick_names = conf.get("label_names") if isinstance(conf, dict) else None
            if labels is not None and not (isinstance(tick_names, list)
                                           and len(tick_names) == len(labels)):
                tick_names = [names.get(int(k), str(k)) if str(k).lstrip("-").isdigit() else str(k)
                              for k in labels]
            if cm is not None:
                # plot_confusion refuses a matrix that is not square, one name per class
                fig = figures.plot_confusion(np.asarray(cm, dtype=float),
                                             tick_names if labels is not None else names,
                                             title=f"{model}, {protocol}")
                report.add_figure(fig, title=f"{model}: confusion matrix", section=section,
                                  caption=f"{model}: test windows pooled over all folds of the "
                                          f"{protocol} protocol{sim}; rows: true {kind}, "
                                          "columns: predicted, each row normalised to 1 (counts "
                                          "in the cells).")
        except (TypeError, ValueError, AttributeError) as exc:
            logger.warning("report: %s is damaged (%s); its figure is left out",
                           run / "confusion.json", exc)
    hist = _read_json(run / "history.json")
    if isinstance(hist, dict) and any(hist.values()):
        carved = cfg.get("val_fraction", 0.2)
        try:
            fig = figures.plot_training_curves(hist, title=f"{model}, {protocol}: training curves")
        except (TypeError, ValueError, AttributeError) as exc:
            logger.warning("report: %s is damaged (%s); its figure is left out",
                           run / "history.json", exc)
        else:
            report.add_figure(
                fig, title=f"{model}: training curves", section=section,
                caption=f"{model}, {protocol} protocol{sim}: loss per epoch for every fold"
                        + (" (validation carved from training trials)." if carved
                           else " (no validation carve: val_fraction 0, fixed epochs)."))
    shown_protocol = f"{protocol} (rows, not trials)" if window_level else str(protocol)
    return [str(model), label + (" (another store)" if other else "")
            + (" (SIMULATED data)" if sim else ""), _data_words(cfg, sim, n_classes),
            shown_protocol,
            _fmt(s.get("accuracy_mean")), "– (1 subject)" if one else _fmt(s.get("accuracy_std")),
            _fmt(s.get("balanced_accuracy_mean")), _fmt(s.get("f1_macro_mean"))], window_level


def _data_words(cfg: dict, sim: str, n_classes: int | None) -> str:
    """What a run was trained on, for the summary table: the store's dataset (and, for a generic
    store, the dataset its recordings name, e.g. eegmmidb), simulated or real, classes, chance."""
    store_cfg = cfg.get("store_config") if isinstance(cfg.get("store_config"), dict) else {}
    name = str(cfg.get("store_dataset") or store_cfg.get("dataset") or "?")
    sources = cfg.get("source_folders")
    if name == "generic" and isinstance(sources, list) and sources:
        name = f"generic: {', '.join(map(str, sources[:2]))}"
    words = f"{name} ({'SIMULATED' if sim else 'real'})"
    if n_classes:
        words += f", {n_classes} classes, chance {1 / n_classes:.2f}"
    return words


#: the generator metrics table's names for synth-eval's keys
_METRIC_NAMES = {
    "c2st": "C2ST accuracy, linear (0.5 = indistinguishable)",
    "c2st_real_floor": "C2ST real floor, linear",
    "c2st_nonlinear": "C2ST accuracy, boosted trees",
    "c2st_nonlinear_real_floor": "C2ST real floor, boosted trees",
    "psd_distance": "PSD distance (dB)",
    "psd_distance_real_floor": "PSD distance real floor (dB)",
    "topomap_correlation": "topomap correlation (class means, real vs synthetic)",
    "trtr": "TRTR accuracy (train on real, test on real)",
    "augmentation_gain": "augmentation gain (accuracy with minus without synthetic windows)",
    "diversity": "diversity (pairwise distance among synthetic / among real windows; 1 = as varied)",
}
#: what a metric synth-eval left out (None) means
_NOT_COMPUTED = {"augmentation_gain": "not computed (needs synth-eval with augmentation on a "
                                      "seed-standard or trial-kfold hold-out)"}


def _metric_name(key: str, ev: dict) -> str:
    """A readable name for one synth-eval metric: FID says its feature space, TSTR its chance."""
    if key == "fid":
        return f"FID (on {ev.get('fid_features') or 'unrecorded features'})"
    if key == "tstr":
        n = ev.get("n_classes")
        return ("TSTR accuracy (train on synthetic, test on real"
                + (f"; chance {1 / n:.2f})" if isinstance(n, int) and n > 0 else ")"))
    return _METRIC_NAMES.get(key, key)


def _generator_section(report, run: Path, store, rng, facts: dict,
                       label: str | None = None) -> list:
    cfg = _read_json(run / "config.json") or {}
    label = label or run.name
    model = cfg.get("model", run.name)
    section = f"Generation: {model} ({label})"
    sim = " (trained on SIMULATED data)" if cfg.get("simulated", facts.get("simulated")) else ""
    hist = _read_json(run / "history.json")
    if hist:
        fig = figures.plot_training_curves(hist if isinstance(hist, dict) else {"": hist},
                                           title=f"{model}: losses")
        report.add_figure(fig, title=f"{model}: losses", section=section,
                          caption=f"Generator and critic/discriminator losses per epoch{sim}.")
    ev = None
    for name in ("synth_eval.json", "synth-eval.json", "metrics.json"):
        ev = _read_json(run / name)
        if ev:
            break
    other = _other_store(report, run, cfg.get("store_manifest_hash"), facts, section,
                         "real-vs-synthetic figures are not drawn")
    row = [str(model), label + (" (another store)" if other else "")
           + (" (SIMULATED data)" if sim else "")]
    keys = ("c2st", "c2st_real_floor", "c2st_nonlinear", "c2st_nonlinear_real_floor", "psd_distance",
            "psd_distance_real_floor", "topomap_correlation", "fid", "tstr", "trtr",
            "augmentation_gain", "diversity")
    if ev:
        def scalar(v):
            if isinstance(v, dict):
                for k in ("value", "mean", "accuracy", "gain_mean", "score"):
                    if k in v:
                        return v[k]
                return next((x for x in v.values() if isinstance(x, (int, float))), None)
            return v
        def spread(v):
            std = v.get("std", v.get("gain_std")) if isinstance(v, dict) else None
            return _fmt(scalar(v)) + (f" ± {_fmt(std)}" if isinstance(std, (int, float)) else "")

        rows = [(_metric_name(k, ev), spread(ev.get(k)) if ev.get(k) is not None
                 else _NOT_COMPUTED.get(k, "–")) for k in keys if k in ev]
        over = (ev.get("augmentation_gain") or {}).get("gain_over_control")
        if isinstance(over, dict) and "mean" in over:
            rows.append(("augmentation gain over real control rows (accuracy)", spread(over)))
        judged = (f"Judged on the {'simulated' if sim else 'real'} held-out trials of the "
                  f"{ev.get('protocol') or '?'} protocol "
                  f"({ev.get('n_real', '?')} windows) with {ev.get('features') or 'the store array'}"
                  f"; TSTR/TRTR and augmentation recogniser: {ev.get('recogniser') or '?'}. ")
        if ev.get("psd_distance_note"):
            judged += f"PSD distance: {ev['psd_distance_note']}. "
        if ev.get("c2st_real_floor") is not None and not ev.get("real_floor_method"):
            judged += ("Its real floors compare the training trials as they are with the held-out "
                       "ones (synth-eval before 2026-12-06, evening), which also measures their "
                       "other emotion mix and subjects and sits below what real data score: run "
                       "synth-eval again. ")
        if ev.get("c2st_folds") != "trials":
            judged += ("Its C2ST and real floor were cross-validated over windows (synth-eval before "
                       "2026-12-06), which lets the classifier recognise trials and inflates both: "
                       "run synth-eval again. ")
            row[0] += " (window-level C2ST)"
        report.add_html(f"<p>{html.escape(judged)}</p>"
                        "<p>Realism and usefulness of the synthetic data (C2ST 0.5 = indistinguishable; "
                        "TSTR: train on synthetic, test on real; augmentation gain: accuracy with minus "
                        "without synthetic training windows, and over as many real windows of the generator's "
                        "other training trials in their place; <em>real floor</em>: the same measure "
                        "with real windows of the generator's training trials, drawn with the "
                        f"held-out windows' {facts.get('kind', 'emotion')} labels, in the samples' "
                        "place: what a generator that "
                        "reproduced its training data would score, so one near it cannot be told "
                        "from real data here, and one below it is within the measure's noise, not "
                        "better than real data)"
                        f"{sim}.</p>" + _table(rows, ["metric", "value"]),
                        title=f"{model}: metrics", section=section)
        row += [str(ev.get("protocol") or "–")]
        row += [_fmt(scalar(ev.get(k))) for k in ("c2st", "c2st_real_floor", "psd_distance",
                                                   "psd_distance_real_floor", "tstr", "trtr")]
    else:
        row += ["not judged yet: run eegemo synth-eval"] + ["–"] * 6
    if store is not None and not other:
        try:
            from ..evaluation.generation import load_run

            cfg, gen = load_run(run, device="cpu")
            array = cfg.get("array")
            names = facts.get("label_names") or {}
            if array in store.arrays:
                from ..evaluation.generation import _load_rows

                idx = store.index
                held = (_load_rows(run / "holdout_rows.npy", len(idx))
                        if (run / "holdout_rows.npy").is_file() else np.zeros(0, np.int64))
                # real = held-out trials the generator never saw, where the run kept some
                rows_s = (np.sort(rng.choice(held, min(600, len(held)), replace=False)) if len(held)
                          else _sample_rows(idx, rng, 600))
                seen = "" if len(held) else " (real windows include the generator's training rows)"
                real = _raw_volts(store, array, rows_s)
                y = idx["label"].to_numpy()[rows_s]
                emo = int(np.bincount(y - y.min()).argmax() + y.min())
                fake = np.asarray(gen.sample(min(300, max(50, int((y == emo).sum()))), emo, random_state=0))
                fake = fake * _to_volts(store, array)  # samples come in the store's units
                real_c = real[y == emo]
                label = names.get(emo, str(emo))
                real_name = "data (simulated)" if sim else "real"
                if array == "raw":
                    fig = figures.plot_real_vs_synthetic_traces(real_c[0], fake[0], store.sfreq,
                                                                store.ch_names, real_name=real_name)
                    report.add_figure(fig, title=f"{model}: real vs synthetic traces", section=section,
                                      caption=f"One real and one synthetic '{label}' window{sim}{seen}.")
                    fig = figures.plot_real_vs_synthetic_psd(real_c, fake, store.sfreq,
                                                             real_name=real_name)
                    report.add_figure(fig, title=f"{model}: real vs synthetic spectrum", section=section,
                                      caption=f"PSD (power averaged over channels, then in dB over "
                                              f"windows; band: 10–90 % of windows) of real "
                                              f"and synthetic '{label}' windows{sim}{seen}.")
                elif array in ("de", "psd"):
                    fig = figures.plot_real_vs_synthetic_topomaps(real_c, fake, store.ch_names,
                                                                  store.bands, real_name=real_name,
                                                                  unit=_unit(store, array))
                    report.add_figure(fig, title=f"{model}: real vs synthetic topographies", section=section,
                                      caption=f"Mean band topography of real and synthetic '{label}' "
                                              f"windows{sim}{seen}.")
                elif array.endswith("_grid") or array.endswith("_image"):
                    fig = figures.plot_grids(np.stack([real_c.mean(0), fake.mean(0)]), store.bands,
                                             row_labels=[real_name, "synthetic"],
                                             unit=_unit(store, array),
                                             title=f"'{label}': real vs synthetic mean input")
                    report.add_figure(fig, title=f"{model}: real vs synthetic grids", section=section,
                                      caption=f"Mean {array} of real and synthetic '{label}' samples{sim}{seen}.")
                    Xe = np.concatenate([real_c, fake])
                    marks = np.r_[np.zeros(len(real_c), int), np.ones(len(fake), int)]
                    fig = figures.plot_embedding(Xe, np.full(len(Xe), emo), {emo: label}, markers=marks,
                                                 marker_names={0: real_name, 1: "synthetic"})
                    report.add_figure(fig, title=f"{model}: real vs synthetic embedding", section=section,
                                      caption=f"PCA of real (circles) and synthetic (triangles) '{label}' "
                                              f"samples{sim}{seen}: overlapping clouds mean similar data.")
        except Exception as exc:  # a figure must never sink the whole report
            logger.warning("report: could not draw samples of %s (%s)", run, exc)
    return row


def _run_labels(paths) -> dict[str, str]:
    """A name per run folder for section titles and tables: the folder's name, with its parent's
    where two runs share a name (``a/svm``, ``b/svm``)."""
    names = [Path(p).name for p in paths]
    out = {}
    for p, name in zip(paths, names, strict=True):
        q = Path(p)
        out[str(p)] = (f"{q.parent.name}/{name}" if names.count(name) > 1 and q.parent.name
                       else name)
    return out


def make_report(out: str | os.PathLike, *, store: Store | str | os.PathLike | None = None,
                runs: Sequence[str | os.PathLike] = (),
                generator_runs: Sequence[str | os.PathLike] = (), title: str = "eegemo report",
                random_state: int = 0) -> Path:
    """Write the HTML report.

    Parameters
    ----------
    out : path-like
        The ``.html`` file to write (its folder is created).
    store : Store | path-like | None
        A prepared store (see :func:`eegemo.store.open_store`) for the dataset and feature sections.
    runs : sequence of path-like
        Recognition run folders (written by ``eegemo train``).
    generator_runs : sequence of path-like
        Generator run folders (``eegemo train-generator``); a ``synth_eval.json`` inside is shown.
    title : str
    random_state : int
        Seeds the subsampling of windows for figures.

    Returns
    -------
    path : Path
        The written report.
    """
    import matplotlib.pyplot as plt
    import mne

    out = Path(out)
    check_output_file(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(random_state)
    if store is not None and not hasattr(store, "index"):
        from ..store import open_store

        store = open_store(store)
    report = mne.Report(title=title, verbose="error")
    facts: dict = {}
    data_label = None
    if store is not None:
        data_label, facts = _store_section(report, store, rng)
        plt.close("all")
    labels = _run_labels([*runs, *generator_runs])
    rec_rows, row_level = [], []
    for run in runs:
        row, window_level = _run_section(report, Path(run), facts, labels[str(run)])
        if row:
            rec_rows.append(row)
            row_level.append(window_level)
        plt.close("all")
    gen_rows = [_generator_section(report, Path(r), store, rng, facts, labels[str(r)])
                for r in generator_runs]
    plt.close("all")
    summary = ""
    if rec_rows:
        summary += "<h4>Recognition</h4>" + _table(
            rec_rows, ["model", "run", "data", "protocol", "accuracy mean", "accuracy std",
                       "balanced acc.", "macro-F1"])
    if gen_rows:
        summary += ("<h4>Generation</h4>" + _table(
            gen_rows, ["generator", "run", "held-out trials of", "C2ST", "C2ST real floor",
                       "PSD distance (dB)", "PSD real floor", "TSTR", "TRTR"])
            + "<p>Real floor: the same measure with real training windows, drawn like the "
              "samples, in their place. "
              "C2ST 0.5 = indistinguishable (cross-validated over whole trials).</p>")
    if summary:
        intro = ((f"<p>Data: {html.escape(data_label)} (runs marked 'another store' were made on "
                  "other data). " if data_label else "<p>")
                 + "Means ± std are over subjects; splits are made of "
                 + ("rows, not trials (see each run's note)" if row_level and all(row_level)
                    else "whole trials except where a protocol is marked 'rows, not trials'")
                 + ".</p>")
        report.add_html(intro + summary, title="Results at a glance", section="Summary")
        n = len(getattr(report, "_content", ()))  # no public length in MNE 1.13
        if n > 1:
            report.reorder([n - 1, *range(n - 1)])  # the summary first
    report.save(out, open_browser=False, overwrite=True, verbose="error")
    logger.info("report written to %s", out)
    return out
