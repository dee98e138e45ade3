# THADS Directives: one image for the web (gunicorn), worker (celery worker)
# and beat (celery beat) processes; docker-compose.yml picks the command.
# See docs/deploy.md.

# --- builder: a virtualenv with the pinned runtime requirements ----------------
FROM python:3.11.13-slim-bookworm AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# Every runtime dependency ships a manylinux wheel (psycopg[binary] bundles
# libpq), so no compiler or -dev package is needed here either.
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt

# --- runtime: slim, non-root ---------------------------------------------------
FROM python:3.11.13-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="THADS Directives" \
      org.opencontainers.image.description="Directives, assignments and progress tracking (Django + DRF + Celery)"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=thads.settings \
    THADS_VAR_DIR=/app/var \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/app/var/media \
    PORT=8000 \
    WEB_CONCURRENCY=3

# Fixed uid/gid so volume ownership is the same on every host.
RUN groupadd --system --gid 10001 thads \
    && useradd --system --no-log-init --uid 10001 --gid thads \
       --home-dir /app --shell /usr/sbin/nologin thads

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app

# The code and the collected static files stay owned by root (read-only for the
# app); only var/ (uploads, beat schedule, fallback cache) is writable by thads.
COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R thads:thads /app/var

# Numeric, so runtimes (e.g. Kubernetes runAsNonRoot) can verify it is not root.
USER 10001:10001

EXPOSE 8000

# Liveness only (/healthz); /readyz also needs the DB, broker and a worker.
# The worker and beat services override or disable this in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# exec keeps gunicorn as PID 1 so it receives SIGTERM; PORT and WEB_CONCURRENCY
# (default 3 workers) can be changed at run time without rebuilding.
CMD ["sh", "-c", "exec gunicorn thads.wsgi:application --bind 0.0.0.0:${PORT:-8000} --workers ${WEB_CONCURRENCY:-3} --worker-tmp-dir /dev/shm --timeout 60 --graceful-timeout 30 --max-requests 1000 --max-requests-jitter 100 --no-control-socket --access-logfile - --error-logfile -"]
