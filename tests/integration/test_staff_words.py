"""The staff pages and the messages to participants speak Indonesian: no English word left on an Indonesian staff page
of any service, nor in an Indonesian mail, SMS or the approved WhatsApp texts; the kode hadir is never a "check-in
code". ("email" is kept: it is the everyday Indonesian word for it, see docs/organiser.md.)"""

import re
from pathlib import Path

from bs4 import BeautifulSoup

from services.notifications.app import create_app as notifications_app
from services.registration import service
from services.reporting.app import create_app as reporting_app
from shared.staffauth import STAFF_COOKIE, StaffClaims
from tests.factories import make_event_body, make_registration_body, staff_token
from tests.integration.conftest import build
from tests.integration.registration.test_public_words import ENGLISH
from tests.integration.registration.test_staff_pages import sign_in

ROOT = Path(__file__).resolve().parents[2]
#: Beside the public pages' list: English words that were on staff pages or in messages before.
STAFF_ENGLISH = (*ENGLISH, "check", "checkin", "placeholder", "log", "download", "upload", "dashboard",
                 "schedule", "report", "cancel", "save", "delete", "preview", "reset", "edit", "template")  # fmt: skip
ADMIN = StaffClaims(1, "admin@pelita.local", "provincial_admin", None)


def english_words(html: str) -> list[str]:
    """English words in what a reader sees: not in template syntax ({{ recipient.full_name }}, a message template's
    text being edited), addresses, or the language switch."""
    soup = BeautifulSoup(html, "html.parser")
    for technical in soup.select("code, pre, textarea, select, .brand, nav.lang, script, style"):
        technical.decompose()
    text = re.sub(r"\S+@\S+|https?://\S+|\{\{.*?\}\}|\{%.*?%\}", " ", soup.get_text(" "))
    return sorted(set(re.findall(r"[a-z]+", text.lower())) & set(STAFF_ENGLISH))


def test_no_english_word_on_an_indonesian_registration_staff_page(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(capacity=1), headers=auth).json
    seated, waiting = (
        client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body(full_name=name)).json
        for name in ("Siti Rahmah", "Ahmad Fauzi")
    )
    with registration.app_context():
        scanned = service.checkin_url(waiting["id"]).split("/", 3)[3]
    signed_out = registration.test_client().get("/staf/masuk").text
    assert sign_in(client).status_code == 303
    pages = {
        "sign in": signed_out,
        "events": client.get("/staf").text,
        "event": client.get(f"/staf/acara/{event['id']}").text,
        "event, filters on Semua": client.get(f"/staf/acara/{event['id']}?q=&status=&disability=").text,
        "edit event": client.get(f"/staf/acara/{event['id']}/ubah").text,
        "new event": client.get("/staf/acara/baru").text,
        "cancel event": client.get(f"/staf/acara/{event['id']}/batalkan").text,
        "cancel registration": client.get(f"/staf/pendaftaran/{seated['id']}/batalkan").text,
        "promote": client.get(f"/staf/pendaftaran/{waiting['id']}/naikkan").text,
        "scanned QR": client.get(f"/{scanned}").text,
        "accounts": client.get("/staf/akun").text,
        "account role": client.get("/staf/akun/1/peran").text,
        "password": client.get("/staf/kata-sandi").text,
        "two-step": client.get("/staf/dua-langkah").text,
        "API keys": client.get("/staf/kunci-api").text,
        "audit": client.get("/staf/jejak").text,
        "no such event": client.get("/staf/acara/tidak-ada").text,
    }
    found = {name: english_words(html) for name, html in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_no_english_word_on_an_indonesian_messages_or_reports_staff_page(new_store, redis_url):
    notifications = build(notifications_app, new_store("notifications"), redis_url)
    reporting = build(reporting_app, new_store("reporting"), redis_url)
    pages = {}
    for app, paths in (
        (notifications, ("/staf", "/staf/acara", "/staf/templat", "/staf/templat/confirmation/sms/id",
                         "/staf/templat/confirmation/email/id", "/staf/berhenti", "/staf/jejak")),
        (reporting, ("/dasbor", "/jadwal", "/jejak")),
    ):  # fmt: skip
        client = app.test_client()
        client.set_cookie(STAFF_COOKIE, staff_token(app, ADMIN))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            pages[f"{app.config['SERVICE']} {path}"] = response.text
    found = {name: english_words(html) for name, html in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_no_english_word_in_the_indonesian_messages_to_participants_and_staff():
    """Every Indonesian mail, SMS and WhatsApp text as shipped (the template syntax aside)."""
    folder = ROOT / "services" / "notifications" / "templates" / "messages"
    texts = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.id*.txt")}
    doc = (ROOT / "docs" / "whatsapp-templates.md").read_text(encoding="utf-8")
    texts |= {f"whatsapp {n}": body for n, body in enumerate(re.findall(r"\(`id`\):\s*```\n(.*?)```", doc, re.S))}
    assert len(texts) > 20
    found = {}
    for name, text in texts.items():
        plain = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", text, flags=re.S)
        found[name] = sorted(set(re.findall(r"[a-z]+", plain.lower())) & set(STAFF_ENGLISH))
    assert {name: words for name, words in found.items() if words} == {}
