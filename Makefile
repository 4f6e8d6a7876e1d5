# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test lint format bench sandbox spec-tables audit clean
PIP_AUDIT_VERSION := 2.10.1

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy klaviyo_core klaviyo_sandbox klaviyo_spec klaviyo_app app.py tests

format: $(VENV)/.dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(VENV)/.dev
	for b in bench/[!_]*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

sandbox: $(VENV)/.runtime
	$(PY) -m klaviyo_sandbox serve --admin --seed-demo

# pip-audit on the pinned requirements (needs network); installed into the venv on first use. Exit 2 and a
# message when it could not check (pip-audit alone says "No known vulnerabilities found" then).
audit:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip_audit --version >/dev/null 2>&1 || $(PY) -m pip install --quiet pip-audit==$(PIP_AUDIT_VERSION)
	$(PY) scripts/audit.py requirements.txt requirements-dev.txt

spec-tables:
	$(PY) scripts/derive_spec_tables.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
