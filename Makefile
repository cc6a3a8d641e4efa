# Two commands do all the set-up on a fresh machine:
#   make run    creates .venv, installs communique, ingests the bundled sample corpus into
#               communique.db and serves the web app on http://127.0.0.1:8000
#   make test   installs the dev dependencies (and Debian's Chromium for the browser tests)
#               and runs the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= communique.db
PORT   ?= 8000

.PHONY: run test install install-dev browser clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

run: install
	$(BIN)/communique ingest --db $(DB) --sample
	$(BIN)/communique timeline --db $(DB)
	$(BIN)/communique serve --db $(DB) --port $(PORT)

test: install-dev browser
	$(BIN)/python -m pytest -q

bench: $(BIN)/python
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/extract_speed.py

clean:
	rm -rf $(VENV) *.egg-info src/*.egg-info .pytest_cache $(DB) $(DB)-wal $(DB)-shm
