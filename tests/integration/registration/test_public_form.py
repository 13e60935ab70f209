"""The public pages as a participant uses them: no JavaScript, Indonesian first, errors beside the fields."""

import logging
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
import redis
import sqlalchemy as sa
import time_machine
from itsdangerous import URLSafeTimedSerializer

from scripts.redis_local import free_port, start_redis
from services.registration.extensions import db
from services.registration.models import OutboxMessage, Registration
from tests.conftest import ROOT
from tests.factories import make_event_body


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def hidden(html: str) -> dict:
    """The hidden fields a browser sends back with the form: the CSRF token and the signed render time."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))


def form_fields(**overrides) -> dict:
    fields = {
        "full_name": "Siti Rahmah",
        "phone": "0812-3456-7890",
        "email": "",
        "preferred_channel": "whatsapp",
        "kabupaten_code": "63.03",
        "kecamatan_code": "63.03.05",
        "desa_code": "63.03.05.2009",
        "gender": "female",
        "age_group": "26_35",
        "disability": "none",
        "accessibility_needs": "",
        "participant_type": "library_manager",
        "institution": "",
        "consent_training": "ya",
        "consent_messages": "ya",
        "notice_version": "2026-12-04",
        "website": "",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def event_id(registration, auth):
    response = registration.test_client().post("/api/v1/events", json=make_event_body(capacity=1), headers=auth)
    return response.json["id"]


def submit(client, event_id: str, **overrides):
    page = client.get(f"/acara/{event_id}/daftar")
    return client.post(f"/acara/{event_id}/daftar", data=form_fields(**hidden(page.text)) | overrides)


def test_event_page_shows_wita_time_venue_and_seats_in_indonesian(registration, event_id):
    page = registration.test_client().get(f"/acara/{event_id}")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text
    assert "WITA" in page.text and "Aula Dispersip Kabupaten Banjar" in page.text
    assert "1 dari 1 tersisa" in page.text
    assert "<script" not in page.text  # works without JavaScript: there is none


def test_registering_on_the_form_shows_the_confirmation_with_qr(registration, event_id):
    client = registration.test_client()
    response = submit(client, event_id)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Pendaftaran berhasil" in page.text and "<svg" in page.text
    with registration.app_context():
        stored = db.session.scalars(sa.select(Registration)).one()
    assert stored.phone == "+6281234567890" and stored.desa_code == "63.03.05.2009" and stored.locale == "id"
    assert stored.checkin_code in page.text


def test_errors_are_beside_the_field_summarised_with_links_and_input_is_kept(registration, event_id):
    client = registration.test_client()
    response = submit(client, event_id, full_name="Budi <b>", phone="12", gender="", consent_training="")
    assert response.status_code == 400
    html = response.text
    assert 'class="error-summary"' in html and 'href="#field-phone"' in html and 'href="#field-gender"' in html
    assert 'id="error-phone"' in html and "Nomor HP tidak valid" in html
    assert 'aria-describedby="hint-phone error-phone"' in html and 'aria-invalid="true"' in html
    assert "Centang persetujuan" in html
    assert 'value="Budi &lt;b&gt;"' in html  # kept, and escaped
    with registration.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_kecamatan_and_desa_lists_fill_without_javascript(registration, event_id):
    client = registration.test_client()
    page = client.get(f"/acara/{event_id}/daftar")
    assert 'id="field-kecamatan_code"' not in page.text  # no kecamatan list before a kabupaten is chosen
    refreshed = client.post(
        f"/acara/{event_id}/daftar",
        data={"csrf_token": csrf(page.text), "kabupaten_code": "63.03", "full_name": "Siti", "refresh": "kecamatan"},
    )
    assert refreshed.status_code == 200 and 'value="Siti"' in refreshed.text
    assert '<option value="63.03.05">Martapura</option>' in refreshed.text
    assert "Pilih kecamatan" not in refreshed.text  # refreshing is not submitting: no errors yet


def test_the_same_phone_twice_gets_the_existing_registration_not_a_second_seat(registration, event_id):
    client = registration.test_client()
    assert submit(client, event_id).status_code == 303
    again = submit(client, event_id, phone="+62 812 3456 7890", full_name="Siti R.")
    assert again.status_code == 200 and "sudah terdaftar" in again.text
    with registration.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_the_honeypot_takes_nothing_and_is_counted(registration, event_id, caplog):
    client = registration.test_client()
    before = bots_suspected(client, "honeypot")
    with caplog.at_level(logging.WARNING, logger="services.registration.api.public"):
        response = submit(client, event_id, website="http://spam.example")
    assert response.status_code == 303 and response.headers["Location"].endswith("/terima-kasih")
    with registration.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert bots_suspected(client, "honeypot") == before + 1
    assert [record.message for record in caplog.records] == ["bot_suspected: honeypot"]


def test_a_post_without_csrf_token_is_refused(registration, event_id):
    response = registration.test_client().post(f"/acara/{event_id}/daftar", data=form_fields())
    assert response.status_code == 400


def test_a_person_who_chose_english_is_registered_to_get_their_messages_in_english(registration, event_id):
    client = registration.test_client()
    client.get(f"/acara/{event_id}?lang=en")  # the language switch, remembered in a cookie
    assert submit(client, event_id).status_code == 303
    with registration.app_context():
        assert db.session.scalars(sa.select(Registration.locale)).one() == "en"


def test_english_is_one_click_away(registration, event_id):
    page = registration.test_client().get(f"/acara/{event_id}?lang=en")
    assert '<html lang="en">' in page.text
    assert re.search(
        r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d+ \w+ \d{4} at \d\d:\d\d WITA", page.text
    )
    assert 'hreflang="id"' in page.text  # and back to Bahasa Indonesia


def test_cancel_link_cancels_once_and_a_forged_link_is_refused(registration, event_id):
    client = registration.test_client()
    confirmation = client.get(submit(client, event_id).headers["Location"])
    cancel_link = re.search(r'href="(http://127\.0\.0\.1:8001)?(/r/[^"]+/batal)"', confirmation.text).group(2)
    page = client.get(cancel_link)
    assert "Batalkan pendaftaran?" in page.text
    done = client.post(cancel_link, data={"csrf_token": csrf(page.text)})
    assert "sudah dibatalkan" in done.text
    assert "sudah dibatalkan" in client.get(cancel_link).text
    forged = client.get(cancel_link.replace("/r/", "/r/x"))
    assert forged.status_code == 404 and "tidak sah" in forged.text


def staff_event(app) -> str:
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    return client.post("/api/v1/events", json=make_event_body(), headers=headers).json["id"]


def test_submitting_too_often_gets_a_friendly_429_page(make_registration_app, redis_url):
    app = make_registration_app(
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
        REGISTRATION_FORM_RATE_LIMIT="2 per minute",
    )
    event_id, client = staff_event(app), app.test_client()
    statuses = [submit(client, event_id, phone=f"0812-3456-78{n:02d}").status_code for n in range(3)]
    assert statuses == [303, 303, 429]
    page = submit(client, event_id, phone="0812-3456-7899")
    assert "Terlalu banyak" in page.text and "belum terkirim" in page.text
    assert 0 < int(page.headers["Retry-After"]) <= 60


def test_while_the_limiters_store_is_down_the_form_takes_registrations_and_still_counts_them(
    make_registration_app, caplog
):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = make_registration_app(RATELIMIT_STORAGE_URI=dead, REGISTRATION_FORM_RATE_LIMIT="2 per minute")
    event_id, client = staff_event(app), app.test_client()
    with caplog.at_level(logging.WARNING, logger="services.registration.ratelimit"):
        statuses = [submit(client, event_id, phone=f"0812-3456-77{n:02d}").status_code for n in range(3)]
    assert statuses == [303, 303, 429]  # no error page, and the limit holds, counted in the worker's memory
    said = [record.message.split(":")[0] for record in caplog.records if record.name.endswith(".ratelimit")]
    assert said == ["ratelimit_storage_down"]  # once, not at every submission
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2


def test_once_the_limiters_store_is_back_the_form_counts_there_again(make_registration_app, tmp_path, monkeypatch):
    from services.registration import ratelimit

    monkeypatch.setattr(ratelimit, "RETRY_STORE_AFTER_SECONDS", 0.0)  # ask the store again at the next submission
    port = free_port()
    app = make_registration_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0", RATELIMIT_KEY_PREFIX="back")
    event_id, client = staff_event(app), app.test_client()
    assert submit(client, event_id, phone="0812-3456-7600").status_code == 303  # counted in memory
    redis_server = start_redis(port, tmp_path, tmp_path / "redis.log")
    try:
        assert submit(client, event_id, phone="0812-3456-7601").status_code == 303
        keys = redis.Redis(port=port).keys("*back*registration-form*")
        assert keys, "the submission made after Redis came back is counted in Redis"
    finally:
        redis_server.terminate()
        redis_server.wait(10)


def submit_from(app, event_id: str, forwarded_for: str, phone: str) -> int:
    """A visitor's GET and POST as they reach gunicorn through a proxy that sets X-Forwarded-For."""
    client, headers = app.test_client(), {"X-Forwarded-For": forwarded_for}
    page = client.get(f"/acara/{event_id}/daftar", headers=headers)
    fields = form_fields(phone=phone, **hidden(page.text))
    return client.post(f"/acara/{event_id}/daftar", data=fields, headers=headers).status_code


