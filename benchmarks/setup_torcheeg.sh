#!/usr/bin/env bash
# Make benchmarks/_work/torcheeg-venv: TorchEEG 1.1.3 on torch 2.13.0 (CPU), for the side-by-side
# benchmarks. Idempotent, and safe to run from two benchmarks at once (flock on _work/.venv.lock).
#   bash benchmarks/setup_torcheeg.sh          # prints the venv's python path when ready
# TorchEEG 1.1.3 needs pandas<3 and imports torch_scatter (for one graph model) at import time: a stub
# module that raises on use is written so that `import torcheeg` works without PyG.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$HERE/_work"
VENV="$WORK/torcheeg-venv"
mkdir -p "$WORK"
exec 9>"$WORK/.venv.lock"
flock 9

check() {
  "$VENV/bin/python" - <<'PY' 2>/dev/null
import torch, torcheeg
assert torch.__version__.split("+")[0] == "2.13.0", torch.__version__
assert torcheeg.__version__ == "1.1.3", torcheeg.__version__
from torcheeg.datasets import SEEDDataset  # noqa: F401
PY
}

if [ -x "$VENV/bin/python" ] && check; then
  echo "$VENV/bin/python"
  exit 0
fi

# The interpreter the project's .venv is built on (torch wheels are per Python version).
PY="${TORCHEEG_PYTHON:-}"
if [ -z "$PY" ] && [ -x "$HERE/../.venv/bin/python" ]; then
  PY="$("$HERE/../.venv/bin/python" -c 'import sys; print(sys._base_executable)')"
fi
PY="${PY:-python3}"

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
"$VENV/bin/python" -m pip install -q "torch==2.13.0" "torcheeg==1.1.3" "pandas<3" >&2

SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
mkdir -p "$SITE/torch_scatter"
cat > "$SITE/torch_scatter/__init__.py" <<'PY'
"""Stub written by eegemo's benchmarks/setup_torcheeg.sh: TorchEEG imports torch_scatter at import
time for one graph model (RGNN) that the benchmarks do not use."""


def scatter_add(*args, **kwargs):
    raise ImportError("torch_scatter is a stub here (eegemo benchmarks); install torch-scatter for RGNN")
PY

check || { echo "setup_torcheeg.sh: torcheeg venv check failed" >&2; exit 1; }
echo "$VENV/bin/python"
