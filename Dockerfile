FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
    && pybabel compile --domain django --directory locale \
    && DJANGO_ENV=production SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=build-only \
       CELERY_BROKER_URL=redis://build-only \
       ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --create-home storefront && mkdir -p /app/var && chown storefront /app/var
USER storefront
EXPOSE 8000
CMD ["gunicorn", "storefront.wsgi:application", "--bind", "0.0.0.0:8000"]
