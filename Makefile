# THADS Directives — the two commands a newcomer needs are `make run` and `make test`.
# Everything runs from a project-local virtualenv (.venv) built from the pinned
# requirements, so the only thing the machine must provide is Python 3.11+.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MANAGE := $(PY) manage.py
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv install run test lint schema bench clean

help:
	@echo "make run     install, migrate, load demo data, start API + worker + beat on http://127.0.0.1:$(PORT)/"
	@echo "make test    install, then run the whole test suite (PYTEST_ARGS=... passes options to pytest)"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make schema  build the OpenAPI schema and fail on any warning"
	@echo "make bench   run the benchmarks (never part of test or CI; BENCH_ARGS=name picks some)"
	@echo "make clean   remove the virtualenv, caches and collected static files (keeps var/)"

venv install: $(STAMP)

# Reinstall only when a requirements file is newer than the last install; pip is
# slow even when it has nothing to do.
$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "error: THADS Directives needs Python 3.11 or newer; '$(PYTHON)' is" \
		     "$$($(PYTHON) --version 2>/dev/null || echo 'not installed')." >&2; \
		echo "       Install it, or point make at one: make $(MAKECMDGOALS) PYTHON=python3.12" >&2; \
		exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# Generated once per checkout: the embedded default refuses to start without a
# key (settings never fall back to one), and a fixed key in the repo would be a
# shared secret.
var/secret_key:
	@mkdir -p var
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.tmp
	@chmod 600 $@.tmp && mv $@.tmp $@

# Local HTTP only: without these the non-DEBUG settings would redirect to HTTPS
# and mark cookies Secure, and the browser could not log in to the admin.
# `?=` keeps whatever the caller already exported (DATABASE_URL and REDIS_URL
# are left to the environment, where settings read them).
run: export DJANGO_SECURE_SSL_REDIRECT ?= false
run: export DJANGO_SECURE_COOKIES ?= false
run: export PORT := $(PORT)
run: $(STAMP) var/secret_key
	@# .env (optional) is read here, once, so migrate and seed_demo see the same
	@# configuration as the processes; honcho is told not to read it again.
	@# kombu's filesystem transport (the no-Redis default) does not create its folders.
	@# thads/procfile.py is honcho with the time the processes need to stop cleanly.
	@if [ -f .env ]; then set -a && . ./.env && set +a; fi && \
	export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)}" \
		PATH="$(CURDIR)/$(VENV)/bin:$$PATH" && \
	var_dir="$${THADS_VAR_DIR:-var}" && \
	mkdir -p "$$var_dir/celery/queue" "$$var_dir/celery/processed" "$$var_dir/celery/control" && \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	$(MANAGE) seed_demo && \
	echo && \
	echo "THADS Directives is starting (API, Celery worker and beat). Ctrl-C stops all three." && \
	echo "  API:    http://127.0.0.1:$${PORT}/api/v1/   (base URL http://127.0.0.1:$${PORT}/)" && \
	echo "  Docs:   http://127.0.0.1:$${PORT}/api/docs/" && \
	echo "  Admin:  http://127.0.0.1:$${PORT}/admin/" && \
	echo "  Health: http://127.0.0.1:$${PORT}/healthz  and  /readyz" && \
	echo "  Demo logins, password thads-demo (LOCAL DEMO ONLY, never on a real deployment):" && \
	echo "    director         Cục trưởng" && \
	echo "    deputy           Phó Cục trưởng" && \
	echo "    office           Văn phòng Cục" && \
	echo "    hiephoa.head     Chi cục trưởng, Chi cục THADS huyện Hiệp Hòa" && \
	echo "    hiephoa.officer  Chấp hành viên, Chi cục THADS huyện Hiệp Hòa" && \
	echo "    yenthe.officer   Chấp hành viên, Chi cục THADS huyện Yên Thế" && \
	echo && \
	exec python -m thads.procfile start --procfile Procfile --env /dev/null --port "$${PORT}"

# pytest's exit code 5 means it collected no test; that must not pass as green.
test: $(STAMP)
	@mkdir -p var
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	exit $$rc

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The schema needs no secret, but settings refuse to load without one.
schema: $(STAMP)
	DJANGO_SECRET_KEY=schema-check-only-not-a-secret \
		$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null

bench: $(STAMP)
	@if [ -f bench/run.py ]; then $(PY) bench/run.py $(BENCH_ARGS); \
	else echo "no bench/run.py yet: nothing to run"; fi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
