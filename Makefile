# The two commands of the README:
#   make run   sets everything up in .venv/ and runs the main job
#   make test  sets everything up in .venv/ and runs the whole test suite
# Both work on a fresh clone of a fresh machine: system packages come from scripts/system-deps.sh.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := constraints.txt

.PHONY: run test install system-deps clean

# The main job: build the graph (checked against the source) into build/, then print who owes what.
run: install
	$(BIN)/dutygraph build --output-dir build
	$(BIN)/dutygraph duties

test: install
	$(BIN)/python -m pytest

# Dependencies are installed once per change of pyproject.toml or the constraints; the project
# itself is reinstalled (not editable) every time, so that tests run what `pip install .` gives.
install: $(VENV)/.deps-installed
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --force-reinstall .

$(VENV)/.deps-installed: pyproject.toml $(CONSTRAINTS) scripts/system-deps.sh
	bash scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) hatchling ".[test]"
	touch $@

clean:
	rm -rf $(VENV) build dist
