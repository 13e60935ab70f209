"""Who may use which route: every staff route and API operation of the three services, for every kind of caller.

The routes are read from each app's url_map: a route missing from ROUTES fails the test until someone decides who
may use it. Add a role as a row of ROLES and a column to each kind in EXPECTED; add a route to ROUTES under its kind.
"""

from dataclasses import dataclass

import pytest
from werkzeug.security import generate_password_hash

from services.notifications import store as notifications_store
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from tests.factories import make_event_body, make_event_published, make_registration_body, make_registration_created
from tests.integration.conftest import build
from tests.integration.security.routes import routes

HERE, ELSEWHERE = "63.03", "63.06"  # the objects under test all belong to HERE (Kabupaten Banjar)


@dataclass(frozen=True)
class Role:
    name: str
    role: str | None  # None: signed out
    kabupaten_code: str | None = None


#: The callers. Another kind of staff (a disabled or revoked account, say) is one more row here and one more
#: column in EXPECTED.
ROLES = (
    Role("provincial_admin", "provincial_admin"),
    Role("organiser_here", "regency_organiser", HERE),
    Role("organiser_elsewhere", "regency_organiser", ELSEWHERE),
    Role("signed_out", None),
)

# Outcomes
ALLOWED = "allowed"  # 2xx, or 3xx other than to the sign-in page
REFUSED = "refused"  # 403, or 404 where a service hides that the object exists
UNAUTHENTICATED = "401"  # the JSON API's answer without a valid token
SIGN_IN = "sign in"  # a page's answer: a redirect to the sign-in page
ANYONE = "anyone"  # public: never a 5xx

#: What each kind of route gives each role.
EXPECTED = {
    "public": dict.fromkeys(["provincial_admin", "organiser_here", "organiser_elsewhere", "signed_out"], ANYONE),
    "staff api": {
        "provincial_admin": ALLOWED,
        "organiser_here": ALLOWED,
        "organiser_elsewhere": ALLOWED,  # answers only with their own kabupaten's data
        "signed_out": UNAUTHENTICATED,
    },
    "kabupaten api": {
        "provincial_admin": ALLOWED,
        "organiser_here": ALLOWED,
        "organiser_elsewhere": REFUSED,
        "signed_out": UNAUTHENTICATED,
    },
    "staff page": {
        "provincial_admin": ALLOWED,
        "organiser_here": ALLOWED,
        "organiser_elsewhere": ALLOWED,
        "signed_out": SIGN_IN,
    },
    "kabupaten page": {
        "provincial_admin": ALLOWED,
        "organiser_here": ALLOWED,
        "organiser_elsewhere": REFUSED,
        "signed_out": SIGN_IN,
    },
    "admin page": {
        "provincial_admin": ALLOWED,
        "organiser_here": REFUSED,
        "organiser_elsewhere": REFUSED,
        "signed_out": SIGN_IN,
    },
}

