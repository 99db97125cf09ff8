"""Recognition targets of issue 4, measured end to end with eegemo's own pipeline.

1. Simulated SEED (moderate effect size, ``effect_size=1``), seed-standard protocol (first 9 trials
   of a session train, last 6 test): every model should be well above chance (1/3), and
   ``attention-4d`` at least as good as ``ccnn``.
2. Real PhysioNet eegmmidb, subject S001, runs 4, 8, 12 (imagined left vs right fist, events T1 vs
   T2), read with :mod:`eegemo.datasets.generic`; trial-wise 5-fold: target above 0.65.

Every number comes from :func:`eegemo.evaluation.run` (trial-disjoint splits, normalisation fitted
on training rows). Usage::

    .venv/bin/python benchmarks/recognition_targets.py [--subjects 3] [--duration-scale 0.1]
        [--epochs 30] [--models svm,logreg,...] [--skip-sim] [--skip-mi] [--no-write]
        [--no-augment] [--work DIR] [--section TAG]

The same comparison at SEED's real session length (about 35 minutes on 2 cores)::

    .venv/bin/python benchmarks/recognition_targets.py --duration-scale 1 --skip-mi \
        --models svm,logreg,ccnn,attention-4d --section recognition-full --work /tmp/rec-full

With SEED's 15 subjects (about 40 minutes on 2 cores; a paired Wilcoxon test over subjects is
added to the verdict lines from 5 subjects on)::

    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --skip-mi \
        --section recognition-15 --work /tmp/rec-15 \
        --models svm,logreg,seed-cnn,ccnn,attention-4d,attention-4d-ccnn,image-cnn,eegnet

The same comparison at SEED's real session length after the session-18 fixes (session 25)::

    .venv/bin/python benchmarks/recognition_targets.py --duration-scale 1 --skip-mi \
        --models svm,logreg,ccnn,attention-4d --section recognition-full-carve --work /tmp/rec-full

``--models`` also accepts ``attention-4d-ccnn``: attention-4d with its opt-in ``body="ccnn"``.

The same 15-subject comparison after the validation-carve and early-stopping fixes (session 18),
its other rows (session 19) and the opt-in attention-4d body (session 20)::

    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --skip-mi \
        --section recognition-15-carve --work /tmp/bench15 --models svm,ccnn,attention-4d
    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --skip-mi \
        --section recognition-15-carve-rest --work /tmp/bench15 \
        --models svm,logreg,seed-cnn,image-cnn
    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --sim-seed 1 --skip-mi \
        --section recognition-15-draw1-carve-a4dccnn --work /tmp/rec-15-d1 \
        --models ccnn,attention-4d-ccnn
    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --skip-mi \
        --section recognition-15-carve-a4dccnn --work /tmp/bench15 --models ccnn,attention-4d-ccnn
    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --skip-mi \
        --section recognition-15-carve-eegnet --work /tmp/bench15 --models eegnet --eegnet-rows main
    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --skip-mi \
        --section recognition-15-carve-eegnet-paper --work /tmp/bench15 --models eegnet \
        --eegnet-rows paper

A second simulated draw of the same settings (``--sim-seed 1``: the simulator's ``random_state``,
so other subjects, trials and noise), the confirmation run of ``recognition-15-draw1``, and its
target rows after the session-18 fixes (session 22)::

    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --sim-seed 1 --skip-mi \
        --section recognition-15-draw1 --work /tmp/rec-15-d1 \
        --models svm,logreg,seed-cnn,ccnn,attention-4d,attention-4d-ccnn,image-cnn
    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --sim-seed 1 --skip-mi \
        --section recognition-15-draw1-carve --work /tmp/rec-15-d1 --models svm,ccnn,attention-4d
    .venv/bin/python benchmarks/recognition_targets.py --subjects 15 --sim-seed 1 --skip-mi \
        --section recognition-15-draw1-carve-rest --work /tmp/rec-15-d1 \
        --models svm,logreg,seed-cnn,image-cnn

Writes the ``<!-- recognition -->`` section (or ``--section``) of benchmarks/RESULTS.md; data,
stores and run folders go to ``benchmarks/_work/recognition`` (or ``--work``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
WORK = HERE / "_work" / "recognition"  # --work overrides
EEGMMIDB = HERE.parents[1] / "shared" / "data" / "eegmmidb"
MI_BANDS = "theta:4-8,mu1:8-10,mu2:10-13,beta1:13-18,beta2:18-24,beta3:24-30"
#: how the augmentation default was chosen (written under the simulated-SEED table)
AUGMENT_NOTE = (
    'The augmentation default (smooth band-gain fields, strength 1) was chosen on this '
    'simulated store: strength 0.5 left seed-cnn/ccnn at 0.45/0.34, strengths 1-2 gave '
    '0.89/0.78-0.95; a whole-head gain at strength 1 gave 0.89/0.83. Without augmentation '
    '(`--no-augment`, the previous run): seed-cnn 0.45 ± 0.20, ccnn 0.34 ± 0.00, attention-4d'
    ' 0.45 ± 0.20, image-cnn 0.40 ± 0.10. EEGNet (the paper\'s network) fits its ~150 training '
    'windows of a subject perfectly and tests at chance; a random whole-signal amplitude gain or '
    'random per-band gains did not help (0.32-0.34). Its row uses two options chosen on this '
    'store (exploratory runs, seed 0, 60 fixed epochs): Fourier-surrogate augmentation alone '
    '0.44, whitening alone 0.44, both 0.56-0.57 over seeds 0-2; early stopping on the '
    'validation loss of two trials stopped it at epoch 1 (chance), so its best-validation-'
    'accuracy epoch of 60 is kept. '
    'attention-4d with 3-window '
    'sequences instead of its default 6 scored 0.78 / 0.84 / 0.67 for seeds 0 / 1 / 2 '
    '(exploratory, not adopted: the difference is within the seed spread). Two per-window '
    'changes, also exploratory (3 seeds each): residual attention gates, x (1 + a) as in Wang '
    'et al. 2017, 0.72 / 0.72 / 0.67; CCNN\'s 4 × 4 convolutions without pooling as the '
    'per-step CNN 0.61 / 0.83 / 0.62; both 0.72 / 0.89 / 0.72 (mean 0.78, still below ccnn; '
    'not adopted). Two diagnostics (session 8, 3 seeds each, not adopted): one window per '
    'sequence (seq_len=1, so the LSTM and temporal attention see a single step) 0.61 / 0.72 / '
    '0.72, no better than 6 windows, so the gap to ccnn is not in the temporal module; ccnn\'s '
    'learning rate (1e-4 instead of 1e-3) 0.33 / 0.34 / 0.33, chance: the validation loss rises '
    'after the first epoch and early stopping keeps it.'
)
#: notes written under the simulated-SEED table of other sections than the default one
SECTION_NOTES = {
    "recognition-full": (
        "Why this run: the default run above uses sessions cut to a tenth of their length "
        "(duration_scale=0.1, ~22 windows per trial) to keep the benchmark short; SEED's own "
        "sessions are ten times longer. This run repeats the comparison at the real session "
        "length with the same simulator settings, protocol, models and defaults (nothing was "
        "changed or chosen for it); it was decided on before its result was known and is "
        "reported whatever it shows."
        ' Observed in this run (seed 0 training histories): every network fits its 7 training '
        'trials to a training loss near 0.01 within a few epochs, and the validation accuracy on '
        'the 2 carved trials jumps between about 0.5 and 1.0 from one epoch to the next, so early'
        ' stopping has little to go on; the augmentation strength was chosen on the short store '
        '(section above). SVM on DE, trained on all 9 trials, is the model to beat at this '
        'length, as in the trial-disjoint literature on real SEED (about 0.84).'
        ' Exploratory, after the table was written (not adopted, no default changed): ccnn '
        'without a validation carve (--val-fraction 0: all 9 training trials, a fixed 30 epochs) '
        'scored 0.841 / 0.887 / 0.837 for seeds 0 / 1 / 2 (mean 0.855) at this length, against '
        '0.732 with early stopping on 2 carved trials; on the short store of the section above '
        'the same change gave 0.943 / 0.886 / 0.830 (mean 0.886 vs 0.927). With long trials and 9'
        ' training trials, try --val-fraction 0 and a fixed number of epochs. The same change '
        'for attention-4d (seed 0 only) gave 0.774 against ccnn\'s 0.841 for that seed: still '
        'below ccnn.'),
    "recognition-15": (
        "Why this run: with 3 subjects and 6 test trials each, a network's accuracy rests on 18 "
        "test trials, and a second simulated draw of the same settings (simulator random_state=1 "
        "instead of 0, exploratory, seeds 0-2) gave ccnn 0.62 / 0.56 / 0.72 and attention-4d "
        "0.73 / 0.50 / 0.50 (means 0.63 and 0.58) instead of the 0.93 and 0.72 of the default "
        "run: which 3 subjects are drawn moved ccnn by 0.29 and attention-4d by 0.14, and the "
        "gap between them from 0.20 to 0.05. "
        "This run repeats the default comparison with SEED's own number of subjects (15) and "
        "otherwise the same simulator settings, protocol, models and defaults (nothing changed "
        "or chosen for it); it was decided on before its result was known and is reported "
        "whatever it shows."
        " The row 'attention-4d, body=ccnn (opt-in)' was added in a rerun of this section "
        "(session 9) when the one variant designed before the first 15-subject run, attention-4d "
        "built on top of ccnn and first run once with a script outside the package (0.837 ± "
        "0.156), became the option body='ccnn': ccnn's per-step body (4 × 4 convolutions, no "
        "pooling, dense 1024), spectral and spatial gates x · 2σ(z) whose last layers start at "
        "zero (identity at the start), the bi-LSTM with temporal attention, and ccnn's learning "
        "rate 1e-4. The packaged option gives the same result (the last digits differ by the order "
        "of floating-point operations), and every other row reproduced the first run's metrics to "
        "the last digit. It "
        "is opt-in, not a default, and it does not count toward the target 'attention-4d ≥ ccnn': "
        "it was chosen after seeing the paper's body fall short. The attention and temporal "
        "modules neither help nor hurt on top of CCNN here; attention-4d's shortfall comes from "
        "its per-step CNN and training recipe."),
    "recognition-15-draw1": (
        "Why this run (a confirmation, decided and written down before it was run, session 10): "
        "the opt-in body='ccnn' was designed after the paper's body fell short on the default "
        "simulated draw (simulator random_state=0) and was measured only on that draw, where it "
        "came out level with ccnn (0.836 vs 0.851, p = 0.86). This run asks whether that holds on "
        "data it was not designed on: a second draw of the same settings (simulator "
        "random_state=1: other subjects, trials and noise), 15 subjects, the same protocol, "
        "models, defaults and seeds; nothing was changed or chosen for it, and it is reported "
        "whatever it shows. Fixed in advance: no default changes with its result, the paper's "
        "body stays the default of attention-4d, and the target 'attention-4d ≥ ccnn' is judged "
        "on the paper's body. EEGNet is left out of this run for time (about 20 minutes a seed "
        "for its two rows)."),
    "recognition-15-draw1-eegnet": (
        "Why this run (decided and written down before it was run, session 11): it completes the "
        "second draw above with the two EEGNet rows that were left out for time, so that the "
        "target 'every model well above chance' is checked on that draw for every model. Same "
        "store settings (simulator random_state=1, 15 subjects, duration_scale=0.1), protocol, "
        "options and seeds as the EEGNet rows of the 15-subject section; nothing was changed or "
        "chosen for it, and it is reported whatever it shows."),
}
SECTION_NOTES["recognition-15-carve"] = (
    "Why this run (decided and written down before it was run, session 18): a review of the "
    "training recipe found two faults that touch every network. (1) The validation carve broke "
    "ties between equally frequent labels by label order: on SEED's 9 training trials (3 per "
    "emotion, 2 carved) validation always held one negative and one neutral trial and training "
    "always 3 positive, 2 negative and 2 neutral trials, for every subject and seed. (2) Early "
    "stopping counted patience in epochs only; with ~120 training sequences an epoch is two "
    "optimiser steps, so 10 epochs of patience could stop a network before it had left its "
    "initialisation and restore its epoch-1 weights (one of five attention-4d fold fits in the "
    "review predicted a single class, 0.34; with a longer patience the same fold scored 0.73). "
    "Both were fixed as faults, not tuned: ties are now drawn at random, and patience waits at "
    "least 100 optimiser steps. This run repeats the 15-subject comparison of the section "
    "'recognition-15' with the fixed code for svm (a check: neither fix touches it), ccnn and "
    "attention-4d: the same store settings, protocol, models, defaults and seeds; nothing else "
    "was changed or chosen for it, and it is reported whatever it shows. The network rows of the "
    "other recognition sections predate the fixes.")
SECTION_NOTES["recognition-15-carve-rest"] = (
    "Why this run (decided and written down before it was run, session 19): the rows of the "
    "section 'recognition-15' that 'recognition-15-carve' did not rerun, measured again with the "
    "code fixed in session 18 (validation ties drawn at random, patience of at least 100 "
    "optimiser steps): seed-cnn, image-cnn and EEGNet (both rows), with svm and logreg as checks "
    "(neither fix touches them, so they must repeat their earlier figures). The same store "
    "settings, protocol, defaults and seeds; nothing else was changed or chosen for it, and it is "
    "reported whatever it shows. attention-4d with body='ccnn' (opt-in, about 70 minutes here) "
    "was not rerun; its row in 'recognition-15' predates the fixes. Added after the run began: "
    "the EEGNet rows did not finish within the session (one seed took 27 minutes on the shared "
    "machine, 6 were planned), so the run was stopped and repeated for the four other models "
    "(deterministic: the same figures as the stopped run printed); EEGNet with both options, "
    "seed 0 alone, scored 0.462 ± 0.162 over subjects (before the fixes the means of single "
    "seeds ranged 0.49-0.51). The EEGNet rows of 'recognition-15' predate the fixes.")
SECTION_NOTES["recognition-15-carve-a4dccnn"] = (
    "Why this run (decided and written down before it was run, session 20): the last network row "
    "of the section 'recognition-15' measured before the session-18 fixes (validation ties drawn "
    "at random, patience of at least 100 optimiser steps), attention-4d with its opt-in "
    "body='ccnn', measured again with the fixed code, beside ccnn (a check: deterministic, it "
    "must repeat its row of 'recognition-15-carve', 0.867) so that the two are paired in one run. "
    "The same store settings, protocol, defaults and seeds; nothing else was changed or chosen "
    "for it, and it is reported whatever it shows. body='ccnn' stays opt-in and does not count "
    "toward the target 'attention-4d ≥ ccnn' (it was designed after the paper's body fell short).")
SECTION_NOTES["recognition-15-carve-eegnet"] = (
    "Why this run (decided and written down before it was run, session 21): the EEGNet row of "
    "the section 'recognition-15' (whiten=True, augment='ft-surrogate', the options EEGNet runs "
    "with on simulated SEED here) measured again with the code fixed in session 18 (validation "
    "ties drawn at random, patience of at least 100 optimiser steps), which 'recognition-15-carve-"
    "rest' planned but stopped for time. Only this row: the paper's row (whiten=False, "
    "augment=None) would double a run of about 80 minutes and is left; its row in "
    "'recognition-15' predates the fixes. The same store settings, protocol, options and seeds; "
    "nothing else was changed or chosen for it, and it is reported whatever it shows. Seed 0 of "
    "the stopped run printed 0.462 ± 0.162: this run must repeat it (deterministic).")
SECTION_NOTES["recognition-15-carve-eegnet-paper"] = (
    "Why this run (decided and written down before it was run, session 21): the last row of the "
    "section 'recognition-15' measured before the session-18 fixes (validation ties drawn at "
    "random, patience of at least 100 optimiser steps), EEGNet as the paper has it (whiten=False, "
    "augment=None; 0.337 ± 0.025 before the fixes), measured again with the fixed code. The same "
    "store settings, protocol, options and seeds as that row; nothing else was changed or chosen "
    "for it, and it is reported whatever it shows.")
SECTION_NOTES["recognition-15-draw1-carve"] = (
    "Why this run (decided and written down before it was run, session 22): the second simulated "
    "draw (simulator random_state=1) of the section 'recognition-15-draw1' was measured before "
    "the session-18 fixes (validation ties drawn at random, patience of at least 100 optimiser "
    "steps). This run measures its target rows again with the fixed code: attention-4d (the "
    "paper's body, the one the target 'attention-4d ≥ ccnn' is judged on) and ccnn, with svm as "
    "a check (neither fix touches it: it must repeat 0.732). The same store settings, protocol, "
    "models, defaults and seeds; nothing else was changed or chosen for it, and it is reported "
    "whatever it shows. The other rows of that section (logreg, seed-cnn, attention-4d with "
    "body='ccnn', image-cnn, EEGNet) are left for time and still predate the fixes. "
    "Added before the rerun (session 23): the run begun in session 22 was lost with its machine "
    "after printing svm 0.732 ± 0.139 and ccnn 0.814 ± 0.150 (attention-4d had not finished); "
    "it was started again, unchanged, on the code of session 22's last commit (no change to "
    "these models since the first start), so svm and ccnn must repeat those figures.")
SECTION_NOTES["recognition-15-draw1-carve-rest"] = (
    "Why this run (decided and written down before it was run, session 23): the rows of the "
    "second draw's section 'recognition-15-draw1' that 'recognition-15-draw1-carve' did not "
    "rerun and that fit in this session's time, measured again with the code fixed in session 18 "
    "(validation ties drawn at random, patience of at least 100 optimiser steps): seed-cnn and "
    "image-cnn, with svm and logreg as checks (neither fix touches them, so they must repeat "
    "their earlier figures, svm 0.732). The same store settings, protocol, defaults and seeds; "
    "nothing else was changed or chosen for it, and it is reported whatever it shows. "
    "attention-4d with body='ccnn' (about 80 minutes here) and EEGNet (about 100 minutes for "
    "both rows) are left for time; their rows in 'recognition-15-draw1' and "
    "'recognition-15-draw1-eegnet' predate the fixes.")
SECTION_NOTES["recognition-15-draw1-carve-a4dccnn"] = (
    "Why this run (decided and written down before it was run, session 23): the opt-in "
    "attention-4d with body='ccnn' on the second draw, whose row in 'recognition-15-draw1' "
    "predates the session-18 fixes (validation ties drawn at random, patience of at least 100 "
    "optimiser steps), measured again with the fixed code beside ccnn (a check: on this machine "
    "it must repeat its row of 'recognition-15-draw1-carve', 0.812) so that the two are paired "
    "in one run, as 'recognition-15-carve-a4dccnn' did on the first draw. The same store "
    "settings, protocol, defaults and seeds; nothing else was changed or chosen for it, and it "
    "is reported whatever it shows. body='ccnn' stays opt-in and does not count toward the "
    "target 'attention-4d ≥ ccnn' (it was designed after the paper's body fell short).")
SECTION_NOTES["recognition-15-draw1-carve-eegnet"] = (
    "Why this run (decided and written down before it was run, session 24): the last rows of the "
    "second draw measured before the session-18 fixes (validation ties drawn at random, patience "
    "of at least 100 optimiser steps), EEGNet with its simulated-SEED options (whiten=True, "
    "augment='ft-surrogate'; 0.480 ± 0.133 before the fixes) and as the paper has it "
    "(whiten=False, augment=None; 0.335 ± 0.020), measured again with the fixed code. The same "
    "store settings (simulator random_state=1), protocol, options and seeds as section "
    "'recognition-15-draw1-eegnet'; nothing else was changed or chosen for it, and it is reported "
    "whatever it shows. With it every row of the second draw is measured after the fixes.")
SECTION_NOTES["recognition-full-carve"] = (
    "Why this run (decided and written down before it was run, session 25): the section "
    "'recognition-full' (SEED's real session length, duration_scale=1, 3 subjects) was the last "
    "recognition section whose network rows predate the session-18 fixes (validation ties drawn "
    "at random, patience of at least 100 optimiser steps). This run repeats it with the fixed "
    "code: the same store settings, protocol, models (svm, logreg, ccnn, attention-4d), defaults "
    "and seeds; nothing else was changed or chosen for it, and it is reported whatever it shows. "
    "svm and logreg are checks (neither fix touches them): they must repeat 0.893 and 0.738. "
    "The exploratory figures without a validation carve quoted under 'recognition-full' were "
    "measured before the fixes and are not repeated here.")
#: title words of sections measured after the session-18 fixes
AFTER_FIXES = ", after the validation-carve and early-stopping fixes"
SECTION_TITLE_SUFFIX = {"recognition-15-carve": AFTER_FIXES,
                        "recognition-15-carve-rest": AFTER_FIXES + " (the other rows)",
                        "recognition-15-carve-a4dccnn": AFTER_FIXES + " (attention-4d, body=ccnn)",
                        "recognition-15-carve-eegnet": AFTER_FIXES,
                        "recognition-15-carve-eegnet-paper": AFTER_FIXES + " (the paper's EEGNet)",
                        "recognition-15-draw1-carve": AFTER_FIXES,
                        "recognition-15-draw1-carve-rest": AFTER_FIXES + " (the other rows)",
                        "recognition-15-draw1-carve-a4dccnn":
                            AFTER_FIXES + " (attention-4d, body=ccnn)",
                        "recognition-15-draw1-carve-eegnet": AFTER_FIXES,
                        "recognition-full-carve": AFTER_FIXES}
#: the default section, rerun after the session-18 fixes (written before the rerun, session 19)
RERUN_NOTE = (
    "This section was rerun on 2026-12-07 (session 19) after the validation-carve and "
    "early-stopping fixes of session 18 (validation ties drawn at random, patience of at least "
    "100 optimiser steps), decided before it was run, with the same store settings, protocol, "
    "models, defaults and seeds; the exploratory figures in the next paragraph, and those under "
    "the eegmmidb table, were measured before those fixes. ")
#: EEGNet on simulated SEED: spectral whitening + Fourier-surrogate augmentation (off by default),
#: batch 16, the epoch of best validation accuracy kept
EEGNET_SIM = {"batch_size": 16, "monitor": "val_accuracy", "whiten": True,
              "augment": "ft-surrogate"}
#: EEGNet's simulated-SEED options taken one at a time on eegmmidb (exploratory, same folds)
MI_OPTIONS_NOTE = (
    ' Exploratory, on the same folds: EEGNet on whole trials with whiten=True alone 0.844, '
    "with augment='ft-surrogate' alone 0.533: the Fourier surrogates cost the accuracy here "
    '(they replace the waveform, including anything time-locked to the cue), whitening does '
    'not (0.84 vs 0.91, within one standard error).'
)
ALL_MODELS = ("svm", "logreg", "seed-cnn", "ccnn", "attention-4d", "image-cnn", "eegnet")
#: opt-in variants that --models accepts beside ALL_MODELS: key -> (row label, model, params)
VARIANTS = {"attention-4d-ccnn": ("attention-4d, body=ccnn (opt-in)", "attention-4d",
                                  {"body": "ccnn"})}
#: Models with an ``augment`` parameter (smooth band-gain augmentation, on by default).
AUGMENTED = ("seed-cnn", "ccnn", "attention-4d", "image-cnn")


class CSPLDA(ClassifierMixin, BaseEstimator):
    """Band-pass (4th-order Butterworth, zero phase) + CSP log-variance + shrinkage LDA.

    The classical motor-imagery baseline: :class:`mne.decoding.CSP` (Koles 1991; Ramoser et al.
    2000) on raw windows filtered to the mu and beta bands, then scikit-learn's LDA.
    """

    input_kind = "raw"

    def __init__(self, n_components: int = 6, reg: float | str | None = "ledoit_wolf",
                 low: float = 8.0, high: float = 30.0, sfreq: float | None = None):
        self.n_components = n_components
        self.reg = reg
        self.low = low
        self.high = high
        self.sfreq = sfreq

    def _filter(self, X):
        from scipy.signal import butter, sosfiltfilt

        sos = butter(4, [self.low, self.high], btype="band", fs=self.sfreq, output="sos")
        return sosfiltfilt(sos, np.asarray(X, dtype=np.float64), axis=-1)

    def fit(self, X, y):
        from mne.decoding import CSP
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
        from sklearn.pipeline import make_pipeline

        self.pipe_ = make_pipeline(CSP(n_components=self.n_components, reg=self.reg, log=True),
                                   LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"))
        self.pipe_.fit(self._filter(X), y)
        self.classes_ = self.pipe_.classes_
        return self

    def predict_proba(self, X):
        return self.pipe_.predict_proba(self._filter(X))

    def predict(self, X):
        return self.pipe_.predict(self._filter(X))


def trial_level(run_dir: Path) -> float:
    """Accuracy when a trial's window probabilities are averaged (one decision per trial)."""
    pred = pd.read_parquet(run_dir / "predictions.parquet")
    pcols = [c for c in pred.columns if c.startswith("proba_")]
    labels = np.array([int(c.split("_", 1)[1]) for c in pcols])
    g = pred.groupby(["recording", "trial"])
    mean = g[pcols].mean()
    truth = g["label"].first()
    return float((labels[mean.to_numpy().argmax(1)] == truth.to_numpy()).mean())


