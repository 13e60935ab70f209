"""Celery entry point: `celery -A services.reporting.worker:celery worker -Q reporting`."""

from services.reporting.app import create_app
from shared.celery import keep_our_logging

app = create_app()
celery = app.extensions["celery"]
keep_our_logging()
