# The project's two commands: `make demo` and `make test`. Each sets up .venv from nothing first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_OUT ?= demo-output

.PHONY: setup demo test test-min bench clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/eegemo demo --out $(DEMO_OUT)

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider

# The whole suite on the lowest versions pyproject.toml allows (requirements-min.txt), in .venv-min.
test-min:
	@test -x .venv-min/bin/python || $(PYTHON) -m venv .venv-min
	.venv-min/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-min.txt
	.venv-min/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	.venv-min/bin/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(PY) benchmarks/etl_vs_torcheeg.py

clean:
	rm -rf $(VENV) .venv-min $(DEMO_OUT) .pytest_cache
