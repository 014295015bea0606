# Production image: gunicorn serves the app, whitenoise its static files.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 civicchat

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY --chown=civicchat:civicchat . .
# collectstatic needs settings but no services (development defaults, then var/ removed);
# translations are committed compiled (.mo), so no gettext in the image.
RUN CIVICCHAT_STATIC_MANIFEST=true python manage.py collectstatic --noinput \
    && rm -rf var \
    && mkdir -p var/media \
    && chown -R civicchat:civicchat var

USER civicchat
EXPOSE 8000
CMD ["gunicorn", "civicchat.wsgi:application", "--config", "gunicorn.conf.py"]
