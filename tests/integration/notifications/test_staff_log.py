"""What staff see of the messages: the log and its filters, per-event summaries, resending, each regency its own."""

import re

import time_machine
from bs4 import BeautifulSoup

from shared.messaging.names import EventNames
from shared.staffauth import STAFF_COOKIE, StaffClaims
from tests.factories import staff_token
from tests.integration.notifications.conftest import deliver, publish_event, register, rows, run_beat, wita
from tests.integration.notifications.test_delivery import TWILIO, ZENZIVA
from tests.integration.notifications.test_events import report

START = wita(2026, 3, 17, 8, 30)
NOW = wita(2026, 3, 13, 10, 0)


def signed_in(app, role="provincial_admin", kabupaten_code=None, email="admin@pelita.local"):
    client = app.test_client()
    token = staff_token(app, StaffClaims(1, email, role, kabupaten_code))
    client.set_cookie(STAFF_COOKIE, token)
    return client


def bearer(app, role="provincial_admin", kabupaten_code=None) -> dict:
    token = staff_token(app, StaffClaims(2, "api@pelita.local", role, kabupaten_code))
    return {"Authorization": f"Bearer {token}"}


def log_rows(page) -> list[list[str]]:
    """The log table as its cells' text, top row first."""
    soup = BeautifulSoup(page.text, "html.parser")
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.find_all("td")] for row in soup.select("table tbody tr")
    ]


def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]


def a_programme(app, gateway):
    """Two events in two regencies: Banjar (63.03) with an email and a failed SMS, Banjarmasin (63.71) with one."""
    gateway.expect_request(ZENZIVA).respond_with_json({"status": "0", "text": "Nomor diblokir"})
    gateway.expect_request(TWILIO).respond_with_json({"code": 21610, "message": "unsubscribed recipient"}, 400)
    with time_machine.travel(NOW) as clock:
        banjar = publish_event(app, START, title="Literasi Digital Martapura", reminder_offsets_minutes=[])
        kota = publish_event(
            app,
            START,
            title="Pelatihan Banjarmasin",
            kabupaten_code="63.71",
            kabupaten_name="Kota Banjarmasin",
            reminder_offsets_minutes=[],
        )
        register(app, banjar, full_name="Siti Rahmah", email="siti@contoh.id")
        clock.shift(60)
        register(app, banjar, full_name="Ahmad Fauzi", preferred_channel="sms", phone="+6281234567890", email=None)
        clock.shift(60)
        register(app, kota, full_name="Rina Banjarmasin", email="rina@contoh.id")
        run_beat(app)
    return banjar, kota


def test_the_log_shows_every_message_newest_first_and_filters_by_status_channel_event_and_person(app, gateway):
    banjar, _ = a_programme(app, gateway)
    client = signed_in(app)
    table = log_rows(client.get("/staf"))
    assert [row[1].split()[0] for row in table] == ["Rina", "Ahmad", "Siti"]  # newest first
    assert "Gagal" in table[1][4] and "Nomor diblokir" in table[1][4] and "Kirim ulang" in table[1][5]

    failed = log_rows(client.get("/staf", query_string={"status": "failed"}))
    assert len(failed) == 1 and failed[0][1].startswith("Ahmad Fauzi")
    assert len(log_rows(client.get("/staf", query_string={"channel": "sms"}))) == 1
    assert len(log_rows(client.get("/staf", query_string={"event_id": banjar["event_id"]}))) == 2
    by_phone = log_rows(client.get("/staf", query_string={"q": "0812-3456-7890"}))  # typed as people type it
    assert [row[1].split()[0] for row in by_phone] == ["Ahmad"]
    assert log_rows(client.get("/staf", query_string={"q": "siti"}))[0][1].startswith("Siti Rahmah")
    nothing = client.get("/staf", query_string={"q": "tidak ada", "status": "bukan-status"})
    assert nothing.status_code == 200 and "Tidak ada pesan yang cocok." in nothing.text