#: Every route of every service, by kind. The one place to classify a new route.
ROUTES = {
    "registration": {
        "public": [
            "GET /",
            "GET /acara/<event_id>",
            "GET /acara/<event_id>/daftar",
            "POST /acara/<event_id>/daftar",
            "GET /terima-kasih",
            "GET /pendaftaran/<token>",
            "GET /r/<token>/batal",
            "POST /r/<token>/batal",
            # "Data saya": a participant's own data, by a signed link or a one-time code (no staff role involved)
            "GET /data-saya",
            "POST /data-saya",
            "POST /data-saya/kode",
            "GET /data-saya/<token>",
            "GET /data-saya/<token>/unduh",
            "GET /data-saya/<token>/ubah",
            "POST /data-saya/<token>/ubah",
            "GET /data-saya/<token>/hapus",
            "POST /data-saya/<token>/hapus",
            "GET /staf/masuk",
            "POST /staf/masuk",
            "POST /staf/keluar",
            "POST /api/v1/auth/token",
            # the public API: published events and registering for one, as the form does
            "GET /api/v1/events",
            "GET /api/v1/events/<event_id>",
            "POST /api/v1/events/<event_id>/registrations",
            "GET /healthz",
            "GET /metrics",
            "GET /api/docs",
            "GET /api/openapi.json",
            "GET /api/swagger-ui/<path:filename>",
            "GET /static/<path:filename>",
            "GET /static/pelita/<path:filename>",
        ],
        "staff api": ["GET /api/v1/events/managed"],
        "kabupaten api": [
            "POST /api/v1/events",  # in HERE
            "PATCH /api/v1/events/<event_id>",
            "POST /api/v1/events/<event_id>/cancel",
            "POST /api/v1/events/<event_id>/publish",
            "GET /api/v1/events/<event_id>/registrations",
            "GET /api/v1/registrations/<registration_id>",
            "POST /api/v1/registrations/<registration_id>/cancel",
            "POST /api/v1/registrations/<registration_id>/check-in",
            "POST /api/v1/registrations/<registration_id>/promote",
        ],
        "staff page": ["GET /staf", "GET /staf/acara/baru"],
        "kabupaten page": [
            "POST /staf/acara/baru",  # in HERE
            "GET /staf/acara/<event_id>",
            "POST /staf/acara/<event_id>/batalkan",
            "GET /staf/acara/<event_id>/peserta.<fmt>",
            "POST /staf/acara/<event_id>/publikasikan",
            "GET /staf/acara/<event_id>/ubah",
            "POST /staf/acara/<event_id>/ubah",
            "GET /staf/hadir/<token>",
            "POST /staf/hadir/<token>",
            "POST /staf/pendaftaran/<registration_id>/<action>",
        ],
    },
    "notifications": {
        "public": [
            "GET /berhenti/<token>",
            "POST /berhenti/<token>",
            "GET /healthz",
            "GET /api/docs",
            "GET /api/openapi.json",
            "GET /api/swagger-ui/<path:filename>",
            "GET /static/<path:filename>",
            "GET /static/pelita/<path:filename>",
            # each checks the provider's signature or our secret in its URL (tests/integration/notifications/...)
            "POST /webhooks/twilio/inbound",
            "POST /webhooks/twilio/status",
            "GET /webhooks/whatsapp",
            "POST /webhooks/whatsapp",
            "GET /webhooks/zenziva/<token>",
            "POST /webhooks/zenziva/<token>",
        ],
        "staff api": ["GET /api/v1/notifications"],
        "kabupaten api": [
            "POST /api/v1/notifications/<notification_id>/resend",
            "GET /api/v1/notifications/events/<event_id>/summary",
        ],
        "staff page": [
            "GET /staf",
            "GET /staf/acara",
            "GET /staf/berhenti",
            "GET /staf/templat",
            "GET /staf/templat/<purpose>/<channel>/<locale>",  # reading the texts and previewing a change
        ],
        "kabupaten page": [
            "GET /staf/acara/<event_id>",
            "POST /staf/berhenti",
            "GET /staf/pesan/<notification_id>",
            "POST /staf/pesan/<notification_id>/kirim-ulang",
        ],
        "admin page": [  # the texts serve every kabupaten
            "POST /staf/templat/<purpose>/<channel>/<locale>",
            "POST /staf/templat/<purpose>/<channel>/<locale>/bawaan",
        ],
    },
    "reporting": {
        "public": [
            "GET /",  # a redirect to the dashboard
            "GET /healthz",
            "GET /laporan/<token>",
            "GET /laporan/<token>/unduh.<any(xlsx, pdf):fmt>",
            "GET /api/docs",
            "GET /api/openapi.json",
            "GET /api/swagger-ui/<path:filename>",
            "GET /static/<path:filename>",
            "GET /static/pelita/<path:filename>",
        ],
        "staff api": ["GET /api/v1/schedules"],
        "kabupaten api": [
            "POST /api/v1/schedules",  # for HERE
            "GET /api/v1/summary",
            "GET /api/v1/reports/<any(xlsx, pdf, csv):fmt>",
            "POST /api/v1/schedules/<int:schedule_id>/resume",
        ],
        "staff page": ["GET /jadwal"],
        "kabupaten page": [
            "POST /jadwal",  # for HERE
            "GET /dasbor",
            "GET /dasbor/unduh.<any(xlsx, pdf, csv):fmt>",
            "POST /jadwal/<int:schedule_id>/kirim",
            "POST /jadwal/<int:schedule_id>/lanjutkan",
            "POST /jadwal/<int:schedule_id>/penerima",
        ],
    },
}


