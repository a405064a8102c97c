# 公开助手 — the front door. `make run` and `make test` are the two commands of the README;
# both set up the environment first (quick when nothing changed).
.PHONY: run test setup train validate evaluate crossval bench lock clean

VENV := .venv/bin

run: setup
	$(VENV)/gongkai run

test:
	@./scripts/setup --browser
	$(VENV)/python -m pytest

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