def test_behind_a_trusted_proxy_each_visitor_is_counted_by_their_own_address(make_registration_app, redis_url):
    app = make_registration_app(
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
        REGISTRATION_FORM_RATE_LIMIT="2 per minute",
        TRUSTED_PROXY_HOPS=1,
    )
    event_id = staff_event(app)
    siti = [submit_from(app, event_id, "10.0.0.1", f"0812-3456-71{n:02d}") for n in range(3)]
    assert siti == [303, 303, 429]
    assert submit_from(app, event_id, "10.0.0.2", "0812-3456-7200") == 303  # a neighbour has her own quota
    # Siti writing another address in front of hers: the proxy appends what it saw, and only that is trusted.
    assert submit_from(app, event_id, "203.0.113.9, 10.0.0.1", "0812-3456-7201") == 429


def test_without_a_trusted_proxy_a_made_up_forwarded_address_does_not_escape_the_limit(
    make_registration_app, redis_url
):
    app = make_registration_app(
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
        REGISTRATION_FORM_RATE_LIMIT="2 per minute",
    )
    event_id = staff_event(app)
    statuses = [submit_from(app, event_id, f"10.0.1.{n}", f"0812-3456-73{n:02d}") for n in range(3)]
    assert statuses == [303, 303, 429]


def test_each_service_has_its_own_session_cookie_so_two_open_tabs_do_not_break_each_others_forms(
    registration, event_id
):
    page = registration.test_client().get(f"/acara/{event_id}/daftar")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("pelita_registration_session=")  # not Flask's shared "session"
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert "Secure" not in cookie  # a test app over http://; production or an https:// address makes it Secure


