FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
# GDAL/GEOS/PROJ for GeoDjango (and ogr2ogr for GIS exports); SpatiaLite for the embedded mode.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gdal-bin libsqlite3-mod-spatialite \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# collectstatic needs no secrets or database. var/media is the mount point of the `media`
# volume (exports, import uploads): created here, owned by the app's user, so a new volume
# starts with that owner and the app can write to it.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && useradd --system --home /app frontline \
 && mkdir -p /app/var/media/exports /app/var/media/imports \
 && chown -R frontline /app/var
USER frontline
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