#: Query strings and form bodies that get a request past input validation, so the answer is about authorisation:
#: each names HERE where the route takes a kabupaten.
def form(key: str) -> dict:
    return {
        "GET /api/v1/summary": {"kabupaten_code": HERE},
        "GET /api/v1/reports/<any(xlsx, pdf, csv):fmt>": {"kabupaten": HERE},
        "GET /dasbor": {"kabupaten": HERE},
        "GET /dasbor/unduh.<any(xlsx, pdf, csv):fmt>": {"kabupaten": HERE},
        "POST /jadwal": {"kind": "weekly", "kabupaten": HERE, "recipients": "laporan@contoh.id"},
        "POST /jadwal/<int:schedule_id>/penerima": {"recipients": "laporan@contoh.id"},
        # the notifications recipient of the event in HERE (tests/factories.py)
        "POST /staf/berhenti": {"address": "ahmad@contoh.id", "active": "0"},
        "POST /staf/templat/<purpose>/<channel>/<locale>": {"action": "save", **default_confirmation_email()},
        "POST /staf/acara/baru": make_event_form(),
        "POST /staf/acara/<event_id>/ubah": make_event_form(),
    }.get(key, {})


def default_confirmation_email() -> dict:
    from services.notifications.messages import file_source

    text = file_source("confirmation", "email", "id")
    return {"subject": text.subject, "body": text.body}


def make_event_form() -> dict:
    from datetime import timedelta

    from shared.timeutil import to_local, utcnow

    start = to_local(utcnow() + timedelta(days=14)).replace(hour=9, minute=0)
    return {
        "title": "Pelatihan Literasi Digital",
        "description": "",
        "kabupaten_code": HERE,
        "venue": "Aula Dispersip Kabupaten Banjar",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "40",
    }


def api_body(key: str):
    """A valid JSON body for the API operations that take one (flask-smorest validates before the staff check)."""
    return {
        "POST /api/v1/events": make_event_body(kabupaten_code=HERE),
        "PATCH /api/v1/events/<event_id>": {"capacity": 60},
        "POST /api/v1/schedules": {"kind": "weekly", "kabupaten": HERE, "recipients": ["laporan@contoh.id"]},
        "POST /api/v1/events/<event_id>/cancel": {"reason": "Hujan deras"},
    }.get(key, {})


def kind_of(service: str, key: str) -> str | None:
    return next((kind for kind, keys in ROUTES[service].items() if key in keys), None)


@pytest.fixture
def stack(new_store, redis_url, smtp_server):
    """The three services (CSRF aside: another test's concern), with staff of each role and objects in HERE."""
    from services.notifications.app import create_app as notifications_app
    from services.registration import seed
    from services.registration.app import create_app as registration_app
    from services.registration.extensions import db
    from services.registration.models import Staff
    from services.reporting.app import create_app as reporting_app

    common = {"WTF_CSRF_ENABLED": False}
    registration = build(
        registration_app,
        new_store("registration"),
        redis_url,
        ADMIN_PASSWORD="rahasia-admin",
        RATELIMIT_STORAGE_URI="memory://",
        REGISTRATION_FORM_RATE_LIMIT="100000 per minute",
        **common,
    )
    notifications = build(
        notifications_app,
        new_store("notifications"),
        redis_url,
        SMTP_HOST=smtp_server.host,
        SMTP_PORT=smtp_server.port,
        ENQUEUE_AFTER_COMMIT=False,
        **common,
    )
    reporting = build(reporting_app, new_store("reporting"), redis_url, **common)
    with registration.app_context():
        seed.seed_regions()
        seed.seed_admin()
        for role in ROLES[1:]:
            if role.role is not None:
                db.session.add(
                    Staff(
                        email=f"{role.name}@contoh.id",
                        name=role.name,
                        role=role.role,
                        kabupaten_code=role.kabupaten_code,
                        password_hash=generate_password_hash("kata-sandi-staf"),
                    )
                )
        db.session.commit()
    tokens = {}
    client = registration.test_client()
    for role in ROLES:
        if role.role == "provincial_admin":
            credentials = {"email": "admin@pelita.local", "password": "rahasia-admin"}
        elif role.role is not None:
            credentials = {"email": f"{role.name}@contoh.id", "password": "kata-sandi-staf"}
        else:
            continue
        tokens[role.name] = client.post("/api/v1/auth/token", json=credentials).json["token"]
    apps = {"registration": registration, "notifications": notifications, "reporting": reporting}
    yield apps, tokens
    for app in apps.values():
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


