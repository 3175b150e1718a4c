# storybot: `docker build -t storybot .` then
# `docker run -d --env-file .env -v storybot-data:/var/lib/storybot storybot`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/var/lib/storybot/storybot.db \
    LIBRARY_DIR=/app/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install .
COPY data/*.txt data/*.yaml ./data/

RUN useradd --system --create-home --uid 10001 storybot \
    && mkdir -p /var/lib/storybot \
    && chown storybot /var/lib/storybot
USER storybot
VOLUME ["/var/lib/storybot"]

CMD ["python", "-m", "bot", "run"]
