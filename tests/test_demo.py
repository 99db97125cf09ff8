"""The demo's whole pipeline at reduced size, the HTML report it writes, and the report in a browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> tuple[Path, dict]:
    from eegemo.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out, size="tiny", random_state=0)


def test_demo_pipeline_runs_end_to_end(demo_out):
    out, summary = demo_out
    assert summary["simulated"] is True
    saved = json.loads((out / "summary.json").read_text())
    assert saved["recognition"].keys() == summary["recognition"].keys() == {"svm", "attention-4d"}
    for s in summary["recognition"].values():
        assert 0.0 <= s["accuracy_mean"] <= 1.0 and s["accuracy_std"] >= 0.0
    assert summary["recognition"]["svm"]["accuracy_mean"] > 0.5  # 3 classes, moderate simulated effect
    for key in ("c2st", "psd_distance", "tstr", "trtr"):
        assert key in summary["generation"]["wgan-4d"]
    assert (out / "runs" / "svm" / "metrics.json").is_file()
    assert Path(summary["report"]).is_file()


def test_summary_says_when_c2st_cannot_rank_the_generator(demo_out):
    from eegemo.demo import format_summary

    _, summary = demo_out
    gen = summary["generation"]["wgan-4d"]
    for floor, said in ((0.99, True), (0.6, False)):
        text = format_summary({**summary, "generation": {"wgan-4d": {**gen,
                                                                     "c2st_real_floor": floor}}})
        assert ("C2ST cannot rank the generator here" in text) is said


def test_demo_runs_again_into_its_own_folder(demo_out):
    """`make demo` twice: the second run replaces the first's runs and gives the same figures."""
    from eegemo.demo import run_demo

    out, summary = demo_out
    again = run_demo(out, size="tiny", random_state=0)
    assert again["recognition"] == summary["recognition"]
    assert again["generation"] == summary["generation"]


def test_report_contents(demo_out):
    _, summary = demo_out
    text = Path(summary["report"]).read_text()
    assert "SIMULATED" in text
    assert "seed-standard" in text
    assert "C2ST real floor" in text  # generator numbers come with what real trials score
    n_img = len(re.findall(r"<img ", text))
    assert n_img >= 8, n_img
    assert 'src="http' not in text  # self-contained: nothing fetched from the network


def test_report_names_a_damaged_run_file_and_still_writes(demo_out, tmp_path, caplog):
    from eegemo.viz.report import make_report

    out, _ = demo_out
    run = tmp_path / "svm"
    shutil.copytree(out / "runs" / "svm", run)
    (run / "confusion.json").write_text("{")
    with caplog.at_level("WARNING", logger="eegemo"):
        page = make_report(tmp_path / "r.html", runs=[run])
    assert page.is_file() and "seed-standard" in page.read_text()
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(str(run / "confusion.json") in m and "unreadable" in m for m in warned), warned


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True, timeout=900,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return shutil.which("chromium")
    return None


_CHECK = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images];
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length;
  document.body.setAttribute('data-eegemo-check', imgs.length + ':' + broken);
});
</script></body>"""


def test_report_renders_in_headless_chromium(demo_out, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed and cannot be installed here")
    _, summary = demo_out
    page = tmp_path / "report.html"
    head, sep, tail = Path(summary["report"]).read_text().rpartition("</body>")  # the page's own, not a
    assert sep, "the report has no </body>"                                      # string inside a script
    page.write_text(head + _CHECK + tail)
    flags = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--virtual-time-budget=15000", "--window-size=1280,1600"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=180).stdout
    m = re.search(r'data-eegemo-check="(\d+):(\d+)"', dom)
    assert m, "the report's load handler did not run"
    n_img, broken = map(int, m.groups())
    assert n_img >= 8 and broken == 0, (n_img, broken)
    shot = tmp_path / "shot.png"
    subprocess.run([*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=180)
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)
    assert img.shape[0] >= 1000 and img.shape[1] == 1280
    ink = (img[..., :3].mean(axis=-1) < 0.9).mean()  # share of non-white pixels
    assert ink > 0.02, ink
    assert np.unique(img[..., :3].reshape(-1, 3), axis=0).shape[0] > 50  # figures, not a blank page
