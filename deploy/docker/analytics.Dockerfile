# syntax=docker/dockerfile:1.7
# motcua-analytics image. Build from the repository root (the context must be the repo):
#   docker build -f deploy/docker/analytics.Dockerfile -t registry.motcua.gov.vn/motcua/analytics:0.1.0 .
# Runs as uid 10001 on a read-only root file system (only /tmp is written, an emptyDir in
# the chart). The repository layout is kept under /app: the service finds its Alembic
# migrations at /app/services/analytics/migrations next to its sources.
#   docker run --rm -p 8080:8080 -e MOTCUA_ANALYTICS_DATABASE_URL=... <image>
#   docker run --rm <image> migrate

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- builder: a virtualenv with the service, its workspace libraries and locked deps -------
FROM ${PYTHON_IMAGE} AS builder
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# 1. Third-party dependencies only: this layer changes only with uv.lock.
COPY pyproject.toml uv.lock ./
COPY contracts/pyproject.toml contracts/
COPY libs/platform/pyproject.toml libs/platform/
COPY libs/clock/pyproject.toml libs/clock/
COPY services/intake/pyproject.toml services/intake/
COPY services/workflow/pyproject.toml services/workflow/
COPY services/notify/pyproject.toml services/notify/
COPY services/analytics/pyproject.toml services/analytics/
COPY standalone/pyproject.toml standalone/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package motcua-analytics

# 2. The workspace packages this service uses (tests and other services stay out).
COPY contracts/ contracts/
COPY libs/ libs/
COPY services/analytics/ services/analytics/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package motcua-analytics \
 && rm -rf contracts/tests libs/*/tests services/analytics/tests \
 && python -m compileall -q contracts/src libs services/analytics \
 && test -d services/analytics/migrations \
 && /app/.venv/bin/motcua-analytics --help >/dev/null

# ---- runtime -------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="motcua-analytics" \
      org.opencontainers.image.description="motcua analytics service (Bộ phận một cửa cấp xã)" \
      org.opencontainers.image.licenses="Proprietary"
RUN groupadd --system --gid 10001 motcua \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
      --shell /usr/sbin/nologin motcua
# Root-owned and read-only for the service user.
COPY --from=builder /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib \
    MOTCUA_ANALYTICS_ENVIRONMENT=production
WORKDIR /app
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health/live', timeout=2)"]
ENTRYPOINT ["motcua-analytics"]
CMD ["serve", "--roles", "api", "--host", "0.0.0.0", "--port", "8080", "--no-migrate"]
