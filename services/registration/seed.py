"""Seed data: Kalsel's areas (Kemendagri codes), the first admin, and the demo event (each added once)."""

import secrets
import uuid
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from services.registration import accounts, service, store
from services.registration.extensions import db
from services.registration.models import Event, Region
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


def seed_admin() -> tuple[str, str | None, bool]:
    """Create the provincial admin once; return (email, password, created).

    The password is ADMIN_PASSWORD, or else made up here and returned this once only (it is stored nowhere but as a
    hash): the command that created the admin prints it, and no later run can show it again.
    """
    email = current_app.config["ADMIN_EMAIL"]
    if store.get_staff_by_email(email) is not None:
        return email, None, False
    password = current_app.config.get("ADMIN_PASSWORD") or secrets.token_urlsafe(15)
    accounts.add_account(email, "Admin Dispersip Kalsel", "provincial_admin", None, password)
    db.session.commit()
    service.nudge()
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
