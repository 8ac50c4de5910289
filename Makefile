# Two entry points for a new machine (see README): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kyodo needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed node_modules/.package-lock.json
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# axe-core (pinned in package-lock.json) for the accessibility test; npm is needed for tests only.
# Without npm the axe test is skipped locally and fails in CI (KYODO_REQUIRE_BROWSER=1).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the axe-core accessibility test will be skipped (apt-get install npm)"; fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

instance/secret_key:
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@

# Migrate the SQLite file under instance/, load 東久留米市 and the demo data, serve with gunicorn.
# Cookies are not marked Secure here because the demo is served over plain http on 127.0.0.1.
run: install instance/secret_key
	@export SECRET_KEY="$$(cat instance/secret_key)" KYODO_SECURE_COOKIES=0; \
	$(BIN)/kyodo init-db && \
	$(BIN)/kyodo seed --demo && \
	exec $(BIN)/kyodo serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules instance/kyodo.sqlite3*
