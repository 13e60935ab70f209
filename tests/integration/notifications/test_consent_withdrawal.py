""" "Data saya": a participant withdraws an optional consent, and the services act on it.

Registration, notifications and reporting run together in this process (the Bus of test_my_data hands each outbox
to its subscribers as the relay would, withheld fields dropped).
"""

import pytest
import sqlalchemy as sa

from services.notifications.extensions import db as notifications_db
from services.notifications.models import Notification, Recipient
from services.registration import mydata
from services.registration import service as registration_service
from services.registration.extensions import db as registration_db
from services.registration.models import AuditEntry, Consent, Registration
from services.reporting.extensions import db as reporting_db
from services.reporting.models import RegistrationFact
from tests.factories import CURRENT_NOTICE, make_event_body, make_registration_body
from tests.integration.notifications.test_my_data import Bus

CAHYA = {"full_name": "Cahya Ningrum", "phone": "0813-5151-2020", "email": "cahya.ningrum@contoh.id"}
DEWI = {"full_name": "Dewi Lestari", "phone": "0813-6161-3030", "email": None}


@pytest.fixture
def world(make_registration_app, make_app, reporting, auth, smtp_server):
    """Cahya (SMS, with an email) and Dewi (SMS only) registered, both with a disability and every consent."""
    registration = make_registration_app(WTF_CSRF_ENABLED=False)
    notifications = make_app()
    client = registration.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    event = client.post("/api/v1/events", json=make_event_body(), headers=headers).json
    url = f"/api/v1/events/{event['id']}/registrations"
    people = {}
    for name, person in (("cahya", CAHYA), ("dewi", DEWI)):
        body = make_registration_body(**person, preferred_channel="sms", disability="sensory")
        people[name] = client.post(url, json=body).json
        assert people[name]["status"] == "confirmed"
    bus = Bus(registration, notifications, reporting)
    bus()
    return {"registration": registration, "notifications": notifications, "reporting": reporting,
            "client": client, "bus": bus, "people": people}  # fmt: skip


def page_of(world, name: str) -> str:
    with world["registration"].app_context():
        return "/data-saya/" + registration_service.sign(mydata.MY_DATA, world["people"][name]["id"])


def counted(world) -> list[tuple]:
    """What reporting counts, person by person (no one's name in it)."""
    with world["reporting"].app_context():
        rows = reporting_db.session.execute(
            sa.select(RegistrationFact.status, RegistrationFact.gender, RegistrationFact.disability)
        ).all()
        return sorted(tuple(row) for row in rows)


def reminders(world, name: str) -> list[tuple[str, str]]:
    """(channel, status) of a person's reminders in notifications."""
    with world["notifications"].app_context():
        query = sa.select(Notification.channel, Notification.status).where(
            Notification.registration_id == world["people"][name]["id"], Notification.purpose == "reminder"
        )
        return sorted(tuple(row) for row in notifications_db.session.execute(query))


