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
BOOK_SOURCES := _config.yml _toc.yml $(wildcard chapters/*.ipynb chapters/*.md chapters/*.bib) \
                $(wildcard softmax_lib/*.py softmax_book/*.py softmax_book/*.js softmax_book/*.css) \
                $(wildcard site_assets/*.js site_assets/*.css _ext/*.py)
JB_FLAGS := -W -n --keep-going

.PHONY: all book test lab bench clean execute help
all: book

help:
	@echo "make book     build the site into _build/html (creates .venv on first run)"
	@echo "make test     the whole suite: library, doctests, notebooks (nbval), built site in chromium"
	@echo "make lab      JupyterLab on chapters/ with live widgets"
	@echo "make execute  re-run every chapter and save its outputs (after editing a notebook)"
	@echo "make bench    speed and accuracy tables"
	@echo "make clean    remove _build and vendored assets (keeps .venv)"

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
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab chapters/

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/speed.py

clean:
	rm -rf _build site_assets/vendor
