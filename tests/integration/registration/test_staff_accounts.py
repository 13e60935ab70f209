"""Staff accounts have a life cycle: a provincial admin invites by email, the link sets a password once, accounts are
disabled and enabled, staff change their own password, and each of these ends the sessions it should."""

import re

import sqlalchemy as sa

from services.registration.extensions import db
from services.registration.models import OutboxMessage, Staff
from tests.factories import make_event_body
from tests.integration.notifications.conftest import run_beat
from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in

GOOD_PASSWORD = "kapal layar di sungai barito"


def envelopes(app, event_type: str) -> list[dict]:
    with app.app_context():
        query = sa.select(OutboxMessage.envelope).where(OutboxMessage.type == event_type).order_by(OutboxMessage.seq)
        return list(db.session.scalars(query))


def forward(registration, app, event_type: str) -> None:
    """Hand registration's `event_type` messages to another service, as its handle_event task would."""
    import importlib

    service = importlib.import_module(f"services.{app.config['SERVICE']}.service")
    with app.app_context():
        for envelope in envelopes(registration, event_type):
            assert service.handle_event(envelope) in ("processed", "duplicate")


def invite(client, **fields):
    page = client.get("/staf/akun")
    form = {"name": "Rina Wulandari", "email": "rina@banjarkab.go.id", "role": "regency_organiser",
            "kabupaten_code": "63.03"} | fields  # fmt: skip
    return client.post("/staf/akun", data={"csrf_token": csrf(page.text), **form})


def staff_row(app, email: str) -> Staff:
    with app.app_context():
        staff = db.session.scalar(sa.select(Staff).where(Staff.email == email))
        db.session.expunge_all()
        return staff


def set_password(client, link_path: str, password: str, confirm: str | None = None):
    page = client.get(link_path)
    data = {"csrf_token": csrf(page.text), "password": password, "confirm": password if confirm is None else confirm}
    return client.post(link_path, data=data)


def test_an_invited_organiser_gets_the_mail_and_its_link_sets_a_password_once(registration, notifications, smtp_server):
    admin = registration.test_client()
    sign_in(admin)
    done = invite(admin)
    assert done.status_code == 303
    assert "rina@banjarkab.go.id" in admin.get("/staf/akun").text
    forward(registration, notifications, "staff.invited")
    run_beat(notifications)
    [mail] = smtp_server.mails_to("rina@banjarkab.go.id")
    assert mail.subject == "Undangan akun staf Pelita" and "Rina Wulandari" in mail.text()
    link = re.search(r"http://\S+(/staf/atur-sandi/\S+)", mail.text())[1]

    newcomer = registration.test_client()
    assert "rina@banjarkab.go.id" in newcomer.get(link).text
    too_short = set_password(newcomer, link, "pendek123")
    assert too_short.status_code == 400 and "minimal 12 karakter" in too_short.text
    common = set_password(newcomer, link, "Password1234")
    assert common.status_code == 400 and "terlalu umum" in common.text
    mismatch = set_password(newcomer, link, GOOD_PASSWORD, "kapal layar di sungai martapura")
    assert mismatch.status_code == 400 and "tidak sama" in mismatch.text
    assert set_password(newcomer, link, GOOD_PASSWORD).status_code == 303

    again = newcomer.get(link)
    assert again.status_code == 410 and "sudah dipakai" in again.text
    stranger = registration.test_client()
    second = {"csrf_token": csrf(stranger.get("/staf/masuk").text), "password": "pelabuhan tua di tepi sungai"}
    assert stranger.post(link, data=second | {"confirm": second["password"]}).status_code == 410
    assert sign_in(newcomer, "rina@banjarkab.go.id", GOOD_PASSWORD).status_code == 303
    assert newcomer.get("/staf").status_code == 200
    assert newcomer.get("/staf/akun").status_code == 403  # a regency organiser manages no accounts


def test_the_invitation_mail_is_in_english_when_the_admin_works_in_english(registration, notifications, smtp_server):
    admin = registration.test_client()
    sign_in(admin)
    page = admin.get("/staf/akun?lang=en")
    assert "Invite staff" in page.text and "Regency/city organiser" in page.text
    assert invite(admin, email="budi@tapinkab.go.id", kabupaten_code="63.05").status_code == 303
    forward(registration, notifications, "staff.invited")
    run_beat(notifications)
    [mail] = smtp_server.mails_to("budi@tapinkab.go.id")
    assert mail.subject == "Your Pelita staff account invitation" and "set your password" in mail.text()


