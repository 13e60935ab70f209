# Pelita: `make run` starts everything locally; `make test` runs the whole suite. Nothing else is needed.
SHELL := /bin/bash
# The first of python3.13, python3.12, python3.11 that runs (scripts/find_python.sh); `make PYTHON=python3.12 ...`
# picks one. It only creates the venv: an existing .venv keeps its Python (`make clean` to change it).
ifndef PYTHON
PYTHON := $(shell scripts/find_python.sh 2>/dev/null)
endif
VENV := .venv
BIN := $(VENV)/bin
# The locks (requirements/*.txt, made by `make lock`): base for the image, run for `make run`, dev for `make test`.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes
UV_VERSION := 0.13.8

.PHONY: run test test-browser test-flow test-in-process test-other-python lint bench bench-smoke prod-smoke lock clean system-deps translations

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Pelita needs Python 3.11, 3.12 or 3.13 (set PYTHON=...)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else "Pelita needs Python 3.11, 3.12 or 3.13 (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements/pip.txt requirements/run.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements/pip.txt
	$(PIP_INSTALL) -r requirements/run.txt
	@touch $(RUN_STAMP)

$(DEV_STAMP): requirements/pip.txt requirements/dev.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements/pip.txt
	$(PIP_INSTALL) -r requirements/dev.txt
	@touch $(DEV_STAMP) $(RUN_STAMP)

## run: create the venv, migrate the stores, seed, start every process under honcho (Ctrl-C stops them all)
run: $(RUN_STAMP)
	$(BIN)/python -m scripts.run

## system-deps: Debian packages the suite needs (redis-server; chromium for the browser test), when root can
system-deps:
	@$(BIN)/python -m scripts.system_deps

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch node_modules/.installed

## test: lint, architecture rules, then five streams side by side (each prints its output when it ends): the
## browser journeys and the flow tests (both mostly waiting on processes; the flow stream then runs prod-smoke); the
## unit and integration tests (one core); the same again under a second Python when there is one (the other core);
## and bench-smoke (every benchmark at a tiny size, so none rots; its figures are not judged here). Each stream has
## its own Redis database (flow, browser, prod-smoke and the benchmarks start Redis servers of their own).
test: $(DEV_STAMP) system-deps node_modules/.installed lint
	$(MAKE) --no-print-directory -j5 --output-sync=target test-browser test-flow test-in-process test-other-python \
	  bench-smoke

## test-browser: the journeys in Debian's chromium against `make run` itself
test-browser: $(DEV_STAMP) system-deps node_modules/.installed
	$(BIN)/python -m pytest tests/browser

## test-flow: the flow tests (real Redis, Celery workers and beats, the SMTP sink), then prod-smoke
test-flow: $(DEV_STAMP)
	$(BIN)/python -m pytest tests/flow
	$(MAKE) --no-print-directory prod-smoke

## test-in-process: the unit and integration tests (stores, SMTP and HTTP stand-ins, a real Redis)
test-in-process: $(DEV_STAMP)
	TEST_REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/0} $(BIN)/python -m pytest tests/unit tests/integration

## test-other-python: the unit and integration suites again under a second Python (3.11 to 3.13, on PATH or pyenv's)
## in var/venv-<version>, when the machine has one besides the venv's; otherwise it only says so.
## OTHER_PYTHON=/path/to/python3.x picks the second one; OTHER_PYTHON=none skips it.
test-other-python: $(DEV_STAMP)
	@set -e; mine=$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	other=$${OTHER_PYTHON:-$$(scripts/find_python.sh other $$mine)}; \
	if [ -z "$$other" ] || [ "$$other" = none ]; then \
	  echo "test-other-python: no second Python (3.11-3.13 besides $$mine) to test under; nothing to do"; exit 0; fi; \
	version=$$($$other -c 'import sys; print("%d.%d" % sys.version_info[:2])'); venv=var/venv-$$version; \
	echo "test-other-python: unit and integration suites under Python $$version ($$other)"; \
	test -x $$venv/bin/python || $$other -m venv $$venv; \
	if [ ! -f $$venv/.installed-dev ] || [ requirements/dev.txt -nt $$venv/.installed-dev ]; then \
	  $$venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/pip.txt; \
	  $$venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt; \
	  touch $$venv/.installed-dev; fi; \
	TEST_REDIS_URL=$${OTHER_TEST_REDIS_URL:-redis://127.0.0.1:6379/5} $$venv/bin/python -m pytest -q tests/unit tests/integration

## prod-smoke: docker-compose.yml's services started as plain processes (APP_ENV=production, per-service database
## roles, Redis with a password, gunicorn, Celery), someone registered through the form and mailed (docs/operations.md)
prod-smoke: $(DEV_STAMP)
	$(BIN)/python -m scripts.prod_smoke

BENCHMARKS := registration pipeline growth reminders reports memory certificates

## bench: every benchmark at full size (minutes; figures in bench/results/<name>.json and a table on stdout)
bench: $(DEV_STAMP)
	@set -e; for name in $(BENCHMARKS); do $(BIN)/python -m bench.$$name; done

## bench-smoke: every benchmark at a tiny size (results in var/bench-smoke/), so the benchmarks never rot
bench-smoke: $(DEV_STAMP)
	@set -e; for name in $(BENCHMARKS); do $(BIN)/python -m bench.$$name --smoke --out var/bench-smoke; \
	  $(BIN)/python -m bench.common --check var/bench-smoke/$$name.json; done
	$(BIN)/python -m bench.registration --smoke --stores sqlite --without all --mode post --out var/bench-smoke
	$(BIN)/python -m bench.common --check var/bench-smoke/registration-without.json

lint: $(DEV_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## lock: regenerate the locks requirements/{base,run,dev}.txt from the .in files: every package pinned with its
## hashes, one lock for Python 3.11, 3.12 and 3.13 (uv's universal resolution). Pins already in a lock are kept;
## to move one, change its .in line (or delete the .txt) first.
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@set -e; for name in base run dev; do \
	  var/lock-venv/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	    --annotation-style line --custom-compile-command "make lock" requirements/$$name.in -o requirements/$$name.txt; \
	done
	rm -rf var/lock-venv

clean:
	rm -rf $(VENV) var

## translations: extract every Indonesian source string, update the English catalogue, compile it
translations: $(DEV_STAMP)
	@mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o var/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i var/messages.pot -d shared/web/translations -l en --no-fuzzy-matching
	$(BIN)/pybabel compile -d shared/web/translations -l en
