# DeltaFlow: one slim image for every set-up; what differs between set-ups is only the environment.
#   docker build -t deltaflow .
#   docker run -p 8000:8000 deltaflow                                    # SQLite in /data, one process
#   docker run -e DELTAFLOW_REDIS_URL=redis://redis:6379/0 -e WEB_CONCURRENCY=4 ...   # Redis, 4 workers
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DELTAFLOW_DB=/data/deltaflow.db \
    WEB_CONCURRENCY=1 \
    FORWARDED_ALLOW_IPS=*

RUN groupadd --system --gid 10001 deltaflow \
 && useradd --system --uid 10001 --gid deltaflow --home-dir /srv/deltaflow --no-create-home \
            --shell /usr/sbin/nologin deltaflow \
 && mkdir -p /srv/deltaflow /data \
 && chown deltaflow:deltaflow /data

WORKDIR /srv/deltaflow
# dependencies first, so a code change does not reinstall them
COPY pyproject.toml README.md ./
COPY app ./app
# editable: the app runs from /srv/deltaflow, next to its static/ and templates/
RUN pip install -e .
COPY static ./static
COPY templates ./templates

USER deltaflow
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=15s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]

# uvicorn reads the worker count from WEB_CONCURRENCY and the proxies it trusts for X-Forwarded-Proto/For
# from FORWARDED_ALLOW_IPS (narrow it to the proxy's address when the container port is reachable directly)
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", \
     "--timeout-graceful-shutdown", "5"]
