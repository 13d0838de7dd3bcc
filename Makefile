# Deep Learning by Hand: build the book and run every test from a fresh machine.
#   make book    install into .venv and build the HTML book into _build/html
#   make test    install into .venv and run every test (lint, unit, notebooks, book, browser)
#   make bench   time byhand against PyTorch (optional), bare NumPy matrix products and a
#                hand-written NumPy loop (MNIST-sized and lesson-sized networks),
#                and the grader on 20 copies of the Chapter 1 solutions
#   make exercises  regenerate exercises/ from the solution notebooks in solutions/
# Both need only Python 3.10+ to start; the browser test also wants Debian's `chromium`
# and `npm` (it skips, saying why, when they are missing; .ci/run installs them).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
WEB    := .cache/web
JB_BUILD := $(BIN)/jupyter-book build --all -W -n --keep-going .

# Shared machines are noisy: two workers load the two cores without oversubscribing them.
XDIST  := -n 2 --dist loadfile

.PHONY: help install book test lint unit notebooks learner book-test browser web-assets bench sync serve \
        lock clean exercises

help:
	@sed -n 's/^#   //p' Makefile

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(STAMP)

book: install
	$(JB_BUILD)
	@echo
	@echo "The book is built. Open file://$(CURDIR)/_build/html/index.html"

test: lint unit notebooks learner book-test browser
	@echo "All test stages passed: lint, unit, notebooks, learner, book build, browser."

lint: install
	@echo "== lint: ruff on lib/ tests/ tools/ benchmarks/"
	$(BIN)/ruff check lib tests tools benchmarks
	$(BIN)/ruff format --check lib tests tools benchmarks

unit: install
	@echo "== unit tests of byhand and of the course's notebooks and config"
	$(BIN)/pytest -m "not browser and not learner" $(XDIST)

notebooks: install
	@echo "== every notebook, top to bottom in a fresh kernel (nbval)"
	$(BIN)/pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=60 $(XDIST) \
	  -p no:cacheprovider chapters exercises solutions

learner: install
	@echo "== every chapter in a fresh venv holding only what 'pip install -e .' installs"
	$(BIN)/pytest -m learner $(XDIST) -p no:cacheprovider

book-test: install
	@echo "== the book: every notebook executed, zero warnings allowed (-W)"
	rm -rf _build
	$(JB_BUILD)

web-assets: $(WEB)/.installed

# The built pages load MathJax from a CDN; the offline browser test serves it from here.
$(WEB)/.installed:
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-audit --no-fund --prefix $(WEB) mathjax@3.2.2 && touch $@; \
	else echo "npm not found: the browser test will skip (install Debian's npm)"; fi

browser: install web-assets
	@echo "== browser: the built book in headless Chromium"
	test -f _build/html/index.html || $(JB_BUILD)
	$(BIN)/pytest -m browser -p no:cacheprovider -rs

# Speed: byhand against PyTorch (if installed) and bare NumPy; see benchmarks/.
bench: install
	$(BIN)/python benchmarks/bench_mlp.py
	$(BIN)/python benchmarks/bench_lesson.py
	$(BIN)/python benchmarks/bench_grading.py

# Put the Colab set-up cell first in every notebook and strip outputs.
sync: install
	$(BIN)/python tools/nbtool.py sync

# Write exercises/NN_topic.ipynb from solutions/NN_topic.ipynb: solution code becomes stubs.
exercises: install
	$(BIN)/python -m byhand.grading.generate

serve: book
	@echo "Serving the book at http://127.0.0.1:8000 (Ctrl-C stops)"
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory _build/html

# Re-pin requirements.txt to what .venv has now (after upgrading a package on purpose).
lock: install
	{ sed -n '1,3p' requirements.txt; $(BIN)/python -m pip freeze --exclude-editable; } \
	  > requirements.new && mv requirements.new requirements.txt

clean:
	rm -rf _build .cache .pytest_cache
