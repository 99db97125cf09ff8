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


def _declared(optional: bool = False) -> dict[str, Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = ([r for group in meta.get("optional-dependencies", {}).values() for r in group]
            if optional else meta["dependencies"])
    return {canonicalize_name(r.name): r for r in map(Requirement, reqs)}


def _pins(name: str, extras: dict[str, set[str]] | None = None) -> dict[str, Version]:
    """Exact pins of a requirements file; ``extras`` (when given) receives each line's extras."""
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            specs = list(req.specifier)
            assert len(specs) == 1 and specs[0].operator == "==", (
                f"{name}: {line!r} is not an exact pin")
            pins[canonicalize_name(req.name)] = Version(specs[0].version)
            if extras is not None:
                extras[canonicalize_name(req.name)] = set(req.extras)
    return pins


def _lower_bound(req: Requirement) -> Version:
    lows = [s for s in req.specifier if s.operator == ">="]
    assert len(lows) == 1, f"pyproject.toml: {req} has no single '>=' lower bound"
    return Version(lows[0].version)


def test_min_requirements_pin_the_lowest_allowed_release():
    """Each dependency is pinned in requirements-min.txt within its lower bound's release series
    (the latest patch of the bound's major.minor, or of the bound itself for calendar versions),
    except PyTorch, tested at the locked release only (the README says so)."""
    extras: dict[str, set[str]] = {}
    pins = _pins("requirements-min.txt", extras)
    for name, req in _declared().items():
        assert name in pins, f"requirements-min.txt misses {name}"
        assert extras[name] >= set(req.extras), (
            f"requirements-min.txt installs {name} without its extras {sorted(req.extras)}")
        pin, low = pins[name], _lower_bound(req)
        assert pin in req.specifier, f"{name}=={pin} is outside pyproject's {req.specifier}"
        n = min(2, len(low.release))  # "pyarrow>=16": any 16.x; "pandas>=2.2": 2.2.x
        if name != "torch":
            assert pin.release[:n] == low.release[:n], (
                f"{name}: requirements-min.txt pins {pin}, not the {low} series pyproject.toml "
                f"names as its lowest; raise one with the other")


#: packages a declared extra brings in, which the lock must pin too (dask[distributed])
EXTRA_PACKAGES = {("dask", "distributed"): "distributed"}


def test_lock_satisfies_pyproject():
    pins = _pins("requirements.lock")
    for name, req in _declared().items():
        assert name in pins, f"requirements.lock misses {name}"
        assert pins[name] in req.specifier, (
            f"requirements.lock pins {name}=={pins[name]}, outside pyproject's {req.specifier}")
        for extra in req.extras:
            package = EXTRA_PACKAGES[(name, extra)]
            assert package in pins, f"requirements.lock misses {package} ({name}[{extra}])"


def test_optional_dependencies_pinned_within_their_ranges():
    """The optional extras (antio for ANT files, pytest) are pinned in both files within
    pyproject's ranges (requirements-min.txt takes the lock's versions for them)."""
    for file in ("requirements.lock", "requirements-min.txt"):
        pins = _pins(file)
        for name, req in _declared(optional=True).items():
            assert name in pins, f"{file} misses {name}"
            assert pins[name] in req.specifier, (
                f"{file} pins {name}=={pins[name]}, outside pyproject's {req.specifier}")


def test_the_checks_above_can_fail(tmp_path, monkeypatch):
    """Drifts are caught (the checks run on copies of the files): a pin outside its bound's
    series, an extra left out of requirements-min.txt or its package out of the lock, an
    optional dependency's bound raised above its pins."""
    for name in ("pyproject.toml", "requirements-min.txt", "requirements.lock"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    text = (tmp_path / "requirements-min.txt").read_text()
    bumped = re.sub(r"(?m)^pandas==2\.2\.\d+$", "pandas==3.1.1", text)
    assert bumped != text
    (tmp_path / "requirements-min.txt").write_text(bumped)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="pandas"):
        test_min_requirements_pin_the_lowest_allowed_release()
    (tmp_path / "requirements-min.txt").write_text(text.replace("dask[distributed]==", "dask=="))
    with pytest.raises(AssertionError, match=r"dask without its extras \['distributed'\]"):
        test_min_requirements_pin_the_lowest_allowed_release()
    lock = (tmp_path / "requirements.lock").read_text()
    (tmp_path / "requirements.lock").write_text(re.sub(r"(?m)^distributed==.*\n", "", lock))
    with pytest.raises(AssertionError, match=r"misses distributed \(dask\[distributed\]\)"):
        test_lock_satisfies_pyproject()
    pyproject = (tmp_path / "pyproject.toml").read_text()
    assert '"antio>=0.5"' in pyproject
    (tmp_path / "pyproject.toml").write_text(pyproject.replace('"antio>=0.5"', '"antio>=0.8"'))
    with pytest.raises(AssertionError, match="antio==0.7.1, outside"):
        test_optional_dependencies_pinned_within_their_ranges()
