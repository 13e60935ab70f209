"""The public form and event page come from a per-process cache (shared/web/pagecache.py), yet every visitor gets
the page a full render would give them: their own CSRF token and render time, the event as it is now, their
language."""

import re

import pytest
from flask import render_template

from services.registration import labels, notices
from services.registration.extensions import db
from services.registration.models import Event
from shared import regions
from tests.factories import make_event_body
from tests.integration.registration.test_public_form import form_fields, hidden

HIDDEN_VALUES = re.compile(r'(name="(?:csrf_token|rendered_at)" value=")[^"]*(")')


@pytest.fixture
def event_id(registration, auth):
    response = registration.test_client().post("/api/v1/events", json=make_event_body(capacity=2), headers=auth)
    return response.json["id"]


def test_two_visitors_get_the_same_form_with_their_own_token_and_both_can_register(registration, event_id):
    first, second = registration.test_client(), registration.test_client()
    pages = [client.get(f"/acara/{event_id}/daftar").text for client in (first, second, first)]

    assert hidden(pages[0])["csrf_token"] != hidden(pages[1])["csrf_token"]
    assert len({HIDDEN_VALUES.sub(r"\1\2", page) for page in pages}) == 1  # otherwise the same page, byte for byte
    for n, (client, page) in enumerate(((first, pages[2]), (second, pages[1]))):
        sent = form_fields(phone=f"0812-3456-789{n}") | hidden(page)
        assert client.post(f"/acara/{event_id}/daftar", data=sent).status_code == 303


def test_the_cached_form_is_the_page_a_full_render_gives(registration, event_id):
    page = registration.test_client().get(f"/acara/{event_id}/daftar").text
    page = registration.test_client().get(f"/acara/{event_id}/daftar").text  # the second one from the cache

    with registration.test_request_context(f"/acara/{event_id}/daftar"):
        event = db.session.get(Event, event_id)
        lists = {"kabupaten": [(a.code, a.name) for a in regions.kabupaten()], "kecamatan": [], "desa": []}
        full = render_template(
            "public/form.html", event=event, values={}, errors={}, lists=lists, labels=labels,
            rendered_at="", notice_version=notices.CURRENT, pretest=[],
        )  # fmt: skip
    assert HIDDEN_VALUES.sub(r"\1\2", page) == HIDDEN_VALUES.sub(r"\1\2", full)


def test_an_edited_event_shows_at_once_on_its_form_and_page(registration, event_id, auth):
    client = registration.test_client()
    assert "Pelatihan Literasi Digital" not in client.get(f"/acara/{event_id}/daftar").text
    client.get(f"/acara/{event_id}")

    client.patch(f"/api/v1/events/{event_id}", json={"title": "Pelatihan Literasi Digital"}, headers=auth)

    assert "Daftar: Pelatihan Literasi Digital" in client.get(f"/acara/{event_id}/daftar").text
    assert "<h1>Pelatihan Literasi Digital</h1>" in client.get(f"/acara/{event_id}").text


def test_a_knowledge_question_added_or_deleted_shows_at_once_on_the_form(registration, event_id):
    from tests.integration.registration.test_evaluation import add_question, staff_client

    visitor = registration.test_client()
    assert "Tes pengetahuan awal" not in visitor.get(f"/acara/{event_id}/daftar").text  # now in the cache
    organiser, token = staff_client(registration)
    assert add_question(organiser, token, event_id, text="Apa kepanjangan TPBIS?").status_code in (200, 303)
    assert "Apa kepanjangan TPBIS?" in visitor.get(f"/acara/{event_id}/daftar").text


def test_taken_seats_show_on_the_event_page_and_a_full_event_warns_on_its_form(registration, event_id):
    client = registration.test_client()
    assert "2 dari 2 tersisa" in client.get(f"/acara/{event_id}").text
    assert "Kursi sudah penuh" not in client.get(f"/acara/{event_id}/daftar").text

    for n in range(2):
        page = client.get(f"/acara/{event_id}/daftar").text
        client.post(f"/acara/{event_id}/daftar", data=form_fields(phone=f"0812-3456-780{n}") | hidden(page))

    assert "0 dari 2 tersisa" in client.get(f"/acara/{event_id}").text
    assert "Kursi sudah penuh" in client.get(f"/acara/{event_id}/daftar").text


def test_each_language_gets_its_own_page(registration, event_id):
    client = registration.test_client()
    assert 'lang="id"' in client.get(f"/acara/{event_id}/daftar").text
    english = client.get(f"/acara/{event_id}/daftar?lang=en").text
    assert '<html lang="en">' in english and "Full name" in english
    assert '<html lang="id">' in client.get(f"/acara/{event_id}/daftar?lang=id").text
