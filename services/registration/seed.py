"""Seed data: Kalsel's areas (Kemendagri codes), the first admin, and the demo event (each added once)."""

import secrets
import uuid
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from services.registration import service, store
from services.registration.extensions import db
from services.registration.models import Event, Region, Staff
from shared.config import var_dir
from shared.regions import all_areas
from shared.timeutil import WITA, utcnow

DEMO_EVENT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "pelita:demo:pelatihan-perpustakaan-inklusi-sosial"))


def seed_regions() -> int:
    """Insert the areas not yet in the store; return how many were added."""
    known = set(db.session.scalars(sa.select(Region.code)))
    new = [Region(code=a.code, parent_code=a.parent_code, level=a.level, name=a.name) for a in all_areas().values()]
    new = [region for region in new if region.code not in known]
    db.session.add_all(new)
    db.session.commit()
    return len(new)


def _admin_password() -> str:
    configured = current_app.config.get("ADMIN_PASSWORD")
    if configured:
        return configured
    path = var_dir() / "admin-password.txt"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def seed_admin() -> tuple[str, str, bool]:
    """Create the provincial admin once; return (email, password, created)."""
    email, password = current_app.config["ADMIN_EMAIL"], _admin_password()
    if store.get_staff_by_email(email) is not None:
        return email, password, False
    admin = Staff(email=email, name="Admin Dispersip Kalsel", role="provincial_admin")
    admin.password_hash = generate_password_hash(password)
    store.add(admin)
    db.session.commit()
    return email, password, True


def seed_demo_event() -> tuple[Event, bool]:
    """Publish the demo training a week ahead in Kabupaten Banjar, once."""
    event = store.get_event(DEMO_EVENT_ID)
    if event is not None:
        return event, False
    day = (utcnow().astimezone(WITA) + timedelta(days=7)).date()
    data = {
        "title": "Pelatihan Perpustakaan Berbasis Inklusi Sosial",
        "description": "Pelatihan bagi pengelola perpustakaan desa dan kader PKK: layanan perpustakaan yang "
        "melibatkan masyarakat untuk meningkatkan kesejahteraan.",
        "speakers": "Tim Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan",
        "target_audience": "Pengelola perpustakaan desa, kader PKK, masyarakat umum",
        "kabupaten_code": "63.03",
        "venue": "Aula Dispersip Kabupaten Banjar, Martapura",
        "starts_at": datetime.combine(day, time(8, 30), WITA),
        "ends_at": datetime.combine(day, time(15, 0), WITA),
        "capacity": 55,
        "publish": True,
    }
    admin = store.get_staff_by_email(current_app.config["ADMIN_EMAIL"])
    return service.create_event({**data, "id": DEMO_EVENT_ID}, admin.claims()), True