def test_a_regency_organiser_sees_only_their_kabupatens_messages(app, gateway):
    banjar, kota = a_programme(app, gateway)
    deliver(app, EventNames.REPORT_GENERATED, report())
    organiser = signed_in(app, "regency_organiser", "63.03", "banjar@pelita.local")
    page = organiser.get("/staf")
    assert {row[1].split()[0] for row in log_rows(page)} == {"Siti", "Ahmad"}
    assert "Pelatihan Banjarmasin" not in page.text and "kabid@" not in page.text
    other = rows(app, event_id=kota["event_id"])[0]
    assert organiser.get(f"/staf/pesan/{other.id}").status_code == 403
    assert organiser.get(f"/staf/acara/{kota['event_id']}").status_code == 403
    assert organiser.get(f"/staf/acara/{banjar['event_id']}").status_code == 200
    assert "Pelatihan Banjarmasin" not in organiser.get("/staf/acara").text
    api = app.test_client().get("/api/v1/notifications", headers=bearer(app, "regency_organiser", "63.71"))
    assert api.status_code == 200 and [item["to"] for item in api.json] == ["rina@contoh.id"]


def test_the_event_summary_counts_messages_by_channel_and_status(app, gateway):
    banjar, _ = a_programme(app, gateway)
    page = signed_in(app).get(f"/staf/acara/{banjar['event_id']}")
    soup = BeautifulSoup(page.text, "html.parser")
    headers = [th.get_text(strip=True) for th in soup.select("table thead th")]
    cells = {
        row.th.get_text(strip=True): [td.get_text(" ", strip=True).split(" ")[0] for td in row.find_all("td")]
        for row in soup.select("table tbody tr, table tfoot tr")
    }
    column = {name: n for n, name in enumerate(headers[1:])}
    assert cells["Email"][column["Sampai"]] == "1" and cells["SMS"][column["Gagal"]] == "1"
    assert cells["Jumlah"][column["Jumlah"]] == "2"
    assert soup.find("a", href=re.compile(r"status=failed"))  # a count leads to those messages
    summary = app.test_client().get(f"/api/v1/notifications/events/{banjar['event_id']}/summary", headers=bearer(app))
    assert summary.json["by_channel"] == {"email": {"delivered": 1}, "sms": {"failed": 1}}
    assert summary.json["total"] == 2


def test_resending_a_failed_message_sends_it_once_more_however_often_the_button_is_pressed(app, gateway):
    a_programme(app, gateway)
    [failed] = rows(app, status="failed")
    gateway.clear()
    gateway.expect_request(ZENZIVA).respond_with_json({"messageId": "77", "status": "1", "text": "Success"})
    with time_machine.travel(wita(2026, 3, 13, 11, 0), tick=False):
        client = signed_in(app, email="operator@pelita.local")
        page = client.get(f"/staf/pesan/{failed.id}")
        assert "Nomor diblokir" in page.text and "Kirim ulang" in page.text
        form = {"csrf_token": csrf(page), "attempts": str(failed.attempts)}
        first = client.post(f"/staf/pesan/{failed.id}/kirim-ulang", data=form, follow_redirects=True)
        second = client.post(f"/staf/pesan/{failed.id}/kirim-ulang", data=form, follow_redirects=True)
        [again] = rows(app, status="pending")
        assert (again.id, again.attempts, again.due_at) == (failed.id, failed.attempts, wita(2026, 3, 13, 11, 0))
        assert run_beat(app) == ["sent"]
        third = client.post(f"/staf/pesan/{failed.id}/kirim-ulang", data=form, follow_redirects=True)
        assert run_beat(app) == []
        detail = client.get(f"/staf/pesan/{failed.id}").text
    assert "dijadwalkan untuk dikirim ulang" in first.text
    assert "tidak dikirim lagi" in second.text and "tidak dikirim lagi" in third.text
    assert len(gateway.log) == 1 and gateway.log[0][0].form["to"] == "081234567890"
    sent = rows(app, id=failed.id)[0]
    assert (sent.status, sent.attempts, sent.provider, sent.resent_by) == (
        "sent",
        2,
        "zenziva",
        "operator@pelita.local",
    )
    assert "operator@pelita.local" in detail and "Kirim ulang</button>" not in detail


