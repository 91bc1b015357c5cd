# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SIMULATE_DAYS ?= 5
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench install clean verifier messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the pins change.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## run: set up the embedded default (SQLite, file broker), seed demo data, simulate five days of
## traffic with a ring in its last two days, run detection once, start web + worker + beat
run: export DJANGO_DEBUG ?= 1
run: export PORT := $(PORT)
run: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@# A short simulation on the first run only (the history cannot go under it twice), then
	@# detection once, so the dashboard shows alerts from the start.
	$(BIN)/python manage.py simulate --days $(SIMULATE_DAYS) --ring --ring-days 2 --skip-if-done
	$(BIN)/python manage.py run_detection
	@echo ""
	@echo "  auditsvc is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Admin:   http://127.0.0.1:$(PORT)/admin/   (logins above; second factor: a backup code or the TOTP secret)"
	@echo "  API:     http://127.0.0.1:$(PORT)/api/docs/"
	@echo "  Mail:    critical alerts e-mailed to the approvers are files in var/mail/"
	@echo "  Language: 简体中文 by default; the English / 简体中文 button at the top right of every"
	@echo "            admin page switches (remembered per browser); DJANGO_LANGUAGE_CODE=en changes the default."
	@echo "  Stop with Ctrl-C."
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start

## test: install and run the whole suite (PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set)
## PYTEST_ARGS='-m "not slow"' gives a quick loop without servers, workers and browsers.
PYTEST_ARGS ?=
test: $(STAMP)
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

## lint: ruff, and import-linter's layer contracts (pyproject.toml [tool.importlinter])
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: ingestion, detection and export benchmarks against PostgreSQL, and the offline
## verifier on 1 million entries and in instructions (valgrind; see docs/performance.md)
bench: $(STAMP)
	$(BIN)/python bench/ingestion.py
	$(BIN)/python bench/detection.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/verify.py
	$(BIN)/python bench/verify_cost.py

## verifier: dist/auditsvc-verify.pyz, the offline verifier in one file (auditsvc.core and
## auditsvc.verifier only): runs on any Python 3.11+ that has `cryptography`.
PYZ ?= dist/auditsvc-verify.pyz
PYZ_STAGE ?= build/pyz
verifier:
	rm -rf $(PYZ_STAGE)
	mkdir -p $(PYZ_STAGE)/auditsvc $(dir $(PYZ))
	cp auditsvc/__init__.py $(PYZ_STAGE)/auditsvc/
	cp -R auditsvc/core auditsvc/verifier $(PYZ_STAGE)/auditsvc/
	find $(PYZ_STAGE) -name __pycache__ -prune -exec rm -rf {} +
	printf '%s\n' 'import sys' 'from auditsvc.verifier.cli import main' \
		'if __name__ == "__main__":  # not in worker processes started by spawn' \
		'    sys.exit(main())' > $(PYZ_STAGE)/__main__.py
	$(PYTHON) -m zipapp $(PYZ_STAGE) -o $(PYZ) -p '/usr/bin/env python3' -c
	@echo "built $(PYZ): python3 $(PYZ) BUNDLE.zip --trusted-key VERIFIER_KEY"

## messages: gather the translatable strings into locale/zh_Hans/LC_MESSAGES/django.po and
## compile it (needs GNU gettext; the compiled .mo is committed, so `make run` does not)
MAKEMESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=docs
messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale=zh_Hans --no-obsolete --add-location=file $(MAKEMESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages --locale=zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var build dist