def test_withdrawing_the_statistics_consent_stops_the_disability_being_counted_and_keeps_the_totals(world):
    client, page = world["client"], page_of(world, "cahya")
    assert counted(world) == [("confirmed", "female", "sensory")] * 2
    shown = client.get(page)
    assert f"{page}/tarik/statistics" in shown.text  # offered on the page, next to the consent itself
    asked = client.get(page + "/tarik/statistics")
    assert asked.status_code == 200 and "tidak ingin menjawab" in asked.text  # says what happens, asks first
    assert world["bus"]() == []  # nothing done yet

    assert client.post(page + "/tarik/statistics").status_code == 303
    assert world["bus"]() == ["registration.consent_withdrawn"]
    # Cahya still counts as a participant; her disability now counts as not given
    assert counted(world) == [("confirmed", "female", "prefer_not_to_say"), ("confirmed", "female", "sensory")]

    with world["registration"].app_context():  # the consent stays readable as it was given, with its withdrawal
        consent = registration_db.session.scalar(
            sa.select(Consent).where(
                Consent.registration_id == world["people"]["cahya"]["id"], Consent.purpose == "statistics"
            )
        )
        assert consent.notice_version == CURRENT_NOTICE and consent.given_at < consent.withdrawn_at
        assert registration_db.session.get(Registration, consent.registration_id).disability == "sensory"  # kept
        actions = registration_db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.object_id == consent.registration_id)
        ).all()
        assert "data_subject.withdraw_statistics" in actions
    page_text = client.get(page).text
    assert "ditarik" in page_text and f"{page}/tarik/statistics" not in page_text
    [given] = [c for c in client.get(page + "/unduh").json["registration"]["consents"] if c["purpose"] == "statistics"]
    assert given["notice_version"] == CURRENT_NOTICE and given["withdrawn_at"]

    # a later correction does not bring the answer back into the statistics
    form = {"full_name": "Cahya Ningrum", "phone": CAHYA["phone"], "email": CAHYA["email"],
            "preferred_channel": "sms", "gender": "female", "age_group": "36_45", "disability": "physical"}  # fmt: skip
    assert client.post(page + "/ubah", data=form).status_code == 303
    assert world["bus"]() == ["registration.corrected"]
    assert counted(world) == [("confirmed", "female", "prefer_not_to_say"), ("confirmed", "female", "sensory")]

    assert client.post(page + "/tarik/statistics").status_code == 303  # a second time changes nothing
    assert world["bus"]() == []


def test_withdrawing_the_reminders_consent_moves_reminders_to_email_or_stops_them(world):
    client = world["client"]
    assert {channel for channel, _ in reminders(world, "cahya")} == {"sms"}
    before = counted(world)

    asked = client.get(page_of(world, "cahya") + "/tarik/messages")
    assert "SMS" in asked.text and "email" in asked.text  # says the reminders go to her email instead
    assert client.post(page_of(world, "cahya") + "/tarik/messages").status_code == 303
    assert client.post(page_of(world, "dewi") + "/tarik/messages").status_code == 303
    assert world["bus"]() == ["registration.consent_withdrawn"] * 2

    cahya = reminders(world, "cahya")
    assert {status for channel, status in cahya if channel == "sms"} == {"cancelled"}
    assert [status for channel, status in cahya if channel == "email"] == ["pending"] * (len(cahya) // 2)
    assert {status for _, status in reminders(world, "dewi")} == {"cancelled"}  # no email: no reminders at all
    with world["notifications"].app_context():
        pending = notifications_db.session.scalars(
            sa.select(Notification).where(Notification.status == "pending", Notification.purpose == "reminder")
        ).all()
        assert {row.to for row in pending} == {CAHYA["email"]}
        recipient = notifications_db.session.get(Recipient, world["people"]["dewi"]["id"])
        assert recipient.reminders_withdrawn_channel == "sms"
        confirmations = notifications_db.session.scalars(  # what is not a reminder still goes
            sa.select(Notification.status).where(Notification.purpose == "confirmation")
        ).all()
        assert set(confirmations) == {"pending"}
    assert counted(world) == before  # reporting counts no reminders consent

    with world["registration"].app_context():
        consents = registration_db.session.scalars(sa.select(Consent).where(Consent.purpose == "messages")).all()
        assert all(c.withdrawn_at is not None for c in consents)
        training = registration_db.session.scalars(sa.select(Consent).where(Consent.purpose == "training")).all()
        assert all(c.withdrawn_at is None for c in training)


def test_only_optional_consents_can_be_withdrawn_and_only_by_their_owner(world):
    client, page = world["client"], page_of(world, "cahya")
    assert client.get(page + "/tarik/training").status_code == 404
    assert client.post(page + "/tarik/training").status_code == 404
    assert client.post(page + "/tarik/" + "x" * 3000).status_code == 404
    assert client.post(page + "x/tarik/statistics").status_code == 404  # a forged link
    assert world["bus"]() == []
