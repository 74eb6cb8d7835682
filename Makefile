# Two commands on a fresh clone: `make book` and `make test`. Everything else is optional.
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
# The venv is stamped with a hash of what it was built from: re-running a target reinstalls
# only when requirements.txt or pyproject.toml changed.
REQ_HASH := $(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
STAMP   := $(VENV)/.installed-$(REQ_HASH)
VENDOR  := site_assets/vendor/.stamp-$(shell sha256sum tools/vendor_assets.sh | cut -c1-16)
HTML    := _build/html/index.html
BOOK_SOURCES := _config.yml _toc.yml references.bib \
                $(wildcard chapters/*.ipynb chapters/*.md) \
                $(wildcard softmax_lib/*.py softmax_lib/*/*.py softmax_book/*.py) \
                $(wildcard benchmarks/*.py site_assets/*.js site_assets/*.css _ext/*.py _ext/*/*.html)
JB_FLAGS := -W -n --keep-going
# Committed outputs are compared bit for bit (nbval), and numpy's exp/log/sum kernels differ in
# the last bits between AVX2 and AVX-512 machines: every kernel we start uses the AVX2
# (x86-64-v3) kernels and OpenBLAS's Haswell kernels, which any x86-64-v3 machine has.
export NPY_DISABLE_CPU_FEATURES ?= X86_V4 AVX512_ICL AVX512_SPR
export OPENBLAS_CORETYPE ?= Haswell
NBVAL    := --nbval --nbval-current-env --nbval-sanitize-with=tests/nbval_sanitize.cfg
# The floors pyproject.toml declares, and the test tools pinned as in requirements.txt.
MIN_VENV := .venv-min
# numpy's floor from pyproject.toml, with a scipy of its time (the accuracy tests compare with it).
MIN_PINS := numpy==2.0.2 scipy==1.14.1 $(shell grep -E '^(pytest|hypothesis|mpmath)==' requirements.txt)

.PHONY: all book test check test-min lab bench clean execute help venv
all: book

help:
	@echo "make book      build the site into _build/html (creates .venv on first run)"
	@echo "make test      the whole suite: library, notebooks (nbval), site in chromium, JupyterLab"
	@echo "make check     the fast loop: lint, format, types, workflows, library tests (< 1 min)"
	@echo "make test-min  the library tests on the oldest numpy pyproject.toml allows"
	@echo "make lab       JupyterLab on chapters/ with live widgets and rendered MyST"
	@echo "make execute   re-run chapters and save their outputs (NOTEBOOKS=... for some)"
	@echo "make bench     speed and accuracy tables"
	@echo "make clean     remove _build and vendored assets (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

$(VENDOR): tools/vendor_assets.sh
	tools/vendor_assets.sh

venv: $(STAMP)

$(HTML): $(STAMP) $(VENDOR) $(BOOK_SOURCES)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@touch $@

book: $(HTML)
	@echo "Built: open _build/html/index.html"

test: $(HTML)
	$(BIN)/python -m pytest $(NBVAL) $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check --output-format concise .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/python -m pytest -q softmax_lib tests/lib $(PYTEST_ARGS)

test-min:
	@test -x $(MIN_VENV)/bin/python || $(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet $(MIN_PINS)
	$(MIN_VENV)/bin/python -m pip install --quiet --no-deps -e .
	env -u NPY_DISABLE_CPU_FEATURES $(MIN_VENV)/bin/python -c "import numpy; print('numpy', numpy.__version__)"
	# the floor's own kernels, unpinned (older numpys name their CPU features differently)
	env -u NPY_DISABLE_CPU_FEATURES -u OPENBLAS_CORETYPE \
	  $(MIN_VENV)/bin/python -m pytest -q -p no:cacheprovider softmax_lib tests/lib

lab: $(STAMP)
	$(BIN)/jupyter lab chapters/

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks.accuracy
	$(BIN)/python -m benchmarks.speed

clean:
	rm -rf _build site_assets/vendor
