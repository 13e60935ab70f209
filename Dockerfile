# syntax=docker/dockerfile:1
# One image for every Pelita process; docker-compose.yml picks the command. Two stages:
#   builder  turns the run-time lock (requirements/base.txt, hashes checked) into wheels, with a compiler at hand for
#            any package that has no wheel for this Python or machine;
#   final    installs those wheels and nothing else: no compiler, no pip cache, no test, lint or bench tool.
# tests/unit/shared/test_image.py checks both. PYTHON_VERSION may be 3.11, 3.12 or 3.13 (the lock serves all three).
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements/base.txt requirements/base.txt
RUN pip wheel --require-hashes --wheel-dir /wheels -r requirements/base.txt

FROM python:${PYTHON_VERSION}-slim-bookworm AS final
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# WeasyPrint's system libraries (the official PDF report) and a font with Indonesian's letters
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# exactly the builder's wheels, never an index; the wheels themselves stay out of the image (a bind mount)
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --no-deps /wheels/*.whl && pip check
WORKDIR /app
COPY shared ./shared
COPY services ./services
COPY devsinks ./devsinks
COPY scripts ./scripts
# production refuses any secret equal to a value written here
COPY .env.example ./
RUN useradd --system --uid 10001 pelita && mkdir -p /app/var && chown pelita /app/var
USER pelita
EXPOSE 8001 8002 8003
