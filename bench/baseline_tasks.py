"""The bare stack under Pelita's workers: a Celery app with the same worker settings (shared.celery) and tasks that
do nothing but the transport work, for the pipeline and reminder baselines.

Worker: `celery -A bench.baseline_tasks:celery worker -Q bench` with BASELINE_BROKER_URL (and SMTP_HOST/PORT).
"""

import os
import smtplib
from email.message import EmailMessage

from celery import Celery

from shared.celery import celery_settings

celery = Celery("bench")
celery.conf.update(celery_settings(os.environ.get("BASELINE_BROKER_URL", "redis://127.0.0.1:6379/0"), "bench"))
celery.conf.task_routes = {}


@celery.task(name="bench.noop")
def noop(n: int) -> None:
    """Nothing but a counter, so the benchmark knows when the last one ran."""
    _redis().incr("bench:noop")


_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(os.environ.get("BASELINE_BROKER_URL", "redis://127.0.0.1:6379/0"))
    return _client


@celery.task(name="bench.mail")
def mail(to: str) -> None:
    """One plain SMTP mail, one connection: what sending a confirmation costs without Pelita around it."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "bench@pelita.local", to, "Pendaftaran berhasil"
    message.set_content("Terima kasih.")
    with smtplib.SMTP(os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"]), timeout=10) as smtp:
        smtp.send_message(message)


@celery.task(name="bench.relay")
def relay(outbox_id: str) -> None:
    """The fair form's wake-up call after a commit (bench/fair_app.py); no worker runs it in the form's bench."""
