# shopassist: `make demo` serves the demo, `make test` passes the tests; both set up what they need first.
PYTHON ?= python3
VENV ?= .venv
# The CPU build of torch installs fast here; on a GPU host: make demo TORCH_SPEC="torch==2.13.0 --index-url …cu128".
TORCH_SPEC ?= torch==2.13.0
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The browser tests drive Debian's Chromium with Playwright (never a browser Playwright downloads).
CHROMIUM := /usr/bin/chromium
# The tests of the `openai` LLM backend run llama-cpp-python's OpenAI-compatible server. PyPI has only its source,
# which compiles llama.cpp (≈12 CPU-minutes), so the wheel is built once into a cache outside the repository.
LLAMA_CPP_VERSION ?= 0.3.36
# The build is portable (AVX2, no -march=native): a native build on a CPU with AMX faulted in sandboxes that do not
# grant AMX state to processes, and the cached wheel must run on whichever x86-64 machine runs the tests next.
# pip wheel --no-cache-dir: pip's own cache of wheels built from an sdist ignores CMAKE_ARGS.
WHEELS ?= $(HOME)/.cache/shopassist/wheels-portable
LLAMA_CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DGGML_OPENMP=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA_STAMP := $(VENV)/.llama-server

.PHONY: install demo serve test lint format docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(TORCH_SPEC)
	$(BIN)/pip install --quiet -e '.[dev,llm]'
	touch $(STAMP)

install: $(STAMP)

$(LLAMA_STAMP): $(STAMP)
	@ls $(WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "Building the llama-cpp-python $(LLAMA_CPP_VERSION) wheel into $(WHEELS) (once; compiles llama.cpp)…"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	    $(BIN)/pip wheel --quiet --no-cache-dir --no-deps 'llama-cpp-python==$(LLAMA_CPP_VERSION)' -w $(WHEELS); }
	$(BIN)/pip install --quiet --find-links $(WHEELS) 'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)'
	touch $@

$(CHROMIUM):
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

demo: install
	$(BIN)/shopassist demo

test: install $(CHROMIUM) $(LLAMA_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mkdocs build --strict --quiet
	$(BIN)/pytest

# The documentation site, built into site/ (open site/index.html).
docs: install
	$(BIN)/mkdocs build --strict

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
