# CivicChat: `make run` to use it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.txt requirements/base.txt | sha1sum | cut -c1-12)

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck migrations-check pytest audit assets lock clean

help:
	@echo "make run    install, migrate, load the demo and start web + worker + beat on http://127.0.0.1:8000/"
	@echo "make test   install and run the whole suite: lint, format, types, migration check, pytest"
	@echo "make audit  known vulnerabilities in the pinned requirements (pip-audit; needs pypi.org)"
	@echo "make assets refresh static/vendor/ from npm (maintainers only; needs Node.js)"
	@echo "make lock   re-pin requirements/*.txt from requirements/*.in (maintainers only)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "CivicChat needs Python 3.11 ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements/base.txt requirements/dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Starting CivicChat on http://127.0.0.1:8000/ (web, worker and beat; Ctrl-C stops all)"
	# `-e /dev/null`: honcho would otherwise read .env, which holds production settings.
	PATH="$(CURDIR)/$(BIN):$$PATH" \
	CIVICCHAT_DEMO=$${CIVICCHAT_DEMO:-true} \
	CIVICCHAT_STAFF_MFA_REQUIRED=$${CIVICCHAT_STAFF_MFA_REQUIRED:-false} \
	  $(BIN)/honcho start -e /dev/null -f Procfile.dev

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r civicchat core accounts events recaps liaisons api webhooks -q

typecheck: install
	$(BIN)/mypy civicchat core accounts events recaps liaisons api webhooks

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

# Every pinned requirement (runtime and tools) against PyPI's vulnerability data; any
# known vulnerability fails. The pins are complete, so pip resolves nothing.
audit: install
	$(BIN)/pip-audit --strict --progress-spinner off --no-deps --disable-pip \
		-r requirements/base.txt -r requirements/dev.txt

assets:
	./scripts/vendor-assets.sh

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url -o requirements/base.txt requirements/base.in
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url -o requirements/dev.txt requirements/dev.in

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
