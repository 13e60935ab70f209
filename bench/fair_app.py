"""The fair baseline of the form: the same protections as Pelita's, assembled the way a competent team would, from the
stock libraries (issue 23).

`gunicorn bench.fair_app:app` with FAIR_DATABASE_URL (the same database Pelita's registration store uses in that
run), REDIS_URL, SECRET_KEY and REGISTRATION_FORM_RATE_LIMIT (Pelita's own limit). `/acara/<event_id>/daftar`:
- GET: its own form with the same fields, carrying Flask-WTF's CSRF token (and so a session cookie);
- POST: Flask-WTF's CSRF check, Flask-Limiter's per-address limit on Redis, marshmallow loading the same fields
  (with the same phone and email libraries), the honeypot; then one Flask-SQLAlchemy transaction: the conditional
  seat UPDATE (a waitlist place when none is left), the registration INSERT and an outbox INSERT whose payload
  carries three itsdangerous-signed links; after the commit a Celery `.delay()` to wake a relay; a 303 to the
  signed page link. A phone already registered for the event gets a 200 page and nothing stored.
What it leaves out of Pelita's form: the signed render time, the contract check of the outbox payload, the consent
rows, the event's registration window and i18n. bench/registration.py creates its tables and one event.
"""

import os
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, abort, redirect, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from marshmallow import ValidationError, fields, validate
from sqlalchemy.exc import IntegrityError

from bench.baseline_app import AGE_GROUPS, CHANNELS, GENDERS, FormSchema, _sqlite_pragmas

db = SQLAlchemy()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, strategy="fixed-window")


class FairEvent(db.Model):
    __tablename__ = "bench_fair_events"
    id = db.Column(db.String(36), primary_key=True)
    title = db.Column(db.String(200), nullable=False)
    capacity = db.Column(db.Integer, nullable=False)
    confirmed_count = db.Column(db.Integer, nullable=False, default=0)
    waitlist_seq = db.Column(db.Integer, nullable=False, default=0)


class FairRegistration(db.Model):
    __tablename__ = "bench_fair_registrations"
    __table_args__ = (sa.UniqueConstraint("event_id", "phone"), sa.UniqueConstraint("event_id", "email"))
    id = db.Column(db.String(36), primary_key=True)
    event_id = db.Column(db.ForeignKey("bench_fair_events.id"), nullable=False)
    status = db.Column(db.String(20), nullable=False)
    waitlist_seq = db.Column(db.Integer)
    full_name = db.Column(db.String(200), nullable=False)
    phone = db.Column(db.String(20))
    email = db.Column(db.String(254))
    preferred_channel = db.Column(db.String(20), nullable=False)
    kabupaten_code = db.Column(db.String(5), nullable=False)
    kecamatan_code = db.Column(db.String(8))
    desa_code = db.Column(db.String(13))
    gender = db.Column(db.String(10), nullable=False)
    age_group = db.Column(db.String(10), nullable=False)
    disability = db.Column(db.String(30), nullable=False)
    accessibility_needs = db.Column(db.Text, nullable=False)
    participant_type = db.Column(db.String(30), nullable=False)
    institution = db.Column(db.String(200), nullable=False)
    consent = db.Column(db.Boolean, nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False)


class FairOutbox(db.Model):
    __tablename__ = "bench_fair_outbox"
    id = db.Column(db.String(36), primary_key=True)
    event_type = db.Column(db.String(60), nullable=False)
    payload = db.Column(db.JSON, nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False)
    sent_at = db.Column(db.DateTime(timezone=True))


class FairFormSchema(FormSchema):
    """The baseline's fields, with Pelita's two required consents in place of its one box."""

    consent = fields.Boolean(load_default=True)
    consent_training = fields.Boolean(required=True, truthy={"ya"}, validate=validate.Equal(True))
    consent_messages = fields.Boolean(required=True, truthy={"ya"}, validate=validate.Equal(True))


