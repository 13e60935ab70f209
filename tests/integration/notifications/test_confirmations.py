"""The confirmation reaches the person: on the channel they chose, or by email when texts cannot reach their number."""

import pytest
import time_machine

from services.notifications import service
from services.notifications.content.sms import measure
from shared.messaging.names import EventNames
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita

NOW = wita(2026, 3, 13, 10, 0)
START = wita(2026, 3, 17, 8, 30)


def confirm_only(app, **person):
    event = publish_event(app, START, reminder_offsets_minutes=[])
    return register(app, event, **person)


@pytest.mark.parametrize(
    ("phone", "why"),
    [("+625113252123", "bukan nomor HP"), ("+60123456789", "luar negeri (MY)")],
)
@pytest.mark.parametrize("channel", ["whatsapp", "sms"])
def test_a_number_texts_may_not_reach_gets_the_confirmation_by_email(app, gateway, smtp_server, channel, phone, why):
    with time_machine.travel(NOW):
        confirm_only(app, preferred_channel=channel, phone=phone, email="cadangan@contoh.id")
        assert run_beat(app) == ["fell_back"]
        assert run_beat(app) == ["delivered"]
    first, fallback = rows(app)
    assert (first.channel, first.status, fallback.channel) == (channel, "failed", "email")
    assert why in first.last_error and phone not in first.last_error
    assert gateway.log == []  # no gateway was asked to text it, not even the other text channel
    assert smtp_server.mails_to("cadangan@contoh.id")[0].subject.startswith("Pendaftaran terkonfirmasi")


def test_without_an_email_a_foreign_number_ends_failed_with_the_reason(app, gateway):
    with time_machine.travel(NOW):
        confirm_only(app, preferred_channel="whatsapp", phone="+60123456789", email=None)
        assert run_beat(app) == ["failed"]
    (row,) = rows(app)
    assert row.status == "failed" and "luar negeri (MY)" in row.last_error and "ALLOWED_PHONE_REGIONS" in row.last_error
    assert gateway.log == []


def test_a_region_allowed_by_the_operator_is_texted(make_app, gateway):
    app = make_app(ALLOWED_PHONE_REGIONS=("ID", "MY"))
    gateway.expect_request("/reguler/api/sendsms/").respond_with_json(
        {"messageId": "7", "to": "60123456789", "status": "1", "text": "Success"}
    )
    with time_machine.travel(NOW):
        confirm_only(app, preferred_channel="sms", phone="+60123456789", email=None)
        assert run_beat(app) == ["sent"]


#: What a real confirmation carries: a long name, a long title with typographic quotes, a real host's short link.
REAL = {
    "full_name": "Siti Nur\u2019aini Rahmawati Hidayatullah",
    "checkin_code": "KX7P2M9Q",
    "cancel_url": "https://pelita.dispersip.kalselprov.go.id/k/B7QW2MXK4N",
}
REAL_EVENT = {
    "title": "Pelatihan \u201cLiterasi Digital\u201d untuk Pengelola Perpustakaan Desa \u2013 Angkatan II",
    "venue": "Aula Dinas Perpustakaan dan Kearsipan Kabupaten Hulu Sungai Selatan, Kandangan",
}
WHATSAPP = "/v21.0/100000000000001/messages"
WHATSAPP_OK = {"messaging_product": "whatsapp", "messages": [{"id": "wamid.C1"}]}


def confirm_real(app, locale: str, **person):
    event = publish_event(app, START, reminder_offsets_minutes=[], **REAL_EVENT)
    return register(app, event, locale=locale, **REAL, **person)


@pytest.mark.parametrize("locale", ["id", "en"])
def test_the_sms_confirmation_carries_the_code_and_short_link_in_at_most_two_gsm_parts(app, gateway, locale):
    gateway.expect_request("/reguler/api/sendsms/").respond_with_json(
        {"messageId": "9", "to": "081234567890", "status": "1", "text": "Success"}
    )
    with time_machine.travel(NOW):
        confirm_real(app, locale, preferred_channel="sms", phone="+6281234567890")
        assert run_beat(app) == ["sent"]
    text = gateway.log[0][0].form["message"]
    assert "KX7P2M9Q" in text and REAL["cancel_url"] in text
    assert ("Kode hadir: KX7P2M9Q" if locale == "id" else "Attendance code: KX7P2M9Q") in text
    length = measure(text)
    assert length.encoding == "GSM-7" and length.segments <= 2, (length, text)


