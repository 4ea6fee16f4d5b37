# Production image: slim Python, non-root user, static files collected at build, gunicorn.
# Docker is not available on the development machines; this file is kept simple and is
# exercised only where a Docker engine exists.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    GUNICORN_BIND=0.0.0.0:8000 MEDIA_ROOT=/data/media STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY requirements.lock .
# The whole dependency tree, pinned with hashes (`make lock`): nothing unverified is installed.
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .
# collectstatic needs settings; a throwaway key is used only for this build step.
RUN SECRET_KEY=build-only-collectstatic-key python manage.py collectstatic --noinput \
    && useradd --system --create-home --uid 10001 portal \
    && mkdir -p /data/media && chown -R portal /data

USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
