"""The one-command demo: simulate → prepare → recognise → generate → report.

``eegemo demo --out DIR`` (and ``make demo``) runs the whole mission on a small simulated SEED dataset,
clearly labelled as simulated, in a few minutes on a laptop. :func:`run_demo` is the same from Python;
``size="tiny"`` is the reduced version the test suite runs.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ._logging import logger

__all__ = ["DemoConfig", "run_demo", "format_summary"]


@dataclass
class DemoConfig:
    """Sizes of the demo (see :data:`SIZES`)."""

    subjects: int = 4
    sessions: int = 1
    duration_scale: float = 0.25
    effect_size: float = 1.0
    models: tuple[str, ...] = ("svm", "attention-4d")
    model_epochs: int = 30
    generator: str = "wgan-4d"
    generator_epochs: int = 100
    #: the settings of benchmarks/generation_targets.py (half the default width: half the time)
    generator_params: dict = field(default_factory=lambda: {"width": 32, "lr": 1e-3})
    jobs: int | None = None


SIZES = {
    "full": DemoConfig(),
    "tiny": DemoConfig(subjects=2, sessions=1, duration_scale=0.06, models=("svm", "attention-4d"),
                       model_epochs=3, generator_epochs=3),
}


def run_demo(out: str | os.PathLike, *, size: str = "full", random_state: int = 0,
             config: DemoConfig | None = None) -> dict:
    """Run the demo pipeline and write everything under ``out``.

    Parameters
    ----------
    out : path-like
        Folder for the simulated data, the store, the runs and ``report.html``.
    size : {"full", "tiny"}
        ``"tiny"`` is a seconds-long version for tests.
    random_state : int
    config : DemoConfig | None
        Overrides ``size``.

    Returns
    -------
    summary : dict
        Paths, timings and the headline numbers (also written to ``out/summary.json``).
    """
    from .datasets.simulate import simulate
    from .evaluation import run as run_recognition
    from .evaluation.generation import synth_eval, train_generator
    from .store import prepare
    from .viz.report import make_report

    cfg = config or SIZES[size]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    logger.info("1/5 simulating a SEED-format dataset (%d subjects, SIMULATED)", cfg.subjects)
    data = simulate("seed", out / "data", subjects=cfg.subjects, sessions=cfg.sessions,
                    duration_scale=cfg.duration_scale, effect_size=cfg.effect_size,
                    random_state=random_state, overwrite=True)
    timings["simulate"] = time.perf_counter() - t0

    t = time.perf_counter()
    logger.info("2/5 preparing windows, DE features and 9 x 9 grids")
    store = prepare(Path(data) / "Preprocessed_EEG", out / "store", jobs=cfg.jobs, overwrite=True,
                    features=("de", "raw"), smoothing="lds", grid="seed9x9")
    timings["prepare"] = time.perf_counter() - t

    runs, results = [], {}
    for model in cfg.models:
        t = time.perf_counter()
        logger.info("3/5 training %s under the seed-standard protocol", model)
        params = {} if model in ("svm", "logreg") else {"max_epochs": cfg.model_epochs}
        run_dir = out / "runs" / model
        metrics = run_recognition(store, model, "seed-standard", run_dir, model_params=params,
                                  random_state=random_state, overwrite=True)
        runs.append(run_dir)
        results[model] = metrics["summary"]
        timings[f"train {model}"] = time.perf_counter() - t

    t = time.perf_counter()
    logger.info("4/5 training the %s generator and measuring its realism", cfg.generator)
    gen_dir = out / "generators" / cfg.generator
    train_generator(store, cfg.generator, gen_dir, epochs=cfg.generator_epochs,
                    params=dict(cfg.generator_params), random_state=random_state, overwrite=True)
    synth = synth_eval(gen_dir, store, gen_dir / "synth_eval.json", random_state=random_state)
    timings[f"generator {cfg.generator}"] = time.perf_counter() - t

    t = time.perf_counter()
    logger.info("5/5 writing the report")
    report = make_report(out / "report.html", store=store, runs=runs, generator_runs=[gen_dir],
                         title="eegemo demo (simulated SEED data)")
    timings["report"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0

    summary = {"simulated": True, "dataset": "seed (simulated)", "protocol": "seed-standard",
               "config": asdict(cfg), "recognition": results,
               "generation": {cfg.generator: {k: synth.get(k) for k in
                                              ("c2st", "c2st_real_floor", "psd_distance",
                                               "psd_distance_real_floor", "topomap_correlation", "tstr",
                                               "trtr", "augmentation_gain", "diversity")}},
               "report": str(report.resolve()), "store": str(Path(store.path).resolve()),
               "timings_s": {k: round(v, 1) for k, v in timings.items()}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary


def _scalar(v):
    if isinstance(v, dict):
        for k in ("value", "mean", "accuracy", "gain_mean", "score"):
            if k in v and not isinstance(v[k], (dict, list)):
                return v[k]
        return None
    return v


def format_summary(summary: dict) -> str:
    """The demo's summary as a plain-text table."""
    lines = ["eegemo demo — SIMULATED SEED data, protocol: seed-standard (first 9 trials train, last 6 test),",
             "mean ± std over subjects", "",
             f"{'model':<16}{'accuracy':>18}{'balanced acc.':>16}{'macro-F1':>11}"]
    for model, s in summary["recognition"].items():
        acc = f"{s.get('accuracy_mean', float('nan')):.3f} ± {s.get('accuracy_std', float('nan')):.3f}"
        lines.append(f"{model:<16}{acc:>18}{s.get('balanced_accuracy_mean', float('nan')):>16.3f}"
                     f"{s.get('f1_macro_mean', float('nan')):>11.3f}")
    lines.append("chance = 0.333 (3 emotions). Each subject has 9 training trials, nearly 9 independent "
                 "examples: the deep models")
    lines.append("train with band-gain augmentation (augment='smooth-gain'); without it they stay near "
                 "chance here (README: 'Recognition results').")
    lines.append("")
    for gen, m in summary["generation"].items():
        parts = []
        for k in ("c2st", "c2st_real_floor", "psd_distance", "topomap_correlation", "tstr", "trtr"):
            v = _scalar(m.get(k))
            if isinstance(v, (int, float)):
                parts.append(f"{k} {v:.3f}")
        lines.append(f"generator {gen}: " + ", ".join(parts))
        floor = _scalar(m.get("c2st_real_floor"))
        if isinstance(floor, (int, float)) and floor >= 0.9:
            lines.append(f"  C2ST cannot rank the generator here: real held-out trials are themselves "
                         f"told from the real training trials ({floor:.2f});")
            lines.append("  read the PSD distance, topographies and TSTR vs TRTR instead.")
    lines.append("")
    lines.append("time: " + ", ".join(f"{k} {v:.0f} s" for k, v in summary["timings_s"].items()))
    lines.append(f"report: {summary['report']}")
    return "\n".join(lines)
