"""The bare pipeline under Pelita's: what a registration costs end to end when a team wires the stock parts together
with none of Pelita's guarantees (no outbox, no idempotency, no read model, no reminders, no seat counting).

Web: `gunicorn bench.bare_pipeline:app` (BARE_DATABASE_URL, BARE_BROKER_URL): POST /register loads the JSON body,
INSERTs one row and calls `confirm.delay(...)` after the commit. Worker: `celery -A bench.bare_pipeline:celery
worker -Q bare` (SMTP_HOST, SMTP_PORT): renders one mail (text and HTML) with Jinja and sends it with smtplib, one
connection per mail. bench/pipeline.py runs both under the same gunicorn layout and worker settings as Pelita's.
"""

import os
import smtplib
import uuid
from email.message import EmailMessage

import sqlalchemy as sa
from celery import Celery
from flask import Flask, request
from jinja2 import Environment

from bench.baseline_app import _sqlite_pragmas
from shared.celery import celery_settings

metadata = sa.MetaData()
table = sa.Table(
    "bench_bare_registrations",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("phone", sa.String(20)),
    sa.Column("kabupaten_code", sa.String(5), nullable=False),
)

celery = Celery("bare")
celery.conf.update(celery_settings(os.environ.get("BARE_BROKER_URL", "redis://127.0.0.1:6379/0"), "bare"))
celery.conf.task_routes = {}

_templates = Environment(autoescape=True)
TEXT = _templates.from_string(
    "Halo {{ name }},\n\nPendaftaran Anda untuk {{ title }} sudah kami terima.\n"
    "Kode hadir Anda: {{ code }}\n\nSampai jumpa di {{ venue }}, {{ when }} WITA.\n"
)
HTML = _templates.from_string(
    "<!doctype html><html lang='id'><body><h1>Pendaftaran terkonfirmasi</h1><p>Halo {{ name }},</p>"
    "<p>Pendaftaran Anda untuk <strong>{{ title }}</strong> sudah kami terima.</p>"
    "<p>Kode hadir Anda: <code>{{ code }}</code></p><p>{{ venue }}, {{ when }} WITA</p></body></html>"
)


@celery.task(name="bare.confirm")
def confirm(to: str, name: str, code: str) -> None:
    """Render the confirmation and send it: the whole of the bare pipeline's worker side."""
    context = {"name": name, "title": "Pelatihan Perpustakaan Desa", "code": code, "venue": "Aula", "when": "08.30"}
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "pelita@contoh.id", to, "Pendaftaran terkonfirmasi"
    message.set_content(TEXT.render(context))
    message.add_alternative(HTML.render(context), subtype="html")
    with smtplib.SMTP(os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"]), timeout=10) as smtp:
        smtp.send_message(message)


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = sa.create_engine(database_url or os.environ["BARE_DATABASE_URL"])
    sa.event.listen(engine, "connect", _sqlite_pragmas)  # WAL, as Pelita's SQLite stores

    @app.post("/events/<event_id>/register")
    def register(event_id: str):
        data = request.get_json(silent=True) or {}
        if not isinstance(data.get("email"), str) or not isinstance(data.get("full_name"), str):
            return {"error": "email and full_name"}, 400
        row = {
            "id": str(uuid.uuid4()),
            "event_id": event_id[:36],
            "full_name": data["full_name"][:200],
            "email": data["email"][:254],
            "phone": str(data.get("phone") or "")[:20],
            "kabupaten_code": str(data.get("kabupaten_code") or "")[:5],
        }
        with engine.begin() as connection:
            connection.execute(table.insert().values(**row))
        confirm.delay(row["email"], row["full_name"], row["id"][:8].upper())
        return {"id": row["id"]}, 201

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def create_table(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()


app = create_app() if os.environ.get("BARE_DATABASE_URL") else None
