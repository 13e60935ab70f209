"""The confirmation reaches the person: on the channel they chose, or by email when texts cannot reach their number."""

import pytest
import time_machine

from tests.integration.notifications.conftest import publish_event, register, rows, run_beat, wita

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