def test_the_invite_form_refuses_what_it_cannot_use(registration):
    admin = registration.test_client()
    sign_in(admin)
    no_kabupaten = invite(admin, kabupaten_code="")
    assert no_kabupaten.status_code == 400 and "Pilih kabupaten/kota" in no_kabupaten.text
    assert invite(admin, email="bukan-email").status_code == 400
    assert invite(admin, role="root").status_code == 400
    taken = invite(admin, email="ADMIN@pelita.local")
    assert taken.status_code == 409 and "sudah punya akun" in taken.text
    assert envelopes(registration, "staff.invited") == []


def test_a_regency_organiser_cannot_invite_or_disable(registration):
    add_regency_organiser(registration)
    organiser = registration.test_client()
    sign_in(organiser, "org@contoh.id", "pw-org")
    page = organiser.get("/staf/kata-sandi")
    assert "Akun staf" not in page.text and "Kata sandi" in page.text
    token = csrf(page.text)
    form = {"csrf_token": token, "name": "Penyusup", "email": "x@contoh.id", "role": "provincial_admin"}
    assert organiser.post("/staf/akun", data=form).status_code == 403
    assert organiser.post("/staf/akun/1/nonaktifkan", data={"csrf_token": token}).status_code == 403
    assert staff_row(registration, "admin@pelita.local").active


def test_disabling_ends_every_session_at_once_and_enabling_lets_the_person_sign_in_again(registration):
    add_regency_organiser(registration)
    organiser = registration.test_client()
    assert sign_in(organiser, "org@contoh.id", "pw-org").status_code == 303
    token = registration.test_client().post("/api/v1/auth/token", json={"email": "org@contoh.id", "password": "pw-org"})
    bearer = {"Authorization": f"Bearer {token.json['token']}"}
    assert registration.test_client().get("/api/v1/events/managed", headers=bearer).status_code == 200

    admin = registration.test_client()
    sign_in(admin)
    organiser_id = staff_row(registration, "org@contoh.id").id
    page = admin.get("/staf/akun")
    assert "Panitia kabupaten/kota" in page.text and "Kabupaten Hulu Sungai Selatan" in page.text
    done = admin.post(f"/staf/akun/{organiser_id}/nonaktifkan", data={"csrf_token": csrf(page.text)})
    assert done.status_code == 303 and "Nonaktif" in admin.get("/staf/akun").text

    assert organiser.get("/staf").status_code == 302  # the cookie no longer opens the pages
    assert registration.test_client().get("/api/v1/events/managed", headers=bearer).status_code == 401
    refused = sign_in(registration.test_client(), "org@contoh.id", "pw-org")
    assert refused.status_code == 403 and "dinonaktifkan" in refused.text
    [changed] = [
        e["payload"] for e in envelopes(registration, "staff.changed") if e["payload"]["staff_id"] == organiser_id
    ]
    assert changed == {"staff_id": organiser_id, "token_version": 1, "active": False}

    page = admin.get("/staf/akun")
    admin.post(f"/staf/akun/{organiser_id}/aktifkan", data={"csrf_token": csrf(page.text)})
    assert sign_in(registration.test_client(), "org@contoh.id", "pw-org").status_code == 303
    assert (
        registration.test_client().get("/api/v1/events/managed", headers=bearer).status_code == 401
    )  # old tokens stay dead


def test_an_admin_cannot_disable_their_own_account(registration):
    admin = registration.test_client()
    sign_in(admin)
    page = admin.get("/staf/akun")
    admin_id = staff_row(registration, "admin@pelita.local").id
    refused = admin.post(f"/staf/akun/{admin_id}/nonaktifkan", data={"csrf_token": csrf(page.text)})
    assert refused.status_code == 409 and staff_row(registration, "admin@pelita.local").active


