# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PORT ?= 8000
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv lint format migrate demo messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Set up everything on first use (virtualenv, packages, database, demo community) and serve it.
run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo --url http://127.0.0.1:$(PORT)/
	DEBUG=1 $(BIN)/python manage.py seed_demo_analytics
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## The whole test suite (SQLite by default; set DATABASE_URL=postgres://… for PostgreSQL).
test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Re-extract translatable strings after changing templates or code (needs GNU gettext).
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages --locale ru --locale en --ignore '.venv/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) *.egg-info
