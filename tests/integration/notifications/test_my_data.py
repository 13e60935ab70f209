""" "Data saya": a participant sees, downloads, corrects and erases their own data, and nobody else's.

Registration, notifications and reporting run together in this process: what each outbox holds is handed to every
subscriber as its handle_event task would be (withheld fields dropped, as the relay does); mails go to the real
SMTP sink.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from services.notifications import service as notifications_service
from services.notifications.extensions import db as notifications_db
from services.notifications.models import Notification, Recipient
from services.notifications.models import OutboxMessage as NotificationsOutbox
from services.registration import mydata, rights
from services.registration import service as registration_service
from services.registration.extensions import db as registration_db
from services.registration.models import AuditEntry, OutboxMessage, Registration
from services.reporting import service as reporting_service
from services.reporting.extensions import db as reporting_db
from services.reporting.models import OutboxMessage as ReportingOutbox
from services.reporting.models import RegistrationFact
from shared.messaging.names import TaskNames
from shared.messaging.publisher import for_subscriber
from shared.messaging.routing import SUBSCRIBERS
from tests.factories import make_event_body, make_registration_body
from tests.integration.notifications.conftest import rows, run_beat
from tests.integration.registration.test_staff_pages import sign_in
from tests.integration.retention import leftovers

AISYAH = {"full_name": "Nur Aisyah Putri", "email": "nur.aisyah@contoh.id", "phone": "0813-2222-7777"}
BUDI = {"full_name": "Budi Santoso", "email": "budi.santoso@contoh.id", "phone": "0813-4444-5555"}
SECRETS = ["Nur Aisyah Putri", "nur.aisyah@contoh.id", "+6281322227777", "81322227777"]


class Bus:
    """Hand every service's outbox to its subscribers, in order, each message once; until nothing new is left."""

    def __init__(self, registration, notifications, reporting) -> None:
        self.apps = {
            TaskNames.REGISTRATION_HANDLE_EVENT: (registration, registration_db, OutboxMessage, registration_service),
            TaskNames.NOTIFICATIONS_HANDLE_EVENT: (
                notifications,
                notifications_db,
                NotificationsOutbox,
                notifications_service,
            ),
            TaskNames.REPORTING_HANDLE_EVENT: (reporting, reporting_db, ReportingOutbox, reporting_service),
        }
        self.done: set[str] = set()

    def __call__(self) -> list[str]:
        handed = []
        while True:
            new = [envelope for envelope in self._envelopes() if envelope["id"] not in self.done]
            if not new:
                return handed
            for envelope in new:
                self.done.add(envelope["id"])
                handed.append(envelope["type"])
                for task in SUBSCRIBERS.get(envelope["type"], ()):
                    app, _db, _outbox, service = self.apps[task]
                    with app.app_context():
                        assert service.handle_event(for_subscriber(envelope, task)) in ("processed", "ignored")

    def _envelopes(self) -> list[dict]:
        found = []
        for app, db, outbox, _service in self.apps.values():
            with app.app_context():
                found += list(db.session.scalars(sa.select(outbox.envelope).order_by(outbox.seq)))
        return found


@pytest.fixture
def world(make_registration_app, make_app, reporting, auth, smtp_server):
    registration = make_registration_app(WTF_CSRF_ENABLED=False)
    notifications = make_app()
    client = registration.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    event = client.post("/api/v1/events", json=make_event_body(capacity=1), headers=headers).json
    url = f"/api/v1/events/{event['id']}/registrations"
    people = {}
    for name, person in (("aisyah", AISYAH), ("budi", BUDI)):  # Budi comes second: the waitlist
        people[name] = client.post(url, json=make_registration_body(**person)).json
    bus = Bus(registration, notifications, reporting)
    bus()
    run_beat(notifications)  # the confirmation and the waitlist mail go; their notification.delivered too
    bus()
    return {
        "registration": registration,
        "notifications": notifications,
        "reporting": reporting,
        "client": client,
        "bus": bus,
        "event": event,
        "people": people,
        "smtp": smtp_server,
    }


