"""Data requests that need a person: stored with a due time of 3 x 24 hours, listed for staff (scoped by kabupaten),
closed with an outcome the participant is sent by their channel; an agreed erasure runs once they were told.

Registration, notifications and reporting run together in this process (the Bus of test_my_data); mails go to the
real SMTP sink.
"""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from services.notifications.extensions import db as notifications_db
from services.notifications.models import Recipient
from services.registration import mydata
from services.registration import service as registration_service
from services.registration.extensions import db as registration_db
from services.registration.models import AuditEntry, DataRequest, Registration, Staff
from tests.factories import make_event_body, make_registration_body
from tests.integration.notifications.conftest import run_beat
from tests.integration.notifications.test_my_data import Bus
from tests.integration.registration.test_audit import admin_id, exposure, window
from tests.integration.registration.test_staff_pages import add_regency_organiser, csrf, sign_in
from tests.integration.retention import leftovers

EKA = {"full_name": "Eka Wulandari", "phone": "0813-7171-4040", "email": "eka.wulandari@contoh.id"}
FAJAR = {"full_name": "Fajar Nugroho", "phone": "0813-8181-5050", "email": "fajar.nugroho@contoh.id"}


@pytest.fixture
def world(make_registration_app, make_app, reporting, auth, smtp_server):
    registration = make_registration_app(WTF_CSRF_ENABLED=False)
    notifications = make_app()
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    url = f"/api/v1/events/{event['id']}/registrations"
    people = {name: client.post(url, json=make_registration_body(**person)).json
              for name, person in (("eka", EKA), ("fajar", FAJAR))}  # fmt: skip
    bus = Bus(registration, notifications, reporting)
    bus()
    run_beat(notifications)
    bus()
    starts = datetime.fromisoformat(event["starts_at"])
    return {"registration": registration, "notifications": notifications, "client": client, "bus": bus,
            "event": event, "people": people, "smtp": smtp_server, "starts": starts}  # fmt: skip


def page_of(world, name: str) -> str:
    with world["registration"].app_context():
        return "/data-saya/" + registration_service.sign(mydata.MY_DATA, world["people"][name]["id"])


def check_in(world, name: str) -> None:
    with world["registration"].app_context():
        admin = registration_db.session.scalars(sa.select(Staff).where(Staff.role == "provincial_admin")).first()
        registration_service.check_in(world["people"][name]["id"], admin.claims())


def staff(world, email="admin@pelita.local", password="rahasia-admin"):
    client = world["registration"].test_client()
    sign_in(client, email, password)
    return client


def requests_in_store(world) -> list[DataRequest]:
    with world["registration"].app_context():
        rows = registration_db.session.scalars(sa.select(DataRequest).order_by(DataRequest.id)).all()
        registration_db.session.expunge_all()
        return rows


def close(client, request_id: int, outcome: str, answer: str):
    form = client.get(f"/staf/permintaan-data/{request_id}")
    data = {"outcome": outcome, "answer": answer, "csrf_token": csrf(form.text)}
    return client.post(f"/staf/permintaan-data/{request_id}", data=data)


def test_a_new_name_after_check_in_waits_for_staff_who_see_it_due_then_overdue_and_the_person_is_told(world):
    with time_machine.travel(world["starts"] + timedelta(minutes=30), tick=False) as clock:
        check_in(world, "eka")
        form = {"full_name": "Eka Wulandari Putri", "phone": EKA["phone"], "email": EKA["email"],
                "preferred_channel": "email", "gender": "female", "age_group": "26_35", "disability": "none",
                "institution": "Perpustakaan Desa Pematang"}  # fmt: skip
        corrected = world["client"].post(page_of(world, "eka") + "/ubah", data=form)
        assert corrected.status_code == 303
        page = world["client"].get(corrected.headers["Location"])
        assert "diperiksa petugas" in page.text and "Perpustakaan Desa Pematang" in page.text  # the rest at once
        [asked] = requests_in_store(world)
        assert (asked.kind, asked.details) == ("name_correction", "Eka Wulandari Putri")
        assert asked.due_at - asked.received_at == timedelta(hours=72)
        with world["registration"].app_context():
            assert registration_db.session.get(Registration, asked.registration_id).full_name == "Eka Wulandari"
        world["bus"]()

        admin = staff(world)
        listed = admin.get("/staf/permintaan-data")
        assert listed.status_code == 200 and "Perbaikan nama setelah hadir" in listed.text
        assert "Terlambat" not in listed.text
        add_regency_organiser(world["registration"], "63.06")  # the event is in 63.03
        organiser = staff(world, "org@contoh.id", "pw-org")
        assert "Perbaikan nama" not in organiser.get("/staf/permintaan-data").text
        assert organiser.get(f"/staf/permintaan-data/{asked.id}").status_code == 403
        assert close(organiser, asked.id, "done", "").status_code in (400, 403)

        clock.shift(timedelta(hours=73))
        admin = staff(world)  # a fresh sign-in three days on
        assert "Terlambat" in admin.get("/staf/permintaan-data").text
        assert close(admin, asked.id, "refused", "").status_code == 400  # a refusal needs its reason
        assert close(admin, asked.id, "done", "Nama di sertifikat juga kami ganti.").status_code == 303
        assert set(world["bus"]()) >= {"registration.corrected", "registration.request_answered"}
        run_beat(world["notifications"])
        world["bus"]()
    with world["registration"].app_context():
        assert registration_db.session.get(Registration, asked.registration_id).full_name == "Eka Wulandari Putri"
        actions = registration_db.session.scalars(sa.select(AuditEntry.action)).all()
        assert {"data_request.name_correction", "data_requests.list", "data_request.view"} <= set(actions)
        assert "data_request.close_done" in actions
    [answer] = [m for m in world["smtp"].mails_to(EKA["email"]) if "permintaan data" in m.subject.lower()]
    assert "sudah kami penuhi" in answer.text() and "sertifikat juga kami ganti" in answer.text()
    assert not [m for m in world["smtp"].mails_to(FAJAR["email"]) if "permintaan data" in m.subject.lower()]
    assert close(staff(world), asked.id, "refused", "lagi").status_code == 303  # closed once only
    assert world["bus"]() == []


