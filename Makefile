# The two commands of the README:
#   make run   sets everything up in .venv/ and runs the main job (the service, dutygraph serve)
#   make test  sets everything up in .venv/ and runs the whole test suite
# Both work on a fresh clone of a fresh machine: system packages come from scripts/system-deps.sh.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := constraints.txt

.PHONY: run test install system-deps clean

# The main job: the service on the embedded store (built from the source on first start).
# HOST and PORT choose where it listens: make run HOST=0.0.0.0 PORT=8080
HOST ?= 127.0.0.1
PORT ?= 8000
run: install
	$(BIN)/dutygraph serve --host $(HOST) --port $(PORT)

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