def fresh_objects(apps, tokens) -> dict:
    """An event of HERE with a registration, known to notifications (with its messages), and a report schedule."""
    admin = {"Authorization": f"Bearer {tokens['provincial_admin']}"}
    client = apps["registration"].test_client()
    event = client.post("/api/v1/events", json=make_event_body(kabupaten_code=HERE), headers=admin).json
    body = make_registration_body(kabupaten_code=HERE)
    registration = client.post(f"/api/v1/events/{event['id']}/registrations", json=body, headers=admin).json
    with apps["notifications"].app_context():
        from services.notifications import service

        published = make_event_published(event_id=event["id"], kabupaten_code=HERE, starts_at=event["starts_at"])
        service.handle_event(make_envelope(EventNames.EVENT_PUBLISHED, published, source="registration"))
        created = make_registration_created(event_id=event["id"], registration_id=registration["id"])
        service.handle_event(make_envelope(EventNames.REGISTRATION_CREATED, created, source="registration"))
        notification_id = notifications_store.search_log({}, None, limit=1)[0][0].id
    with apps["registration"].app_context():
        from services.registration.service import checkin_url

        checkin_token = checkin_url(registration["id"]).rsplit("/", 1)[1]
    schedule = (
        apps["reporting"]
        .test_client()
        .post(
            "/api/v1/schedules",
            json=api_body("POST /api/v1/schedules"),
            headers=admin,
        )
    )
    assert schedule.status_code == 201, schedule.json
    return {
        "event_id": event["id"],
        "registration_id": registration["id"],
        "notification_id": notification_id,
        "schedule_id": schedule.json["id"],
        "token": checkin_token,  # the check-in link's (the only signed link a staff route takes)
        "purpose": "confirmation",
        "channel": "email",
        "locale": "id",
        "action": "hadir",
        "fmt": "csv",
        "filename": "pelita.css",
    }


def outcome(response, is_api: bool) -> str:
    location = response.headers.get("Location", "")
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if response.status_code == 401:
        return UNAUTHENTICATED
    if response.status_code in (403, 404):
        return REFUSED
    if response.status_code in (302, 303) and "/staf/masuk" in location:
        return SIGN_IN
    if response.status_code < 400 or response.status_code == 409:  # 409: the rules answered (e.g. not waitlisted)
        return ALLOWED
    return f"unexpected {response.status_code}"


def test_every_route_is_classified(stack):
    apps, _ = stack
    unknown = [
        f"{name}: {route.key}"
        for name, app in apps.items()
        for route in routes(app)
        if kind_of(name, route.key) is None
    ]
    assert unknown == [], "classify these routes in ROUTES:\n" + "\n".join(unknown)
    stale = [
        f"{name}: {key}"
        for name, kinds in ROUTES.items()
        for keys in kinds.values()
        for key in keys
        if key not in {route.key for route in routes(apps[name])}
    ]
    assert stale == [], "these routes no longer exist:\n" + "\n".join(stale)


def test_each_role_gets_what_the_matrix_says_on_every_staff_route(stack):
    apps, tokens = stack
    objects = fresh_objects(apps, tokens)
    wrong = []
    for name, app in apps.items():
        for route in routes(app):
            kind = kind_of(name, route.key)
            if kind in (None, "public"):
                continue  # public routes: the fuzz test; unknown ones: the test above
            mutating = route.method != "GET"
            for role in ROLES:
                values = fresh_objects(apps, tokens) if mutating else objects
                client = app.test_client()
                headers = {}
                if role.name in tokens:
                    headers["Authorization"] = f"Bearer {tokens[role.name]}"
                    client.set_cookie("pelita_staff", tokens[role.name])
                url = route.url(values)
                is_api = route.rule.startswith("/api/")
                if route.method == "GET":
                    response = client.get(url, query_string=form(route.key), headers=headers)
                elif is_api:
                    response = client.open(url, method=route.method, json=api_body(route.key), headers=headers)
                else:
                    response = client.open(url, method=route.method, data=form(route.key), headers=headers)
                got, expected = outcome(response, is_api), EXPECTED[kind][role.name]
                if expected == UNAUTHENTICATED and not is_api:
                    expected = SIGN_IN
                if got != expected:
                    wrong.append(f"{name} {route.key} as {role.name}: {response.status_code} ({got}), want {expected}")
    assert wrong == [], "\n".join(wrong)
