"""Staff see who stopped reminders and can undo it; others are sent to sign in."""

import re

import time_machine

from services.notifications import service
from shared.staffauth import STAFF_COOKIE, StaffClaims
from tests.factories import staff_token
from tests.integration.notifications.conftest import publish_event, register, run_beat, wita


def signed_in(app):
    client = app.test_client()
    token = staff_token(app, StaffClaims(1, "admin@pelita.local", "provincial_admin"))
    client.set_cookie(STAFF_COOKIE, token)
    return client


def test_staff_see_an_opt_out_and_undoing_it_lets_reminders_go_again(app, smtp_server):
    with app.app_context():
        service.set_opt_out("lagi@contoh.id", active=True, source="link")
    client = signed_in(app)
    page = client.get("/staf/berhenti")
    assert page.status_code == 200 and "lagi@contoh.id" in page.text and "link" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    undone = client.post(
        "/staf/berhenti", data={"csrf_token": token, "address": "lagi@contoh.id", "active": "0"}, follow_redirects=True
    )
    assert "dilanjutkan" in undone.text and "admin@pelita.local" in undone.text
    with time_machine.travel(wita(2026, 3, 13, 10, 0)):
        event = publish_event(app, wita(2026, 3, 17, 8, 30))
        register(app, event, email="lagi@contoh.id")
    with time_machine.travel(wita(2026, 3, 14, 8, 30)):
        assert run_beat(app) == ["delivered", "delivered"]  # the confirmation and the H-3 reminder


def test_the_opt_out_page_needs_a_signed_in_staff_member(app):
    response = app.test_client().get("/staf/berhenti")
    assert response.status_code == 302 and "/staf/masuk" in response.headers["Location"]
