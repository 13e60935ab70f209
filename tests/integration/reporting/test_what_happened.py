"""Reports count what happened: an event is held once it has ended, the dashboard opens on a period with data, and
"send now" mails the current period so far (the mail arrives at the real SMTP sink with that period's figures)."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from services.notifications import service as notifications_service
from services.notifications import store as notifications_store
from services.notifications.app import create_app as notifications_app
from services.reporting import service
from services.reporting.extensions import db
from services.reporting.models import OutboxMessage, ReportRun, ReportSchedule
from shared.staffauth import StaffClaims
from shared.timeutil import WITA, utcnow
from tests.integration.conftest import build
from tests.integration.reporting import scenario
from tests.integration.reporting.conftest import staff_client

#: Thursday 12 March 2026, 15.00 WITA: E5 and E1 have ended, E2 (13.00-19.00) is under way, E3 is cancelled.
DURING_E2 = datetime(2026, 3, 12, 15, 0, tzinfo=WITA)
#: Thursday 12 March 2026, 20.00 WITA: E2 has ended too.
THURSDAY_EVENING = datetime(2026, 3, 12, 20, 0, tzinfo=WITA)
PROVINCIAL = StaffClaims(7, "staf@dispersip.id", "provincial_admin", None)
RECIPIENT = "kabid@dispersip.contoh.id"


def test_an_event_is_held_once_it_has_ended_not_when_it_was_published(fed, week, time_machine):
    time_machine.move_to(DURING_E2)
    with fed.app_context():
        figures = service.compute_figures(week, now=DURING_E2)
    expected = scenario.expected(now=DURING_E2)
    assert (figures.events_held, figures.events_upcoming, figures.events_cancelled) == (2, 1, 1)
    assert (figures.events_held, figures.events_upcoming) == (expected["events_held"], expected["events_upcoming"])
    assert {row.title: row.status for row in figures.events} == {
        scenario.E5.title: "held",
        scenario.E1.title: "held",
        scenario.E2.title: "upcoming",
        scenario.E3.title: "cancelled",
    }
    client = staff_client(fed)
    soup = BeautifulSoup(
        client.get("/dasbor", query_string={"mulai": "2026-03-09", "sampai": "2026-03-15"}).text, "html.parser"
    )
    assert soup.find(attrs={"data-figure": "events_held"}).get_text(strip=True) == "2"
    assert soup.find(attrs={"data-figure": "events_upcoming"}).get_text(strip=True) == "1"
    statuses = [
        row.find_all("td")[2].get_text(strip=True)
        for row in soup.find(id="t-events").find_parent("section").tbody.find_all("tr")
    ]
    assert statuses == ["Terlaksana", "Terlaksana", "Belum terlaksana", "Dibatalkan"]


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (datetime(2026, 3, 20, 9, 0, tzinfo=WITA), ("2026-03-01", "2026-03-20")),  # this month has events
        (datetime(2026, 4, 5, 9, 0, tzinfo=WITA), ("2026-03-07", "2026-04-05")),  # none this month: last 30 days
        (datetime(2026, 7, 1, 9, 0, tzinfo=WITA), ("2026-03-01", "2026-03-31")),  # else the latest month with data
    ],
)
def test_the_dashboard_opens_on_a_period_that_has_data(fed, time_machine, today, period):
    time_machine.move_to(today)
    soup = BeautifulSoup(staff_client(fed).get("/dasbor").text, "html.parser")
    assert (soup.find(id="f-mulai")["value"], soup.find(id="f-sampai")["value"]) == period
    assert int(soup.find(attrs={"data-figure": "events_held"}).get_text(strip=True)) > 0


def test_with_no_data_at_all_the_dashboard_opens_on_this_month_so_far(reporting, time_machine):
    time_machine.move_to(datetime(2026, 7, 14, 9, 0, tzinfo=WITA))
    soup = BeautifulSoup(staff_client(reporting).get("/dasbor").text, "html.parser")
    assert (soup.find(id="f-mulai")["value"], soup.find(id="f-sampai")["value"]) == ("2026-07-01", "2026-07-14")


@pytest.fixture
def weekly(fed):
    with fed.app_context():
        schedule = ReportSchedule(kind="weekly", recipients=[RECIPIENT])
        schedule.created_at = datetime(2026, 3, 1, tzinfo=WITA)
        db.session.add(schedule)
        db.session.commit()
        return schedule.id


@pytest.fixture
def mailer(new_store, redis_url, smtp_server):
    """The notifications service, mailing through the real SMTP sink."""
    app = build(
        notifications_app,
        new_store("notifications"),
        redis_url,
        SMTP_HOST=smtp_server.host,
        SMTP_PORT=smtp_server.port,
        ENQUEUE_AFTER_COMMIT=False,
    )
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def mail_report(reporting, mailer) -> None:
    """Hand every report.generated the reporting outbox holds to notifications, and send what is due."""
    with reporting.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type == "report.generated")).all()
        envelopes = [row.envelope for row in rows]
    with mailer.app_context():
        for envelope in envelopes:
            notifications_service.handle_event(envelope)
        ids = notifications_store.due_ids(utcnow(), 500)
        mailer.extensions["sqlalchemy"].session.commit()
        assert set(notifications_service.send_batch(ids)) == {"delivered"}


def test_send_now_mails_the_current_week_so_far_with_its_figures(fed, weekly, mailer, smtp_server, time_machine):
    time_machine.move_to(THURSDAY_EVENING)
    client = staff_client(fed)
    token = client.get("/jadwal").text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/jadwal/{weekly}/kirim", data={"csrf_token": token, "periode": "current"})
    assert response.status_code == 303
    assert "09-03-2026 – 12-03-2026" in client.get("/jadwal").text
    with fed.app_context():
        [run] = db.session.scalars(sa.select(ReportRun)).all()
        assert (run.period_start, run.period_end) == (date(2026, 3, 9), date(2026, 3, 12))
        assert service.build_report(run.id, now=THURSDAY_EVENING) == "sent"
    mail_report(fed, mailer)

    [mail] = smtp_server.mails_to(RECIPIENT)
    assert "9 Maret 2026 – 12 Maret 2026" in mail.subject and "(TPBIS)" in mail.subject
    expected = scenario.expected(period=(date(2026, 3, 9), date(2026, 3, 12)), now=THURSDAY_EVENING)
    assert expected["events_held"] == 3 and expected["events_cancelled"] == 0  # E3 (13 March) is not in it yet
    body = mail.text().replace("\r\n", "\n")
    assert "3 kegiatan telah terlaksana." in body
    for text, key in (("Kegiatan terlaksana", "events_held"), ("Hadir", "attended"), ("Terkonfirmasi", "confirmed")):
        assert f"- {text}: {expected[key]}\n" in body, text
    assert {a["filename"] for a in mail.attachments()} == {
        "pelita-2026-03-09_2026-03-12-kalsel.xlsx",
        "pelita-2026-03-09_2026-03-12-kalsel.pdf",
    }


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_send_now_sends_each_period_once_and_never_takes_the_place_of_the_full_week(fed, weekly, time_machine):
    time_machine.move_to(THURSDAY_EVENING)
    with fed.app_context():
        current, added = service.send_now(PROVINCIAL, weekly, "current", now=THURSDAY_EVENING)
        assert added and (current.period_start, current.period_end) == (date(2026, 3, 9), date(2026, 3, 12))
        assert service.send_now(PROVINCIAL, weekly, "current", now=THURSDAY_EVENING)[1] is False
        last, added = service.send_now(PROVINCIAL, weekly, "last", now=THURSDAY_EVENING)
        assert added and (last.period_start, last.period_end) == (date(2026, 3, 2), date(2026, 3, 8))
        # Monday: beat still claims the full week, though a report of its first days was sent on Thursday
        service.run_due_reports(now=scenario.NOW)
        periods = {(r.period_start, r.period_end) for r in db.session.scalars(sa.select(ReportRun))}
    assert (date(2026, 3, 9), date(2026, 3, 15)) in periods and len(periods) == 3


def test_send_now_refuses_an_unknown_period_choice(fed, weekly):
    client = staff_client(fed)
    token = client.get("/jadwal").text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/jadwal/{weekly}/kirim", data={"csrf_token": token, "periode": "kemarin"})
    assert response.status_code == 400 and "Pilih periode berjalan atau periode terakhir." in response.text
    with fed.app_context():
        assert db.session.scalars(sa.select(ReportRun)).all() == []


def test_a_malformed_period_is_refused_in_the_readers_language(fed):
    client = staff_client(fed)
    response = client.get("/dasbor", query_string={"mulai": "9-3-2026", "utm_source": "wa"})
    assert response.status_code == 400
    assert "Isi tanggal dengan format tahun-bulan-hari, misalnya 2026-03-09." in response.text
    english = client.get("/dasbor", query_string={"mulai": "kemarin", "lang": "en"})
    assert english.status_code == 400 and "Not a valid" not in english.text
    assert "Enter the date as year-month-day, for example 2026-03-09." in english.text
    response = staff_client(fed).get("/dasbor/unduh.csv", query_string={"table": "rahasia"})
    assert response.status_code == 400 and "Pilih tabel dari daftar unduhan." in response.text


def test_a_schedule_without_recipients_is_refused_with_one_readable_message(fed):
    client = staff_client(fed)
    token = client.get("/jadwal").text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/jadwal", data={"csrf_token": token, "kind": "weekly"})
    assert response.status_code == 400
    summary = BeautifulSoup(response.text, "html.parser").select(".error-summary li")
    assert [item.get_text() for item in summary] == ["Isi paling sedikit satu alamat email penerima."]


def test_send_now_on_a_schedule_without_recipients_mails_the_staff_member_who_asked(
    fed, mailer, smtp_server, time_machine
):
    """The default schedules start with no recipients (REPORT_DEFAULT_RECIPIENTS is empty unless set): beat sends
    them nowhere, and "send now" mails the report to the signed-in staff member's own address, as the page says."""
    time_machine.move_to(THURSDAY_EVENING)
    client = staff_client(fed)
    page = client.get("/jadwal").text
    assert "Belum ada penerima, jadi laporan dikirim ke alamat Anda sendiri: staf@dispersip.id." in page
    with fed.app_context():
        weekly = db.session.scalar(sa.select(ReportSchedule.id).where(ReportSchedule.kind == "weekly"))
        assert db.session.get(ReportSchedule, weekly).recipients == []
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/jadwal/{weekly}/kirim", data={"csrf_token": token, "periode": "current"})
    assert response.status_code == 303
    assert "akan dikirim lewat email ke staf@dispersip.id." in client.get("/jadwal").text
    with fed.app_context():
        [run] = db.session.scalars(sa.select(ReportRun)).all()
        assert service.build_report(run.id, now=THURSDAY_EVENING) == "sent"
        assert db.session.get(ReportSchedule, weekly).recipients == []  # the schedule itself still sends to no one
        assert service.run_due_reports(now=scenario.NOW) == []
    mail_report(fed, mailer)
    [mail] = smtp_server.mailbox.mails()
    assert mail.rcpt_tos == ["staf@dispersip.id"] and "9 Maret 2026 – 12 Maret 2026" in mail.subject


def test_send_now_on_a_schedule_with_recipients_mails_them_not_the_staff_member(fed, weekly, time_machine):
    time_machine.move_to(THURSDAY_EVENING)
    client = staff_client(fed)
    page = client.get("/jadwal").text
    assert "Dikirim ke penerima jadwal ini." in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(f"/jadwal/{weekly}/kirim", data={"csrf_token": token, "periode": "current"})
    assert f"akan dikirim lewat email ke {RECIPIENT}." in client.get("/jadwal").text
    with fed.app_context():
        [run] = db.session.scalars(sa.select(ReportRun).where(ReportRun.schedule_id == weekly)).all()
        assert run.recipients is None
