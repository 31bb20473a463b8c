# The two entry points a new user needs (see README.md):
#   make demo   - install into .venv/ and ingest the demo store on the embedded defaults
#   make test   - install into .venv/ (with test tools) and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TOOLS  := tools/cypher-lint/node_modules/@neo4j-cypher/language-support

.PHONY: install install-dev demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel setuptools

# torch first, pinned: the CPU build lies on disk; an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(TOOLS): tools/cypher-lint/package.json
	cd tools/cypher-lint && npm install --no-audit --no-fund --silent

install-dev: install $(TOOLS)
	bash scripts/install-system-deps.sh

demo: install
	$(BIN)/shopgraph demo

test: install-dev
	bash scripts/run-tests.sh

bench: install
	$(BIN)/python benchmarks/ingest_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache
