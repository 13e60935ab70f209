"""Factories with realistic Indonesian defaults: make_* return dicts or messages."""

import hashlib
import itertools
import uuid
from datetime import UTC, datetime, timedelta

from services.registration.notices import CURRENT as CURRENT_NOTICE

_numbers = itertools.count(1)


def make_registration_body(**overrides) -> dict:
    """A valid API registration body: a PKK cadre from Kabupaten Banjar who prefers email."""
    n = next(_numbers)
    body = {
        "full_name": "Siti Rahmah",
        "phone": f"0812-{5000 + n % 4000:04d}-{n % 10000:04d}",
        "email": f"siti.rahmah{n}@contoh.id",
        "kabupaten_code": "63.03",
        "kecamatan_code": None,
        "desa_code": None,
        "gender": "female",
        "age_group": "26_35",
        "disability": "none",
        "participant_type": "pkk_cadre",
        "institution": "TP PKK Desa Sungai Tabuk",
        "preferred_channel": "email",
        "consents": {"training": True, "messages": True, "statistics": True},
        "notice_version": CURRENT_NOTICE,
    }
    body.update(overrides)
    return body


def make_event_body(**overrides) -> dict:
    """A valid staff body for POST /api/v1/events: a training a week ahead in Martapura, published at once."""
    start = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    body = {
        "title": "Pelatihan Pengelolaan Perpustakaan Desa",
        "kabupaten_code": "63.03",
        "venue": "Aula Dispersip Kabupaten Banjar, Martapura",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=6)).isoformat(),
        "capacity": 55,
        "publish": True,
    }
    body.update(overrides)
    return body


def make_registration_created(**overrides) -> dict:
    """A valid registration.created payload."""
    payload = {
        "registration_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "status": "confirmed",
        "waitlist_position": None,
        "full_name": "Ahmad Fauzi",
        "phone": "+6281234567890",
        "email": "ahmad@contoh.id",
        "preferred_channel": "email",
        "locale": "id",
        "kabupaten_code": "63.03",
        "kecamatan_code": None,
        "desa_code": None,
        "gender": "male",
        "age_group": "36_45",
        "disability": "none",
        "participant_type": "library_manager",
        "checkin_code": "ABCD2345",
        "cancel_url": "http://127.0.0.1:8001/r/token/batal",
        "registered_at": datetime.now(UTC).isoformat(),
    }
    payload.update(overrides)
    return payload


def make_event_published(**overrides) -> dict:
    start = datetime.now(UTC) + timedelta(days=7)
    payload = {
        "event_id": str(uuid.uuid4()),
        "title": "Pelatihan Perpustakaan Berbasis Inklusi Sosial",
        "kabupaten_code": "63.03",
        "kabupaten_name": "Kabupaten Banjar",
        "venue": "Aula Dispersip Kabupaten Banjar",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=6)).isoformat(),
        "capacity": 55,
        "reminder_offsets_minutes": [4320, 1440, 120],
        "url": "http://127.0.0.1:8001/acara/x",
    }
    payload.update(overrides)
    return payload


def staff_token(app, claims, hours: float = 1.0) -> str:
    """A bearer token (or staff cookie value) that `app` accepts: the notifications or reporting service first hears
    of the account through its consumer, as registration's staff.changed event would tell it."""
    import importlib

    from shared.messaging.names import EventNames
    from shared.messaging.publisher import make_envelope
    from shared.staffauth import issue_token

    if app.config["SERVICE"] == "registration":  # registration reads its own staff table: the account must exist
        return _registration_staff_token(app, claims, hours)
    service = importlib.import_module(f"services.{app.config['SERVICE']}.service")
    payload = {"staff_id": claims.id, "token_version": claims.version, "active": True}
    with app.app_context():
        service.handle_event(make_envelope(EventNames.STAFF_CHANGED, payload, source="registration"))
        return issue_token(claims, hours)[0]


def _registration_staff_token(app, claims, hours: float) -> str:
    from services.registration.extensions import db
    from services.registration.models import Staff
    from shared.staffauth import issue_token

    with app.app_context():
        staff = db.session.get(Staff, claims.id)
        if staff is None:
            staff = Staff(id=claims.id, email=claims.email, name=claims.email, password_hash="!", role=claims.role)
            db.session.add(staff)
        staff.role, staff.kabupaten_code, staff.token_version = claims.role, claims.kabupaten_code, claims.version
        db.session.commit()
        return issue_token(staff.claims(), hours)[0]


def relay_staff_changed(registration, *others) -> int:
    """Hand `others` (the notifications and reporting apps) every staff.changed event in registration's outbox, in
    order, as the relay would: they then know each account, its token version and whether it is active."""
    import importlib

    from services.registration.extensions import db
    from services.registration.models import OutboxMessage
    from shared.messaging.names import EventNames

    with registration.app_context():
        query = db.select(OutboxMessage.envelope).where(OutboxMessage.type == EventNames.STAFF_CHANGED)
        envelopes = db.session.scalars(query.order_by(OutboxMessage.seq)).all()
    for app in others:
        service = importlib.import_module(f"services.{app.config['SERVICE']}.service")
        with app.app_context():
            for envelope in envelopes:
                service.handle_event(envelope)
    return len(envelopes)


def pseudonym_of(registration_id: str) -> str:
    """A stand-in for registration's pseudonym of a registration (tests feeding reporting by hand): 32 hex digits."""
    return hashlib.sha256(f"test:{registration_id}".encode()).hexdigest()[:32]
