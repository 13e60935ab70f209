"""Consent that means something: one box per purpose, each stored with the privacy notice version it was given
under; old consents keep their version (and its text stays readable); the required ones are refused clearly."""

import sqlalchemy as sa

from services.registration import mydata, notices, service
from services.registration.extensions import db
from services.registration.models import Consent, OutboxMessage, Registration
from tests.factories import make_registration_body
from tests.integration.registration.test_api import create_event
from tests.integration.registration.test_public_form import form_fields, hidden, submit

CURRENT = notices.CURRENT


def consents_of(app, email: str | None = None, phone: str | None = None) -> dict[str, str]:
    """{purpose: notice version} of the registration with that email or phone."""
    with app.app_context():
        which = Registration.email == email if email else Registration.phone == phone
        registration = db.session.scalar(sa.select(Registration).where(which))
        return {c.purpose: c.notice_version for c in registration.consents}


def created_disability(app, registration_id: str) -> str:
    """The disability registration.created told the other services (reporting counts it)."""
    with app.app_context():
        for row in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type == "registration.created")):
            if row.envelope["payload"]["registration_id"] == registration_id:
                return row.envelope["payload"]["disability"]
    raise AssertionError("no registration.created")


def test_the_form_records_each_consent_separately_with_the_notice_version_shown(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth)
    page = client.get(f"/acara/{event['id']}/daftar")
    assert f'name="notice_version" value="{CURRENT}"' in page.text
    assert f'href="/privasi/{CURRENT}"' in page.text
    for name in ("consent_training", "consent_messages", "consent_statistics"):
        assert f'id="field-{name}" name="{name}" value="ya">' in page.text  # each its own box, none ticked
    assert "Tidak ingin menjawab" in page.text  # the disability question can be declined

    ticked = submit(client, event["id"], phone="0812-1111-2222", consent_statistics="ya", disability="sensory")
    assert ticked.status_code == 303
    assert consents_of(registration, phone="+6281211112222") == dict.fromkeys(notices.PURPOSES, CURRENT)
    left_out = submit(client, event["id"], phone="0812-3333-4444", disability="sensory")
    assert left_out.status_code == 303
    assert consents_of(registration, phone="+6281233334444") == {"training": CURRENT, "messages": CURRENT}

    with registration.app_context():
        stored = {r.phone: r for r in db.session.scalars(sa.select(Registration))}
        assert stored["+6281233334444"].disability == "sensory"  # kept for the organisers to prepare the day
        ids = {phone: r.id for phone, r in stored.items()}
    assert created_disability(registration, ids["+6281211112222"]) == "sensory"
    assert created_disability(registration, ids["+6281233334444"]) == "prefer_not_to_say"

    confirmation = client.get(ticked.headers["Location"])
    assert f'href="/privasi/{CURRENT}"' in confirmation.text and "Statistik (jawaban disabilitas)" in confirmation.text


