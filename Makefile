# chainkg: the two commands of the README, and their helpers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test bench bench-scale bench-ingest bench-push system-deps lint clean

# The main job on the Jinan data: build the graph, print what a planner can use, write the report to $(OUT)/.
demo: $(VENV)/.installed
	$(BIN)/chainkg build
	$(BIN)/chainkg chains --tier landmark
	$(BIN)/chainkg chains --tier key
	$(BIN)/chainkg stats
	$(BIN)/chainkg report -o $(OUT)

# The tests (installs everything they need into .venv first).
test: $(VENV)/.installed
	$(BIN)/pytest

# Timings on the Jinan store (prints tables; benchmarks/ is not part of the installed package).
bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.questions
	$(BIN)/python -m benchmarks.gaps
	$(BIN)/python -m benchmarks.remote

# The scale benchmark → docs/benchmarks.md: synthetic 10k, 100k and 1M enterprises, build, bulk load, every question.
# Quick run: make bench-scale SIZES=10000. Work files (several GB at 1M) go to BENCH_TMP, deleted after each size.
SIZES ?= 10000,100000,1000000
BENCH_TMP ?= $(or $(TMPDIR),/tmp)
bench-scale: $(VENV)/.installed
	$(BIN)/python -m benchmarks.scale --sizes $(SIZES) --tmp $(BENCH_TMP)

# Enterprise registers → the "Enterprise registers" section of docs/benchmarks.md: a synthetic register of each size
# ingested into a copy of the bundled data with --apply, then built (make bench-ingest SIZES=10000 for a quick run).
bench-ingest: $(VENV)/.installed
	$(BIN)/python -m benchmarks.ingest_scale --sizes $(SIZES) --tmp $(BENCH_TMP)

# A synthetic graph (default 1M enterprises) pushed to an Oxigraph server, questions over HTTP → its section of
# docs/benchmarks.md (make bench-push ENTERPRISES=10000 for a quick run).
ENTERPRISES ?= 1000000
bench-push: $(VENV)/.installed
	$(BIN)/python -m benchmarks.push_scale --enterprises $(ENTERPRISES) --tmp $(BENCH_TMP)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) $(OUT) dist build *.egg-info .pytest_cache