def ask_code(world, contact: str):
    return world["client"].post("/data-saya", data={"event_id": world["event"]["id"], "contact": contact})


def code_sent_to(world, email: str) -> list[str]:
    return [re.search(r"\b(\d{6})\b", mail.text()).group(1) for mail in world["smtp"].mails_to(email)
            if "Data saya" in mail.text() or "6 angka" in mail.text() or "Kode" in mail.subject]  # fmt: skip


def enter(world, contact: str, code: str):
    data = {"event_id": world["event"]["id"], "contact": contact, "code": code}
    return world["client"].post("/data-saya/kode", data=data)


def page_of(world, name: str) -> str:
    with world["registration"].app_context():
        return "/data-saya/" + registration_service.sign(mydata.MY_DATA, world["people"][name]["id"])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_a_code_goes_once_to_the_stored_contact_opens_that_registration_only_once_and_expires(world):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        asked = ask_code(world, "NUR.AISYAH@contoh.id")
        unknown = ask_code(world, "nobody@contoh.id")
        assert asked.status_code == unknown.status_code == 200
        # the same answer whether or not the address is registered (but for the address typed, carried along)
        assert asked.text.replace("NUR.AISYAH@contoh.id", "@") == unknown.text.replace("nobody@contoh.id", "@")
        ask_code(world, "0813 2222 7777")  # asked again within the minute (by phone): no second code
        world["bus"]()
        run_beat(world["notifications"])
        [code] = code_sent_to(world, AISYAH["email"])
        assert not code_sent_to(world, BUDI["email"])

        assert enter(world, BUDI["email"], code).status_code == 400  # bound to Aisyah's registration
        opened = enter(world, AISYAH["email"], code)
        assert opened.status_code == 303
        page = world["client"].get(opened.headers["Location"])
        assert "Nur Aisyah Putri" in page.text and "Budi" not in page.text and "budi.santoso" not in page.text
        assert enter(world, AISYAH["email"], code).status_code == 400  # once only

        clock.shift(timedelta(minutes=2))
        ask_code(world, AISYAH["phone"])
        world["bus"]()
        run_beat(world["notifications"])
        fresh = code_sent_to(world, AISYAH["email"])[-1]
        clock.shift(timedelta(minutes=11))
        assert enter(world, AISYAH["email"], fresh).status_code == 400  # expired after 10 minutes


def test_wrong_codes_stop_the_code_working(world):
    ask_code(world, AISYAH["email"])
    world["bus"]()
    run_beat(world["notifications"])
    [code] = code_sent_to(world, AISYAH["email"])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(mydata.CODE_ATTEMPTS):
        assert enter(world, AISYAH["email"], wrong).status_code == 400
    assert enter(world, AISYAH["email"], code).status_code == 400


def test_a_signed_page_shows_one_person_and_a_forged_one_nothing(world):
    client = world["client"]
    page = client.get(page_of(world, "budi"))
    assert page.status_code == 200 and "Budi Santoso" in page.text and "Aisyah" not in page.text
    assert "Unduh data saya" in page.text and "Download my data" in client.get(page_of(world, "budi") + "?lang=en").text
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get(page_of(world, "budi") + "x").status_code == 404
    with world["registration"].app_context():  # a cancel link is not a "Data saya" link
        cancel = registration_service.sign(registration_service.CANCEL, world["people"]["budi"]["id"])
    assert client.get(f"/data-saya/{cancel}").status_code == 404
    # the link in every message opens the cancel page, and "Data saya" is one step on from there
    link = re.search(r'href="[^"]*(/data-saya/[^"]+)"', client.get(f"/r/{cancel}/batal").text).group(1)
    assert "Budi Santoso" in client.get(link).text


