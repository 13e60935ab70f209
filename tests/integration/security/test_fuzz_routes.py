"""Nasty input on every route of the three services, signed out and as the provincial admin: never a 5xx.

The routes come from each app's url_map, so a new route is fuzzed the day it is added. Each placeholder is filled
with a real id and with junk; each form field, query argument and JSON property any service reads gets the same
junk; bodies also come as the wrong JSON shape, bad UTF-8 and bad percent-encoding. Afterwards the exports still work.
"""

import json
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_event_body, make_registration_body, relay_staff_changed
from tests.integration.conftest import build
from tests.integration.security.routes import field_names, routes

NASTY = [
    "",
    "0",
    "-1",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "99999-12-31",
    "2026-02-30T25:61",
    "\ud800",
    "a\x00b",
    "x" * 2000,
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%",
    "%zz",
    "63.03' OR '1'='1",
]
JSON_SHAPES = [[1, 2], "text", 7, None, {"a": [[[[[{"b": [None]}]]]]]}, [{"x": {}}]]
RAW_BODIES = [b"full_name=%ff%fe%fd&phone=\xff\xfe", b"a=%zz&b=%&c=%e0%80", b"\x00\xff\xfe" * 50]
#: Raw query strings: WSGI carries them as latin-1 text, so a byte over 0x7f arrives as it was sent.
RAW_QUERIES = ["q=%ff%fe&page=%zz", "status=\xff&lang=%ED%A0%80", "&&==&%"]
FIELDS = field_names()
FORM = "application/x-www-form-urlencoded"
NO_CSRF = {"WTF_CSRF_ENABLED": False}
#: The page and the API operation that sign out: every session of the account ends (and they read no input).
SIGNS_OUT = {"staff.logout", "auth.logout"}


@pytest.fixture
def apps(new_store, redis_url, smtp_server):
    from services.notifications.app import create_app as notifications_app
    from services.registration import seed
    from services.registration.app import create_app as registration_app
    from services.reporting.app import create_app as reporting_app

    registration = build(
        registration_app,
        new_store("registration"),
        redis_url,
        ADMIN_PASSWORD="rahasia-admin",
        RATELIMIT_STORAGE_URI="memory://",
        REGISTRATION_FORM_RATE_LIMIT="100000 per minute",
        **NO_CSRF,
    )
    with registration.app_context():
        seed.seed_regions()
        seed.seed_admin()
    notifications = build(
        notifications_app,
        new_store("notifications"),
        redis_url,
        SMTP_HOST=smtp_server.host,
        SMTP_PORT=smtp_server.port,
        **NO_CSRF,
    )
    reporting = build(reporting_app, new_store("reporting"), redis_url, **NO_CSRF)
    relay_staff_changed(registration, notifications, reporting)  # the admin's token opens their staff routes too
    yield {"registration": registration, "notifications": notifications, "reporting": reporting}
    for app in (registration, notifications, reporting):
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def real_ids(apps):
    """Ids that exist, so the fuzz reaches past the 404s: an event, a registration, a schedule."""
    client = apps["registration"].test_client()
    token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
    auth = {"Authorization": f"Bearer {token.json['token']}"}
    event_id = client.post("/api/v1/events", json=make_event_body(), headers=auth).json["id"]
    registration = client.post(f"/api/v1/events/{event_id}/registrations", json=make_registration_body(), headers=auth)
    schedule = (
        apps["reporting"]
        .test_client()
        .post("/api/v1/schedules", json={"kind": "weekly", "recipients": ["laporan@contoh.id"]}, headers=auth)
    )
    assert schedule.status_code == 201, schedule.json
    key = client.post("/api/v1/api-keys", json={"name": "Sistem Informasi Desa"}, headers=auth)
    return {
        "auth": auth,
        "token": auth["Authorization"].split()[1],
        "values": {
            "event_id": event_id,
            "registration_id": registration.json["id"],
            "schedule_id": schedule.json["id"],
            "notification_id": 1,
            "token": "x",
            "purpose": "confirmation",
            "channel": "email",
            "locale": "id",
            "action": "undang-lagi",  # the account pages' (a new set-password link)
            "staff_id": 1,  # the admin's own account
            "key_id": key.json["api_key"]["id"],
            "fmt": "csv",
            "filename": "pelita.css",
        },
    }


def encoded(fields: dict) -> str:
    """A form body or query string as a browser would send it, lone surrogates and all (as their UTF-8 bytes)."""
    return urlencode(fields, encoding="utf-8", errors="surrogatepass")


