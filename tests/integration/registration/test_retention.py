"""Retention in the registration store: a year after an event, its participants are only numbers in statistics."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from services.registration import requests, retention, service, store
from services.registration.extensions import db
from services.registration.models import DeadLetter, OutboxMessage, ProcessedMessage, Registration
from shared.messaging.names import TaskNames
from shared.staffauth import StaffClaims
from shared.timeutil import WITA
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_staff_pages import sign_in
from tests.integration.retention import leftovers, table_rows

NOTIFICATIONS, REPORTING = TaskNames.NOTIFICATIONS_HANDLE_EVENT, TaskNames.REPORTING_HANDLE_EVENT
#: The old event ends on 1 March 2030; a year and a bit later it is past the 365 days.
OLD_START = datetime(2030, 3, 1, 8, 30, tzinfo=WITA)
RECENT_START = datetime(2031, 4, 1, 8, 30, tzinfo=WITA)
PURGE_AT = datetime(2031, 3, 20, 2, 30, tzinfo=WITA)
ATTRIBUTES = ("event_id", "status", "kabupaten_code", "kecamatan_code", "desa_code", "gender", "age_group")
KEPT = (*ATTRIBUTES, "disability", "participant_type", "registered_at", "checked_in_at")


def staff_header(client) -> dict:
    """A bearer token issued now (the clock is moved, so the fixture's token would have expired)."""
    body = {"email": "admin@pelita.local", "password": "rahasia-admin"}
    return {"Authorization": f"Bearer {client.post('/api/v1/auth/token', json=body).json['token']}"}


def new_event(client, auth, start: datetime) -> str:
    body = make_event_body(starts_at=start.isoformat(), ends_at=(start + timedelta(hours=6)).isoformat())
    response = client.post("/api/v1/events", json=body, headers=auth)
    assert response.status_code == 201, response.json
    return response.json["id"]


def register(client, event_id: str, **overrides) -> dict:
    response = client.post(f"/api/v1/events/{event_id}/registrations", json=make_registration_body(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def personal(app, registration_ids: list[str]) -> list[str]:
    """Names, phones, emails, free text and codes of these registrations, and the links made from them."""
    with app.app_context():
        rows = db.session.scalars(sa.select(Registration).where(Registration.id.in_(registration_ids))).all()
        values = [v for r in rows for v in (r.full_name, r.phone, r.email, r.checkin_code, r.accessibility_needs)]
        envelopes = db.session.scalars(sa.select(OutboxMessage.envelope)).all()
        links = [
            e["payload"].get("cancel_url") for e in envelopes if e["payload"].get("registration_id") in registration_ids
        ]
    return [value for value in values + links if value]


#: Every table the purge changes, compared after a first and a second run.
PURGED_TABLES = ("registrations", "outbox", "dead_letters", "processed_messages", "data_requests", "message_history",
                 "access_codes", "audit_log")  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_year_after_the_event_its_participants_keep_only_what_the_statistics_count(registration, time_machine):
    time_machine.move_to(datetime(2030, 2, 1, 9, 0, tzinfo=WITA))
    client = registration.test_client()
    auth = staff_header(client)
    old_event, recent_event = new_event(client, auth, OLD_START), new_event(client, auth, RECENT_START)
    siti = register(client, old_event, full_name="Siti Rahmah", accessibility_needs="Kursi roda, pintu lebar")
    budi = register(client, old_event, full_name="Budi Santoso", gender="male", institution="SMPN 2 Martapura")
    time_machine.move_to(OLD_START + timedelta(hours=1))  # check-in is taken on the event's day
    with registration.app_context():
        service.check_in(siti["id"], StaffClaims(id=1, email="admin@pelita.local", role="provincial_admin"))
        # Siti asked, in her own words, about her data (a request a person answers): what she wrote goes too
        requests.open_request(store.get_registration(siti["id"]), "other", "Mohon hapus catatan kursi roda saya")
        for message_id in db.session.scalars(sa.select(OutboxMessage.message_id)):  # all delivered in 2030
            service.bus.ack(acks=[[message_id, NOTIFICATIONS], [message_id, REPORTING]])
        db.session.add(
            DeadLetter(message_id="x1", type="registration.created", reason="bad", body={"n": "Budi Santoso"})
        )
        db.session.add(ProcessedMessage(message_id="m1", type="event.published"))
        db.session.commit()
    old_secrets = personal(registration, [siti["id"], budi["id"]])
    old_secrets.append("Mohon hapus catatan kursi roda saya")
    assert {"Siti Rahmah", "Budi Santoso", "Kursi roda, pintu lebar"} <= set(old_secrets)

    time_machine.move_to(datetime(2031, 3, 10, 9, 0, tzinfo=WITA))  # a year on: a recent event, not yet delivered
    rina = register(client, recent_event, full_name="Rina Lestari", email="rina@contoh.id")
    with registration.app_context():
        before = {r["id"]: r for r in table_rows(db, "registrations")}
        waiting = db.session.scalars(sa.select(OutboxMessage.message_id).where(OutboxMessage.delivered_at.is_(None)))
        waiting = set(waiting)
    assert len(waiting) == 1  # Rina's registration.created, still awaited by its subscribers

    time_machine.move_to(PURGE_AT)
    with registration.app_context():
        first = retention.purge_old_data()
        after_first = {table: table_rows(db, table) for table in PURGED_TABLES}
        second = retention.purge_old_data()
        after_second = {table: table_rows(db, table) for table in PURGED_TABLES}
        kept_outbox = set(db.session.scalars(sa.select(OutboxMessage.message_id)))
        left = leftovers(db, old_secrets)

    assert first["registrations_anonymised"] == 2 and first["dead_letters"] == 1 and first["processed"] == 1
    assert first["outbox"] >= 4  # two events published, two registrations and a check-in, all delivered in 2030
    assert set(second.values()) == {0} and after_second == after_first  # the second run changes nothing
    assert kept_outbox == waiting  # the undelivered row stays, however the purge runs
    assert left == []  # searched in every column of every table
    after = {r["id"]: r for r in after_first["registrations"]}
    assert after[rina["id"]] == before[rina["id"]]  # the recent event is untouched
    for person in (siti, budi):
        old, new = before[person["id"]], after[person["id"]]
        assert {key: new[key] for key in KEPT} == {key: old[key] for key in KEPT}
        assert (new["full_name"], new["phone"], new["email"], new["checkin_code"]) == (None, None, None, None)
        assert (new["accessibility_needs"], new["institution"]) == ("", "")
    assert after[siti["id"]]["checked_in_at"] is not None  # attendance still counts

    staff = registration.test_client()
    sign_in(staff)
    page = staff.get(f"/staf/acara/{old_event}")
    assert (
        page.status_code == 200 and page.text.count("<td><strong>(dianonimkan setelah masa simpan)</strong></td>") == 2
    )
    assert "None" not in page.text and "Siti Rahmah" not in page.text
    export = staff.get(f"/staf/acara/{old_event}/peserta.csv")
    assert export.status_code == 200 and "Siti Rahmah" not in export.data.decode("utf-8-sig")


def test_the_purge_runs_from_beat_daily_and_by_hand(registration):
    schedule = registration.config["CELERY"]["beat_schedule"]["purge-old-data"]
    assert schedule["task"] == TaskNames.REGISTRATION_PURGE_OLD_DATA
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({18}, {30})  # 02.30 WITA
    result = registration.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "registrations_anonymised: 0" in result.output


def test_a_link_to_an_anonymised_registration_has_expired(registration, time_machine):
    time_machine.move_to(datetime(2030, 2, 1, 9, 0, tzinfo=WITA))
    client = registration.test_client()
    person = register(client, new_event(client, staff_header(client), OLD_START))
    with registration.app_context():
        links = [f"/pendaftaran/{service.sign(service.PAGE, person['id'])}", service.cancel_url(person["id"])]
    assert client.get(links[0]).status_code == 200
    time_machine.move_to(OLD_START + timedelta(days=2))  # within the links' half year
    registration.config["PERSONAL_DATA_RETENTION_DAYS"] = 1  # an organisation keeping data for a day only
    with registration.app_context():
        assert retention.purge_old_data()["registrations_anonymised"] == 1
    for link in links:
        response = client.get(link)
        assert response.status_code == 410 and "kedaluwarsa" in response.text
