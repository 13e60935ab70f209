"""The audit trail of registration: every staff action leaves one row (who, when, what, where), never a name."""

import csv
import io
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import AuditEntry, Staff
from shared.timeutil import to_local, utcnow
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in


def trail(app) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return rows


def actions(app) -> list[str]:
    return [row.action for row in trail(app)]


def admin_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Staff.id).where(Staff.email == "admin@pelita.local"))


def no_personal_data(app, *people) -> None:
    """No row of the trail holds any participant's name, phone (as typed or E.164) or email."""
    texts = [" ".join(str(getattr(row, c.name)) for c in AuditEntry.__table__.columns) for row in trail(app)]
    for person in people:
        digits = "".join(ch for ch in person["phone"] if ch.isdigit())[1:]
        for needle in (person["full_name"], person["email"], person["phone"], digits):
            assert not any(needle in text for text in texts), needle


def test_each_api_action_leaves_exactly_one_row_with_who_what_and_where(registration, auth):
    client = registration.test_client()
    soon = datetime.now(UTC) + timedelta(hours=1)  # checked in on the event's day, with the token still valid
    times = {"starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=2)).isoformat()}
    event = client.post("/api/v1/events", json=make_event_body(capacity=1, **times), headers=auth).json
    people = [make_registration_body(full_name=f"Peserta Rahasia {n}") for n in range(2)]
    first, second = (client.post(f"/api/v1/events/{event['id']}/registrations", json=p).json for p in people)
    assert actions(registration) == ["event.create"]  # registering is the public's, not staff's

    client.get(f"/api/v1/events/{event['id']}/registrations", headers=auth)
    client.get(f"/api/v1/registrations/{first['id']}", headers=auth)
    client.post(f"/api/v1/registrations/{second['id']}/promote", headers=auth)
    assert client.post(f"/api/v1/registrations/{first['id']}/check-in", headers=auth).status_code == 200
    client.post(f"/api/v1/registrations/{first['id']}/check-in", headers=auth)  # again: nothing changes
    assert client.delete(f"/api/v1/registrations/{first['id']}/check-in", headers=auth).status_code == 200
    client.post(f"/api/v1/registrations/{first['id']}/cancel", headers=auth)
    client.patch(f"/api/v1/events/{event['id']}", json={"capacity": 5}, headers=auth)
    key = client.post("/api/v1/api-keys", json={"name": "Mitra"}, headers=auth).json
    client.post(f"/api/v1/api-keys/{key['api_key']['id']}/revoke", headers=auth)
    client.post(f"/api/v1/events/{event['id']}/cancel", json={"reason": "Banjir"}, headers=auth)

    assert actions(registration) == [
        "event.create", "registrations.list", "registration.view", "registration.promote", "registration.check_in",
        "registration.check_in_undo", "registration.cancel", "event.update", "api_key.issue", "api_key.revoke",
        "event.cancel",
    ]  # fmt: skip
    rows = trail(registration)
    assert {(row.staff_id, row.staff_email, row.client_address) for row in rows} == {
        (admin_id(registration), "admin@pelita.local", "127.0.0.1")
    }
    assert all(row.event_id == event["id"] for row in rows[:8] + rows[10:])
    assert [row.object_id for row in rows[2:7]] == [first["id"], second["id"], first["id"], first["id"], first["id"]]
    assert rows[8].object_id == str(key["api_key"]["id"]) and rows[8].event_id is None
    no_personal_data(registration, *people)


def test_pages_record_lists_exports_records_and_accounts(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    person = make_registration_body(full_name="Nama Yang Tidak Boleh Tercatat")
    made = client.post(f"/api/v1/events/{event['id']}/registrations", json=person).json
    sign_in(client)
    client.get(f"/staf/acara/{event['id']}?q=Nama")
    client.get(f"/staf/pendaftaran/{made['id']}/batalkan")  # the confirmation step shows the person
    client.get(f"/staf/acara/{event['id']}/peserta.csv")
    client.get(f"/staf/acara/{event['id']}/peserta.xlsx")
    add_regency_organiser(registration)
    with registration.app_context():
        organiser = db.session.scalar(sa.select(Staff.id).where(Staff.email == "org@contoh.id"))
    page = client.get("/staf/akun")
    token = csrf(page.text)
    client.post(f"/staf/akun/{organiser}/nonaktifkan", data={"csrf_token": token})
    client.post(f"/staf/akun/{organiser}/aktifkan", data={"csrf_token": token})
    assert actions(registration)[1:] == [
        "registrations.list",
        "registration.view",
        "registrations.export",
        "registrations.export",
        "account.disable",
        "account.enable",
    ]
    rows = trail(registration)
    assert [row.object_id for row in rows[2:]] == [made["id"], "csv", "xlsx", str(organiser), str(organiser)]
    no_personal_data(registration, person)


def test_a_proxied_visitor_is_recorded_by_their_own_address(make_registration_app):
    app = make_registration_app(TRUSTED_PROXY_HOPS=1)
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    sign_in(client)
    client.get("/staf/jejak")
    assert [(row.action, row.client_address) for row in trail(app)] == [("audit.view", "203.0.113.7")]


def test_only_a_provincial_admin_opens_the_trail_and_its_filters_and_csv_work(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    add_regency_organiser(registration, "63.03")
    organiser = registration.test_client()
    sign_in(organiser, "org@contoh.id", "pw-org")
    organiser.get(f"/staf/acara/{event['id']}")
    assert organiser.get("/staf/jejak").status_code == 403
    assert organiser.get("/staf/jejak?format=csv").status_code == 403
    assert "Jejak audit" not in organiser.get("/staf").text

    sign_in(client)
    page = client.get("/staf")
    assert 'href="/staf/jejak"' in page.text
    everything = client.get("/staf/jejak")
    assert everything.status_code == 200 and "org@contoh.id" in everything.text and "event.create" in everything.text
    by_organiser = table(client.get("/staf/jejak?staff=org@contoh"))
    assert "registrations.list" in by_organiser and "event.create" not in by_organiser
    by_action = table(client.get("/staf/jejak?action=event.create"))
    assert "event.create" in by_action and "org@contoh.id" not in by_action
    today = to_local(utcnow()).date()  # the filter's days are WITA days
    assert "event.create" in table(client.get(f"/staf/jejak?dari={today - timedelta(days=1)}&sampai={today}"))
    assert "event.create" not in table(client.get(f"/staf/jejak?dari={today + timedelta(days=2)}"))
    assert client.get("/staf/jejak?dari=kemarin").status_code == 400
    assert client.get("/staf/jejak?dari=0001-01-01").status_code == 400
    assert client.get("/staf/jejak?sampai=9999-12-31&format=csv").status_code == 400
    assert client.get("/staf/jejak?staff=" + "x" * 300).status_code == 400

    exported = client.get("/staf/jejak?format=csv&action=registrations.list")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["staff_email"], r["action"], r["event_id"]) for r in rows] == [
        ("org@contoh.id", "registrations.list", event["id"])
    ]
    assert actions(registration)[-1] == "audit.export"
    english = client.get("/staf/jejak?lang=en").text
    assert "Audit trail" in english and "Download CSV" in english


def window() -> tuple[str, str]:
    """An hour either side of now, as the controller would type it: WITA, without an offset."""
    now = to_local(utcnow()).replace(tzinfo=None)
    return (now - timedelta(hours=1)).isoformat(timespec="minutes"), (now + timedelta(hours=1)).isoformat()


def table(response) -> str:
    """The trail page's table (the filter form above it names every action)."""
    return response.text.split("<tbody>")[1]


def exposure(app, *args: str) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["audit", "exposure", *args])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_exposure_of_an_organiser_lists_only_their_kabupatens_people_and_what_they_opened(registration, auth):
    client = registration.test_client()
    here = client.post("/api/v1/events", json=make_event_body(kabupaten_code="63.03"), headers=auth).json
    there = client.post("/api/v1/events", json=make_event_body(kabupaten_code="63.06"), headers=auth).json
    mine = [client.post(f"/api/v1/events/{here['id']}/registrations", json=make_registration_body()).json
            for _ in range(2)]  # fmt: skip
    client.post(f"/api/v1/events/{there['id']}/registrations", json=make_registration_body())
    add_regency_organiser(registration, "63.03")
    organiser = registration.test_client()
    sign_in(organiser, "org@contoh.id", "pw-org")
    organiser.get(f"/staf/acara/{here['id']}/peserta.csv")
    with registration.app_context():
        organiser_id = db.session.scalar(sa.select(Staff.id).where(Staff.email == "org@contoh.id"))
    since, until = window()

    rows = exposure(registration, "--staff-id", str(organiser_id), "--since", since, "--until", until)
    assert sorted(r["registration_id"] for r in rows) == sorted(p["id"] for p in mine)
    assert {(r["kabupaten_code"], r["exported"], r["basis"]) for r in rows} == {("63.03", "ya", "could_see")}
    assert all(r["phone"].startswith("+62") and r["email"].endswith("@contoh.id") for r in rows)

    admin = exposure(registration, "--staff-id", str(admin_id(registration)), "--since", since, "--until", until)
    assert len(admin) == 3 and not any(r["exported"] for r in admin)


