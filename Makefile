# Mobilny Asystent: the front door. `make run` for the demo, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: backup restore run test lint format typecheck pytest bench bench-large bench-web css messages chromium services demo clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

## make run: the demo on SQLite with tasks in-process; no PostgreSQL or Redis needed.
run: export DEBUG ?= true
run: export DATABASE_URL ?= sqlite:///$(CURDIR)/db.sqlite3
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl+C stops)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

demo: export DEBUG ?= true
demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

## make test: lint, types and the whole suite against PostgreSQL and Redis, with a real browser.
test: $(VENV)/.installed-dev chromium services lint
	$(PY) -m pytest --create-db

pytest: $(VENV)/.installed-dev
	$(PY) -m pytest $(ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(VENV)/bin/mypy .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Debian's chromium for the real-browser tests (never a browser download of the test tool).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }

services: $(VENV)/.installed-dev
	$(PY) scripts/check_services.py

## make bench: every page and job as a ratio to a floor, at both volumes (each filled once, then reused).
## BENCH_VOLUME=small (or large) for one volume; BENCH_LOAD=1 adds the gunicorn load test; BENCH_RUNS=N.
BENCH_VOLUME ?= small large
bench: $(VENV)/.installed-dev services
	set -e; for volume in $(BENCH_VOLUME); do $(PY) scripts/bench.py --volume $$volume; done
	$(MAKE) --no-print-directory bench-web

bench-large: $(VENV)/.installed-dev services
	$(PY) scripts/bench.py --volume large

## Page weights as a phone's browser sees them (production mode, compressed static files).
bench-web: $(VENV)/.installed-dev chromium services
	$(PY) scripts/bench_web.py

## The style sheets, built from Bootstrap's Sass at development time (npm); the output is committed.
SASS_FLAGS := --style=compressed --no-source-map --load-path=node_modules --quiet-deps \
	--silence-deprecation=import,global-builtin,color-functions
assets/node_modules/.package-lock.json: assets/package.json assets/package-lock.json
	cd assets && npm ci --no-audit --no-fund
css: assets/node_modules/.package-lock.json
	cd assets && npx sass $(SASS_FLAGS) scss/ma.scss ../static/css/ma.min.css
	cd assets && npx sass $(SASS_FLAGS) scss/public.scss ../static/css/public.min.css
	cp assets/node_modules/bootstrap/LICENSE static/css/LICENSE.bootstrap.txt

## Refresh the Polish translations (then translate the new entries and run `make messages` again).
messages: $(VENV)/.installed-dev
	DEBUG=true $(PY) manage.py makemessages -l pl --no-obsolete --ignore=.venv --ignore=staticfiles --ignore='duty/*' --ignore='needs/*' --ignore='club/*' --ignore='reminders/*' --ignore='bundles/*' --ignore='core/*' --ignore='insight/*'
	for app in core duty needs club reminders bundles insight; do (cd $$app && DEBUG=true ../$(PY) ../manage.py makemessages -l pl --no-obsolete); done
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

## make backup: the database in pg_dump's custom format into backups/ (BACKUP_DIR=…);
## make restore FILE=backups/….dump: into DATABASE_URL, then migrate. See README, "Backups".
BACKUP_DIR ?= backups
backup:
	scripts/backup.sh $(BACKUP_DIR)

restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "Give the dump: make restore FILE=backups/….dump"; exit 2; }
	PYTHON=$(PY) scripts/restore.sh $(FILE)

clean:
	rm -rf $(VENV) staticfiles test-artifacts .mypy_cache .ruff_cache .pytest_cache
