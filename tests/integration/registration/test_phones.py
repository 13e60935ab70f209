"""The form reads phone numbers with the shared rule and says plainly when texts cannot reach one."""

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import Registration
from tests.integration.registration.test_public_form import form_fields, hidden, staff_event, submit


def phones_stored(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Registration.phone)))


def test_a_landline_for_whatsapp_is_refused_beside_the_phone_field(registration):
    event_id, client = staff_event(registration), registration.test_client()
    page = submit(client, event_id, phone="(0511) 3252123", preferred_channel="whatsapp")
    assert page.status_code == 400
    assert 'id="error-phone"' in page.text and "nomor telepon rumah/kantor" in page.text
    assert 'value="(0511) 3252123"' in page.text  # kept as typed, to fix
    assert phones_stored(registration) == []


def test_a_foreign_number_for_sms_is_refused_in_the_readers_language(registration):
    event_id, client = staff_event(registration), registration.test_client()
    page = submit(client, event_id, phone="+60 12-345 6789", preferred_channel="sms")
    assert page.status_code == 400 and "hanya dikirim ke nomor HP Indonesia" in page.text
    page = client.post(
        f"/acara/{event_id}/daftar?lang=en",
        data=dict(re_fields(client, event_id), phone="+60 12-345 6789", preferred_channel="sms"),
    )
    assert page.status_code == 400 and "Indonesian mobile numbers only" in page.text


def re_fields(client, event_id: str) -> dict:
    """The form's fields with the hidden ones of a page shown in English."""
    return form_fields(**hidden(client.get(f"/acara/{event_id}/daftar?lang=en").text))


def test_the_country_code_without_a_plus_is_the_same_mobile_and_a_landline_is_kept_for_email(registration):
    event_id, client = staff_event(registration), registration.test_client()
    assert submit(client, event_id, phone="62812 3456 7890").status_code == 303
    assert submit(client, event_id, phone="+62 0812-3456-7890").status_code == 200  # the same person: "already"
    email = {"phone": "0511-3252123", "email": "siti@contoh.id", "preferred_channel": "email"}
    assert submit(client, event_id, **email).status_code == 303
    assert sorted(phones_stored(registration)) == ["+625113252123", "+6281234567890"]
