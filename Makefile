# The two commands a fresh clone needs (see README):
#   make run    install into .venv/ and run the main job on the embedded default (outputs/ ...)
#   make test   install what the tests need (incl. a browser) and run lint, format check and tests
VENV    := .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run test install install-test lint format clean bench bench-sweep bench-cli

# An existing .venv made with an older Python is refused here, before pip's confusing
# "Could not find a version that satisfies mesa<4,>=3.5" (Mesa 3.5 needs Python >= 3.12).
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || { py=$$(scripts/find_python.sh) && "$$py" -m venv $(VENV); }
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "error: $(VENV) \
	has Python $$($(PY) -c 'import platform; print(platform.python_version())'); the model \
	needs Python >= 3.12: remove $(VENV) and run make again (PYTHON=/path/to/python3.12 to \
	choose one)" >&2; exit 1; }
	$(PIP) --upgrade pip
	$(PIP) -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) -e ".[test]"
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(VENV)/bin/abm run baseline

test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# make bench AGAINST=4e5ab28: this tree and that commit timed interleaved, with the ratio
bench: install
	$(PY) benchmarks/bench_run.py $(if $(AGAINST),--against $(AGAINST))

bench-sweep: install
	$(PY) benchmarks/bench_sweep.py

bench-cli: install
	$(PY) benchmarks/bench_cli.py

clean:
	rm -rf $(VENV) outputs .pytest_cache .ruff_cache