def test_a_stale_resend_from_another_tab_does_not_send_a_second_time(app, gateway):
    a_programme(app, gateway)
    [failed] = rows(app, status="failed")
    api = app.test_client()
    with time_machine.travel(wita(2026, 3, 13, 11, 0)):
        first = api.post(
            f"/api/v1/notifications/{failed.id}/resend", json={"attempts": failed.attempts}, headers=bearer(app)
        )
        assert first.status_code == 202 and first.json["resent"] is True
        run_beat(app)  # fails again: Zenziva and Twilio still refuse
        assert rows(app, id=failed.id)[0].status == "failed"
        stale = api.post(
            f"/api/v1/notifications/{failed.id}/resend", json={"attempts": failed.attempts}, headers=bearer(app)
        )
    assert stale.status_code == 202 and stale.json["resent"] is False
    assert rows(app, id=failed.id)[0].attempts == failed.attempts + 1


def test_the_staff_pages_need_a_signed_in_staff_member(app):
    for path in ("/staf", "/staf/acara"):
        response = app.test_client().get(path)
        assert response.status_code == 302 and "/staf/masuk" in response.headers["Location"]
    assert app.test_client().get("/api/v1/notifications").status_code == 401


def test_staff_see_when_a_failing_provider_has_lost_part_of_its_share_of_the_messages(make_app, gateway):
    app = make_app(PROVIDER_ERROR_THRESHOLD=2)  # Zenziva the primary (100), Twilio its failover (0)
    gateway.expect_request(ZENZIVA).respond_with_data("down", status=500)
    gateway.expect_request(TWILIO).respond_with_json({"sid": "SM9", "status": "queued"}, 201)
    staff = signed_in(app)
    assert "Penyedia pesan sedang dialihkan" not in staff.get("/staf").text  # all at rest: nothing to say
    with time_machine.travel(NOW):
        event = publish_event(app, START, reminder_offsets_minutes=[])
        for n in range(3):
            register(app, event, preferred_channel="sms", phone=f"+62812345678{n:02d}", email=None)
        run_beat(app)

    page = BeautifulSoup(staff.get("/staf").text, "html.parser").find(
        "section", attrs={"aria-labelledby": "providers-title"}
    )
    said = " ".join(page.get_text(" ").split())
    assert "Penyedia pesan sedang dialihkan" in said
    # A step of 10 for each failure from the second on (the third message may already have gone to Twilio first).
    zenziva = int(re.search(r"SMS lewat Zenziva: prioritas (\d+) \(biasanya 100\)", said)[1])
    assert zenziva in (80, 90)
    assert f"SMS lewat Twilio: prioritas {100 - zenziva} (biasanya 0)" in said
    assert f"SMS through Zenziva: priority {zenziva} (usually 100)" in staff.get("/staf?lang=en").text


def test_an_admin_reading_the_log_sees_neither_an_invitations_link_nor_a_data_access_code(app, smtp_server):
    """Whoever holds an invitation's link sets the new account's password: only the invitee may see it, as only
    the participant may see the code to their "Data saya" page."""
    link = "http://127.0.0.1:8001/staf/undangan/rahasia-undangan-7Kq2"
    deliver(app, EventNames.STAFF_INVITED, {
        "invitation_id": "6f1c7a52-4c1e-4a5e-9a55-0b6a3c4d2e10", "email": "rina@banjarkab.go.id", "name": "Rina",
        "link": link, "expires_at": "2026-03-20T00:00:00+00:00"})  # fmt: skip
    run_beat(app)
    [invite] = rows(app, purpose="staff_invite")
    assert link in smtp_server.mails_to("rina@banjarkab.go.id")[0].text()  # the invitee has it
    page = signed_in(app).get(f"/staf/pesan/{invite.id}")
    assert page.status_code == 200 and "rina@banjarkab.go.id" in page.text
    assert "rahasia-undangan" not in page.text and "tidak ditampilkan" in page.text