def requests_for(route, valid: dict):
    """(url, keyword arguments for the test client) pairs: junk in the path, the query and the body."""
    url = route.url(valid)
    for junk in NASTY:
        filled = {name: junk for _, name in route.placeholders() if name != "filename"}
        if filled:
            yield route.url(valid | filled), {}
    junk_fields = [dict.fromkeys(FIELDS, junk) for junk in NASTY]
    if route.method == "GET":
        for fields in junk_fields:
            yield url, {"query_string": encoded(fields)}
        for raw in RAW_QUERIES:
            yield url, {"query_string": raw}
        return
    for fields in junk_fields:
        yield url, {"data": encoded(fields), "content_type": FORM}
        yield url, {"data": json.dumps(fields), "content_type": "application/json"}
    for shape in JSON_SHAPES:
        yield url, {"data": json.dumps(shape), "content_type": "application/json"}
    for raw in RAW_BODIES:
        yield url, {"data": raw, "content_type": FORM}
        yield url, {"data": raw, "content_type": "application/json"}
    yield url, {"query_string": RAW_QUERIES[0], "data": {"x": "1"}}


def sends_to_sign_in(app, route, values) -> bool:
    response = app.test_client().open(route.url(values), method=route.method)
    return response.status_code in (302, 303) and "/staf/masuk" in response.headers.get("Location", "")


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # the production store, stricter than SQLite
def test_no_route_of_any_service_answers_nasty_input_with_a_server_error(apps, real_ids):
    started = time.process_time()  # this process's CPU: the machine's other load does not count
    failures, sent = [], 0
    for name, app in apps.items():
        for route in routes(app):
            if route.endpoint in SIGNS_OUT:
                continue  # ends the admin's sessions for the rest of the walk; it reads no input
            for signed_in in (False, True):
                if not signed_in and sends_to_sign_in(app, route, real_ids["values"]):
                    continue  # a staff page turns strangers away before it reads anything
                client = app.test_client()
                headers = real_ids["auth"] if signed_in else {}
                if signed_in:
                    client.set_cookie("pelita_staff", real_ids["token"])
                for url, kwargs in requests_for(route, real_ids["values"]):
                    sent += 1
                    try:
                        response = client.open(url, method=route.method, headers=headers, **kwargs)
                    except Exception as error:
                        failures.append(f"{name} {route.method} {url[:80]} {kwargs and list(kwargs)}: {error!r}")
                        continue
                    if response.status_code >= 500:
                        failures.append(f"{name} {route.method} {url[:80]} {list(kwargs)}: {response.status_code}")
    assert sent > 4000, "the walk shrank: did the routes or the junk go missing?"
    assert failures == [], "\n".join(sorted(set(failures))[:80])
    # a tripwire against a walk that multiplies (a new list crossed with another), not a speed target: the walk takes
    # about a minute of CPU while the rest of make test loads both cores
    assert time.process_time() - started < 150, "the walk grew too slow for the suite: trim NASTY or FIELDS"

    # Nothing the fuzz stored breaks what staff download afterwards.
    event_id = real_ids["values"]["event_id"]
    client = apps["registration"].test_client()
    client.set_cookie("pelita_staff", real_ids["token"])
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/staf/acara/{event_id}/peserta.{fmt}").status_code == 200
    reports = apps["reporting"].test_client()
    reports.set_cookie("pelita_staff", real_ids["token"])
    for fmt in ("csv", "xlsx", "pdf"):
        assert reports.get(f"/dasbor/unduh.{fmt}").status_code == 200


text = st.text(max_size=300)  # any code point, lone surrogates included


@given(fields=st.dictionaries(st.sampled_from(FIELDS), text, max_size=8), as_json=st.booleans())
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_random_text_in_any_field_of_the_registration_api_and_form_is_never_a_server_error(
    make_registration_app, fields, as_json
):
    holder = test_random_text_in_any_field_of_the_registration_api_and_form_is_never_a_server_error
    app = getattr(holder, "app", None)
    if app is None:
        app = holder.app = make_registration_app(REGISTRATION_FORM_RATE_LIMIT="100000 per minute", **NO_CSRF)
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
        holder.auth = {"Authorization": f"Bearer {token.json['token']}"}
        holder.event_id = client.post("/api/v1/events", json=make_event_body(), headers=holder.auth).json["id"]
    client = app.test_client()
    event_id = holder.event_id
    if as_json:
        body = make_registration_body() | fields
        sent = client.post(f"/api/v1/events/{event_id}/registrations", json=body, headers=holder.auth)
        changed = client.patch(f"/api/v1/events/{event_id}", json=fields, headers=holder.auth)
        assert changed.status_code < 500
    else:
        sent = client.post(f"/acara/{event_id}/daftar", data=encoded(fields), content_type=FORM)
    assert sent.status_code < 500
