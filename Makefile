# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run dev lock test pytest lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

## make run: install, migrate, load the plan and demo accounts, serve the product as users see
## it (DEBUG off, static files through whitenoise, gunicorn) on http://127.0.0.1:8000.
## A local secret key is generated once into .local-secret-key (git-ignored, mode 600).
LOCAL_KEY := .local-secret-key
LOCAL_ENV = DEBUG=false SECRET_KEY="$$(cat $(LOCAL_KEY))" ALLOWED_HOSTS=localhost,127.0.0.1 \
	SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false \
	SECURE_HSTS_SECONDS=0 SECURE_HSTS_INCLUDE_SUBDOMAINS=false

$(LOCAL_KEY): | $(BIN)/python
	@umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: $(VENV)/.runtime-installed $(LOCAL_KEY)
	$(LOCAL_ENV) $(BIN)/python manage.py migrate --noinput
	$(LOCAL_ENV) $(BIN)/python manage.py collectstatic --noinput -v 0
	$(LOCAL_ENV) $(BIN)/python manage.py load_plan
	@echo "演示账号（用户名 密码 角色 单位），仅供本地演示："
	@$(LOCAL_ENV) $(BIN)/python manage.py create_demo_accounts --force
	$(LOCAL_ENV) $(BIN)/python manage.py load_demo_reports
	@echo "门户地址: http://$(HOST):$(PORT)/  （使用上面的演示账号登录）"
	$(LOCAL_ENV) GUNICORN_BIND=$(HOST):$(PORT) GUNICORN_WORKERS=2 $(BIN)/gunicorn -c gunicorn.conf.py

## make dev: the same data with DEBUG on and Django's auto-reloading development server.
dev: $(VENV)/.runtime-installed
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_plan
	@DEBUG=true $(BIN)/python manage.py create_demo_accounts
	DEBUG=true $(BIN)/python manage.py load_demo_reports
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make lock: regenerate requirements.lock (every runtime package, pinned, with hashes) from
## requirements.txt. Existing pins are kept; run after changing requirements.txt.
lock: $(VENV)/.dev-installed
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
		--allow-unsafe --strip-extras --no-emit-index-url --no-emit-trusted-host \
		--no-emit-find-links --output-file requirements.lock requirements.txt

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
	$(BIN)/python bench/reminders_bench.py --units 300 --plans 4 --reports 20000
	$(BIN)/python bench/raw_export_bench.py --reports 2000

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
