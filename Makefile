# The two set-up commands of the README:
#   make sample   installs geo-cds into .venv (compiling the coverage engine once, ~15 s) and
#                 runs the embedded sample → outputs/sample/
#   make test     installs geo-cds with its test extras (+ Debian's chromium if missing) and runs every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install sample test bench lint browser clean

$(BIN)/geo-cds: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m geo_cds.analysis.coverage.prepare
	$(BIN)/python -m geo_cds.analysis.radio.prepare
	$(BIN)/python -m geo_cds.planning.prepare
	touch $@

install: $(BIN)/geo-cds

sample: install
	$(BIN)/geo-cds run --overwrite

browser:
	@scripts/ensure-chromium

test: install browser
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_coverage.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_planning.py
	$(BIN)/python benchmarks/bench_map.py
	$(BIN)/python benchmarks/bench_pipeline.py

lint: install
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) outputs/sample outputs/.cache tests/artifacts
