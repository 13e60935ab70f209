""" "Data saya" and erasure, person by person, for people a cadre registered with her own contact: the code goes to
the cadre's email saying whom it is for, opens that one person's data, and erasing one person leaves the others
(and the cadre's contact on their registrations) as they were.

Registration, notifications and reporting run together in this process (test_my_data.Bus); mails go to the real SMTP
sink.
"""

import re

import pytest
import sqlalchemy as sa

from services.notifications.extensions import db as notifications_db
from services.notifications.models import Recipient
from services.registration import mydata
from services.registration import service as registration_service
from services.registration.extensions import db as registration_db
from services.registration.models import Registration
from services.reporting.extensions import db as reporting_db
from tests.factories import make_event_body
from tests.integration.notifications.conftest import run_beat
from tests.integration.notifications.test_my_data import Bus
from tests.integration.registration.test_group_form import group_fields, hidden
from tests.integration.retention import leftovers

CADRE_EMAIL = "rina.pkk@contoh.id"


@pytest.fixture
def world(make_registration_app, make_app, reporting, smtp_server):
    registration = make_registration_app(WTF_CSRF_ENABLED=False)
    notifications = make_app()
    client = registration.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    event = client.post("/api/v1/events", json=make_event_body(capacity=5), headers=headers).json
    fields = group_fields(
        ["Siti Aminah", "Mariam"],
        registrant_phone="",
        registrant_email=CADRE_EMAIL,
        registrant_channel="email",
    )
    form = client.get(f"/acara/{event['id']}/daftar-orang-lain")
    assert client.post(f"/acara/{event['id']}/daftar-orang-lain", data=hidden(form.text) | fields).status_code == 303
    bus = Bus(registration, notifications, reporting)
    bus()
    run_beat(notifications)
    bus()
    with registration.app_context():
        ids = {
            row.full_name: row.id
            for row in registration_db.session.scalars(
                sa.select(Registration).where(Registration.event_id == event["id"])
            )
        }
    return {"registration": registration, "notifications": notifications, "reporting": reporting, "client": client,
            "bus": bus, "event": event, "ids": ids, "smtp": smtp_server}  # fmt: skip


def test_each_confirmation_goes_to_the_cadres_email_saying_whom_it_is_for(world):
    subjects = sorted(mail.subject for mail in world["smtp"].mails_to(CADRE_EMAIL))
    assert subjects == [
        "Untuk Mariam: Pendaftaran terkonfirmasi: Pelatihan Pengelolaan Perpustakaan Desa",
        "Untuk Siti Aminah: Pendaftaran terkonfirmasi: Pelatihan Pengelolaan Perpustakaan Desa",
    ]


def test_the_cadres_email_and_a_name_get_a_code_that_opens_that_persons_data_only(world):
    client, event_id = world["client"], world["event"]["id"]
    asked = client.post("/data-saya", data={"event_id": event_id, "contact": CADRE_EMAIL, "for_name": "siti aminah"})
    assert asked.status_code == 200 and 'name="for_name" value="siti aminah"' in asked.text
    world["bus"]()
    run_beat(world["notifications"])
    (mail,) = [m for m in world["smtp"].mails_to(CADRE_EMAIL) if "Pendaftaran terkonfirmasi" not in m.subject]
    assert mail.subject.startswith("Untuk Siti Aminah:")
    code = re.search(r"\b(\d{6})\b", mail.text()).group(1)
    data = {"event_id": event_id, "contact": CADRE_EMAIL, "for_name": "siti aminah", "code": code}
    opened = client.post("/data-saya/kode", data=data)
    assert opened.status_code == 303
    page = client.get(opened.headers["Location"]).text
    assert "Siti Aminah" in page and "Mariam" not in page
    assert "Didaftarkan oleh" in page and "diberikan langsung kepada Rina Kader PKK" in page


def test_erasing_one_person_leaves_nothing_of_her_and_the_others_as_they_were(world):
    client = world["client"]
    siti, mariam = world["ids"]["Siti Aminah"], world["ids"]["Mariam"]
    with world["registration"].app_context():
        page = "/data-saya/" + registration_service.sign(mydata.MY_DATA, siti)
    assert client.post(page + "/hapus").status_code == 200
    world["bus"]()
    run_beat(world["notifications"])
    world["bus"]()
    for app, db in (
        (world["registration"], registration_db),
        (world["notifications"], notifications_db),
        (world["reporting"], reporting_db),
    ):
        with app.app_context():
            assert leftovers(db, ["Siti Aminah", "siti aminah"]) == []
    with world["registration"].app_context():
        row = registration_db.session.get(Registration, siti)
        assert (row.registered_by, row.contact_for, row.contact_email) == (None, "", None)
        other = registration_db.session.get(Registration, mariam)
        assert (other.full_name, other.contact_email, other.registered_by) == ("Mariam", CADRE_EMAIL, "Rina Kader PKK")
    with world["notifications"].app_context():
        assert notifications_db.session.get(Recipient, siti).contact_name is None
        assert notifications_db.session.get(Recipient, mariam).contact_name == "Rina Kader PKK"


def test_a_name_correction_keeps_the_shared_contact_and_a_phone_of_her_own_ends_it(world):
    client, siti = world["client"], world["ids"]["Siti Aminah"]
    with world["registration"].app_context():
        page = "/data-saya/" + registration_service.sign(mydata.MY_DATA, siti)
    form = client.get(page + "/ubah").text
    assert 'name="phone" value=""' in form  # her own phone: none yet (the cadre's is not hers to change)
    answers = {"gender": "female", "age_group": "46_55", "disability": "none", "preferred_channel": "email"}
    assert client.post(page + "/ubah", data=answers | {"full_name": "Siti Aminah Rahmah"}).status_code == 303
    with world["registration"].app_context():
        row = registration_db.session.get(Registration, siti)
        assert (row.contact_email, row.contact_for) == (CADRE_EMAIL, "siti aminah rahmah")
    world["bus"]()
    with world["notifications"].app_context():
        recipient = notifications_db.session.get(Recipient, siti)
        assert (recipient.email, recipient.contact_name) == (CADRE_EMAIL, "Rina Kader PKK")

    own = answers | {"full_name": "Siti Aminah Rahmah", "email": "siti.rahmah@contoh.id"}
    assert client.post(page + "/ubah", data=own).status_code == 303
    with world["registration"].app_context():
        row = registration_db.session.get(Registration, siti)
        assert (row.email, row.contact_email, row.contact_for) == ("siti.rahmah@contoh.id", None, "")
    world["bus"]()
    with world["notifications"].app_context():
        recipient = notifications_db.session.get(Recipient, siti)
        assert (recipient.email, recipient.contact_name) == ("siti.rahmah@contoh.id", None)
