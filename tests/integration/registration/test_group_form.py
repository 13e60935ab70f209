"""Registering someone else ("daftarkan orang lain"): a PKK cadre registers several people in one sitting, without
JavaScript; each gets their own seat or waitlist place in the order written, their own codes, and consent recorded as
given in person to the cadre. Those without a phone are reached through the cadre's, "for" them."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.registration import notices, retention
from services.registration.extensions import db
from services.registration.models import OutboxMessage, Registration
from tests.factories import make_event_body
from tests.integration.registration.test_public_form import hidden, staff_event, submit
from tests.integration.registration.test_retention import OLD_START, PURGE_AT, new_event, staff_header

CADRE_PHONE = "+6281234567890"


def event_with(registration, auth, capacity: int, waitlist: bool = True) -> str:
    body = make_event_body(capacity=capacity) | {"waitlist_enabled": waitlist}
    return registration.test_client().post("/api/v1/events", json=body, headers=auth).json["id"]


def person(index: int, name: str, **overrides) -> dict:
    fields = {
        "full_name": name,
        "phone": "",
        "email": "",
        "kabupaten_code": "63.03",
        "kecamatan_code": "63.03.05",
        "desa_code": "63.03.05.2009",
        "gender": "female",
        "age_group": "46_55",
        "disability": "none",
        "accessibility_needs": "",
        "participant_type": "public",
        "institution": "PKK Desa Sungai Tabuk",
        "consent_training": "ya",
        "consent_messages": "ya",
    } | overrides
    return {f"p{index}-{key}": value for key, value in fields.items() if value is not None}


def group_fields(names: list[str], **registrant) -> dict:
    fields = {
        "registrant_name": "Rina Kader PKK",
        "registrant_phone": "0812-3456-7890",
        "registrant_email": "",
        "registrant_channel": "whatsapp",
        "registrant_declaration": "ya",
        "notice_version": notices.CURRENT,
        "website": "",
        "people": str(len(names)),
    } | registrant
    for index, name in enumerate(names):
        fields |= person(index, name)
    return fields


def submit_group(client, event_id: str, fields: dict):
    page = client.get(f"/acara/{event_id}/daftar-orang-lain")
    assert page.status_code == 200
    return client.post(f"/acara/{event_id}/daftar-orang-lain", data=hidden(page.text) | fields)


def rows(app, event_id: str) -> list[Registration]:
    with app.app_context():
        query = sa.select(Registration).where(Registration.event_id == event_id).order_by(Registration.registered_at)
        found = db.session.scalars(query).all()  # their consents come with them (selectin)
        db.session.expunge_all()
        return found


def created_payloads(app) -> list[dict]:
    with app.app_context():
        query = sa.select(OutboxMessage).where(OutboxMessage.type == "registration.created")
        return [row.envelope["payload"] for row in db.session.scalars(query)]


def test_a_cadre_registers_three_people_without_javascript_and_sees_each_code(registration, auth):
    event_id = event_with(registration, auth, capacity=5)
    client = registration.test_client()
    page = client.get(f"/acara/{event_id}")
    assert f"/acara/{event_id}/daftar-orang-lain" in page.text  # reached from the event page
    form = client.get(f"/acara/{event_id}/daftar-orang-lain")
    assert "<script" not in form.text and 'name="p0-full_name"' in form.text and 'name="p1-full_name"' not in form.text

    # "Tambah orang" shows the form again with one more block; what was typed stays, the new one starts in the
    # previous person's village
    typed = hidden(form.text) | group_fields(["Siti Aminah"]) | {"add": "1"}
    more = client.post(f"/acara/{event_id}/daftar-orang-lain", data=typed)
    assert more.status_code == 200
    assert 'value="Siti Aminah"' in more.text and 'name="p1-full_name"' in more.text
    assert re.search(r'<option value="63\.03\.05\.2009" selected>', more.text.split('id="p1-title"')[1])

    fields = group_fields(["Siti Aminah", "Mariam", "Abdul Gani"])
    fields |= {"p2-phone": "0813-5555-1212"}  # one has a phone of their own
    response = submit_group(client, event_id, fields)
    assert response.status_code == 303, re.findall(
        r'class="error-message" id="([^"]+)"><span[^>]*>[^<]*</span>([^<]*)', response.text
    )
    done = client.get(response.headers["Location"])
    assert done.status_code == 200
    people = rows(registration, event_id)
    assert [p.full_name for p in people] == ["Siti Aminah", "Mariam", "Abdul Gani"]
    for row in people:  # each their own code and cancel link, on the one page
        assert row.checkin_code in done.text
        assert row.status == "confirmed" and row.registered_by == "Rina Kader PKK"
    assert done.text.count("/batal") == 3 and done.text.count("/data-saya/") == 3
    assert "untuk Siti Aminah" in done.text  # the page says whose messages come to the cadre's phone

    # two without a phone share the cadre's; the one with a phone has their own
    assert [(p.phone, p.contact_phone, p.contact_for) for p in people] == [
        (None, CADRE_PHONE, "siti aminah"),
        (None, CADRE_PHONE, "mariam"),
        ("+6281355551212", None, ""),
    ]
    payloads = {p["full_name"]: p for p in created_payloads(registration)}
    assert payloads["Siti Aminah"]["contact_name"] == "Rina Kader PKK"
    assert payloads["Siti Aminah"]["phone"] == CADRE_PHONE
    assert payloads["Abdul Gani"].get("contact_name") is None  # their own phone: nothing changes for their messages


def test_consent_is_recorded_as_given_in_person_to_the_registrant_with_the_notice_version(registration, auth):
    event_id = event_with(registration, auth, capacity=5)
    fields = group_fields(["Siti Aminah", "Mariam"]) | {"p1-consent_statistics": "ya"}
    assert submit_group(registration.test_client(), event_id, fields).status_code == 303
    siti, mariam = rows(registration, event_id)
    assert {(c.purpose, c.notice_version, c.given_to_registrant) for c in siti.consents} == {
        ("training", notices.CURRENT, True),
        ("messages", notices.CURRENT, True),
    }
    assert {c.purpose for c in mariam.consents} == {"training", "messages", "statistics"}
    assert siti.registered_by == "Rina Kader PKK"

    # someone registering themselves gives their consent on the form: not "given to a registrant"
    assert submit(registration.test_client(), event_id, phone="0852-1111-2222").status_code == 303
    own = rows(registration, event_id)[-1]
    assert own.registered_by is None and not any(c.given_to_registrant for c in own.consents)


def test_an_eleventh_person_is_refused_with_a_clear_message_and_nothing_is_stored(registration, auth):
    event_id = event_with(registration, auth, capacity=20)
    client = registration.test_client()
    names = [f"Warga Nomor {n}" for n in range(1, 12)]
    response = submit_group(client, event_id, group_fields(names))
    assert response.status_code == 400
    assert "Paling banyak 10 orang dalam satu pendaftaran" in response.text
    assert rows(registration, event_id) == []
    # blocks beyond the count said are counted too: a forged count does not hide them
    forged = group_fields(names[:2]) | person(10, "Warga Kesebelas")
    assert submit_group(client, event_id, forged).status_code == 400
    # at ten, "Tambah orang" adds no eleventh block and says why
    ten = group_fields(names[:10]) | {"add": "1"}
    page = client.get(f"/acara/{event_id}/daftar-orang-lain")
    again = client.post(f"/acara/{event_id}/daftar-orang-lain", data=hidden(page.text) | ten)
    assert again.status_code == 400 and 'name="p10-full_name"' not in again.text
    assert "Paling banyak 10 orang" in again.text
    # ten is allowed
    assert submit_group(client, event_id, group_fields(names[:10])).status_code == 303
    assert len(rows(registration, event_id)) == 10


def test_mistakes_are_shown_at_each_persons_fields_and_nobody_is_registered(registration, auth):
    event_id = event_with(registration, auth, capacity=5)
    fields = group_fields(["Siti Aminah", "M"]) | {"p0-consent_training": "", "registrant_declaration": ""}
    fields |= {"p1-institution": "x" * 201, "p1-age_group": "99_100"}
    response = submit_group(registration.test_client(), event_id, fields)
    assert response.status_code == 400
    assert 'value="Siti Aminah"' in response.text  # what was typed stays
    for name in ("p0-consent_training", "p1-full_name", "p1-institution", "p1-age_group", "registrant_declaration"):
        assert f'id="error-{name}"' in response.text, name
    assert "Orang ke-2: Nama lengkap" in response.text  # the summary names the person
    assert rows(registration, event_id) == []
    # nobody without a phone can be reached when the registrant gives no contact either
    missing = group_fields(["Siti Aminah"], registrant_phone="")
    response = submit_group(registration.test_client(), event_id, missing)
    assert response.status_code == 400 and 'id="error-registrant_phone"' in response.text


def test_a_full_event_puts_the_rest_on_the_waitlist_in_the_order_written(registration, auth):
    event_id = event_with(registration, auth, capacity=2)
    names = ["Satu", "Dua", "Tiga", "Empat"]
    response = submit_group(registration.test_client(), event_id, group_fields(names))
    assert response.status_code == 303
    people = rows(registration, event_id)
    assert [(p.full_name, p.status) for p in people] == [
        ("Satu", "confirmed"),
        ("Dua", "confirmed"),
        ("Tiga", "waitlisted"),
        ("Empat", "waitlisted"),
    ]
    assert people[2].waitlist_seq < people[3].waitlist_seq
    done = registration.test_client().get(response.headers["Location"]).text
    assert "urutan ke-1" in done and "urutan ke-2" in done


def test_without_a_waitlist_the_people_past_the_last_seat_are_told_they_were_not_registered(registration, auth):
    event_id = event_with(registration, auth, capacity=1, waitlist=False)
    response = submit_group(registration.test_client(), event_id, group_fields(["Satu", "Dua"]))
    assert response.status_code == 303
    assert [p.full_name for p in rows(registration, event_id)] == ["Satu"]
    done = registration.test_client().get(response.headers["Location"]).text
    assert "Tidak terdaftar: kursi sudah penuh" in done


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)  # the unique constraints of both stores
def test_the_same_name_on_the_same_contact_is_a_duplicate_and_gets_its_confirmation_again(registration, auth):
    event_id = event_with(registration, auth, capacity=10)
    client = registration.test_client()
    assert submit_group(client, event_id, group_fields(["Siti Aminah"])).status_code == 303
    # the same cadre again, the name written differently: the same person; a new name on that phone is not
    response = submit_group(client, event_id, group_fields(["SITI  aminah", "Mariam"]))
    assert response.status_code == 303
    assert [p.full_name for p in rows(registration, event_id)] == ["Siti Aminah", "Mariam"]
    done = client.get(response.headers["Location"]).text
    assert "Sudah terdaftar untuk acara ini" in done and "SITI" not in done
    with registration.app_context():
        query = sa.select(OutboxMessage).where(OutboxMessage.type == "registration.confirmation_requested")
        assert len(db.session.scalars(query).all()) == 0  # paced: the first confirmation went moments ago
    # another cadre's "Siti Aminah" on another phone is someone else
    other = group_fields(["Siti Aminah"], registrant_phone="0821-9999-0000", registrant_name="Bu Hasnah")
    assert submit_group(client, event_id, other).status_code == 303
    assert len(rows(registration, event_id)) == 3
    # a person registering themselves with the cadre's phone is not a duplicate of those the cadre registered
    assert submit(client, event_id, phone="0812-3456-7890").status_code == 303
    # and the cadre's own phone, given as a person's own, is one registration as always
    again = group_fields(["Rina Kader PKK"]) | {"p0-phone": "0812-3456-7890"}
    response = submit_group(client, event_id, again)
    assert "Sudah terdaftar untuk acara ini" in client.get(response.headers["Location"]).text
    assert len(rows(registration, event_id)) == 4


def test_a_group_counts_against_the_form_rate_limit_once_per_person(make_registration_app):
    app = make_registration_app(REGISTRATION_FORM_RATE_LIMIT="5 per minute")
    event_id, client = staff_event(app), app.test_client()  # make_event_body: 30 seats
    assert submit_group(client, event_id, group_fields(["Satu", "Dua", "Tiga"])).status_code == 303
    refused = submit_group(client, event_id, group_fields(["Empat", "Lima", "Enam"]))
    assert refused.status_code == 429  # 3 + 3 people is over 5, though it is only the second submission
    assert len(rows(app, event_id)) == 3


def test_a_lost_session_gives_the_group_form_back_as_typed_to_send_again(registration, auth):
    event_id = event_with(registration, auth, capacity=5)
    fields = group_fields(["Siti Aminah", "Mariam"])  # no CSRF token: as after the browser was closed
    response = registration.test_client().post(f"/acara/{event_id}/daftar-orang-lain", data=fields)
    assert response.status_code == 400
    assert "perlu dikirim sekali lagi" in response.text
    assert 'value="Siti Aminah"' in response.text and 'value="Mariam"' in response.text
    assert rows(registration, event_id) == []


def test_nasty_input_gets_a_refusal_never_a_server_error(registration, auth):
    event_id = event_with(registration, auth, capacity=5)
    client = registration.test_client()
    nasty = [
        {"people": "abc"},
        {"people": "99999999"},
        {"people": "-1"},
        {"p999999-full_name": "x"},
        {"p1234567-full_name": "x"},
        {"p0-full_name": "x" * 5000, "p0-accessibility_needs": "y" * 5000},
        {"registrant_name": "\u0000\u202e", "registrant_phone": "+99 not a phone", "registrant_channel": "pigeon"},
        {"notice_version": "1999-01-01"},
        {"refresh": "p0-kecamatan", "p0-kabupaten_code": "../../etc", "p0-kecamatan_code": "63.03.05"},
        {"add": "1", "people": "10"},
        {"remove": "1", "people": "1"},
    ]
    for overrides in nasty:
        response = submit_group(client, event_id, group_fields(["Siti Aminah"]) | overrides)
        assert response.status_code < 500, overrides
    assert client.get("/pendaftaran-kelompok/forged.token").status_code == 404
    assert client.get(f"/pendaftaran-kelompok/{'x' * 5000}").status_code == 404
    assert client.get("/acara/not-an-event/daftar-orang-lain").status_code == 404


def test_a_bot_filling_the_hidden_field_is_thanked_and_nobody_is_stored(registration, auth):
    event_id = event_with(registration, auth, capacity=5)
    fields = group_fields(["Siti Aminah", "Mariam"]) | {"website": "https://spam.example"}
    response = submit_group(registration.test_client(), event_id, fields)
    assert response.status_code == 303 and response.headers["Location"].endswith("/terima-kasih")
    assert rows(registration, event_id) == []


def test_a_year_after_the_event_the_registrant_and_the_shared_contact_are_gone_with_the_name(
    registration, time_machine
):
    time_machine.move_to(OLD_START - timedelta(days=30))
    client = registration.test_client()
    event_id = new_event(client, staff_header(client), OLD_START)
    assert submit_group(client, event_id, group_fields(["Siti Aminah"])).status_code == 303
    time_machine.move_to(PURGE_AT)
    with registration.app_context():
        assert retention.purge_old_data()["registrations_anonymised"] == 1
    (row,) = rows(registration, event_id)
    assert (row.full_name, row.registered_by, row.contact_phone, row.contact_email, row.contact_for) == (
        None, None, None, None, "")  # fmt: skip
    assert all(consent.given_to_registrant for consent in row.consents)  # how consent was given: no one named