def fold_spread(metrics: dict) -> tuple[float, float]:
    acc = np.array([f["accuracy"] for f in metrics["per_fold"].values()])
    return float(acc.mean()), float(acc.std(ddof=1)) if len(acc) > 1 else 0.0


def paired_note(res: dict, a: str = "attention-4d", b: str = "ccnn") -> str:
    """Paired comparison of two models over subjects (Wilcoxon signed-rank), from 5 subjects."""
    pa, pb = res[a]["per_subject"], res[b]["per_subject"]
    subj = sorted(set(pa) & set(pb))
    if len(subj) < 5:
        return ""
    from scipy.stats import wilcoxon

    d = np.array([pa[k] - pb[k] for k in subj])
    p = wilcoxon(d).pvalue if np.any(d != 0) else 1.0
    return (f" Paired over the {len(subj)} subjects ({a} − {b}, per-subject accuracy averaged "
            f"over seeds): mean {d.mean():+.3f}, {a} higher for {int((d > 0).sum())}, lower for "
            f"{int((d < 0).sum())}; Wilcoxon signed-rank p = {p:.3g}.")


def simulated_seed(args) -> tuple[list[str], dict]:
    from eegemo.datasets.simulate import simulate
    from eegemo.evaluation import run
    from eegemo.store import prepare

    data = simulate("seed", WORK / "sim-data", subjects=args.subjects, sessions=1,
                    duration_scale=args.duration_scale, effect_size=1.0,
                    random_state=args.sim_seed,
                    overwrite=True)
    store = prepare(Path(data) / "Preprocessed_EEG" if (Path(data) / "Preprocessed_EEG").is_dir()
                    else data, WORK / "sim-store", features=("de", "raw"), smoothing="lds",
                    grid="seed9x9", image_size=16, overwrite=True, jobs=1)
    rows, results = [], {}
    setups = []
    for key in args.models:
        label, name, extra = VARIANTS.get(key, (key, key, {}))
        params = {} if name in ("svm", "logreg") else {"max_epochs": args.epochs,
                                                        "patience": max(5, args.epochs // 4),
                                                        **extra}
        if args.no_augment and name in AUGMENTED:
            params["augment"] = None
        if name == "eegnet":
            # slow learner on 2 validation trials: train 2x longer, keep the best-accuracy epoch
            params = {**EEGNET_SIM, "max_epochs": 2 * args.epochs, "patience": 2 * args.epochs}
            if args.no_augment:
                params.update(whiten=False, augment=None)
            if args.eegnet_rows != "paper":
                setups.append((name, name, name, params))
            if not args.no_augment and args.eegnet_rows in ("both", "paper"):
                setups.append(("eegnet-paper", "eegnet (paper's: whiten=False, augment=None)",
                               name, {**params, "whiten": False, "augment": None}))
        else:
            setups.append((key, label, name, params))
    for key, label, name, params in setups:
        # the linear baselines are deterministic: one run; the networks: one run per seed
        seeds = [0] if name in ("svm", "logreg") else args.seeds
        t0 = time.perf_counter()
        per_seed = []
        for seed in seeds:
            m = run(store, name, "seed-standard", WORK / "runs" / f"sim-{key}-seed{seed}",
                    model_params=params, random_state=seed, device="cpu", overwrite=True)
            per_seed.append(m)
        dt = (time.perf_counter() - t0) / len(seeds)
        subj = sorted(per_seed[0]["per_subject"])
        # per-subject accuracy averaged over seeds, then mean ± std over subjects
        acc = np.array([[m["per_subject"][k]["accuracy"] for k in subj] for m in per_seed])
        by_subject = acc.mean(axis=0)
        seed_means = acc.mean(axis=1)
        s = {k: float(np.mean([m["summary"][k] for m in per_seed]))
             for k in ("balanced_accuracy_mean", "f1_macro_mean", "kappa_mean")}
        s.update(accuracy_mean=float(by_subject.mean()),
                 accuracy_std=float(by_subject.std(ddof=1)) if len(subj) > 1 else 0.0,
                 per_subject=dict(zip(subj, by_subject.round(3).tolist())),
                 seed_means=seed_means.round(3).tolist())
        results[key] = s
        spread = (f"{seed_means.min():.2f}–{seed_means.max():.2f}" if len(seeds) > 1 else "–")
        rows.append(f"| {label} | {per_seed[0]['config']['array']} | {s['accuracy_mean']:.3f} ± "
                    f"{s['accuracy_std']:.3f} | {spread} | "
                    f"{' / '.join(f'{v:.2f}' for v in by_subject)} | "
                    f"{s['balanced_accuracy_mean']:.3f} | "
                    f"{s['f1_macro_mean']:.3f} | {s['kappa_mean']:.3f} | {dt:.0f} s |")
        print(rows[-1], flush=True)
    info = {"n_windows": len(store.index), "n_subjects": store.index["subject"].nunique()}
    return rows, {"results": results, **info}


def motor_imagery(args) -> tuple[list[str], dict]:
    from eegemo.datasets import generic
    from eegemo.evaluation import run
    from eegemo.store import prepare

    files = [EEGMMIDB / f"S001R{r:02d}.edf" for r in (4, 8, 12)]
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise SystemExit(f"eegmmidb files missing: {missing}")
    import mne

    mne.set_log_level("ERROR")
    recs = [r for f in files for r in generic.read(f, labels=["T1", "T2"])]
    store = prepare(recs, WORK / "mi-store", features=("de", "raw"), window=2.0, overlap=1.5,
                    bands=MI_BANDS, grid=None, overwrite=True, jobs=1)
    # The motor-imagery convention: one epoch per trial (4 s from the cue), no overlap.
    trials = prepare(recs, WORK / "mi-store-trials", features=("raw",), window=4.0, overlap=0.0,
                     grid=None, overwrite=True, jobs=1)
    eegnet = {"max_epochs": args.epochs * 2, "patience": max(5, args.epochs // 2)}
    setups = [("logreg (C=0.1) on log band power, 6 bands 4-30 Hz", "logreg", {"C": 0.1}, "de",
               store, "logreg"),
              ("band-pass 8-30 Hz + CSP (6) + shrinkage LDA", CSPLDA(), {}, "raw", store, "csp-lda"),
              ("EEGNet-8,2 on 2-s raw windows", "eegnet", eegnet, "raw", store, "eegnet"),
              ("EEGNet-8,2 on whole 4-s trials (dropout 0.25, batch 16, 60 epochs)", "eegnet",
               {**eegnet, "max_epochs": 60, "patience": 20, "dropout": 0.25, "batch_size": 16},
               "raw", trials, "eegnet-trials"),
              ("the same with whiten=True, augment='ft-surrogate' (the simulated-SEED options)",
               "eegnet", {**eegnet, "max_epochs": 60, "patience": 20, "dropout": 0.25,
                          "batch_size": 16, "whiten": True, "augment": "ft-surrogate"},
               "raw", trials, "eegnet-trials-ft")]
    rows, results = [], {}
    for label, model, params, array, store_, key in setups:
        t0 = time.perf_counter()
        out = WORK / "runs" / f"mi-{key}"
        m = run(store_, model, "trial-kfold", out, array=array, model_params=params,
                normalize="session" if array == "de" else None, n_folds=5, random_state=0,
                device="cpu", overwrite=True)
        dt = time.perf_counter() - t0
        mean, std = fold_spread(m)
        tl = trial_level(out)
        results[key] = {"window_accuracy": m["summary"]["accuracy_mean"], "fold_mean": mean,
                        "fold_std": std, "trial_accuracy": tl}
        rows.append(f"| {label} | {m['summary']['accuracy_mean']:.3f} | {mean:.3f} ± {std:.3f} | "
                    f"{m['summary']['kappa_mean']:.3f} | {tl:.3f} | {dt:.0f} s |")
        print(rows[-1], flush=True)
    idx = store.index
    info = {"n_trials": int(idx.groupby(["recording", "trial"]).ngroups), "n_windows": len(idx),
            "labels": store.label_names}
    return rows, {"results": results, **info}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--subjects", type=int, default=3)
    ap.add_argument("--duration-scale", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--models", default=",".join(ALL_MODELS))
    ap.add_argument("--work", type=Path, default=None,
                    help="folder for data, stores and runs (default benchmarks/_work/recognition)")
    ap.add_argument("--section", default="recognition",
                    help="RESULTS.md section to write (e.g. recognition-full for a run at "
                         "--duration-scale 1)")
    ap.add_argument("--skip-sim", action="store_true")
    ap.add_argument("--skip-mi", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--seeds", default="0,1,2", help="random_state values of the networks")
    ap.add_argument("--no-augment", action="store_true",
                    help="train the DE-map networks without their default augmentation")
    ap.add_argument("--sim-seed", type=int, default=0,
                    help="random_state of the simulator (another value draws other subjects)")
    ap.add_argument("--eegnet-rows", choices=("both", "main", "paper"), default="both",
                    help="EEGNet rows: 'both' (its simulated-SEED options and the paper's "
                         "network), 'main' (the first only) or 'paper' (the second only)")
    args = ap.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    args.seeds = [int(v) for v in args.seeds.split(",") if v.strip()]
    os.environ.setdefault("EEGEMO_NO_PROGRESS", "1")
    if args.work is not None:
        global WORK
        WORK = args.work.resolve()
    WORK.mkdir(parents=True, exist_ok=True)
    title = ("Recognition targets" if args.section == "recognition" else
             f"Recognition, simulated SEED at duration_scale={args.duration_scale}"
             + ("" if args.subjects == ap.get_default("subjects") else f", {args.subjects} subjects")
             + ("" if args.sim_seed == ap.get_default("sim_seed") else
                f", a second draw (simulator random_state={args.sim_seed})")
             + ("" if any(m != "eegnet" for m in args.models) else ", EEGNet rows")
             + SECTION_TITLE_SUFFIX.get(args.section, ""))
    parts = [f"## {title} (`benchmarks/recognition_targets.py`)", ""]
    if not args.skip_sim:
        rows, info = simulated_seed(args)
        res = info["results"]
        above = {k: v["accuracy_mean"] > 1 / 3 + 0.1 for k, v in res.items()
                 if k in ALL_MODELS or k in VARIANTS}
        att = res.get("attention-4d", {}).get("accuracy_mean")
        ccnn = res.get("ccnn", {}).get("accuracy_mean")
        parts += [
            f"### Simulated SEED (SIMULATED data: effect_size=1 'moderate', {info['n_subjects']} "
            f"subjects × 1 session, duration_scale={args.duration_scale}, {info['n_windows']} windows "
            f"of 1 s; DE with LDS smoothing"
            + (f"; simulator random_state={args.sim_seed}" if args.sim_seed else "") + ")",
            "",
            "Protocol seed-standard: trials 1–9 of each session train (20 % of them held out for "
            "early stopping), trials 10–15 test; z-scoring per subject fitted on training rows; "
            f"torch models ≤ {args.epochs} epochs, CPU; the DE-map networks "
            + ("WITHOUT augmentation" if args.no_augment else "with their default smooth "
               "band-gain augmentation (augment='smooth-gain', strength 1)")
            + f". Networks: {len(args.seeds)} seeds ({', '.join(map(str, args.seeds))}: "
            "initialisation, batches, augmentation and the validation carve); accuracy = "
            "per-subject accuracy averaged over the seeds, then mean ± std over subjects; "
            "'seed range' = the lowest and highest mean over subjects of a single seed "
            "(svm/logreg are deterministic: one run). Six test trials per subject, so one "
            "subject's accuracy moves in steps of about 0.17. Chance 0.333.",
            "",
            "| model | array | accuracy | seed range | per subject | balanced acc. | macro-F1 | "
            "kappa | time per run |",
            "|---|---|---|---|---|---|---|---|---|", *rows, "",
            "Every model above chance + 0.1: " + ", ".join(f"{k} {'yes' if v else 'NO'}"
                                                          for k, v in above.items()) + ".",
        ]
        if att is not None and ccnn is not None:
            parts.append(f"attention-4d ({att:.3f}) ≥ ccnn ({ccnn:.3f}): "
                         f"{'yes' if att >= ccnn else 'NO'}." + paired_note(res))
        for key in VARIANTS:
            if key in res and ccnn is not None:
                v = res[key]["accuracy_mean"]
                parts.append(f"{VARIANTS[key][0]} ({v:.3f}) ≥ ccnn ({ccnn:.3f}): "
                             f"{'yes' if v >= ccnn else 'NO'}." + paired_note(res, key, "ccnn")
                             + (paired_note(res, key, "attention-4d") if att is not None else ""))
        base = res.get("svm", {}).get("accuracy_mean")
        nets = {k: v["accuracy_mean"] for k, v in res.items() if k not in ("svm", "logreg")}
        if base is not None and nets:
            best = max(nets, key=nets.get)
            parts.append(f"Best network ({best}, {nets[best]:.3f}) vs DE + SVM ({base:.3f}): "
                         f"{'above' if nets[best] > base else 'NOT above'} the classical baseline."
                         + paired_note(res, best, "svm"))
        if not args.no_augment and args.section == "recognition":
            parts.append("")
            parts.append(RERUN_NOTE + AUGMENT_NOTE)
        if args.section != "recognition":
            parts += ["", SECTION_NOTES.get(args.section, "")]
        parts.append("")
    if not args.skip_mi:
        rows, info = motor_imagery(args)
        best = max(v["window_accuracy"] for v in info["results"].values())
        parts += [
            "### Real EEG: PhysioNet eegmmidb S001, runs 4, 8, 12 (imagined left vs right fist)",
            "",
            f"Read with `eegemo.datasets.generic` (events T1 = left, T2 = right, "
            f"{info['n_trials']} trials of 4.1 s), 64 channels at 160 Hz, 2-s windows with 1.5-s "
            f"overlap ({info['n_windows']} windows), or one 4-s epoch per trial (last row, the usual "
            "motor-imagery epoching). Protocol trial-kfold (5 folds of whole trials, "
            "stratified); one subject, so the spread is over folds. 'trial' = window "
            "probabilities averaged per trial. Chance 0.5. DE features z-scored per run (session) "
            "on training rows; raw windows unnormalised.",
            "",
            "Settings were chosen on these same folds (no separate test set; 45 trials, so the "
            "standard error of an accuracy is about 0.07): also tried were 1-s windows with 0.5-s "
            "overlap (logreg 0.53-0.59, CSP 0.55-0.58), 3-s and 4-s windows (0.56-0.64), and "
            "sensorimotor channels only (21 channels, LDA/logreg: 0.54-0.64). The EEGNet settings "
            "of the last row (whole 4-s trials, dropout 0.25, batch 16, 60 epochs) come from an "
            "earlier exploratory run on these data. Read the figures below as optimistic by that "
            "selection." + MI_OPTIONS_NOTE,
            "",
            "| model | window accuracy | per-fold mean ± std | kappa | trial accuracy | time |",
            "|---|---|---|---|---|---|", *rows, "",
            f"Target > 0.65 (window level, best model): "
            f"{('met' if best - 0.65 >= 0.07 else 'met only nominally') if best > 0.65 else 'NOT met'}"
            f" ({best:.3f}; one standard error is about 0.07 here, and the settings were chosen on "
            "these folds).", ""]
    parts.append(f"Measured {time.strftime('%Y-%m-%d')} on a shared 2-core CPU machine.")
    body = "\n".join(parts)
    print(body)
    if not args.no_write:
        from train_vs_torcheeg import write_section

        write_section(args.section, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
