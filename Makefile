# Deep Learning by Hand: build the book and run every test from a fresh machine.
#   make book    install into .venv and build the self-contained HTML book into _build/html
#                (MathJax, pinned, fetched once from the npm registry with Python)
#   make test    install into .venv and run every stage of the tests, in this order:
#                lint, unit, learner, notebooks, book, browser
#   make lab     open the course in JupyterLab, from .venv
#   make bench   time byhand against PyTorch (optional), bare NumPy matrix products and a
#                hand-written NumPy loop (MNIST-sized and lesson-sized networks),
#                the grader on 20 copies of the Chapter 1 solutions, and list the
#                notebooks slowest first (times of the runs in the book's execution cache)
#   make exercises  regenerate exercises/ from the solution notebooks in solutions/
# All of them need only Python 3.10+ to start (and PyPI and the npm registry to install
# from); no npm. The browser stage also needs Chromium (Debian's `chromium`, or
# CHROMIUM=/path): without it, it skips and says why; .ci/run installs it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB_BUILD := $(BIN)/jupyter-book build --all -W -n --keep-going .
# Executes, two at a time, every notebook of the book that the build's execution cache lacks
# (the cache is keyed on the library's hash: see tools/notebook_cache.py and _config.yml).
RUN_NOTEBOOKS := $(BIN)/python tools/notebook_cache.py run --jobs 2
NOW := $$(date +%H:%M:%S)

# Shared machines are noisy: two workers load the two cores without oversubscribing them.
XDIST  := -n 2 --dist loadfile

.PHONY: help install book test lint unit notebooks learner book-test browser web-assets lab bench \
        sync serve lock clean exercises

help:
	@sed -n 's/^#   //p' Makefile

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(STAMP)

book: install web-assets
	@echo "== $(NOW) every notebook of the book, into the execution cache"
	$(RUN_NOTEBOOKS)
	@echo "== $(NOW) the book, from the execution cache"
	$(JB_BUILD)
	@echo
	@echo "The book is built. Open file://$(CURDIR)/_build/html/index.html"

test: lint unit learner notebooks book-test browser
	@echo "All test stages passed: lint, unit, learner, notebooks, book build, browser."
	@echo "== $(NOW) done"

lint: install
	@echo "== $(NOW) lint: ruff on lib/ tests/ tools/ benchmarks/"
	$(BIN)/ruff check lib tests tools benchmarks
	$(BIN)/ruff format --check lib tests tools benchmarks

unit: install
	@echo "== $(NOW) unit tests of byhand and of the course's notebooks and config"
	$(BIN)/pytest -m "not browser and not learner" $(XDIST)

# Each notebook runs once in `make test`: the learner stage runs the chapters and exercise
# sets and leaves its runs for this stage, which takes them into the book's execution cache
# and executes the rest (the solutions, and Chapter 10, which uses the frameworks the
# learner's environment lacks). The book stage then shows these very runs, so it executes
# nothing again unless a notebook or the library changed in between.
notebooks: install
	@echo "== $(NOW) every notebook of the book, top to bottom in a fresh kernel, into the"
	@echo "   book's execution cache (any error fails the stage)"
	$(RUN_NOTEBOOKS)

# Two workers share one learner venv (built once) and split the notebooks between them.
learner: install
	@echo "== $(NOW) every chapter and exercise set in a fresh venv holding only what the README's"
	@echo "   learner command installs (pip install -e \".[lab]\")"
	$(BIN)/pytest -m learner -n 2 -p no:cacheprovider

# A clean build (--all rereads every page, so every warning shows) that keeps only the
# execution cache: the runs of the notebooks stage, or the ones this stage makes.
book-test: install web-assets
	@echo "== $(NOW) the book: every notebook's run from the execution cache (those it lacks"
	@echo "   are executed first), zero warnings allowed (-W)"
	rm -rf _build/html _build/jupyter_execute _build/.doctrees
	$(RUN_NOTEBOOKS)
	$(JB_BUILD)

# The book serves its own MathJax (pinned in tools/book_assets.py): fetch the npm tarball with
# Python, check its sha512, cache it in .cache/mathjax/. The build copies it to _static/.
web-assets: install
	$(BIN)/python tools/book_assets.py

browser: install web-assets
	@echo "== $(NOW) browser: every page of the built book, offline, in headless Chromium"
	test -f _build/html/index.html || $(JB_BUILD)
	$(BIN)/pytest -m browser -p no:cacheprovider -rs

# The course in JupyterLab, with the pinned versions of .venv (a learner without make runs
# the README's `pip install -e ".[lab]"` and `jupyter lab` instead).
lab: install
	$(BIN)/jupyter-lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/chapters \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Speed: byhand against PyTorch (if installed) and bare NumPy; see benchmarks/.
bench: install
	$(BIN)/python benchmarks/bench_mlp.py
	$(BIN)/python benchmarks/bench_lesson.py
	$(BIN)/python benchmarks/bench_grading.py
	$(RUN_NOTEBOOKS)
	$(BIN)/python tools/notebook_cache.py times

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
	{ grep '^#' requirements.txt; $(BIN)/python -m pip freeze --exclude-editable \
	  | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > requirements.new && mv requirements.new requirements.txt

clean:
	rm -rf _build .cache .pytest_cache
