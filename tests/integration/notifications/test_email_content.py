"""What a participant finds in their mailbox: text and HTML, the check-in QR code, a calendar file for the seat."""

import io
from datetime import UTC, datetime, timedelta

import segno
import time_machine
from PIL import Image

from shared.messaging.names import EventNames
from shared.timeutil import utcnow
from tests.factories import make_event_published
from tests.integration.notifications.conftest import deliver, register, run_beat, wita

START, END = wita(2026, 3, 17, 8, 30), wita(2026, 3, 17, 15, 0)
NOW = wita(2026, 3, 13, 10, 0)
TITLE = "Pelatihan Literasi Digital; Perpustakaan, Desa & Inklusi"


def publish(app, **overrides) -> dict:
    payload = make_event_published(
        starts_at=START.isoformat(),
        ends_at=END.isoformat(),
        title=TITLE,
        venue="Aula Dispersip Kabupaten Banjar, Martapura",
        **overrides,
    )
    deliver(app, EventNames.EVENT_PUBLISHED, payload)
    return payload


def calendar_of(mail) -> dict:
    """Read the mail's .ics attachment: unfold its lines and return {name: (params, value)} of the VEVENT."""
    [part] = [part for part in mail.message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH" and part.get_filename().endswith(".ics")
    raw = part.get_payload(decode=True).decode()
    assert "\r\n" in raw and all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    lines = raw.replace("\r\n ", "").split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "TZOFFSETTO:+0800" in lines and "TZID:Asia/Makassar" in lines
    event = lines[lines.index("BEGIN:VEVENT") + 1 : lines.index("END:VEVENT")]
    properties = {}
    for line in event:
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        properties[name] = (dict(param.split("=", 1) for param in params), value)
    return properties


def moment(prop: tuple[dict, str]) -> datetime:
    """A DATE-TIME property as an aware moment: UTC when it ends in Z, else in its TZID."""
    params, value = prop
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    from zoneinfo import ZoneInfo

    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo(params["TZID"]))


def unescape(value: str) -> str:
    return value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def inline_qr(mail) -> tuple[str, bytes]:
    """Return (Content-ID, PNG) of the image the HTML part shows inline."""
    [image] = [part for part in mail.message.walk() if part.get_content_type() == "image/png"]
    assert image.get_content_disposition() == "inline"
    return image["Content-ID"].strip().strip("<>"), image.get_payload(decode=True)