# --- the form's signed render time (docs/reliability.md) -----------------------------------------------------


def bots_suspected(client, reason: str) -> float:
    """The form's bot counter as a Prometheus scraper reads it from GET /metrics."""
    page = client.get("/metrics")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/plain")
    return float(
        re.search(rf'^pelita_registration_bot_suspected_total{{reason="{reason}"}} (\S+)$', page.text, re.M)[1]
    )


def stored(app) -> tuple[int, ...]:
    """(registrations, outbox rows) in the service's store."""
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Registration, OutboxMessage)
        )


@pytest.fixture
def timed_app(make_registration_app):
    """The service with the production minimum: a form must have been open 3 s before it is sent."""
    app = make_registration_app(FORM_MIN_SECONDS=3)
    app.event_id = staff_event(app)
    return app


def later(seconds: float):
    """Move the clock on, as a person filling the form does."""
    return time_machine.travel(time.time() + seconds)


def test_a_form_sent_a_second_after_it_was_shown_is_thanked_but_nothing_is_stored(timed_app, caplog):
    client, before = timed_app.test_client(), stored(timed_app)
    counted = bots_suspected(client, "too_fast")
    page = client.get(f"/acara/{timed_app.event_id}/daftar")
    with later(1), caplog.at_level(logging.WARNING, logger="services.registration.api.public"):
        response = client.post(f"/acara/{timed_app.event_id}/daftar", data=form_fields(**hidden(page.text)))
    assert response.status_code == 303 and response.headers["Location"].endswith("/terima-kasih")
    assert "Terima kasih" in client.get(response.headers["Location"]).text  # what a person would see
    assert stored(timed_app) == before  # no registration, no outbox row
    assert bots_suspected(client, "too_fast") == counted + 1
    assert [record.message for record in caplog.records] == ["bot_suspected: too_fast"]
    assert caplog.records[0].reason == "too_fast" and caplog.records[0].event_id == timed_app.event_id


def test_a_person_who_takes_longer_than_the_minimum_is_registered(timed_app):
    client = timed_app.test_client()
    page = client.get(f"/acara/{timed_app.event_id}/daftar")
    with later(4):
        response = client.post(f"/acara/{timed_app.event_id}/daftar", data=form_fields(**hidden(page.text)))
    assert response.status_code == 303 and "/pendaftaran/" in response.headers["Location"]
    assert stored(timed_app)[0] == 1


