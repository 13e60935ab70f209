"""Every response: a CSP without inline scripts, no framing, no sniffing, same-origin referrers, no-store on what
is personal, HSTS in production; bodies over the limit get a friendly 413."""

import re

import pytest

from tests.factories import make_event_body


def headers_of(response) -> dict:
    return {key.lower(): value for key, value in response.headers.items()}


@pytest.fixture
def event_id(registration, auth):
    return registration.test_client().post("/api/v1/events", json=make_event_body(), headers=auth).json["id"]


@pytest.fixture
def confirmation_url(registration, event_id):
    from tests.integration.registration.test_public_form import form_fields, hidden

    client = registration.test_client()
    page = client.get(f"/acara/{event_id}/daftar")
    sent = client.post(f"/acara/{event_id}/daftar", data={**dict(form_fields()), **hidden(page.text)})
    assert sent.status_code == 303
    return sent.headers["Location"]


def test_pages_forbid_inline_scripts_framing_and_sniffing(registration, notifications, reporting):
    for app in (registration, notifications, reporting):
        for path in ("/healthz", "/api/docs", "/api/openapi.json", "/staf"):
            response = app.test_client().get(path)
            headers = headers_of(response)
            policy = headers["content-security-policy"]
            script = re.search(r"script-src ([^;]+)", policy).group(1)
            assert "unsafe-inline" not in script and "unsafe-eval" not in script
            assert "frame-ancestors 'none'" in policy
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] in ("same-origin", "no-referrer")
            assert "strict-transport-security" not in headers  # development and tests run over plain HTTP


def test_no_template_has_an_inline_script_or_event_handler():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    for template in [*root.glob("services/**/templates/**/*.html"), *root.glob("shared/web/templates/**/*.html")]:
        text = template.read_text()
        # a JSON data block (type="application/json", filled with |tojson, which escapes "<") is data, never run
        assert not re.search(r"<script(?![^>]*\s(?:src=|type=\"application/json\"))", text), (
            f"inline <script> in {template}"
        )
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {template}"


def test_the_api_docs_start_swagger_ui_from_a_file(registration):
    page = registration.test_client().get("/api/docs")
    assert "<script>" not in page.text
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert "/static/pelita/swagger-init.js" in scripts
    assert "SwaggerUIBundle" in registration.test_client().get("/static/pelita/swagger-init.js").text


def test_personal_pages_are_never_cached(registration, auth, event_id, confirmation_url):
    client = registration.test_client()
    token_page = client.get(confirmation_url)
    assert token_page.status_code == 200
    assert headers_of(token_page)["cache-control"] == "no-store"
    cancel = re.search(r'href="([^"]*/batal)"', token_page.text).group(1)
    assert headers_of(client.get(cancel))["cache-control"] == "no-store"
    listing = client.get(f"/api/v1/events/{event_id}/registrations", headers=auth)
    assert listing.status_code == 200 and headers_of(listing)["cache-control"] == "no-store"
    client.set_cookie("pelita_staff", auth["Authorization"].split()[1])
    for path in (f"/staf/acara/{event_id}", f"/staf/acara/{event_id}/peserta.csv", "/staf"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert headers_of(response)["cache-control"] == "no-store", path


def test_our_own_static_files_may_be_cached(registration):
    response = registration.test_client().get("/static/pelita/pelita.css")
    assert response.status_code == 200 and "no-store" not in response.headers["Cache-Control"]


def test_production_sends_hsts(monkeypatch, tmp_path):
    from services.reporting.app import create_app

    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("STAFF_TOKEN_SECRET", "s" * 40)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("REPORTING_DATABASE_URL", f"sqlite:///{tmp_path}/r.sqlite3")
    monkeypatch.setenv("REPORTING_PUBLIC_URL", "https://laporan.example.id")
    response = create_app("production").test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_body_over_the_limit_gets_a_friendly_413(registration, event_id):
    client = registration.test_client()
    big = "x" * (300 * 1024)
    api = client.post("/api/v1/auth/token", json={"email": big, "password": "x"})
    assert api.status_code == 413
    assert api.json["code"] == 413 and "terlalu besar" in api.json["message"]
    page = client.post(f"/acara/{event_id}/daftar", data={"full_name": big})
    assert page.status_code == 413
    assert "Data terlalu besar" in page.text and "<html" in page.text
    english = client.post(f"/acara/{event_id}/daftar?lang=en", data={"full_name": big})
    assert "Too much data" in english.text