def test_an_erasure_during_the_event_waits_for_staff_and_runs_once_the_person_is_told(world):
    with time_machine.travel(world["starts"] + timedelta(hours=1), tick=False):
        page = page_of(world, "fajar")
        assert "diperiksa petugas" in world["client"].get(page + "/hapus").text
        received = world["client"].post(page + "/hapus")
        assert received.status_code == 200 and "sudah kami terima" in received.text
        assert world["bus"]() == []  # nothing erased yet
        assert "Fajar Nugroho" in world["client"].get(page).text
        [asked] = requests_in_store(world)
        assert asked.kind == "erasure"

        assert close(staff(world), asked.id, "done", "").status_code == 303
        assert world["bus"]() == ["registration.request_answered"]
        with world["registration"].app_context():  # still there: the answer has not gone yet
            assert registration_db.session.get(Registration, asked.registration_id).full_name == "Fajar Nugroho"
        run_beat(world["notifications"])
        handed = world["bus"]()  # notification.delivered -> registration erases -> registration.erased
        assert "registration.erased" in handed
        [answer] = [m for m in world["smtp"].mails_to(FAJAR["email"]) if "permintaan data" in m.subject.lower()]
        assert "pesan terakhir" in answer.text()
    for app, db in ((world["registration"], registration_db), (world["notifications"], notifications_db)):
        with app.app_context():
            assert leftovers(db, ["Fajar Nugroho", FAJAR["email"], "+6281381815050"]) == []
    with world["notifications"].app_context():
        assert notifications_db.session.get(Recipient, asked.registration_id).full_name is None
    assert [r.carried_out_at is not None for r in requests_in_store(world)] == [True]


def test_a_request_in_the_persons_own_words_is_answered_by_staff_with_a_refusal_and_its_reason(world):
    page = page_of(world, "eka")
    assert world["client"].post(page + "/permintaan", data={"details": ""}).status_code == 400
    assert world["client"].post(page + "/permintaan", data={"details": "x" * 1001}).status_code == 400
    hidden = world["client"].post(page + "/permintaan", data={"details": "Hapus\u202e data saya"})
    assert hidden.status_code == 400 and "tersembunyi" in hidden.text
    assert world["client"].post(page + "/permintaan", data={"details": "x" * 100_000}).status_code == 400
    text = "Mohon jelaskan untuk apa data disabilitas saya dipakai."
    assert world["client"].post(page + "/permintaan", data={"details": text}).status_code == 200
    [asked] = requests_in_store(world)
    admin = staff(world)
    assert text in admin.get(f"/staf/permintaan-data/{asked.id}").text
    reason = "Data disabilitas hanya dipakai panitia untuk menyiapkan pendampingan."
    assert close(admin, asked.id, "refused", reason).status_code == 303
    world["bus"]()
    run_beat(world["notifications"])
    world["bus"]()
    [answer] = [m for m in world["smtp"].mails_to(EKA["email"]) if "permintaan data" in m.subject.lower()]
    assert reason in answer.text() and "tidak dapat kami penuhi" in answer.text()
    with world["registration"].app_context():
        assert registration_db.session.get(Registration, asked.registration_id).full_name == "Eka Wulandari"


def test_opening_a_persons_request_counts_as_seeing_them_in_the_breach_list(world):
    """If the admin's account were stolen, the controller's list (`flask audit exposure`) must show that it opened
    Eka's request (her name, what she asked), and not that it opened Fajar's."""
    page = page_of(world, "eka")
    assert world["client"].post(page + "/permintaan", data={"details": "Apakah foto saya disimpan?"}).status_code == 200
    [asked] = requests_in_store(world)
    admin = staff(world)
    assert admin.get(f"/staf/permintaan-data/{asked.id}").status_code == 200
    since, until = window()
    rows = exposure(world["registration"], "--staff-id", str(admin_id(world["registration"])), "--since", since,
                    "--until", until)  # fmt: skip
    viewed = {row["registration_id"]: row["viewed"] for row in rows}
    assert viewed == {world["people"]["eka"]["id"]: "ya", world["people"]["fajar"]["id"]: ""}
