# banjia's code location image: the gRPC code server Dagster's webserver and daemon talk to, and
# (with the K8sRunLauncher) the image every run pod starts from. docs/deployment.md explains it.
#
#   docker build -t banjia:$(git rev-parse --short HEAD) .
#   docker run --rm -p 3030:3030 --env-file banjia.env banjia:...     # the code server
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    DAGSTER_HOME=/opt/dagster/dagster_home \
    DAGSTER_DISABLE_TELEMETRY=1 \
    BANJIA_WAREHOUSE=/var/lib/banjia/warehouse.duckdb \
    PATH=/opt/banjia/.venv/bin:$PATH

RUN pip install --no-cache-dir "uv>=0.9,<1" \
    && useradd --create-home --uid 10001 --user-group banjia \
    && mkdir -p /opt/banjia /opt/dagster/dagster_home /var/lib/banjia \
    && chown banjia:banjia /opt/banjia /opt/dagster/dagster_home /var/lib/banjia

WORKDIR /opt/banjia
USER banjia

# Dependencies first, from the lock file only: this layer is rebuilt when uv.lock changes, not on
# every code change. --no-dev leaves pytest, ruff and mypy out of the image.
COPY --chown=banjia:banjia pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

# The project itself, installed editable so that pipeline.settings.PROJECT_ROOT is /opt/banjia
# and data/ (category trees, mapping tables, the demo migrations file) is found beside the code.
COPY --chown=banjia:banjia assets ./assets
COPY --chown=banjia:banjia pipeline ./pipeline
COPY --chown=banjia:banjia store ./store
COPY --chown=banjia:banjia connectors ./connectors
COPY --chown=banjia:banjia listings ./listings
COPY --chown=banjia:banjia banjia ./banjia
COPY --chown=banjia:banjia sandbox ./sandbox
COPY --chown=banjia:banjia data ./data
COPY --chown=banjia:banjia workspace.yaml ./
RUN uv sync --frozen --no-dev

EXPOSE 3030
# The Helm chart replaces the arguments (codeServerArgs); run pods replace the whole command.
CMD ["dagster", "code-server", "start", "-m", "assets.definitions", "--location-name", "banjia", \
     "-h", "0.0.0.0", "-p", "3030"]
