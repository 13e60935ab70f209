"""A failure shows a page in the person's language with a reference id, never Werkzeug's default, on every service;
the JSON API keeps JSON errors; the log has the reference and the traceback but not the address (it may be signed)."""

import logging
import re

import pytest

from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from tests.integration.conftest import build

FACTORIES = {"registration": registration_app, "notifications": notifications_app, "reporting": reporting_app}


def boom(**_):
    raise RuntimeError("something broke deep inside")


@pytest.fixture(params=list(FACTORIES))
def app(request, new_store, redis_url):
    app = build(FACTORIES[request.param], new_store(request.param), redis_url)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error handler answers
    app.add_url_rule("/staf/meledak/<token>", "boom_page", boom)
    app.add_url_rule("/api/v1/meledak", "boom_api", boom)
    return app


def test_a_failure_shows_a_reference_in_the_persons_language_and_logs_it_with_the_traceback(app, caplog):
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        page = client.get("/staf/meledak/rahasia-tertandatangani")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "Maaf, ada kesalahan" in page.text and "Internal Server Error" not in page.text
    reference = re.search(r'class="code">([0-9A-F]{8})<', page.text).group(1)
    assert "something broke" not in page.text and "Traceback" not in page.text
    (record,) = [r for r in caplog.records if reference in r.getMessage()]
    assert record.exc_info and "something broke deep inside" in caplog.text
    assert "rahasia-tertandatangani" not in caplog.text

    english = client.get("/staf/meledak/x?lang=en")
    assert english.status_code == 500 and "Sorry, something went wrong" in english.text


def test_the_json_api_answers_json_with_the_reference(app, caplog):
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/v1/meledak")
    assert response.status_code == 500 and response.is_json
    assert response.json["code"] == 500 and re.fullmatch(r"[0-9A-F]{8}", response.json["reference"])
    assert response.json["reference"] in caplog.text


def test_a_missing_page_is_a_page_in_the_persons_language(app):
    client = app.test_client()
    page = client.get("/tidak-ada-halaman-ini")
    assert page.status_code == 404 and "Halaman ini tidak ditemukan" in page.text
    assert "The requested URL was not found" not in page.text
    assert "Page not found" in client.get("/tidak-ada-halaman-ini?lang=en").text
    api = client.get("/api/v1/tidak-ada")
    assert api.status_code == 404 and api.is_json and api.json["code"] == 404