@pytest.mark.parametrize("locale", ["id", "en"])
def test_the_whatsapp_confirmation_fills_the_templates_parameters_and_cancel_button(app, gateway, locale):
    gateway.expect_request(WHATSAPP).respond_with_json(WHATSAPP_OK)
    with time_machine.travel(NOW):
        confirm_real(app, locale, preferred_channel="whatsapp", phone="+6281234567890")
        assert run_beat(app) == ["sent"]
    template = gateway.log[0][0].get_json()["template"]
    assert template["name"] == "pelita_confirmation" and template["language"] == {"code": locale}
    body, button = template["components"]
    when = "Selasa, 17 Maret 2026 pukul 08.30 WITA" if locale == "id" else "Tuesday, 17 March 2026 at 08:30 WITA"
    assert body == {
        "type": "body",
        "parameters": [
            {"type": "text", "text": text}
            for text in (REAL["full_name"], REAL_EVENT["title"], when, REAL_EVENT["venue"], "KX7P2M9Q")
        ],
    }
    assert button == {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": "B7QW2MXK4N"}],
    }


def test_the_email_confirmation_carries_the_code_and_short_link(app, smtp_server):
    with time_machine.travel(NOW):
        confirm_real(app, "id", preferred_channel="email", email="siti@contoh.id")
        assert run_beat(app) == ["delivered"]
    text = smtp_server.mails_to("siti@contoh.id")[0].text()
    assert "Kode hadir : KX7P2M9Q" in text and REAL["cancel_url"] in text and "check-in" not in text


def test_the_waitlist_whatsapp_says_the_place_and_a_promotion_carries_the_code(app, gateway):
    gateway.expect_request(WHATSAPP).respond_with_json(WHATSAPP_OK)
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        person = register(app, event, status="waitlisted", waitlist_position=3, preferred_channel="whatsapp", **REAL)
        assert run_beat(app) == ["sent"]
        deliver(app, EventNames.REGISTRATION_PROMOTED, {**promoted(person)})
        assert run_beat(app) == ["sent"]
    waiting, seat = (request.get_json()["template"] for request, _ in gateway.log)
    assert waiting["name"] == "pelita_waitlisted"
    assert [p["text"] for p in waiting["components"][0]["parameters"]] == [
        REAL["full_name"],
        "Pelatihan Perpustakaan Berbasis Inklusi Sosial",
        "3",
    ]
    assert "KX7P2M9Q" not in str(waiting)  # nothing to show at the door yet
    assert seat["name"] == "pelita_promoted" and seat["components"][0]["parameters"][-1]["text"] == "KX7P2M9Q"
    assert seat["components"][1]["parameters"] == [{"type": "text", "text": "B7QW2MXK4N"}]
    waiting_row = rows(app, purpose="waitlisted")[0]
    assert "urutan ke-3" in waiting_row.body and "jangan datang dulu" in waiting_row.body


def promoted(person: dict) -> dict:
    return {
        "registration_id": person["registration_id"],
        "event_id": person["event_id"],
        "promoted_at": NOW.isoformat(),
    }


def test_a_reminder_to_a_phone_that_opted_out_goes_by_email_when_one_was_given(app, gateway, smtp_server):
    gateway.expect_request(WHATSAPP).respond_with_json(WHATSAPP_OK)
    with time_machine.travel(NOW):
        event = publish_event(app, wita(2026, 3, 14, 10, 0), reminder_offsets_minutes=[120])
        register(app, event, preferred_channel="whatsapp", phone="+6281234567890", email="pengingat@contoh.id")
        assert run_beat(app) == ["sent"]  # the confirmation
        with app.app_context():
            service.set_opt_out("+6281234567890", active=True, source="whatsapp")
    with time_machine.travel(wita(2026, 3, 14, 8, 0)):
        assert run_beat(app) == ["cancelled"]
        assert run_beat(app) == ["delivered"]
    by_channel = {(row.purpose, row.channel): row for row in rows(app)}
    assert by_channel["reminder", "whatsapp"].status == "cancelled"
    assert by_channel["reminder", "email"].fallback_of == by_channel["reminder", "whatsapp"].id
    assert ("reminder", "sms") not in by_channel  # the same phone: no SMS either
    assert smtp_server.mails_to("pengingat@contoh.id")[0].subject.startswith("Pengingat")
    assert len(gateway.log) == 1
