# One image for every Pelita process; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY shared ./shared
COPY services ./services
COPY devsinks ./devsinks
COPY scripts ./scripts
# production refuses any secret equal to a value written here
COPY .env.example ./
RUN useradd --system --uid 10001 pelita && mkdir -p /app/var && chown pelita /app/var
USER pelita
EXPOSE 8001 8002 8003
