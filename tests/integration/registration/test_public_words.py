"""The public pages' words: the error summary says what the fields say, in page order; one language per page."""

import re

import pytest
from bs4 import BeautifulSoup

from tests.factories import make_event_body
from tests.integration.registration.test_public_form import form_fields, hidden

#: Words that slipped into Indonesian pages before; none of them belongs on one.
ENGLISH = ("sent", "link", "submit", "error", "required", "optional", "share", "event", "found", "request", "page")
#: Indonesian words of the pages' own text (not of an event's title or a place's name): none belongs on an English page.
INDONESIAN = ("kesalahan", "daftar", "tidak", "tautan", "pilih", "isi", "halaman", "batalkan", "kembali", "kirim")


@pytest.fixture
def event_id(registration, auth) -> str:
    body = make_event_body(title="Literasi Digital", venue="Aula Dispersip, Martapura", capacity=5)
    return registration.test_client().post("/api/v1/events", json=body, headers=auth).json["id"]


def visible_words(html: str) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    for hidden_part in soup.select("select, .hp, .brand, nav.lang"):  # place names, the honeypot, the brand
        hidden_part.decompose()
    return set(re.findall(r"\w+", soup.get_text(" ").lower()))


def every_public_page(client, event_id: str, lang: str) -> dict[str, str]:
    """Each page a participant can land on, in `lang` (remembered from the first visit, as for a person)."""
    client.get(f"/?lang={lang}")
    form = client.get(f"/acara/{event_id}/daftar").text
    wrong = client.post(f"/acara/{event_id}/daftar", data=hidden(form) | {"phone": "12", "kabupaten_code": "63.03"})
    sent = client.post(f"/acara/{event_id}/daftar", data=form_fields(**hidden(form)))
    confirmation = client.get(sent.headers["Location"]).text
    cancel = re.search(r'href="http://[^/]+(/r/[^"]+/batal)"', confirmation).group(1)
    pages = {
        "index": client.get("/").text,
        "event": client.get(f"/acara/{event_id}").text,
        "form": form,
        "form with errors": wrong.text,
        "already registered": client.post(f"/acara/{event_id}/daftar", data=form_fields(**hidden(form))).text,
        "cancel": client.get(cancel).text,
    }
    pages["cancelled"] = client.post(cancel, data={"csrf_token": hidden(form)["csrf_token"]}).text
    pages["thanks"] = client.get("/terima-kasih").text
    pages["forged link"] = client.get("/r/tidak-sah/batal").text
    pages["no such event"] = client.get("/acara/tidak-ada").text
    pages["no such page"] = client.get("/tidak-ada-halaman-ini").text
    pages["old poster"] = client.get(f"/acara/{event_id}/poster/0123456789abcdef/besar.jpg").text
    return pages


def test_no_english_word_on_an_indonesian_public_page(registration, event_id):
    pages = every_public_page(registration.test_client(), event_id, "id")
    found = {name: sorted(visible_words(html) & set(ENGLISH)) for name, html in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_every_public_page_and_error_reads_in_english_for_an_english_reader(registration, event_id):
    pages = every_public_page(registration.test_client(), event_id, "en")
    found = {name: sorted(visible_words(html) & set(INDONESIAN)) for name, html in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}
    assert "Page not found." in pages["no such page"] and "This link is not valid" in pages["forged link"]


def test_the_error_summary_uses_each_fields_label_word_for_word_in_page_order(registration, event_id):
    client = registration.test_client()
    form = client.get(f"/acara/{event_id}/daftar").text
    response = client.post(f"/acara/{event_id}/daftar", data=hidden(form) | {"phone": "12", "email": "bukan-email"})
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "html.parser")
    summary = page.select(".error-summary li a")
    assert len(summary) >= 8
    fields = [page.find(id=link["href"][1:]) for link in summary]
    positions = [page.find_all(True).index(field) for field in fields]
    assert positions == sorted(positions), [link.text for link in summary]
    for link, field in zip(summary, fields, strict=True):
        said = field.find("legend") if field.name == "fieldset" else page.find("label", attrs={"for": field["id"]})
        if field.get("type") == "checkbox":
            said = field.find_parent("fieldset").find("legend")
        label = said.find(string=True, recursive=False).strip()  # without "(tidak wajib)"
        assert link.text.startswith(f"{label}: "), (link.text, label)


def test_a_form_whose_session_was_lost_comes_back_as_typed_to_send_again(registration, event_id):
    """The browser was closed and its session cookie lost: the form is not thrown away."""
    form = registration.test_client().get(f"/acara/{event_id}/daftar").text
    stranger = registration.test_client()  # the same person, without the cookie the form's token was tied to
    again = stranger.post(f"/acara/{event_id}/daftar?lang=en", data=form_fields(**hidden(form)))
    assert again.status_code == 400 and 'value="Siti Rahmah"' in again.text
    assert "needs to be sent once more" in again.text
    sent = stranger.post(f"/acara/{event_id}/daftar", data=form_fields(**hidden(again.text)))
    assert sent.status_code == 303


def test_a_form_whose_session_was_lost_for_an_event_since_cancelled_is_told_so(registration, auth, event_id):
    form = registration.test_client().get(f"/acara/{event_id}/daftar").text
    registration.test_client().post(f"/api/v1/events/{event_id}/cancel", json={"reason": "Banjir"}, headers=auth)
    again = registration.test_client().post(f"/acara/{event_id}/daftar", data=form_fields(**hidden(form)))
    assert again.status_code == 409 and "Acara ini dibatalkan" in again.text
