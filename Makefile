# The two commands of README.md: `make run` and `make test`. Both set everything up themselves on a
# machine that has only Python 3.11+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export VAR_DIR ?= $(CURDIR)/var
RUN_PORT ?= 8000
SANDBOX_PORT ?= 8765
export PARTNER_CENTER_SANDBOX_PORT := $(SANDBOX_PORT)

PROOF_ORDERS ?= 200

.PHONY: run test install build lint typecheck format messages sandbox worker proof clean bench

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

# Compile translations and collect static files (WhiteNoise serves them).
build: install
	$(BIN)/pybabel compile --domain django --directory locale --statistics 2>&1 | tail -n 2
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# The site, a Celery worker with beat and the sandbox, as production runs them (honcho, Procfile.dev;
# one Ctrl-C stops all), on the embedded broker: messages are files under var/celery/.
run: export CELERY_BROKER_URL ?= filesystem://localhost/
run: export RUN_PORT := $(RUN_PORT)
run: export SANDBOX_PORT := $(SANDBOX_PORT)
run: build
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo "Partner Center sandbox: https://127.0.0.1:$(SANDBOX_PORT) (log: $(VAR_DIR)/sandbox.log)"
	@echo "E-mails are written as files to $(VAR_DIR)/mail/"
	@echo "Storefront: http://127.0.0.1:$(RUN_PORT)/"
	@exec $(BIN)/honcho start --no-colour --procfile Procfile.dev --app-root $(CURDIR)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

# mypy with django-stubs on the services, the selectors and the Partner Center client
# (pyproject.toml [tool.mypy] lists them).
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite measures coverage and fails under its floor (pyproject.toml [tool.coverage]);
# a run narrowed with PYTEST_ARGS measures nothing: its total would be partial.
PYTEST_COVERAGE ?= $(if $(PYTEST_ARGS),,--cov --cov-report=)
test: build lint typecheck
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 1
	$(BIN)/python -m pytest $(PYTEST_COVERAGE) $(PYTEST_ARGS)

# Benchmarks (bench/README.md): each runs alone, makes and drops its own PostgreSQL database on
# BENCH_POSTGRES_URL, prints a table and writes var/bench/<name>.json. Sizes: BENCH_PRODUCTS,
# BENCH_ROWS. The provisioning and placement benchmarks start their own Redis and worker.
BENCH_PRODUCTS ?= 500
BENCH_ROWS ?= 200000
bench: build
	$(BIN)/python bench/pages.py $(BENCH_PRODUCTS)
	$(BIN)/python bench/import_pricelist.py $(BENCH_ROWS)
	$(BIN)/python -m bench.provisioning --orders 40
	$(BIN)/python -m bench.placement --orders 48

# Refresh the English catalogue after changing user-facing text.
messages: install
	$(BIN)/python manage.py makemessages --locale en --ignore ".venv/*" --ignore "var/*"

sandbox: build
	$(BIN)/python manage.py partnercenter_sandbox --port $(SANDBOX_PORT)

worker: build
	$(BIN)/celery --app storefront worker --loglevel INFO

# The fault soak (bench/proof.py): PROOF_ORDERS orders through the real pipeline on a bad day,
# on PostgreSQL (DATABASE_URL's server, a database of its own) and a redis-server of its own.
proof: build
	$(BIN)/python -m bench.proof --orders $(PROOF_ORDERS)

clean:
	rm -rf $(VENV) $(VAR_DIR)
