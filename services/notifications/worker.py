"""Celery entry point: `celery -A services.notifications.worker:celery worker -Q notifications`."""

from services.notifications.app import create_app
from shared.celery import keep_our_logging

app = create_app()
celery = app.extensions["celery"]
keep_our_logging()