def test_exposure_of_an_api_key_lists_only_what_it_registered(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    key = client.post("/api/v1/api-keys", json={"name": "Mitra"}, headers=auth).json
    by_key = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body(),
                         headers={"X-API-Key": key["key"]}).json  # fmt: skip
    client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body())  # the public form's
    since, until = window()
    rows = exposure(registration, "--api-key-id", str(key["api_key"]["id"]), "--since", since, "--until", until)
    assert [(r["registration_id"], r["basis"]) for r in rows] == [(by_key["id"], "registered_with_key")]
    earlier = exposure(registration, "--api-key-id", str(key["api_key"]["id"]), "--since", "2020-01-01",
                       "--until", "2020-02-01")  # fmt: skip
    assert earlier == []


def test_account_changes_are_recorded_against_the_account_changed(registration):
    from tests.integration.registration.test_staff_accounts import GOOD_PASSWORD, invite, staff_row

    admin = registration.test_client()
    sign_in(admin)
    assert invite(admin).status_code == 303
    rina = staff_row(registration, "rina@banjarkab.go.id").id
    page = admin.get(f"/staf/akun/{rina}/peran")
    form = {"csrf_token": csrf(page.text), "role": "regency_organiser", "kabupaten_code": "63.06"}
    assert admin.post(f"/staf/akun/{rina}/peran", data=form).status_code == 303
    page = admin.get("/staf/kata-sandi")
    form = {"csrf_token": csrf(page.text), "current": "rahasia-admin", "password": GOOD_PASSWORD,
            "confirm": GOOD_PASSWORD}  # fmt: skip
    assert admin.post("/staf/kata-sandi", data=form).status_code in (200, 303)
    rows = trail(registration)
    me = admin_id(registration)
    assert [(row.action, row.staff_id, row.object_id) for row in rows] == [
        ("account.invite", me, str(rina)),
        ("account.role_change", me, str(rina)),
        ("account.password_change", me, str(me)),
    ]
    assert GOOD_PASSWORD not in " ".join(str(row.object_id) for row in rows)