def test_the_json_download_has_the_registration_and_the_messages_sent(world):
    download = world["client"].get(page_of(world, "aisyah") + "/unduh")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    data = download.json
    registration = data["registration"]
    assert (registration["full_name"], registration["email"], registration["phone"]) == (
        "Nur Aisyah Putri",
        "nur.aisyah@contoh.id",
        "+6281322227777",
    )
    assert registration["institution"] == "TP PKK Desa Sungai Tabuk" and registration["status"] == "confirmed"
    assert registration["checkin_code"] and {c["purpose"] for c in registration["consents"]} >= {"training", "messages"}
    assert data["event"]["id"] == world["event"]["id"]
    assert [(m["purpose"], m["channel"], m["status"]) for m in data["messages"]] == [
        ("confirmation", "email", "delivered")
    ]
    assert "Budi" not in download.text
    assert data["elsewhere"]["reporting"]


def test_a_correction_reaches_notifications_and_reporting(world):
    form = {
        "full_name": "Nur Aisyah Putri Rahman",
        "phone": "0813-2222-7777",
        "email": "aisyah.baru@contoh.id",
        "preferred_channel": "email",
        "gender": "female",
        "age_group": "36_45",
        "disability": "sensory",
        "accessibility_needs": "Cetakan huruf besar",
        "institution": "Perpustakaan Desa Sungai Tabuk",
    }
    corrected = world["client"].post(page_of(world, "aisyah") + "/ubah", data=form)
    assert corrected.status_code == 303
    assert world["bus"]().count("registration.corrected") == 1
    aisyah = world["people"]["aisyah"]["id"]
    with world["notifications"].app_context():
        recipient = notifications_db.session.get(Recipient, aisyah)
        assert (recipient.full_name, recipient.email) == ("Nur Aisyah Putri Rahman", "aisyah.baru@contoh.id")
        pending = notifications_db.session.scalars(
            sa.select(Notification).where(Notification.registration_id == aisyah, Notification.status == "pending")
        ).all()
        assert pending and all(row.to == "aisyah.baru@contoh.id" for row in pending)  # the reminders
        assert all("Nur Aisyah Putri Rahman" in row.body for row in pending)
    with world["reporting"].app_context():
        with world["registration"].app_context():
            key = registration_service.pseudonym(aisyah)
        fact = reporting_db.session.get(RegistrationFact, key)
        assert (fact.age_group, fact.disability) == ("36_45", "sensory")
    page = world["client"].get(page_of(world, "aisyah"))
    assert "Cetakan huruf besar" in page.text

    with world["registration"].app_context():  # the request is in the trail, against her registration
        rows = registration_db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_id == aisyah)).all()
        assert [(row.action, row.staff_id) for row in rows if row.action == "data_subject.correct"] == [
            ("data_subject.correct", None)
        ]
    bad = world["client"].post(page_of(world, "aisyah") + "/ubah", data=form | {"email": "bukan-email", "phone": ""})
    assert bad.status_code == 400  # said on the form; nothing changed, nothing sent
    assert world["bus"]() == []


