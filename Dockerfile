# One image for every Shegong service; the container's command names the service:
#   docker run shegong:local shegong serve visits
# Built from the lock file (uv sync --frozen), so the image runs exactly what CI tested.

FROM python:3.11-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin shegong
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SHEGONG_HTTP_HOST=0.0.0.0 \
    SHEGONG_HTTP_PORT=8000 \
    SHEGONG_LOG_JSON=true \
    SHEGONG_STATE_DIR=/tmp/shegong
WORKDIR /app
USER shegong
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=3)"]
CMD ["shegong", "--help"]
