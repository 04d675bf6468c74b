# One entry point for people and CI. Everything it needs is installed by these targets.
SHELL := /bin/bash
VENV ?= .venv
PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
PY := $(VENV)/bin/python
STACK := bash deploy/local/stack.sh
WITH_ENV := set -a; eval "$$($(STACK) env)"; set +a;
PYTEST_ARGS ?= -n 2 --dist loadfile  # two pytest workers, a test file each: the waits on Kafka overlap

.PHONY: run test unit service lint fuzz recovery chaos interleavings bench stop stack venv tools reset clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON_BIN) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

stack:
	$(STACK) up

## make tools: the offline deploy checkers (kustomize, promtool, checkov, ...) used by tests/deploy.
tools:
	bash deploy/check/install.sh

## make run: the whole system on a local Kafka and Postgres, a simulated loan book, a live summary.
run: venv stack
	$(WITH_ENV) $(PY) -m tools.demo $(RUN_ARGS)

## make test: lint and types, then unit, service, integration and end-to-end tests against the real local stack.
test: venv tools stack lint
	$(WITH_ENV) $(PY) -m pytest $(PYTEST_ARGS)

## make lint: ruff (lint + import order) everywhere, mypy strict on shared/ and every services/*/domain/.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## make unit: the pure tests, in one process (no stack, no xdist start-up).
unit: venv
	$(PY) -m pytest tests/unit -q -p no:xdist

## make service: use cases and handlers on the real Postgres, each test rolled back (no Kafka).
service: venv stack
	$(WITH_ENV) $(PY) -m pytest tests/service -q -p no:xdist

## make fuzz: the adversarial-message suite at full size (thousands of messages per consumed topic).
fuzz: venv stack
	$(WITH_ENV) FUZZ_MESSAGES=$${FUZZ_MESSAGES:-3000} $(PY) -m pytest tests/integration/test_poison_fuzz.py -q -s -p no:xdist

## make recovery: how soon a replica killed with SIGKILL consumes again, with and without static membership.
recovery: venv stack
	$(WITH_ENV) RECOVERY_MEASURE=1 $(PY) -m pytest tests/e2e/test_recovery_after_kill.py -q -s -p no:xdist

## make chaos: every service SIGKILLed 24 times over a 200-customer, 120-day whole flow (make test: 8 over 80 x 75).
chaos: venv stack
	$(WITH_ENV) KILL_FLOW_CUSTOMERS=$${KILL_FLOW_CUSTOMERS:-200} KILL_FLOW_DAYS=$${KILL_FLOW_DAYS:-120} \
		KILL_FLOW_KILLS=$${KILL_FLOW_KILLS:-24} $(PY) -m pytest tests/e2e/test_kill_every_service.py -q -s -p no:xdist

## make interleavings: six generated conduct scenarios (make test: two), each with a lagging service, audited.
interleavings: venv stack
	$(WITH_ENV) INTERLEAVING_SEEDS=$${INTERLEAVING_SEEDS:-31,32,33,34,35,36} $(PY) -m pytest \
		tests/e2e/test_conduct_interleavings.py -q -s -p no:xdist

## make bench: measured throughput against same-run baselines; results in bench/results/.
bench: venv stack
	$(WITH_ENV) $(PY) -m bench $(BENCH_ARGS)

stop:
	$(STACK) down

clean:
	rm -rf $(VENV) .run .pytest_cache