def qr_modules(png: bytes, scale: int = 8, border: int = 4) -> list[list[bool]]:
    """Read back the dark and light modules of a QR code picture."""
    picture = Image.open(io.BytesIO(png)).convert("L")
    size = picture.width // scale - 2 * border
    return [
        [
            picture.getpixel(((border + col) * scale + scale // 2, (border + row) * scale + scale // 2)) < 128
            for col in range(size)
        ]
        for row in range(size)
    ]


def test_the_confirmation_mail_has_html_the_qr_code_and_a_calendar_entry_in_wita(app, smtp_server):
    with time_machine.travel(NOW):
        event = publish(app)
        person = register(app, event, email="siti@contoh.id", checkin_code="KX7P2M9Q", full_name="Siti <Rahmah>")
        assert run_beat(app) == ["delivered"]
    [mail] = smtp_server.mails_to("siti@contoh.id")

    assert "Kode hadir : KX7P2M9Q" in mail.text()
    html = mail.html()
    assert '<html lang="id">' in html and "Siti &lt;Rahmah&gt;" in html  # the name is escaped, not markup
    assert f'<a href="{person["cancel_url"]}">' in html  # the cancel link is a link

    cid, png = inline_qr(mail)
    assert f'src="cid:{cid}"' in html and 'alt="Kode QR untuk kode hadir KX7P2M9Q"' in html
    expected = [[bool(module) for module in row] for row in segno.make("KX7P2M9Q", error="m").matrix]
    assert qr_modules(png) == expected  # the picture is the QR code of the check-in code

    ics = calendar_of(mail)
    assert ics["DTSTART"][0] == {"TZID": "Asia/Makassar"} and ics["DTSTART"][1] == "20260317T083000"
    assert moment(ics["DTSTART"]).astimezone(UTC) == datetime(2026, 3, 17, 0, 30, tzinfo=UTC)
    assert moment(ics["DTEND"]).astimezone(UTC) == datetime(2026, 3, 17, 7, 0, tzinfo=UTC)
    assert unescape(ics["SUMMARY"][1]) == TITLE
    assert unescape(ics["LOCATION"][1]) == "Aula Dispersip Kabupaten Banjar, Martapura, Kabupaten Banjar"
    assert "KX7P2M9Q" in unescape(ics["DESCRIPTION"][1]) and person["cancel_url"] in unescape(ics["DESCRIPTION"][1])
    assert ics["UID"][1] == f"pelita-{person['registration_id']}@dispersip.kalselprov.go.id"
    assert ics["SEQUENCE"][1] == "0" and moment(ics["DTSTAMP"]) == NOW


def test_the_qr_opens_the_staff_check_in_page_when_registration_sends_its_address(app, smtp_server):
    page = "http://127.0.0.1:8001/staf/hadir/InNpZ25lZCI.abc"
    with time_machine.travel(NOW):
        event = publish(app)
        register(app, event, email="pintu@contoh.id", checkin_code="QR4PINTU", checkin_url=page)
        run_beat(app)
    [mail] = smtp_server.mails_to("pintu@contoh.id")
    _, png = inline_qr(mail)
    assert qr_modules(png) == [[bool(module) for module in row] for row in segno.make(page, error="m").matrix]
    assert "Kode hadir : QR4PINTU" in mail.text()  # the code is still there to read aloud


def test_a_moved_event_sends_the_same_calendar_entry_again_at_the_new_time(app, smtp_server):
    with time_machine.travel(NOW):
        event = publish(app)
        register(app, event, email="pindah@contoh.id")
        run_beat(app)
        moved = {
            **event,
            "starts_at": (START + timedelta(days=1)).isoformat(),
            "ends_at": (END + timedelta(days=1)).isoformat(),
        }
        deliver(app, EventNames.EVENT_UPDATED, {**moved, "changed": ["starts_at", "ends_at"]})
        assert run_beat(app) == ["delivered"]
    changed, confirmed = smtp_server.mails_to("pindah@contoh.id")
    before, after = calendar_of(confirmed), calendar_of(changed)
    assert after["UID"] == before["UID"] and int(after["SEQUENCE"][1]) > int(before["SEQUENCE"][1])
    assert moment(after["DTSTART"]) == START + timedelta(days=1)
    assert inline_qr(changed)


def test_a_promoted_person_gets_the_qr_and_calendar_but_the_waitlist_mail_has_neither(app, smtp_server):
    with time_machine.travel(NOW):
        event = publish(app)
        person = register(app, event, status="waitlisted", waitlist_position=2, email="tunggu@contoh.id")
        run_beat(app)
        promoted = {
            "registration_id": person["registration_id"],
            "event_id": event["event_id"],
            "promoted_at": utcnow().isoformat(),
        }
        deliver(app, EventNames.REGISTRATION_PROMOTED, promoted)
        run_beat(app)
    seat, waiting = smtp_server.mails_to("tunggu@contoh.id")
    assert seat.subject.startswith("Anda mendapat kursi") and calendar_of(seat)["DTSTART"][1] == "20260317T083000"
    assert inline_qr(seat)
    assert waiting.subject.startswith("Daftar tunggu") and waiting.html() and waiting.attachments() == []
    assert [part for part in waiting.message.walk() if part.get_content_maintype() == "image"] == []
    said = waiting.text()
    assert "urutan ke-2" in said and "jangan datang dulu" in said and "ABCD2345" not in said  # no code to show
    assert "Kode hadir : ABCD2345" in seat.text()


def test_a_reminder_shows_the_qr_code_without_another_calendar_file(app, smtp_server):
    with time_machine.travel(NOW):
        event = publish(app, reminder_offsets_minutes=[1440])
        register(app, event, email="ingat@contoh.id", locale="en")
        run_beat(app)
    with time_machine.travel(wita(2026, 3, 16, 8, 30)):
        assert run_beat(app) == ["delivered"]
    reminder = smtp_server.mails_to("ingat@contoh.id")[0]
    assert reminder.attachments() == [] and inline_qr(reminder)
    assert '<html lang="en">' in reminder.html() and "Show this QR code" in reminder.html()


def test_the_dev_sinks_show_the_html_with_its_qr_code_and_offer_the_calendar_file(app, smtp_server):
    from devsinks.app import create_app as sinks_app

    with time_machine.travel(NOW):
        register(app, publish(app), email="lihat@contoh.id")
        run_beat(app)
    [mail] = smtp_server.mails_to("lihat@contoh.id")
    sinks = sinks_app(smtp_server.mailbox).test_client()
    assert f"/mail/{mail.id}/html" in sinks.get(f"/mail/{mail.id}").text
    page = sinks.get(f"/mail/{mail.id}/html")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    image = sinks.get(f"/mail/{mail.id}/cid/{inline_qr(mail)[0]}")
    assert f"/mail/{mail.id}/cid/{inline_qr(mail)[0]}" in page.text and image.data == inline_qr(mail)[1]
    ics = sinks.get(f"/mail/{mail.id}/lampiran/0")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
