# The engine image used by docker-compose.yml (production: PostgreSQL + Redis + a real Asterisk).
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng sox \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY callcenter ./callcenter
COPY queue_engine ./queue_engine
COPY ivr_scripts ./ivr_scripts
COPY asterisk_conf ./asterisk_conf
RUN pip install --no-cache-dir .
USER nobody
EXPOSE 8080 4573
CMD ["callcenter", "serve", "--config", "/etc/callcenter/callcenter.toml"]