def test_refreshing_the_lists_and_fixing_a_field_keep_the_time_the_form_was_first_shown(timed_app):
    client, url = timed_app.test_client(), f"/acara/{timed_app.event_id}/daftar"
    first = hidden(client.get(url).text)
    with later(1):
        refreshed = client.post(url, data=form_fields(**first, refresh="kecamatan"))
    assert hidden(refreshed.text)["rendered_at"] == first["rendered_at"]
    with later(4):
        mistake = client.post(url, data=form_fields(**hidden(refreshed.text), consent_training=""))
        assert mistake.status_code == 400 and "Centang persetujuan" in mistake.text
        assert hidden(mistake.text)["rendered_at"] == first["rendered_at"]
        fixed = client.post(url, data=form_fields(**hidden(mistake.text)))  # at once: only the first showing counts
    assert fixed.status_code == 303 and "/pendaftaran/" in fixed.headers["Location"]
    assert stored(timed_app)[0] == 1


def moved_back(value: str) -> str:
    """A render time a minute earlier, signed with a guessed key: what a bot that read the field would send."""
    return URLSafeTimedSerializer("guessed-secret", salt="registration-form-rendered-at").dumps(time.time() - 60)


@pytest.mark.parametrize(
    "tamper",
    [moved_back, lambda value: value[:-2] + "xx", lambda value: ""],
    ids=["moved-back-with-a-guessed-key", "signature-altered", "left-empty"],
)
def test_a_tampered_or_missing_render_time_is_refused_and_the_form_comes_back_as_typed(timed_app, tamper):
    client, before = timed_app.test_client(), stored(timed_app)
    counted = bots_suspected(client, "too_fast")
    page = client.get(f"/acara/{timed_app.event_id}/daftar")
    fields = form_fields(**hidden(page.text))
    with later(4):
        response = client.post(
            f"/acara/{timed_app.event_id}/daftar", data=fields | {"rendered_at": tamper(fields["rendered_at"])}
        )
    assert response.status_code == 400
    assert "Formulir ini tidak lengkap atau rusak" in response.text and 'role="alert"' in response.text
    assert 'value="Siti Rahmah"' in response.text and 'value="0812-3456-7890"' in response.text
    assert stored(timed_app) == before
    assert bots_suspected(client, "too_fast") == counted  # refused, not taken for a bot
    with later(4.5):  # checked and sent straight back: registered, not thanked and dropped
        again = client.post(f"/acara/{timed_app.event_id}/daftar", data=fields | hidden(response.text))
    assert again.status_code == 303 and "/pendaftaran/" in again.headers["Location"]
    assert stored(timed_app)[0] == before[0] + 1


def test_a_form_without_its_render_time_is_refused_in_english_for_an_english_reader(timed_app):
    client = timed_app.test_client()
    page = client.get(f"/acara/{timed_app.event_id}/daftar?lang=en")
    fields = form_fields(**hidden(page.text))
    del fields["rendered_at"]
    response = client.post(f"/acara/{timed_app.event_id}/daftar", data=fields)
    assert response.status_code == 400 and "This form is incomplete or damaged" in response.text


def test_a_form_open_for_more_than_a_day_is_shown_again_to_send_and_nothing_is_lost(timed_app):
    client, url = timed_app.test_client(), f"/acara/{timed_app.event_id}/daftar"
    first = hidden(client.get(url).text)
    with later(25 * 3600):
        stale = client.post(url, data=form_fields(**first))
        assert stale.status_code == 400 and "sudah terlalu lama terbuka" in stale.text
        assert 'value="Siti Rahmah"' in stale.text
        again = hidden(stale.text)
        assert again["rendered_at"] != first["rendered_at"]
        sent = client.post(url, data=form_fields(**again))  # sent again straight away: a person, not a bot
    assert sent.status_code == 303 and "/pendaftaran/" in sent.headers["Location"]
    assert stored(timed_app)[0] == 1


def test_metrics_are_served_outside_the_api_spec(registration):
    client = registration.test_client()
    assert bots_suspected(client, "honeypot") >= 0 and bots_suspected(client, "too_fast") >= 0
    assert "/metrics" not in client.get("/api/openapi.json").json["paths"]


def test_under_gunicorn_metrics_add_up_every_worker_process(registration, tmp_path, monkeypatch):
    """With PROMETHEUS_MULTIPROC_DIR each worker writes its counts there; /metrics from any one shows their sum."""
    env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from services.registration.metrics import BOT_SUSPECTED; BOT_SUSPECTED.labels(reason='too_fast').inc()"
    for _worker in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, cwd=ROOT, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert bots_suspected(registration.test_client(), "too_fast") == 2