def test_a_missing_required_consent_is_refused_beside_its_box_in_indonesian_and_english(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth)
    url = f"/acara/{event['id']}/daftar"
    response = client.post(url, data=form_fields(**hidden(client.get(url).text), consent_messages=""))
    assert response.status_code == 400
    assert 'id="error-consent_messages"' in response.text and 'href="#field-consent_messages"' in response.text
    assert "Centang persetujuan menerima pesan lewat saluran yang Anda pilih" in response.text
    assert 'id="error-consent_training"' not in response.text
    neither = client.post(url, data=form_fields(**hidden(response.text), consent_training="", consent_messages=""))
    assert 'id="error-consent_training"' in neither.text and 'id="error-consent_messages"' in neither.text

    url_en = url + "?lang=en"
    english = client.post(url_en, data=form_fields(**hidden(client.get(url_en).text), consent_training=""))
    assert english.status_code == 400
    assert "Tick the consent to processing for the training to register." in english.text
    with registration.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_the_api_records_each_consent_with_its_version_and_refuses_what_is_missing(registration, auth):
    client = registration.test_client()
    event = create_event(client, auth)
    url = f"/api/v1/events/{event['id']}/registrations"
    consents = {"training": True, "messages": True, "statistics": False}
    body = make_registration_body(email="sari@contoh.id", consents=consents, notice_version=CURRENT)
    assert client.post(url, json=body).status_code == 201
    assert consents_of(registration, email="sari@contoh.id") == {"training": CURRENT, "messages": CURRENT}

    refused = client.post(
        url, json=make_registration_body(consents={"training": True}), headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 422
    assert list(refused.json["errors"]["json"]["consents"]) == ["messages"]
    neither = client.post(url, json=make_registration_body(consents={}))
    assert set(neither.json["errors"]["json"]["consents"]) == {"training", "messages"}
    unknown = client.post(url, json=make_registration_body(notice_version="2020-01-01"))
    assert unknown.status_code == 422 and "notice_version" in unknown.json["errors"]["json"]
    without = make_registration_body()
    del without["notice_version"]
    assert client.post(url, json=without).status_code == 422


def test_an_older_api_client_sending_one_consent_box_gets_training_and_messages_under_the_legacy_notice(
    registration, auth
):
    client = registration.test_client()
    event = create_event(client, auth)
    body = make_registration_body(email="lama@contoh.id", consent=True, disability="physical")
    del body["consents"], body["notice_version"]
    response = client.post(f"/api/v1/events/{event['id']}/registrations", json=body)
    assert response.status_code == 201
    assert consents_of(registration, email="lama@contoh.id") == {"training": "legacy", "messages": "legacy"}
    assert created_disability(registration, response.json["id"]) == "prefer_not_to_say"


def test_a_changed_notice_leaves_old_consents_with_theirs_and_the_old_text_readable(registration, auth, monkeypatch):
    client = registration.test_client()
    event = create_event(client, auth)
    url = f"/api/v1/events/{event['id']}/registrations"
    assert client.post(url, json=make_registration_body(email="dulu@contoh.id")).status_code == 201

    newer = notices.Notice("2027-06-01", {"id": ("Pemberitahuan privasi", [("Baru", ["Teks yang diubah."])])})
    monkeypatch.setitem(notices.NOTICES, newer.version, newer)
    monkeypatch.setattr(notices, "CURRENT", newer.version)
    later = make_registration_body(email="kini@contoh.id", notice_version=newer.version)
    assert client.post(url, json=later).status_code == 201

    assert set(consents_of(registration, email="dulu@contoh.id").values()) == {CURRENT}
    assert set(consents_of(registration, email="kini@contoh.id").values()) == {newer.version}
    assert "Teks yang diubah." in client.get("/privasi").text
    old = client.get(f"/privasi/{CURRENT}")
    assert old.status_code == 200 and "Zenziva" in old.text and "Teks yang diubah." not in old.text
    assert 'href="/privasi"' in old.text  # points to the newer one
    assert "tidak dibagikan kepada pihak lain" in client.get("/privasi/legacy").text  # as people saw it then
    assert client.get("/privasi/1999-01-01").status_code == 404
    # the person's own page links the version they were shown, which still reads as it did
    with registration.app_context():
        earlier = db.session.scalar(sa.select(Registration).where(Registration.email == "dulu@contoh.id"))
        page = client.get("/data-saya/" + service.sign(mydata.MY_DATA, earlier.id)).text
    assert f'href="/privasi/{CURRENT}"' in page and f'href="/privasi/{newer.version}"' not in page


def test_the_notice_names_controller_processors_retention_and_rights_in_both_languages(make_registration_app):
    app = make_registration_app(PERSONAL_DATA_RETENTION_DAYS=180.0)
    client = app.test_client()
    indonesian, english = client.get("/privasi").text, client.get("/privasi?lang=en").text
    for text in (indonesian, english):
        for name in ("Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan", "Zenziva", "Twilio", "Meta"):
            assert name in text
        assert "180" in text and 'name="viewport"' in text
    assert "Hak Anda" in indonesian and "Your rights" in english
    # where to exercise them: "Data saya", at once for most, within 3 x 24 hours where staff must decide
    assert "Data saya" in indonesian and "menarik persetujuan" in indonesian and "3 × 24 jam" in indonesian
    assert "withdraw the statistics or reminders consent" in english and "3 × 24 hours" in english
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0
