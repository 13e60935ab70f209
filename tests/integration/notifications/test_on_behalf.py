"""Messages for someone registered by a cadre and without a phone of their own: they go to the cadre's phone or email
(registration.created carries it, with contact_name) and every one says whom it is for, on every channel and in both
languages; the cancel link and code stay that person's own."""

import pytest
import time_machine

from services.notifications import store
from services.notifications.content.sms import measure
from shared.messaging.names import EventNames
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita
from tests.integration.notifications.test_confirmations import WHATSAPP, WHATSAPP_OK

NOW = wita(2026, 3, 13, 10, 0)
START = wita(2026, 3, 17, 8, 30)
CADRE = {"phone": "+6281234567890", "email": None, "contact_name": "Rina Kader PKK"}


def for_siti(app, locale="id", channel="sms", **overrides) -> dict:
    event = publish_event(app, START, reminder_offsets_minutes=[])
    person = {"full_name": "Siti Aminah", "preferred_channel": channel, "locale": locale, "checkin_code": "KX7P2M9Q"}
    return register(app, event, **person | CADRE | overrides)


@pytest.mark.parametrize(("locale", "words"), [("id", "Untuk Siti Aminah:"), ("en", "For Siti Aminah:")])
def test_the_sms_for_a_person_without_a_phone_goes_to_the_registrants_phone_saying_for_whom(
    app, gateway, locale, words
):
    gateway.expect_request("/reguler/api/sendsms/").respond_with_json(
        {"messageId": "9", "to": "081234567890", "status": "1", "text": "Success"}
    )
    with time_machine.travel(NOW):
        for_siti(app, locale, cancel_url="https://pelita.dispersip.kalselprov.go.id/k/B7QW2MXK4N")
        assert run_beat(app) == ["sent"]
    form = gateway.log[0][0].form
    assert form["to"].lstrip("+").endswith("81234567890")  # the cadre's phone
    text = form["message"]
    assert text.startswith(words), text
    assert "KX7P2M9Q" in text and "/k/B7QW2MXK4N" in text  # Siti's own code and cancel link
    assert measure(text).segments <= 2


def test_a_long_name_still_fits_two_sms_parts(app, gateway):
    gateway.expect_request("/reguler/api/sendsms/").respond_with_json(
        {"messageId": "9", "to": "081234567890", "status": "1", "text": "Success"}
    )
    long_name = "Siti Nur\u2019aini Rahmawati Hidayatullah binti Haji Abdurrahman Al-Banjari"
    with time_machine.travel(NOW):
        for_siti(app, full_name=long_name, cancel_url="https://pelita.dispersip.kalselprov.go.id/k/B7QW2MXK4N")
        assert run_beat(app) == ["sent"]
    text = gateway.log[0][0].form["message"]
    assert text.startswith("Untuk Siti") and "KX7P2M9Q" in text
    length = measure(text)
    assert length.encoding == "GSM-7" and length.segments <= 2, (length, text)


@pytest.mark.parametrize(
    ("locale", "name"), [("id", "Rina Kader PKK (untuk Siti Aminah)"), ("en", "Rina Kader PKK (for Siti Aminah)")]
)
def test_the_whatsapp_template_names_the_registrant_and_whom_it_is_for_and_keeps_the_persons_cancel_button(
    app, gateway, locale, name
):
    gateway.expect_request(WHATSAPP).respond_with_json(WHATSAPP_OK)
    with time_machine.travel(NOW):
        for_siti(app, locale, "whatsapp", cancel_url="https://pelita.dispersip.kalselprov.go.id/k/B7QW2MXK4N")
        assert run_beat(app) == ["sent"]
    sent = gateway.log[0][0].get_json()
    assert sent["to"].lstrip("+") == "6281234567890"
    body, button = sent["template"]["components"]
    assert body["parameters"][0] == {"type": "text", "text": name}
    assert body["parameters"][-1] == {"type": "text", "text": "KX7P2M9Q"}
    assert button["parameters"] == [{"type": "text", "text": "B7QW2MXK4N"}]


def test_the_email_says_for_whom_in_its_subject_and_first_line(app, smtp_server):
    with time_machine.travel(NOW):
        for_siti(app, "id", "email", phone=None, email="rina@contoh.id")
        assert run_beat(app) == ["delivered"]
    (mail,) = smtp_server.mails_to("rina@contoh.id")
    assert mail.subject.startswith("Untuk Siti Aminah: Pendaftaran terkonfirmasi")
    assert mail.text().lstrip().startswith("Pesan ini untuk Siti Aminah, yang didaftarkan oleh Rina Kader PKK.")
    assert "KX7P2M9Q" in mail.text()


def test_someone_with_their_own_phone_gets_the_message_as_always(app, gateway):
    gateway.expect_request("/reguler/api/sendsms/").respond_with_json(
        {"messageId": "9", "to": "081355551212", "status": "1", "text": "Success"}
    )
    with time_machine.travel(NOW):
        for_siti(app, phone="+6281355551212", contact_name=None)
        assert run_beat(app) == ["sent"]
    text = gateway.log[0][0].form["message"]
    assert text.startswith("Halo Siti Aminah") and "Untuk" not in text.split(",")[0]


def test_a_correction_to_a_phone_of_her_own_ends_the_for_whom_line(app, gateway):
    with time_machine.travel(NOW):
        person = for_siti(app, "id", "sms")
        deliver(
            app,
            EventNames.REGISTRATION_CORRECTED,
            {
                "registration_id": person["registration_id"],
                "event_id": person["event_id"],
                "full_name": "Siti Aminah",
                "phone": "+6281355551212",
                "email": None,
                "preferred_channel": "sms",
                "gender": "female",
                "age_group": "46_55",
                "disability": "none",
                "corrected_at": NOW.isoformat(),
                "contact_name": None,
            },
        )
    (row,) = rows(app)
    assert row.to == "+6281355551212" and not row.body.startswith("Untuk") and row.body.startswith("Halo Siti")
    with app.app_context():
        assert store.get_recipient(person["registration_id"]).contact_name is None
