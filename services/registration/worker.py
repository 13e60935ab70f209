"""Celery entry point: `celery -A services.registration.worker:celery worker -Q registration`."""

from services.registration.app import create_app
from shared.celery import keep_our_logging

app = create_app()
celery = app.extensions["celery"]
keep_our_logging()
