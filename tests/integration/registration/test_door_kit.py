"""The door kit's server side (docs/organiser.md, "Kit pintu"): the page, its service worker and manifest, the list
with its key, and the sync of what phones recorded at the door: idempotent by the phone's record id, a check-in from
two phones counted once, a walk-in for a full event on the waitlist, other kabupaten refused, bad input a 4xx."""

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa
import time_machine

from services.notifications import service as notifications_service
from services.notifications.extensions import db as notifications_db
from services.notifications.models import Notification
from services.registration.extensions import db
from services.registration.models import DoorRecord, Event, OutboxMessage, Registration
from shared.messaging.names import TaskNames
from shared.messaging.publisher import for_subscriber
from shared.timeutil import WITA
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_organiser import outbox
from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in

#: Tuesday 17 March 2026, 08:30-15:00 WITA in Kabupaten Banjar (63.03); people register a week ahead.
STARTS = datetime(2026, 3, 17, 8, 30, tzinfo=WITA)
BEFORE = datetime(2026, 3, 10, 9, 0, tzinfo=WITA)
AT_THE_DOOR = datetime(2026, 3, 17, 9, 10, tzinfo=WITA)


@pytest.fixture
def event(registration):
    """A published event of 2 seats: Siti and Budi confirmed, Ahmad waiting."""
    with time_machine.travel(BEFORE, tick=False):
        client = registration.test_client()
        token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
        auth = {"Authorization": f"Bearer {token.json['token']}"}
        body = make_event_body(title="Literasi Digital", capacity=2, starts_at=STARTS.isoformat(),
                               ends_at=STARTS.replace(hour=15, minute=0).isoformat())  # fmt: skip
        created = client.post("/api/v1/events", json=body, headers=auth).json
        people = {}
        for n, name in enumerate(("Siti Rahmah", "Budi Santoso", "Ahmad Fauzi")):
            body = make_registration_body(full_name=name, phone=f"0812-3456-780{n}", email=f"p{n}@contoh.id")
            people[name.split()[0]] = client.post(f"/api/v1/events/{created['id']}/registrations", json=body).json
    assert people["Ahmad"]["status"] == "waitlisted"
    return created | {"people": people}


class Phone:
    """One organiser's phone with the kit open: signed in, with the kit's list, key and CSRF token."""

    def __init__(self, app, event_id: str, email="admin@pelita.local", password="rahasia-admin") -> None:
        self.client = app.test_client()
        sign_in(self.client, email, password)
        self.base = f"/staf/acara/{event_id}/pintu"
        self.data = self.client.get(f"{self.base}/data").json

    def sync(self, *records: dict, **kwargs):
        headers = {"X-CSRFToken": self.data["csrf"]}
        return self.client.post(f"{self.base}/sinkron", json={"records": list(records)}, headers=headers, **kwargs)

    def outcomes(self, *records: dict) -> list[str]:
        response = self.sync(*records)
        assert response.status_code == 200, response.text
        return [result["outcome"] for result in response.json["results"]]


def check_in(registration_id: str, record_id: str | None = None) -> dict:
    return {"id": record_id or str(uuid.uuid4()), "kind": "check_in", "registration_id": registration_id,
            "made_at": AT_THE_DOOR.isoformat()}  # fmt: skip


def undo(registration_id: str, record_id: str | None = None) -> dict:
    return {"id": record_id or str(uuid.uuid4()), "kind": "undo", "registration_id": registration_id,
            "made_at": AT_THE_DOOR.isoformat()}  # fmt: skip


def walk_in(record_id: str | None = None, **person) -> dict:
    body = make_registration_body(full_name="Rina Walk", phone="0813-5000-1111", email=None,
                                  preferred_channel="whatsapp") | person  # fmt: skip
    return {"id": record_id or str(uuid.uuid4()), "kind": "walk_in", "person": body, "made_at": AT_THE_DOOR.isoformat()}


def rows(app, model, **where):
    with app.app_context():
        query = sa.select(model).filter_by(**where)
        found = list(db.session.scalars(query))
        for row in found:
            db.session.expunge(row)
        return found


def test_the_kit_page_worker_and_manifest_are_scoped_to_the_event(registration, event):
    with time_machine.travel(AT_THE_DOOR):
        phone = Phone(registration, event["id"])
        page = phone.client.get(f"{phone.base}/")
        assert page.status_code == 200
        assert f'rel="manifest" href="{phone.base}/manifest.webmanifest"' in page.text
        assert "Siti" not in page.text  # the page is kept for use without signal: nothing personal in it
        worker = phone.client.get(f"{phone.base}/sw.js")
        assert worker.mimetype == "text/javascript" and f"{phone.base}/" in worker.text
        manifest = phone.client.get(f"{phone.base}/manifest.webmanifest").json
        assert manifest["scope"] == f"{phone.base}/" and manifest["start_url"] == f"{phone.base}/"
        event_page = phone.client.get(f"/staf/acara/{event['id']}")
        assert f'href="{phone.base}/"' in event_page.text  # the event's page opens the kit


