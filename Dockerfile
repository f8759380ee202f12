# DeltaFlow: one slim image for every set-up; what differs between set-ups is only the environment.
#   docker build -t deltaflow .
#   docker run -p 8000:8000 -v deltaflow-data:/data deltaflow                       # SQLite in /data, one process
#   docker run -e DELTAFLOW_REDIS_URL=redis://redis:6379/0 -e WEB_CONCURRENCY=4 ...   # Redis, 4 workers
FROM python:3.11-slim

# uvicorn reads its address, port, worker count and trusted proxies from these (UVICORN_PORT moves the port,
# the health check follows it); only a proxy inside the container is believed about the client's address
# and scheme until FORWARDED_ALLOW_IPS names the real proxy (docs/deploy.md). Two malloc arenas: memory freed
# after concurrent heavy requests goes back instead of staying with per-thread arenas (docs/limits.md)
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DELTAFLOW_DB=/data/deltaflow.db \
    UVICORN_HOST=0.0.0.0 \
    UVICORN_PORT=8000 \
    WEB_CONCURRENCY=1 \
    FORWARDED_ALLOW_IPS=127.0.0.1 \
    MALLOC_ARENA_MAX=2

RUN groupadd --system --gid 10001 deltaflow \
 && useradd --system --uid 10001 --gid deltaflow --home-dir /srv/deltaflow --no-create-home \
            --shell /usr/sbin/nologin deltaflow \
 && mkdir -p /srv/deltaflow /data \
 && chown deltaflow:deltaflow /data

WORKDIR /srv/deltaflow
# the locked dependencies (and the build backend) before any code, so a code change reuses this layer
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt
COPY static ./static
COPY templates ./templates
# editable: the app runs from /srv/deltaflow, next to its static/ and templates/; the code changes most, so last
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-deps --no-build-isolation -e .

USER deltaflow
VOLUME ["/data"]
EXPOSE 8000

# readiness, not liveness: a store that cannot be written (say a /data the user may not write) is unhealthy
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['UVICORN_PORT'] + '/readyz', timeout=4)"]

CMD ["uvicorn", "app.main:app", "--proxy-headers", "--timeout-graceful-shutdown", "5"]
