# banjia: `make demo` and `make test` are the two set-up commands; both start from a fresh clone.
.PHONY: install demo test lint format dev bench clean

VENV := .venv
STAMP := $(VENV)/.synced

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock scripts/bootstrap.sh
	scripts/bootstrap.sh
	touch $(STAMP)

demo: install
	scripts/demo.sh

test: install
	$(VENV)/bin/python -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

dev: install
	scripts/dev.sh

bench: install
	$(VENV)/bin/python -m pytest tests/bench -s -q -p no:cacheprovider --timeout=0

clean:
	rm -rf $(VENV) .dagster_home .tmp_dagster_home_* data/warehouse.duckdb* .sandbox .sandbox.log .demo-*.log
