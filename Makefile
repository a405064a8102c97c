# 公开助手 — the front door. `make run` and `make test` are the two commands of the README;
# both set up the environment first (quick when nothing changed). `make check` is the quick one.
.PHONY: run test check lint setup train validate evaluate crossval bench lock clean

VENV := .venv/bin

run: setup
	$(VENV)/gongkai run

# The model is trained first, outside pytest's per-test time limit (nothing to do when it is up
# to date). Then two workers, a test file at a time on one of them: the tests mostly wait for the
# servers they started, so the second core is used (about half the wall time on 2 cores).
test:
	@./scripts/setup --browser
	@$(MAKE) --no-print-directory lint
	$(VENV)/gongkai train
	$(VENV)/python -m pytest -n 2 --dist loadfile

# the quick check while working: lint, then the unit tier (no servers, no databases; < 1 minute)
check: setup lint
	$(VENV)/python -m pytest -q tests/unit

lint: setup
	$(VENV)/ruff check .
	$(VENV)/mypy

setup:
	@./scripts/setup

train: setup
	$(VENV)/gongkai train

validate: setup
	$(VENV)/gongkai validate

evaluate: setup
	$(VENV)/gongkai evaluate

crossval: setup
	$(VENV)/gongkai crossval

bench: setup
	$(VENV)/python bench/run.py

lock:
	./scripts/lock

clean:
	rm -rf models/gongkai-*.tar.gz models/spacy_zh .rasa var results
