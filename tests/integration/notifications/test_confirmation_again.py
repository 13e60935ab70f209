"""A repeated registration re-sends the confirmation to the stored contact, paced; mail HTML links only Pelita.

The first test runs registration and notifications together in this process: what registration's outbox holds is
handed to notifications as its handle_event task would be, and mails go to the real SMTP sink.
"""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from services.notifications import service
from services.registration.extensions import db as registration_db
from services.registration.models import OutboxMessage, Registration
from shared.messaging.names import EventNames
from tests.factories import make_event_body, make_registration_body
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita

VICTIM = {"full_name": "Siti Rahmah", "email": "siti.rahmah@contoh.id", "phone": "0812-1111-2222"}


class Relay:
    """Hand registration's outbox to notifications in order, each message once (as the relay and the queue do)."""

    def __init__(self, registration, notifications) -> None:
        self.registration, self.notifications, self.done = registration, notifications, set()

    def envelopes(self) -> list[dict]:
        with self.registration.app_context():
            query = sa.select(OutboxMessage.envelope).order_by(OutboxMessage.seq)
            return list(registration_db.session.scalars(query))

    def __call__(self) -> list[str]:
        handed = []
        for envelope in self.envelopes():
            if envelope["id"] not in self.done:
                self.done.add(envelope["id"])
                with self.notifications.app_context():
                    service.handle_event(envelope)
                handed.append(envelope["type"])
        return handed


def test_someone_repeating_a_persons_email_gets_their_confirmation_resent_to_them_once_per_10_minutes(
    registration, auth, app, smtp_server
):
    relay, client = Relay(registration, app), registration.test_client()
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
        url = f"/api/v1/events/{event['id']}/registrations"
        assert client.post(url, json=make_registration_body(**VICTIM)).status_code == 201
        relay()
        run_beat(app)
        [first] = smtp_server.mails_to(VICTIM["email"])
        with registration.app_context():
            code = registration_db.session.scalar(sa.select(Registration.checkin_code))

        def attacker_tries(times: int) -> None:
            body = make_registration_body(full_name="Orang Lain", email=VICTIM["email"], phone="0813-9999-8888")
            for _ in range(times):
                assert client.post(url, json=body).status_code == 202
                clock.shift(timedelta(seconds=30))
            relay()
            run_beat(app)

        attacker_tries(5)  # within 10 minutes of the registration: its own confirmation was the one
        assert len(smtp_server.mails_to(VICTIM["email"])) == 1

        clock.shift(timedelta(minutes=10))
        attacker_tries(5)  # 2.5 minutes of tries: one confirmation again
        mails = smtp_server.mails_to(VICTIM["email"])
        assert len(mails) == 2
        assert mails[1].subject == first.subject and "Halo Siti Rahmah" in mails[1].text() and code in mails[1].text()
        assert "Orang Lain" not in mails[1].text()  # the stored registration's text, not the caller's
        assert not smtp_server.mails_to("6281399998888") and len(smtp_server.mailbox.mails()) == 2

        with app.app_context():  # a message delivered twice sends nothing more
            service.handle_event(relay.envelopes()[-1])
        run_beat(app)
        assert len(smtp_server.mails_to(VICTIM["email"])) == 2

        clock.shift(timedelta(minutes=10))
        attacker_tries(1)
        assert len(smtp_server.mails_to(VICTIM["email"])) == 3
    types = [envelope["type"] for envelope in relay.envelopes()]
    assert types.count(EventNames.REGISTRATION_CONFIRMATION_REQUESTED) == 2


def test_a_cancelled_registration_gets_no_confirmation_again(app, smtp_server):
    with time_machine.travel(wita(2026, 3, 10, 10, 0), tick=False):
        event = publish_event(app, wita(2026, 3, 17, 8, 30))
        person = register(app, event, email="batal@contoh.id")
        cancelled = {"registration_id": person["registration_id"], "event_id": event["event_id"]}
        deliver(
            app,
            EventNames.REGISTRATION_CANCELLED,
            cancelled | {"was_confirmed": True, "cancelled_at": "2026-03-10T02:00:00+00:00"},
        )
        run_beat(app)
        before = len(smtp_server.mails_to("batal@contoh.id"))
        deliver(
            app,
            EventNames.REGISTRATION_CONFIRMATION_REQUESTED,
            cancelled | {"requested_at": "2026-03-10T02:30:00+00:00"},
        )
        run_beat(app)
    assert len(smtp_server.mails_to("batal@contoh.id")) == before
    assert not [row for row in rows(app) if row.purpose == "confirmation" and "again" in row.idempotency_key]


def test_a_waitlisted_person_asked_again_gets_their_waitlist_message_again(app, smtp_server):
    with time_machine.travel(wita(2026, 3, 10, 10, 0), tick=False):
        event = publish_event(app, wita(2026, 3, 17, 8, 30))
        person = register(app, event, email="antri@contoh.id", status="waitlisted", waitlist_position=3)
        request = {"registration_id": person["registration_id"], "event_id": event["event_id"]}
        deliver(
            app, EventNames.REGISTRATION_CONFIRMATION_REQUESTED, request | {"requested_at": "2026-03-10T02:30:00+00:00"}
        )
        run_beat(app)
    mails = smtp_server.mails_to("antri@contoh.id")
    assert len(mails) == 2 and mails[0].subject == mails[1].subject and "3" in mails[1].text()


HREF = re.compile(r'<a\s[^>]*href="([^"]+)"')


def test_addresses_people_typed_never_become_links_in_the_mail_html(app, smtp_server):
    with time_machine.travel(wita(2026, 3, 10, 10, 0), tick=False):
        event = publish_event(
            app, wita(2026, 3, 17, 8, 30), title="Pelatihan di evil.example", venue="Aula www.venue.example"
        )
        register(app, event, email="a@contoh.id", full_name="Siti www.evil.example")
        register(app, event, email="b@contoh.id", full_name="Budi https://x.y/klik siti@evil.example")
        assert run_beat(app) == ["delivered", "delivered"]
    for address, typed in (
        ("a@contoh.id", ["www.evil.example"]),
        ("b@contoh.id", ["https://x.y", "siti@evil.example"]),
    ):
        [mail] = smtp_server.mails_to(address)
        html = mail.html().split("<body", 1)[1]  # the head's <title> is not shown
        hrefs = HREF.findall(html)
        assert hrefs and all(re.match(r"http://127\.0\.0\.1:800[123]/", href) for href in hrefs), hrefs
        text = re.sub(r"<[^>]+>", "", html)  # what a reader sees is still what they typed
        for value in [*typed, "evil.example", "www.venue.example"]:
            assert value in text
            assert value not in html  # never one run of text a mail client could link
        assert "evil.example" in mail.text()  # the plain-text part says what was typed, unchanged
