# The README's commands. Each target is self-sufficient on a fresh clone: it
# uses the active virtual environment, or creates .venv when none is active,
# and installs what it needs before running.
PYTHON ?= python3

ifdef VIRTUAL_ENV
PY := $(VIRTUAL_ENV)/bin/python
else
PY := .venv/bin/python
endif

PYTEST_ARGS ?=

.PHONY: help tour test test-nojit lint docs bench-import clean

help:
	@echo "make tour        run python -m statkit tour (installs statkit[plot,progress])"
	@echo "make test        install the test dependencies and run the whole test suite"
	@echo "make test-nojit  the numba-fallback subset with NUMBA_DISABLE_JIT=1"
	@echo "make lint        ruff check"
	@echo "make docs        build the documentation (warnings are errors)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "statkit needs Python >= 3.11; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip

tour: $(PY)
	$(PY) -m pip install --quiet -e ".[plot,progress]"
	$(PY) -m statkit tour

test: $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m pytest tests statkit --doctest-modules $(PYTEST_ARGS)

test-nojit: $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	NUMBA_DISABLE_JIT=1 $(PY) -m pytest tests -m nojit $(PYTEST_ARGS)

lint: $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m ruff check .

docs: $(PY)
	$(PY) -m pip install --quiet -e ".[docs]"
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf build dist docs/_build docs/auto_examples docs/api/generated statkit-tour .pytest_cache
