# shopassist: `make demo` serves the demo, `make test` passes the tests; both set up what they need first.
PYTHON ?= python3
VENV ?= .venv
# The CPU build of torch installs fast here; on a GPU host: make demo TORCH_SPEC="torch==2.13.0 --index-url …cu128".
TORCH_SPEC ?= torch==2.13.0
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo serve test lint format

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(TORCH_SPEC)
	$(BIN)/pip install --quiet -e '.[dev,llm]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/shopassist demo

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
