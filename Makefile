# CoProd: `make run` serves the demo, `make test` runs lint and every test.
# The virtualenv and node_modules are rebuilt whenever their lock file changes.

# Python 3.12+: python3.13/python3.12 on PATH, else pyenv's, else python3 if new enough.
PYTHON ?= $(shell for p in python3.13 python3.12 $$(ls -d /root/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PASSWORD ?= coprod-demo

.PHONY: run test lint pytest install assets lock migrate seed clean

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 DEMO_PASSWORD=$(DEMO_PASSWORD) DEMO_SITE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install lint pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	@# Django's deployment checklist, with production settings.
	DEBUG=0 ALLOWED_HOSTS=coprod.example.org EMAIL_HOST=smtp.example.org REDIS_URL=redis://127.0.0.1:6379/0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# Tests run with production settings (DEBUG off), minus the HTTPS redirect the test client cannot follow.
TEST_ENV := SECRET_KEY=coprod-tests-only-not-secret SECURE_SSL_REDIRECT=0

pytest: install
	$(TEST_ENV) $(BIN)/pytest --numprocesses auto $(PYTEST_ARGS)

install: $(BIN)/.installed node_modules/.installed

$(BIN)/.installed: requirements.lock
	@test -n "$(PYTHON)" || { echo "CoProd needs Python 3.12 or newer: install it (e.g. with pyenv) and retry." >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Re-pin every Python dependency after editing pyproject.toml.
lock: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.12 --upgrade -o requirements.lock

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles staticfiles-worker-*