def test_changing_ones_password_ends_other_sessions_but_keeps_this_one(registration):
    other_device = registration.test_client()
    sign_in(other_device)
    client = registration.test_client()
    sign_in(client)
    page = client.get("/staf/kata-sandi")
    wrong = client.post(
        "/staf/kata-sandi",
        data={"csrf_token": csrf(page.text), "current": "salah", "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD},
    )
    assert wrong.status_code == 400 and "saat ini salah" in wrong.text
    weak = client.post(
        "/staf/kata-sandi",
        data={"csrf_token": csrf(page.text), "current": "rahasia-admin", "password": "admin12345678",
              "confirm": "admin12345678"},
    )  # fmt: skip
    assert weak.status_code == 400
    done = client.post(
        "/staf/kata-sandi",
        data={"csrf_token": csrf(page.text), "current": "rahasia-admin", "password": GOOD_PASSWORD,
              "confirm": GOOD_PASSWORD},
    )  # fmt: skip
    assert done.status_code == 303
    assert client.get("/staf").status_code == 200
    assert other_device.get("/staf").status_code == 302
    assert sign_in(registration.test_client(), password="rahasia-admin").status_code == 401
    assert sign_in(registration.test_client(), password=GOOD_PASSWORD).status_code == 303


def test_signing_out_revokes_the_accounts_tokens(registration, auth):
    client = registration.test_client()
    sign_in(client)
    page = client.get("/staf")
    assert client.post("/staf/keluar", data={"csrf_token": csrf(page.text)}).status_code == 303
    assert registration.test_client().get("/api/v1/events/managed", headers=auth).status_code == 401

    token = registration.test_client().post(
        "/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"}
    )
    bearer = {"Authorization": f"Bearer {token.json['token']}"}
    assert registration.test_client().post("/api/v1/auth/logout", headers=bearer).status_code == 204
    assert registration.test_client().get("/api/v1/events/managed", headers=bearer).status_code == 401


def test_the_command_line_invites_disables_and_enables(registration):
    runner = registration.test_cli_runner()
    invited = runner.invoke(args=["staff", "invite", "dewi@hsu.go.id", "--name", "Dewi", "--kabupaten", "63.08"])
    assert invited.exit_code == 0, invited.output
    [payload] = [e["payload"] for e in envelopes(registration, "staff.invited")]
    assert payload["email"] == "dewi@hsu.go.id" and "/staf/atur-sandi/" in payload["link"]
    assert runner.invoke(args=["staff", "disable", "dewi@hsu.go.id"]).exit_code == 0
    assert not staff_row(registration, "dewi@hsu.go.id").active
    assert runner.invoke(args=["staff", "enable", "dewi@hsu.go.id"]).exit_code == 0
    listed = runner.invoke(args=["staff", "list"]).output
    assert "dewi@hsu.go.id\tregency_organiser\t63.08\taktif" in listed and "pbkdf2" not in listed
    assert runner.invoke(args=["staff", "disable", "tidak-ada@contoh.id"]).exit_code != 0


def test_the_generated_admin_password_is_printed_once_only(make_registration_app):
    app = make_registration_app(ADMIN_PASSWORD=None)
    app.config["ADMIN_EMAIL"] = "kepala@dispersip.id"  # a new deployment's first admin
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--no-demo"])
    password = re.search(r"kepala@dispersip\.id / (\S+)", first.output)[1]
    second = runner.invoke(args=["seed", "--no-demo"])
    assert password not in second.output and "sudah ada" in second.output
    assert sign_in(app.test_client(), "kepala@dispersip.id", password).status_code == 303


def test_changing_an_organisers_kabupaten_ends_their_old_session(registration, auth):
    event = registration.test_client().post(
        "/api/v1/events", json=make_event_body(kabupaten_code="63.03"), headers=auth
    )
    add_regency_organiser(registration, "63.06")
    organiser = registration.test_client()
    sign_in(organiser, "org@contoh.id", "pw-org")
    assert organiser.get(f"/staf/acara/{event.json['id']}").status_code == 403

    admin = registration.test_client()
    sign_in(admin)
    organiser_id = staff_row(registration, "org@contoh.id").id
    page = admin.get(f"/staf/akun/{organiser_id}/peran")
    form = {"csrf_token": csrf(page.text), "role": "regency_organiser"}
    missing = admin.post(f"/staf/akun/{organiser_id}/peran", data=form | {"kabupaten_code": ""})
    assert missing.status_code == 400 and "Pilih kabupaten/kota" in missing.text
    assert admin.post(f"/staf/akun/{organiser_id}/peran", data=form | {"kabupaten_code": "63.03"}).status_code == 303

    assert organiser.get("/staf").status_code == 302  # the old cookie still said 63.06: it is gone
    sign_in(organiser, "org@contoh.id", "pw-org")
    assert organiser.get(f"/staf/acara/{event.json['id']}").status_code == 200
    admin_id = staff_row(registration, "admin@pelita.local").id
    own = admin.post(f"/staf/akun/{admin_id}/peran", data=form | {"kabupaten_code": "63.03"})
    assert own.status_code == 400 and staff_row(registration, "admin@pelita.local").role == "provincial_admin"
