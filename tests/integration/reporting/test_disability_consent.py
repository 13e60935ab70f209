"""Reporting counts a disability only with the person's statistics consent, and "prefer not to say" on its own:
registration's real registration.created messages, handed to reporting's consumer."""

from datetime import timedelta

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import OutboxMessage
from services.reporting import service
from services.reporting.figures import Scope
from services.reporting.suppression import suppress
from shared.messaging.names import EventNames
from shared.timeutil import to_local, utcnow
from tests.factories import make_registration_body
from tests.integration.registration.test_api import create_event
from tests.integration.reporting.conftest import feed


def announced(app) -> list[dict]:
    """What registration announced about the event and its registrations, in order."""
    wanted = (EventNames.EVENT_PUBLISHED, EventNames.REGISTRATION_CREATED)
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type.in_(wanted)).order_by("seq"))
        return [row.envelope for row in rows]


def test_without_the_statistics_consent_a_disability_is_not_counted_and_prefer_not_to_say_is_its_own_row(
    registration, reporting, auth
):
    client = registration.test_client()
    event = create_event(client, auth)
    url = f"/api/v1/events/{event['id']}/registrations"
    people = [  # (disability answered, statistics consent)
        ("sensory", True),
        ("physical", True),
        ("sensory", False),  # not counted as a disability: reporting is told "prefer not to say"
        ("none", False),  # nor as none
        ("prefer_not_to_say", True),
        ("none", True),
    ]
    for n, (disability, statistics) in enumerate(people):
        consents = {"training": True, "messages": True, "statistics": statistics}
        body = make_registration_body(email=f"peserta{n}@contoh.id", disability=disability, consents=consents)
        assert client.post(url, json=body).status_code == 201

    assert set(feed(reporting, announced(registration))) == {"processed"}
    with reporting.app_context():
        today = to_local(utcnow()).date()
        figures = service.compute_figures(Scope(today, today + timedelta(days=30)))
    rows = {row.key: row.registered for row in figures.breakdowns["disability"]}
    assert rows == {
        "none": 1,
        "physical": 1,
        "intellectual": 0,
        "mental": 0,
        "sensory": 1,
        "prefer_not_to_say": 3,
    }
    assert figures.registrations == 6 and figures.disability_registered == 2
    shared = {row.key: row.registered for row in suppress(figures).breakdowns["disability"]}
    assert "none" not in shared and shared["prefer_not_to_say"] == 3
