# Kyoso: the two commands of the README, and the pieces they are made of.
#   make demo   install, migrate, load reference and demo data, serve on $(PORT)
#   make test   install what is missing and run the whole test suite
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
DEVELOPMENT := DJANGO_DEBUG=1

.PHONY: demo test lint format messages migrate clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Kyoso needs Python 3.11 or newer ($(PYTHON) is older)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(DEV): pyproject.toml $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

messages: $(RUNTIME)
	$(BIN)/python -m kyoso.core.messages

migrate: $(RUNTIME) messages
	$(DEVELOPMENT) $(BIN)/python manage.py migrate --noinput
	$(DEVELOPMENT) $(BIN)/python manage.py load_reference

demo: migrate
	$(DEVELOPMENT) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Kyoso のデモを http://127.0.0.1:$(PORT)/ で起動します（停止は Ctrl+C）。"
	@# The task worker (batches of reports) runs beside the web server and stops with it.
	$(DEVELOPMENT) $(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(DEVELOPMENT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(DEV) messages
	$(BIN)/pytest $(ARGS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEVELOPMENT) $(BIN)/python manage.py makemigrations --check --dry-run

format: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var artifacts .pytest_cache .ruff_cache
