# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test pytest lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

## make run: install, migrate, load the plan and demo accounts, serve on http://127.0.0.1:8000
run: $(VENV)/.runtime-installed
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_plan
	@echo "演示账号（用户名 密码 角色 单位），仅供本地演示："
	@DEBUG=$${DEBUG:-true} $(BIN)/python manage.py create_demo_accounts
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_demo_reports
	@echo "门户地址: http://$(HOST):$(PORT)/  （使用上面的演示账号登录）"
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: lint, format check, import layers, types and the whole suite
## (browser/rendering tests skip without their tools)
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/pytest

pytest: $(VENV)/.dev-installed
	$(BIN)/pytest

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make bench: every benchmark at CI-friendly sizes on the configured DATABASE_URL
## (pass bigger sizes by running the scripts directly, see README "Performance").
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/plan_import_bench.py
	$(BIN)/python bench/dashboard_bench.py --reports 20000
	$(BIN)/python bench/dashboard_bench.py --tasks 200,800 --reports 4000 --rounds 5
	$(BIN)/python bench/excel_bench.py --reports 10000

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
