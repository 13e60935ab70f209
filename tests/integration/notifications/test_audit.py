"""The audit trail of notifications: looks at a person's messages, resends, template and opt-out changes."""

import csv
import io

import sqlalchemy as sa
import time_machine

from services.notifications.extensions import db
from services.notifications.models import AuditEntry
from tests.integration.notifications.conftest import rows, wita
from tests.integration.notifications.test_staff_log import a_programme, csrf, signed_in
from tests.integration.notifications.test_template_editor import EDIT_SMS, submit

PERSONAL = ("Siti Rahmah", "siti@contoh.id", "Ahmad Fauzi", "+6281234567890", "081234567890", "81234567890")


def trail(app) -> list[AuditEntry]:
    with app.app_context():
        found = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return found


def test_each_staff_action_leaves_one_row_naming_ids_never_people(app, gateway):
    a_programme(app, gateway)
    [failed] = rows(app, status="failed")
    gateway.clear()
    with time_machine.travel(wita(2026, 3, 13, 11, 0), tick=False):
        client = signed_in(app, email="operator@pelita.local")
        client.get("/staf")
        client.get("/staf?q=Siti")
        page = client.get(f"/staf/pesan/{failed.id}")
        form = {"csrf_token": csrf(page), "attempts": str(failed.attempts)}
        client.post(f"/staf/pesan/{failed.id}/kirim-ulang", data=form)
        client.post(f"/staf/pesan/{failed.id}/kirim-ulang", data=form)  # already taken: nothing happens
        assert (
            submit(client, EDIT_SMS, "save", body="Halo {{ recipient.full_name }}, {{ event.title }}.").status_code
            == 303
        )
        client.post(f"{EDIT_SMS}/bawaan", data={"csrf_token": csrf(page)})
        client.get("/staf/berhenti")
        client.post("/staf/berhenti", data={"csrf_token": csrf(page), "address": "+6281234567890", "active": "1"})
    found = trail(app)
    assert [row.action for row in found] == [
        "messages.list", "messages.person", "message.view", "message.resend", "template.save", "template.reset",
        "opt_outs.list", "opt_out.stop",
    ]  # fmt: skip
    assert {(row.staff_id, row.staff_email, row.client_address) for row in found} == {
        (1, "operator@pelita.local", "127.0.0.1")
    }
    assert [row.object_id for row in found[2:4]] == [failed.id, failed.id]
    assert found[2].event_id == failed.event_id
    assert found[4].object_id == "confirmation/sms/id" and found[7].object_id.startswith("hmac:")
    text = " ".join(str(getattr(row, c.name)) for row in found for c in AuditEntry.__table__.columns)
    assert not any(needle in text for needle in PERSONAL)


def test_only_a_provincial_admin_opens_the_trail_with_filters_and_csv(app):
    organiser = signed_in(app, role="regency_organiser", kabupaten_code="63.03", email="org@contoh.id")
    organiser.get("/staf")
    assert organiser.get("/staf/jejak").status_code == 403
    assert 'href="/staf/jejak"' not in organiser.get("/staf").text
    admin = signed_in(app)
    assert 'href="/staf/jejak"' in admin.get("/staf").text
    page = admin.get("/staf/jejak?staff=org@contoh.id")
    assert page.status_code == 200 and "messages.list" in page.text.split("<tbody>")[1]
    assert "admin@pelita.local" not in page.text.split("<tbody>")[1]
    exported = admin.get("/staf/jejak?format=csv&staff=ADMIN@pelita&action=messages.list")
    assert [(r["staff_email"], r["action"]) for r in csv.DictReader(io.StringIO(exported.text))] == [
        ("admin@pelita.local", "messages.list")
    ]
    assert admin.get("/staf/jejak?sampai=31-12-2026").status_code == 400


def test_exposure_lists_the_kabupatens_recipients_and_whose_messages_were_opened(app, gateway):
    a_programme(app, gateway)
    [failed] = rows(app, status="failed")
    with time_machine.travel(wita(2026, 3, 13, 11, 0), tick=False):
        signed_in(app, role="regency_organiser", kabupaten_code="63.03").get(f"/staf/pesan/{failed.id}")
    window = ["--since", "2026-03-13T00:00", "--until", "2026-03-14T00:00"]
    result = app.test_cli_runner().invoke(
        args=["audit", "exposure", "--staff-id", "1", "--kabupaten", "63.03", *window]
    )
    assert result.exit_code == 0, result.output
    found = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["kabupaten_code"] for r in found} == {"63.03"} and len(found) == 2
    assert [r["registration_id"] for r in found if r["opened"]] == [failed.registration_id]
    everyone = app.test_cli_runner().invoke(args=["audit", "exposure", "--staff-id", "1", "--all", *window])
    assert len(list(csv.DictReader(io.StringIO(everyone.stdout)))) == 3