def test_the_list_comes_with_a_key_of_this_session_and_is_never_cached(registration, event):
    with time_machine.travel(AT_THE_DOOR):
        phone = Phone(registration, event["id"])
        response = phone.client.get(f"{phone.base}/data")
        assert response.headers["Cache-Control"] == "no-store"
        data = response.json
        assert sorted(p["name"] for p in data["people"]) == ["Ahmad Fauzi", "Budi Santoso", "Siti Rahmah"]
        assert {p["status"] for p in data["people"]} == {"confirmed", "waitlisted"}
        assert len(data["key"]) == 43  # 32 bytes, base64url
        assert data["wipe_at"] == "2026-03-18T00:00:00+08:00"  # midnight WITA after the event's day
        assert Phone(registration, event["id"]).data["key"] == data["key"]  # the same organiser, online again
        phone.client.post("/staf/keluar", data={"csrf_token": data["csrf"]})  # a sign-out ends the key
        assert Phone(registration, event["id"]).data["key"] != data["key"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_record_sent_twice_has_one_effect(registration, event):
    siti = event["people"]["Siti"]["id"]
    record = check_in(siti)
    with time_machine.travel(AT_THE_DOOR):
        phone = Phone(registration, event["id"])
        assert phone.outcomes(record) == ["checked_in"]
        assert phone.outcomes(record) == ["checked_in"]  # the retry after the signal came back: the same answer
    assert len(outbox(registration, "attendance.checked_in")) == 1
    assert len(rows(registration, DoorRecord, registration_id=siti)) == 1
    assert rows(registration, Registration, id=siti)[0].checked_in_at is not None


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_check_in_from_two_phones_counts_once(registration, event):
    budi = event["people"]["Budi"]["id"]
    with time_machine.travel(AT_THE_DOOR):
        first, second = Phone(registration, event["id"]), Phone(registration, event["id"])
        assert first.outcomes(check_in(budi)) == ["checked_in"]
        assert second.outcomes(check_in(budi)) == ["already_checked_in"]
    assert [p["registration_id"] for p in outbox(registration, "attendance.checked_in")] == [budi]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_mistaken_check_in_is_taken_back_once_and_only_within_the_undo_minutes(registration, event):
    """The organiser tapped Siti instead of Sinta: the kit's "Urungkan" sends an undo, which takes the check-in back
    as the list's button does (reporting is told which check-in it was), once however often it is sent, and not after
    CHECKIN_UNDO_MINUTES, when the check-in stands."""
    siti, budi = event["people"]["Siti"]["id"], event["people"]["Budi"]["id"]
    taken_back = undo(siti)
    with time_machine.travel(AT_THE_DOOR, tick=False):
        phone = Phone(registration, event["id"])
        assert phone.outcomes(check_in(siti), check_in(budi)) == ["checked_in", "checked_in"]
        assert phone.outcomes(taken_back) == ["undone"]
        assert phone.outcomes(taken_back) == ["undone"]  # the retry: the same answer, nothing more
        assert phone.outcomes(undo(siti)) == ["not_present"]  # a second phone's undo: nothing to take back
    assert rows(registration, Registration, id=siti)[0].checked_in_at is None
    undone = outbox(registration, "attendance.check_in_undone")
    assert [payload["registration_id"] for payload in undone] == [siti]
    with time_machine.travel(AT_THE_DOOR.replace(minute=59), tick=False):  # 49 minutes on: too late
        [result] = phone.sync(undo(budi)).json["results"]
        assert result["outcome"] == "refused" and "menit" in result["message"]
    assert rows(registration, Registration, id=budi)[0].checked_in_at is not None
    assert len(outbox(registration, "attendance.check_in_undone")) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_walk_in_for_a_full_event_goes_on_the_waitlist_and_takes_a_freed_seat(registration, event):
    with time_machine.travel(AT_THE_DOOR):
        phone = Phone(registration, event["id"])
        full = walk_in()
        response = phone.sync(full)
        result = response.json["results"][0]
        assert result["outcome"] == "waitlisted" and result["message"] == "Kursi penuh: masuk daftar tunggu."
        assert phone.sync(full).json["results"][0]["registration_id"] == result["registration_id"]  # once
        with registration.app_context():
            db.session.get(Event, event["id"]).capacity = 3  # one more chair: the next walk-in takes it
            db.session.commit()
        assert phone.outcomes(walk_in(full_name="Dewi Walk", phone="0813-5000-2222")) == ["seated"]
    walk_ins = rows(registration, Registration, event_id=event["id"], preferred_channel="whatsapp")
    assert sorted((r.full_name, r.status, r.checked_in_at is not None) for r in walk_ins) == [
        ("Dewi Walk", "confirmed", True),
        ("Rina Walk", "waitlisted", False),
    ]
    created = [p for p in outbox(registration, "registration.created") if p["full_name"].endswith("Walk")]
    assert [(p["full_name"], p["status"]) for p in created] == [("Rina Walk", "waitlisted"), ("Dewi Walk", "confirmed")]
    assert len(outbox(registration, "attendance.checked_in")) == 1


def test_a_walk_in_without_phone_or_email_is_seated_checked_in_and_sent_nothing(registration, notifications, event):
    """Pak Samsul came without a phone and has no email: the kit registers him all the same ("Tidak punya HP maupun
    email", and only the training consent, since no message can reach him), he takes the free seat and is recorded
    present, and notifications learns of him without planning a single message. The form and the API still want a
    contact; a record marked without contact but carrying a phone is refused."""
    with registration.app_context():
        db.session.get(Event, event["id"]).capacity = 3
        db.session.commit()
    samsul = walk_in(full_name="Samsul Arifin", phone=None, email=None, no_contact=True,
                     consents={"training": True, "messages": False})  # fmt: skip
    with time_machine.travel(AT_THE_DOOR):
        phone = Phone(registration, event["id"])
        [result] = phone.sync(samsul).json["results"]
        assert result["outcome"] == "seated", result
        contact_given = walk_in(full_name="Joko", no_contact=True, consents={"training": True})
        assert phone.outcomes(contact_given) == ["refused"]
        no_consent = walk_in(full_name="Joko", phone=None, email=None, no_contact=True, consents={"messages": True})
        assert phone.outcomes(no_consent) == ["refused"]
        body = make_registration_body(phone=None, email=None, no_contact=True)
        api = registration.test_client().post(f"/api/v1/events/{event['id']}/registrations", json=body)
        assert api.status_code == 422  # no_contact is the door kit's alone
        page = phone.client.get(f"/staf/acara/{event['id']}")  # the organiser's list shows him, without a contact
        assert page.status_code == 200 and "Samsul Arifin" in page.text
        sheet = phone.client.get(f"/staf/acara/{event['id']}/daftar-hadir.pdf")
        assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
        listed = phone.client.get(f"/staf/acara/{event['id']}/peserta.csv")
        assert listed.status_code == 200 and "Samsul Arifin" in listed.text
    [person] = rows(registration, Registration, full_name="Samsul Arifin")
    assert (person.phone, person.email, person.status) == (None, None, "confirmed")
    assert person.checked_in_at is not None
    with registration.app_context():
        assert [c.purpose for c in db.session.get(Registration, person.id).consents] == ["training"]
    [created] = [p for p in outbox(registration, "registration.created") if p["registration_id"] == person.id]
    assert (created["phone"], created["email"]) == (None, None)
    siti = event["people"]["Siti"]["id"]
    with notifications.app_context():
        task = TaskNames.NOTIFICATIONS_HANDLE_EVENT
        for envelope in outbox_envelopes(registration, "event.published", "registration.created"):
            assert notifications_service.handle_event(for_subscriber(envelope, task)) == "processed"

        def planned(who: str) -> list:
            return list(notifications_db.session.scalars(sa.select(Notification).filter_by(registration_id=who)))

        assert planned(siti)  # the same path plans Siti's confirmation, to her contact
        assert planned(person.id) == []  # nothing can reach him, and nothing fails trying


def outbox_envelopes(app, *event_types: str) -> list[dict]:
    with app.app_context():
        query = sa.select(OutboxMessage.envelope).where(OutboxMessage.type.in_(event_types)).order_by(OutboxMessage.seq)
        return list(db.session.scalars(query))


def test_a_walk_in_already_registered_is_caught_as_by_the_form(registration, event):
    with time_machine.travel(AT_THE_DOOR):
        phone = Phone(registration, event["id"])
        assert phone.outcomes(walk_in(full_name="Siti lagi", phone="0812-3456-7800")) == ["already_registered"]
        bad = phone.sync(walk_in(full_name="X", gender="unknown")).json["results"][0]
        assert bad["outcome"] == "refused" and "jenis kelamin" in bad["message"]
    assert len(rows(registration, Registration, event_id=event["id"])) == 3


def test_an_organiser_of_another_kabupaten_gets_nothing_and_changes_nothing(registration, event):
    add_regency_organiser(registration, "63.06")
    siti = event["people"]["Siti"]["id"]
    with time_machine.travel(AT_THE_DOOR):
        other = Phone(registration, event["id"], "org@contoh.id", "pw-org")
        assert other.data is None
        assert other.client.get(f"{other.base}/data").status_code in (403, 404)
        other.data = {"csrf": csrf(other.client.get("/staf/keluar").text)}  # a page of theirs with a form
        assert other.sync(check_in(siti), walk_in()).status_code in (403, 404)
    assert rows(registration, DoorRecord) == []
    assert rows(registration, Registration, id=siti)[0].checked_in_at is None


def test_bad_input_gets_a_4xx_and_changes_nothing(registration, event):
    siti = event["people"]["Siti"]["id"]
    with time_machine.travel(AT_THE_DOOR):
        phone = Phone(registration, event["id"])
        url, headers = f"{phone.base}/sinkron", {"X-CSRFToken": phone.data["csrf"]}
        post = phone.client.post
        assert post(url, data="records", headers=headers, content_type="application/json").status_code == 400
        assert post(url, data="a=b", headers=headers).status_code == 400
        assert post(url, json=[1, 2], headers=headers).status_code == 400
        assert post(url, json={"records": "x"}, headers=headers).status_code == 422
        assert phone.sync({"id": "not-a-uuid", "kind": "check_in", "registration_id": siti}).status_code == 422
        assert phone.sync({"id": str(uuid.uuid4()), "kind": "dance", "registration_id": siti}).status_code == 422
        assert phone.sync({"id": str(uuid.uuid4()), "kind": "check_in"}).status_code == 422
        assert phone.sync({"id": str(uuid.uuid4()), "kind": "undo"}).status_code == 422
        assert phone.sync(*[check_in(siti) for _ in range(101)]).status_code == 422
        huge = [walk_in(institution="x" * 5000) for _ in range(60)]  # past the request body limit
        assert phone.sync(*huge).status_code == 413
        assert post(url, json={"records": [check_in(siti)]}).status_code == 400  # no CSRF token
        elsewhere = phone.sync(check_in(str(uuid.uuid4()))).json["results"][0]
        assert elsewhere["outcome"] == "refused"
    assert rows(registration, DoorRecord) == []
    assert rows(registration, Registration, id=siti)[0].checked_in_at is None


def test_a_record_id_of_another_event_is_refused(registration, event):
    siti = event["people"]["Siti"]["id"]
    record = check_in(siti)
    with time_machine.travel(AT_THE_DOOR):
        phone = Phone(registration, event["id"])
        assert phone.outcomes(record) == ["checked_in"]
        client = registration.test_client()
        token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
        body = make_event_body(starts_at=STARTS.isoformat(), ends_at=STARTS.replace(hour=15).isoformat())
        other = client.post("/api/v1/events", json=body, headers={"Authorization": f"Bearer {token.json['token']}"})
        assert Phone(registration, other.json["id"]).outcomes(record) == ["refused"]


def test_the_door_records_go_with_an_erasure_and_with_the_retention_purge(registration, event):
    from services.registration import retention, rights

    siti, budi = event["people"]["Siti"]["id"], event["people"]["Budi"]["id"]
    with time_machine.travel(AT_THE_DOOR):
        assert Phone(registration, event["id"]).outcomes(check_in(siti), check_in(budi)) == ["checked_in"] * 2
    with registration.app_context():
        assert rights.erase(siti)
    assert [r.registration_id for r in rows(registration, DoorRecord)] == [budi]
    with time_machine.travel(datetime(2027, 4, 1, tzinfo=WITA)), registration.app_context():
        retention.purge_old_data()
    assert rows(registration, DoorRecord) == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_same_records_sent_at_once_from_two_requests_apply_once(registration, event):
    """A phone that retries while its first request is still on its way: both arrive together, one effect each."""
    from concurrent.futures import ThreadPoolExecutor

    records = [check_in(event["people"]["Siti"]["id"]), walk_in(full_name="Rina Bersamaan", phone="0813-5000-3333")]
    with time_machine.travel(AT_THE_DOOR):
        phones = [Phone(registration, event["id"]) for _ in range(2)]
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda phone: phone.sync(*records), phones))
    assert [a.status_code for a in answers] == [200, 200]
    assert {r["outcome"] for a in answers for r in a.json["results"]} == {"checked_in", "waitlisted"}
    assert len(rows(registration, DoorRecord)) == 2
    assert len(rows(registration, Registration, full_name="Rina Bersamaan")) == 1
    assert len(outbox(registration, "attendance.checked_in")) == 1
