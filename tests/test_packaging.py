"""The dependency files agree: requirements-min.txt pins what pyproject.toml allows at its lowest,
and requirements.lock satisfies pyproject.toml (``make test`` and ``make test-min`` test what a
``pip install`` of eegemo may give)."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> dict[str, Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {canonicalize_name(r.name): r for r in map(Requirement, meta["dependencies"])}


def _pins(name: str) -> dict[str, Version]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"{name}: {line!r} is not an exact pin"
            pins[canonicalize_name(req.name)] = Version(spec.version)
    return pins


def _lower_bound(req: Requirement) -> Version:
    (spec,) = [s for s in req.specifier if s.operator == ">="]
    return Version(spec.version)


def test_min_requirements_pin_the_lowest_allowed_release():
    """Each dependency is pinned in requirements-min.txt within its lower bound's release series
    (the latest patch of the bound's major.minor, or of the bound itself for calendar versions),
    except PyTorch, tested at the locked release only (the README says so)."""
    pins = _pins("requirements-min.txt")
    for name, req in _declared().items():
        assert name in pins, f"requirements-min.txt misses {name}"
        pin, low = pins[name], _lower_bound(req)
        assert pin in req.specifier, f"{name}=={pin} is outside pyproject's {req.specifier}"
        n = min(2, len(low.release))  # "pyarrow>=16": any 16.x; "pandas>=2.2": 2.2.x
        if name != "torch":
            assert pin.release[:n] == low.release[:n], (
                f"{name}: requirements-min.txt pins {pin}, not the {low} series pyproject.toml "
                f"names as its lowest; raise one with the other")


def test_lock_satisfies_pyproject():
    pins = _pins("requirements.lock")
    for name, req in _declared().items():
        assert name in pins, f"requirements.lock misses {name}"
        assert pins[name] in req.specifier, (
            f"requirements.lock pins {name}=={pins[name]}, outside pyproject's {req.specifier}")


def test_the_checks_above_can_fail(tmp_path, monkeypatch):
    """A pin outside its bound's series is caught (the check runs on a copy of the files)."""
    for name in ("pyproject.toml", "requirements-min.txt", "requirements.lock"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    text = (tmp_path / "requirements-min.txt").read_text()
    bumped = re.sub(r"(?m)^pandas==2\.2\.\d+$", "pandas==3.1.1", text)
    assert bumped != text
    (tmp_path / "requirements-min.txt").write_text(bumped)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="pandas"):
        test_min_requirements_pin_the_lowest_allowed_release()
