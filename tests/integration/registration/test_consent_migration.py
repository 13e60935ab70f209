"""Registrations made before consents were separate stay readable: their one consent becomes "training" under the
"legacy" notice, at the time it was given (and a downgrade puts that time back)."""

import flask_migrate
import pytest
import sqlalchemy as sa

from services.registration import service
from services.registration.extensions import db
from tests.factories import make_registration_body
from tests.integration.registration.test_api import create_event

BEFORE = "e7b2c4d9a1f0"  # the revision before consents had their own table


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_the_old_single_consent_becomes_a_legacy_training_consent(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth)
    response = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body())
    assert response.status_code == 201
    with registration.app_context():
        db.session.remove()
        flask_migrate.downgrade(revision=BEFORE)
        consent_at = db.session.execute(sa.text("SELECT consent_at FROM registrations")).scalar_one()
        assert consent_at is not None
        db.session.remove()
        flask_migrate.upgrade()
        rows = db.session.execute(sa.text("SELECT registration_id, purpose, notice_version FROM consents")).all()
        db.session.remove()
    assert [tuple(row) for row in rows] == [(response.json["id"], "training", "legacy")]
    assert "/privasi/legacy" in client.get(confirmation_url(registration, response.json["id"])).text


def confirmation_url(app, registration_id: str) -> str:
    with app.test_request_context():
        return "/pendaftaran/" + service.sign(service.PAGE, registration_id)
