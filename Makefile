# Treaty Tracker: `make run` serves the app, `make test` runs the suite. Both set everything up.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000
ADMIN  ?= admin@example.org

export TRACKER_ENV ?= development

.PHONY: run test lint format install clean bench fuzz

$(VENV)/.installed-run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed-run

## run: install, migrate the SQLite database under instance/, load the seed cases, serve on $(HOST):$(PORT)
run: $(VENV)/.installed-run
	mkdir -p instance
	$(FLASK) tracker db upgrade
	$(FLASK) tracker seed
	@if [ ! -f instance/admin-password ]; then \
	  $(PY) -c "import secrets; print(secrets.token_urlsafe(12))" > instance/admin-password; \
	  chmod 600 instance/admin-password; \
	fi
	@$(FLASK) tracker create-user $(ADMIN) --role admin --name Admin --exists-ok \
	  --password "$$(cat instance/admin-password)"
	@echo ""
	@echo "Treaty Tracker: http://$(HOST):$(PORT)/"
	@echo "  Sign in at http://$(HOST):$(PORT)/sign-in as $(ADMIN)"
	@echo "  with the password $$(cat instance/admin-password)   (kept in instance/admin-password)"
	@echo "  API: http://$(HOST):$(PORT)/api/v1/docs — token: $(FLASK) tracker create-token $(ADMIN)"
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

## test: install test tools and run the whole suite (SQLite; PostgreSQL too when configured)
test: $(VENV)/.installed-test
	$(PY) -m pytest $(PYTEST_ARGS)

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,dev,bench]'
	touch $@

## bench: every benchmark on one dataset per engine (python -m bench): SQLite, and PostgreSQL too
## when TRACKER_BENCH_DATABASE_URL names a database it may empty. Bounded: about 10 minutes.
bench: $(VENV)/.installed-bench
	$(PY) -m bench $(BENCH_ARGS)

## fuzz: schemathesis over the whole API with FUZZ_EXAMPLES examples per operation and mode
## (valid and invalid), a new seed each run (FUZZ_SEED=N replays one); on PostgreSQL too when
## TRACKER_TEST_DATABASE_URL is set. Bounded: 20 examples took about 3.5 minutes per engine.
FUZZ_EXAMPLES ?= 100
fuzz: $(VENV)/.installed-test
	TRACKER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) TRACKER_FUZZ_SEED=$(FUZZ_SEED) \
	  $(PY) -m pytest -q tests/api/test_schemathesis.py $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
