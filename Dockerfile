# One image for web (gunicorn), worker and beat; see docker-compose.yml.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN useradd --create-home --uid 1000 staircase
COPY pyproject.toml constraints.txt README.md ./
COPY . .
RUN pip install -c constraints.txt . \
 && DJANGO_SETTINGS_MODULE=staircase.settings.local DJANGO_DEBUG=false STAIRCASE_VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput \
 && rm -rf /tmp/build-var \
 && mkdir -p /app/var && chown -R staircase /app/var

USER staircase
EXPOSE 8000
CMD ["gunicorn", "staircase.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
