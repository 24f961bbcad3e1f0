# banjia: `make demo` and `make test` are the two set-up commands; both start from a fresh clone.
.PHONY: install demo test lint format dev bench clean multiworker chromium

VENV := .venv
STAMP := $(VENV)/.synced

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock scripts/bootstrap.sh
	scripts/bootstrap.sh
	touch $(STAMP)

demo: install
	scripts/demo.sh

test: install chromium
	$(VENV)/bin/python -m pytest -n auto --dist loadfile

# Headless Chromium renders the migration report in its test; installed with apt-get when absent.
chromium:
	scripts/ensure_chromium.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

dev: install
	scripts/dev.sh

multiworker: install
	scripts/multiworker.sh

bench: install
	$(VENV)/bin/python -m pytest tests/bench -s -q -p no:cacheprovider --timeout=0

clean:
	rm -rf $(VENV) .dagster_home .multiworker .tmp_dagster_home_* data/warehouse.duckdb* .sandbox .sandbox.log .demo-*.log logs
