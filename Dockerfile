# The portal's image: gunicorn serves kontum_poverty.wsgi; the same image runs the Celery worker
# and the one-shot migrate step (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango and fontconfig (PDF reports load the serif the repo ships in
# static/reports/fonts; Liberation 2 is the system's Vietnamese-complete fallback);
# harfbuzz-subset makes PDF font subsetting faster. gettext only compiles the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-liberation2 libharfbuzz-subset0 gettext \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --user-group --uid 10001 app

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# Code stays owned by root: the app user may only write uploaded and generated files.
COPY . .
RUN export DEBUG=0 SECRET_KEY=build-time-only-not-a-secret \
    && python manage.py compilemessages \
    && python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown app:app var/media

USER app
EXPOSE 8000
CMD ["gunicorn", "kontum_poverty.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
