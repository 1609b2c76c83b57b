# The README's commands. Everything lives in .venv; nothing is installed system-wide.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run serve test lint bench fuzz clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

# The openai Python SDK's 2.x line, still in wide use, is tested from its own venv.
.venv-openai2/.installed:
	$(PYTHON) -m venv .venv-openai2 || python3 -m venv .venv-openai2
	.venv-openai2/bin/pip install -q openai==2.54.0
	touch $@

# The OpenAI Agents SDK, run against Lawbot end to end, from its own venv (its dependencies,
# mcp and starlette among them, stay out of Lawbot's).
.venv-agents/.installed:
	$(PYTHON) -m venv .venv-agents || python3 -m venv .venv-agents
	.venv-agents/bin/pip install -q openai-agents==0.24.0 openai==3.57.0
	touch $@

tests/node/node_modules/.installed: tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --silent --no-audit --no-fund
	touch $@

run: $(VENV)/.installed
	$(BIN)/python manage.py setup_lawbot
	$(BIN)/python manage.py serve

# Production: DEBUG off (SECRET_KEY and ALLOWED_HOSTS must be set), WORKERS daphne processes
# sharing one socket. Use DATABASE_URL=postgres://… and REDIS_URL=redis://… when WORKERS > 1.
WORKERS ?= 2
serve: $(VENV)/.installed
	DEBUG=false $(BIN)/python manage.py setup_lawbot
	DEBUG=false $(BIN)/python manage.py serve --workers $(WORKERS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# With LAWBOT_TEST_DATABASE_URL (and LAWBOT_TEST_REDIS_URL) set, the suite runs a second time on
# PostgreSQL + Redis, the scale-out setting; .ci/run sets both.
test: $(VENV)/.dev-installed .venv-openai2/.installed .venv-agents/.installed tests/node/node_modules/.installed lint
	$(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$LAWBOT_TEST_DATABASE_URL" ]; then \
	  echo "== the same suite on PostgreSQL + Redis"; \
	  DATABASE_URL="$$LAWBOT_TEST_DATABASE_URL" REDIS_URL="$$LAWBOT_TEST_REDIS_URL" \
	  LAWBOT_TEST_DATABASE_NAME="test_lawbot_$$$$" $(BIN)/pytest $(PYTEST_ARGS); \
	fi

# A longer schemathesis run than the test suite's (FUZZ_EXAMPLES per operation and mode).
FUZZ_EXAMPLES ?= 300
fuzz: $(VENV)/.dev-installed
	LAWBOT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -s tests/e2e/test_fuzz.py

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/retrieval.py $(BENCH_ARGS)

# After changing interface strings: update the catalogue, translate it, then compile it (needs
# gettext). The compiled .mo is committed, so running Lawbot never needs gettext.
messages: $(VENV)/.dev-installed
	$(BIN)/python manage.py makemessages -l zh_Hant --no-location '--ignore=.venv*' --ignore=var --ignore=tests
	$(BIN)/python manage.py compilemessages -l zh_Hant '--ignore=.venv*'

clean:
	rm -rf $(VENV) .venv-openai2 .venv-agents tests/node/node_modules
