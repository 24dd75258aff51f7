# chainkg: the two commands of the README, and their helpers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test bench system-deps lint clean

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

lint: $(VENV)/.installed
	$(BIN)/ruff check .

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) $(OUT) dist build *.egg-info .pytest_cache