#: The form: the same fields as Pelita's (names, types, choices, the kabupaten list), one template compiled once.
FORM = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Daftar: {{ event.title }}</title></head>
<body><h1>Daftar: {{ event.title }}</h1><form method="post" novalidate>
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<label for="full_name">Nama lengkap</label><input id="full_name" name="full_name" autocomplete="name">
<label for="phone">Nomor HP</label><input id="phone" name="phone" type="tel">
<label for="email">Email</label><input id="email" name="email" type="email">
<fieldset><legend>Kirim pesan lewat</legend>{% for c in channels %}
<input type="radio" id="ch-{{ c }}" name="preferred_channel" value="{{ c }}"><label for="ch-{{ c }}">{{ c }}</label>
{% endfor %}</fieldset>
<label for="kab">Kabupaten/kota</label><select id="kab" name="kabupaten_code">{% for code, name in kabupaten %}
<option value="{{ code }}">{{ name }}</option>{% endfor %}</select>
{% for name, choices in radios %}<fieldset><legend>{{ name }}</legend>{% for c in choices %}
<input type="radio" id="{{ name }}-{{ c }}" name="{{ name }}" value="{{ c }}"><label for="{{ name }}-{{ c }}">{{ c }}
</label>{% endfor %}</fieldset>{% endfor %}
<label for="acc">Kebutuhan aksesibilitas</label><textarea id="acc" name="accessibility_needs"></textarea>
<label for="inst">Lembaga</label><input id="inst" name="institution">
<input type="checkbox" id="ct" name="consent_training" value="ya"><label for="ct">Setuju (pelatihan)</label>
<input type="checkbox" id="cm" name="consent_messages" value="ya"><label for="cm">Setuju (pesan)</label>
<div hidden><label for="website">Jangan isi</label><input id="website" name="website" tabindex="-1"></div>
<button type="submit">Kirim pendaftaran</button></form></body></html>"""

#: The three links a registration's messages carry, each signed with its own salt.
SALTS = ("registration-page", "cancel-registration", "staff-check-in")


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ["SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=os.environ["FAIR_DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_SECURE=True,  # as Pelita's in production; the bench's clients send it over http as a proxy
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,  # the bench talks http to gunicorn, as a TLS proxy would
        RATELIMIT_STORAGE_URI=os.environ["REDIS_URL"],
        RATELIMIT_HEADERS_ENABLED=False,
    )
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        sa.event.listen(db.engine, "connect", _sqlite_pragmas)
    signers = [URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt) for salt in SALTS]
    schema = FairFormSchema()
    form = app.jinja_env.from_string(FORM)
    from bench.baseline_tasks import relay
    from shared import labels, regions

    kabupaten = [(area.code, area.name) for area in regions.kabupaten()]
    radios = [
        ("gender", GENDERS),
        ("age_group", AGE_GROUPS),
        ("disability", list(labels.DISABILITIES)),
        ("participant_type", list(labels.PARTICIPANT_TYPES)),
    ]
    limit = os.environ.get("REGISTRATION_FORM_RATE_LIMIT", "120 per minute;600 per hour")

    @app.get("/acara/<event_id>/daftar")
    def show(event_id: str):
        event = db.session.get(FairEvent, event_id) or abort(404)
        return form.render(event=event, channels=CHANNELS, kabupaten=kabupaten, radios=radios)

    @app.post("/acara/<event_id>/daftar")
    @limiter.limit(limit)
    def register(event_id: str):
        try:
            data = schema.load(request.form.to_dict())
        except ValidationError as error:
            return {"errors": error.messages}, 400
        if data.pop("website"):
            return redirect("/terima-kasih", 303)
        for key in ("consent_training", "consent_messages"):
            data.pop(key)
        taken = db.session.execute(
            sa.update(FairEvent)
            .where(FairEvent.id == event_id, FairEvent.confirmed_count < FairEvent.capacity)
            .values(confirmed_count=FairEvent.confirmed_count + 1)
        ).rowcount
        seq = None
        if not taken:
            seq = db.session.execute(
                sa.update(FairEvent)
                .where(FairEvent.id == event_id)
                .values(waitlist_seq=FairEvent.waitlist_seq + 1)
                .returning(FairEvent.waitlist_seq)
            ).scalar_one_or_none()
            if seq is None:
                db.session.rollback()
                abort(404)
        now = datetime.now(UTC)
        registration = FairRegistration(
            id=str(uuid.uuid4()),
            event_id=event_id,
            status="confirmed" if taken else "waitlisted",
            waitlist_seq=seq,
            created_at=now,
            **data,
        )
        links = [signer.dumps(registration.id) for signer in signers]
        payload = {"registration_id": registration.id, "event_id": event_id, "status": registration.status}
        message = FairOutbox(
            id=str(uuid.uuid4()),
            event_type="registration.created",
            payload=payload | dict(zip(("page", "cancel", "checkin"), links, strict=True)),
            created_at=now,
        )
        db.session.add_all([registration, message])
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return "<p>Nomor ini sudah terdaftar.</p>", 200
        relay.delay(message.id)
        return redirect(f"/pendaftaran/{links[0]}", 303)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def create_event(database_url: str, capacity: int) -> str:
    """Create the fair app's tables (once) and one event of `capacity` seats; return its id."""
    engine = sa.create_engine(database_url)
    db.metadata.create_all(engine)
    event_id = str(uuid.uuid4())
    with engine.begin() as connection:
        connection.execute(
            FairEvent.__table__.insert().values(
                id=event_id, title=f"Bench {capacity} kursi", capacity=capacity, confirmed_count=0, waitlist_seq=0
            )
        )
    engine.dispose()
    return event_id


app = create_app() if os.environ.get("FAIR_DATABASE_URL") else None