def figures(world) -> list[tuple]:
    with world["reporting"].app_context():
        rows = reporting_db.session.execute(
            sa.select(RegistrationFact.gender, RegistrationFact.age_group, RegistrationFact.participant_type)
        ).all()
        return sorted(tuple(row) for row in rows)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_erasure_leaves_no_name_phone_or_email_anywhere_and_counts_unchanged(world):
    before = figures(world)
    client, aisyah = world["client"], world["people"]["aisyah"]["id"]
    with world["registration"].app_context():
        checkin_code = registration_db.session.get(Registration, aisyah).checkin_code
    assert "daftar tunggu" in client.get(page_of(world, "aisyah") + "/hapus").text  # asked first, says what happens
    page = page_of(world, "aisyah")
    assert client.post(page + "/hapus").status_code == 200
    handed = world["bus"]()
    assert "registration.erased" in handed and "registration.promoted" in handed  # Budi gets the seat
    run_beat(world["notifications"])
    world["bus"]()

    mails = world["smtp"].mails_to(AISYAH["email"])
    assert [mail for mail in mails if "dibatalkan" in mail.subject.lower()] == []  # no cancellation notice
    for app, db in (
        (world["registration"], registration_db),
        (world["notifications"], notifications_db),
        (world["reporting"], reporting_db),
    ):
        with app.app_context():
            assert leftovers(db, [*SECRETS, checkin_code]) == []
    with world["registration"].app_context():
        assert registration_db.session.get(Registration, world["people"]["budi"]["id"]).status == "confirmed"
    assert figures(world) == before  # reporting still counts her, anonymously

    with world["registration"].app_context():  # the erasure is in the trail (ids only, no one's name)
        actions = registration_db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == aisyah))
        assert "data_subject.erase" in set(actions)
    assert client.get(page).status_code == 410  # the link shows nothing any more
    assert client.post(page + "/hapus").status_code == 410
    with world["registration"].app_context():
        assert rights.erase(aisyah) is False  # a second erasure changes nothing
    assert world["bus"]() == []
    with world["notifications"].app_context():  # a redelivered erasure is a duplicate: nothing happens twice
        envelope = next(e for e in world["bus"]._envelopes() if e["type"] == "registration.erased")
        assert notifications_service.handle_event(envelope) == "duplicate"


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # the production store, stricter than SQLite
def test_nasty_input_on_the_my_data_pages_gets_a_refusal_never_a_server_error(world):
    client, page = world["client"], page_of(world, "aisyah")
    nasty = ["", "x" * 5000, "' OR 1=1 --", "../../etc/passwd", "\u202e\u0000", "%00", "😀" * 300, "1e309"]
    for value in nasty:
        for path, data in (
            ("/data-saya", {"event_id": value, "contact": value}),
            ("/data-saya", {"event_id": world["event"]["id"], "contact": value}),
            ("/data-saya/kode", {"event_id": value, "contact": value, "code": value}),
            ("/data-saya/kode", {"event_id": world["event"]["id"], "contact": AISYAH["email"], "code": value}),
            (page + "/ubah", {"full_name": value, "phone": value, "email": value, "gender": value}),
        ):
            assert client.post(path, data=data).status_code < 500, (path, value)
        for suffix in ("", "/unduh", "/ubah", "/hapus"):
            assert client.get(f"/data-saya/{value or 'x'}{suffix}").status_code in (400, 404, 405, 410)
    assert world["bus"]() == []  # nothing corrected, no code sent
    assert "Nur Aisyah Putri" in client.get(page).text


def test_staff_reading_the_message_log_do_not_see_a_code(world):
    from tests.integration.notifications.test_staff_log import signed_in

    ask_code(world, AISYAH["email"])
    world["bus"]()
    run_beat(world["notifications"])
    [code] = code_sent_to(world, AISYAH["email"])
    [message] = rows(world["notifications"], purpose="access_code")
    page = signed_in(world["notifications"]).get(f"/staf/pesan/{message.id}")
    assert page.status_code == 200 and code not in page.text


def test_the_page_shows_who_handled_the_data_and_the_trail_records_each_request(world):
    """Staff opening the event's list shows on the person's page; their own look and download are in the trail."""
    registration = world["registration"]
    staff = registration.test_client()
    sign_in(staff)
    assert staff.get(f"/staf/acara/{world['event']['id']}").status_code == 200
    page = world["client"].get(page_of(world, "aisyah"))
    assert "petugas membuka daftar peserta acara ini" in page.text
    assert world["client"].get(page_of(world, "aisyah") + "/unduh").status_code == 200
    with registration.app_context():
        rows = registration_db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        mine = [row.action for row in rows if row.object_id == world["people"]["aisyah"]["id"]]
    assert mine == ["data_subject.access", "data_subject.download"]
    assert all(row.staff_id is None for row in rows if row.action.startswith("data_subject."))
