"""A regency organiser sees and changes only the opt-outs of their own kabupaten's recipients; an opt-out tied to no
recipient (a number that wrote BERHENTI, say) only a provincial admin."""

import re
from datetime import timedelta

import pytest

from services.notifications import service, store
from shared.staffauth import STAFF_COOKIE, StaffClaims
from shared.timeutil import utcnow
from tests.factories import staff_token
from tests.integration.notifications.conftest import publish_event, register


def client_for(app, claims: StaffClaims):
    client = app.test_client()
    client.set_cookie(STAFF_COOKIE, staff_token(app, claims))
    return client


ADMIN = StaffClaims(1, "admin@pelita.local", "provincial_admin")
BANJAR = StaffClaims(2, "banjar@contoh.id", "regency_organiser", "63.03")


@pytest.fixture
def opted_out(notifications):
    """Opt-outs of a Banjar participant, a Hulu Sungai Tengah participant, and an address of no participant."""
    app = notifications
    starts = utcnow() + timedelta(days=10)
    banjar = publish_event(app, starts, kabupaten_code="63.03", kabupaten_name="Kabupaten Banjar")
    hst = publish_event(app, starts, kabupaten_code="63.06", kabupaten_name="Kabupaten Hulu Sungai Tengah")
    register(app, banjar, email="siti@contoh.id", phone="+6281234560001")
    register(app, hst, email="nur@contoh.id", phone="+6281234560002")
    with app.app_context():
        for address in ("siti@contoh.id", "+6281234560002", "tanpa.acara@contoh.id"):
            service.set_opt_out(address, active=True, source="link")
    return app


def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]


def test_an_organiser_lists_only_their_kabupatens_opt_outs(opted_out):
    page = client_for(opted_out, BANJAR).get("/staf/berhenti")
    assert page.status_code == 200
    assert "siti@contoh.id" in page.text
    assert "+6281234560002" not in page.text and "tanpa.acara@contoh.id" not in page.text
    assert "Yang tampil hanya nomor dan alamat peserta acara di kabupaten/kota Anda" in page.text


def test_a_provincial_admin_lists_every_opt_out(opted_out):
    page = client_for(opted_out, ADMIN).get("/staf/berhenti")
    for address in ("siti@contoh.id", "+6281234560002", "tanpa.acara@contoh.id"):
        assert address in page.text
    assert "Yang tampil hanya" not in page.text


@pytest.mark.parametrize("address", ["+6281234560002", "tanpa.acara@contoh.id", "baru@contoh.id"])
def test_an_organiser_cannot_change_another_kabupatens_or_a_global_opt_out(opted_out, address):
    client = client_for(opted_out, BANJAR)
    token = csrf(client.get("/staf/berhenti"))
    refused = client.post("/staf/berhenti", data={"csrf_token": token, "address": address, "active": "0"})
    assert refused.status_code == 403
    with opted_out.app_context():
        row = store.get_opt_out(address)
        assert row is None or (row.active and row.source == "link")


def test_an_organiser_resumes_their_own_participants_reminders(opted_out):
    client = client_for(opted_out, BANJAR)
    token = csrf(client.get("/staf/berhenti"))
    done = client.post("/staf/berhenti", data={"csrf_token": token, "address": "siti@contoh.id", "active": "0"})
    assert done.status_code == 303
    with opted_out.app_context():
        assert store.get_opt_out("siti@contoh.id").active is False


def test_an_admin_changes_a_global_opt_out_and_junk_is_refused(opted_out):
    client = client_for(opted_out, ADMIN)
    token = csrf(client.get("/staf/berhenti"))
    done = client.post("/staf/berhenti", data={"csrf_token": token, "address": "tanpa.acara@contoh.id", "active": "0"})
    assert done.status_code == 303
    for junk in ("", "x" * 255):
        assert client.post("/staf/berhenti", data={"csrf_token": token, "address": junk}).status_code == 400
