"""Who may use which route: every staff route and API operation of the three services, for every kind of caller.

The routes are read from each app's url_map: a route missing from ROUTES fails the test until someone decides who
may use it. Add a role as a row of ROLES and a column to each kind in EXPECTED; add a route to ROUTES under its kind.
"""

import io
from dataclasses import dataclass

import pytest
from PIL import Image

from services.notifications import store as notifications_store
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from tests.factories import (
    make_event_body,
    make_event_published,
    make_registration_body,
    make_registration_created,
    relay_staff_changed,
)
from tests.integration.conftest import build
from tests.integration.security.routes import routes

HERE, ELSEWHERE = "63.03", "63.06"  # the objects under test all belong to HERE (Kabupaten Banjar)


@dataclass(frozen=True)
class Role:
    name: str
    role: str | None  # None: signed out
    kabupaten_code: str | None = None
    #: How the account's token was taken back after it was issued: "disabled" by an admin, or "signed out"
    #: (the account signed out everywhere; a password change does the same).
    ended: str | None = None


#: The callers. Another kind of staff is one more row here and one more column in EXPECTED. The two whose token
#: was taken back are provincial admins, the accounts with most to lose: any route still taking their old token
#: would let it do anything.
ROLES = (
    Role("provincial_admin", "provincial_admin"),
    Role("organiser_here", "regency_organiser", HERE),
    Role("organiser_elsewhere", "regency_organiser", ELSEWHERE),
    Role("signed_out", None),
    Role("disabled", "provincial_admin", ended="disabled"),
    Role("revoked", "provincial_admin", ended="signed out"),
)
PASSWORD = "kata-sandi-staf"  # every account's, the seeded admin's too

# Outcomes
ALLOWED = "allowed"  # 2xx, or 3xx other than to the sign-in page
REFUSED = "refused"  # 403, or 404 where a service hides that the object exists
UNAUTHENTICATED = "401"  # the JSON API's answer without a valid token
SIGN_IN = "sign in"  # a page's answer: a redirect to the sign-in page
ANYONE = "anyone"  # public: never a 5xx

#: What each kind of route gives each role.
#: A token taken back is refused as if there were none: 401 on the API, the sign-in page for a page.
TAKEN_BACK = {"disabled": UNAUTHENTICATED, "revoked": UNAUTHENTICATED}
EXPECTED = {
    "public": dict.fromkeys([role.name for role in ROLES], ANYONE),
    "staff api": {
        "provincial_admin": ALLOWED,
        "organiser_here": ALLOWED,
        "organiser_elsewhere": ALLOWED,  # answers only with their own kabupaten's data
        "signed_out": UNAUTHENTICATED,
        **TAKEN_BACK,
    },
    "kabupaten api": {
        "provincial_admin": ALLOWED,
        "organiser_here": ALLOWED,
        "organiser_elsewhere": REFUSED,
        "signed_out": UNAUTHENTICATED,
        **TAKEN_BACK,
    },
    "admin api": {
        "provincial_admin": ALLOWED,
        "organiser_here": REFUSED,
        "organiser_elsewhere": REFUSED,
        "signed_out": UNAUTHENTICATED,
        **TAKEN_BACK,
    },
    "staff page": {
        "provincial_admin": ALLOWED,
        "organiser_here": ALLOWED,
        "organiser_elsewhere": ALLOWED,
        "signed_out": SIGN_IN,
        **TAKEN_BACK,
    },
    "kabupaten page": {
        "provincial_admin": ALLOWED,
        "organiser_here": ALLOWED,
        "organiser_elsewhere": REFUSED,
        "signed_out": SIGN_IN,
        **TAKEN_BACK,
    },
    "admin page": {
        "provincial_admin": ALLOWED,
        "organiser_here": REFUSED,
        "organiser_elsewhere": REFUSED,
        "signed_out": SIGN_IN,
        **TAKEN_BACK,
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
            # registering someone else: the form for up to 10 people, and the page of their codes (signed token)
            "GET /acara/<event_id>/daftar-orang-lain",
            "POST /acara/<event_id>/daftar-orang-lain",
            "GET /pendaftaran-kelompok/<token>",
            "GET /acara/<event_id>/poster/<version>/<any(besar, kecil):size>.jpg",
            "GET /terima-kasih",
            "GET /pendaftaran/<token>",
            "GET /r/<token>/batal",
            "POST /r/<token>/batal",
            "GET /privasi",  # the privacy notice, current and earlier versions
            "GET /privasi/<version>",
            "GET /k/<code>",  # the short cancel link: the code is the secret, as the signed link's token
            # e-sertifikat: the verification page (number and check code) and the PDF's short link
            "GET /sertifikat/<slug>",
            "GET /s/<code>",
            "GET /e/<code>",  # the evaluation form's short link: the code is the secret
            "POST /e/<code>",
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
            "GET /data-saya/<token>/tarik/<purpose>",
            "POST /data-saya/<token>/tarik/<purpose>",
            "GET /data-saya/<token>/permintaan",
            "POST /data-saya/<token>/permintaan",
            "GET /staf/masuk",
            "POST /staf/masuk",
            "POST /staf/masuk/kode",  # the second step carries its own signed, short-lived proof of the first
            "GET /staf/keluar",  # asks first; only the POST signs out
            "POST /staf/keluar",
            "GET /staf/atur-sandi/<token>",  # the invitation's one-time signed link
            "POST /staf/atur-sandi/<token>",
            "POST /api/v1/auth/token",
            # the public API: published events and registering for one, as the form does
            "GET /api/v1/events",
            "GET /api/v1/events/<event_id>",
            "POST /api/v1/events/<event_id>/registrations",
            "GET /healthz",
            "GET /livez",
            "GET /readyz",
            "GET /metrics",  # METRICS_TOKEN, when set (tests/integration/shared/test_metrics.py)
            "GET /api/docs",
            "GET /api/openapi.json",
            "GET /api/swagger-ui/<path:filename>",
            "GET /static/<path:filename>",
            "GET /static/pelita/<path:filename>",
        ],
        "staff api": [
            "GET /api/v1/events/managed",
            "POST /api/v1/auth/logout",  # one's own sessions
        ],
        "kabupaten api": [
            "POST /api/v1/events",  # in HERE
            "PATCH /api/v1/events/<event_id>",
            "POST /api/v1/events/<event_id>/cancel",
            "POST /api/v1/events/<event_id>/publish",
            "PUT /api/v1/events/<event_id>/poster",
            "DELETE /api/v1/events/<event_id>/poster",
            "GET /api/v1/events/<event_id>/registrations",
            "GET /api/v1/registrations/<registration_id>",
            "POST /api/v1/registrations/<registration_id>/cancel",
            "POST /api/v1/registrations/<registration_id>/check-in",
            "DELETE /api/v1/registrations/<registration_id>/check-in",
            "POST /api/v1/registrations/<registration_id>/promote",
            "GET /api/v1/events/<event_id>/certificates",
            "POST /api/v1/certificates/<certificate_id>/reissue",
            "POST /api/v1/certificates/<certificate_id>/revoke",
        ],
        "admin api": [  # partner systems' keys register people in every kabupaten
            "GET /api/v1/api-keys",
            "POST /api/v1/api-keys",
            "POST /api/v1/api-keys/<int:key_id>/revoke",
        ],
        "staff page": [
            "GET /staf",
            "GET /staf/acara/baru",
            "GET /staf/kata-sandi",  # one's own password
            "POST /staf/kata-sandi",
            "POST /staf/dua-langkah",  # turning one's own two-step sign-in off (an admin made organiser keeps it)
            "GET /staf/permintaan-data",  # data requests: each sees those of their own kabupaten (all: an admin)
        ],
        "kabupaten page": [
            "POST /staf/acara/baru",  # in HERE
            "GET /staf/acara/<event_id>",
            "GET /staf/acara/<event_id>/batalkan",
            "POST /staf/acara/<event_id>/batalkan",
            "GET /staf/acara/<event_id>/peserta.<fmt>",
            "GET /staf/acara/<event_id>/daftar-hadir.pdf",
            "GET /staf/acara/<event_id>/pintu/",  # the door kit: its page, manifest, worker, list and sync
            "GET /staf/acara/<event_id>/pintu/manifest.webmanifest",
            "GET /staf/acara/<event_id>/pintu/sw.js",
            "GET /staf/acara/<event_id>/pintu/data",
            "POST /staf/acara/<event_id>/pintu/sinkron",
            "POST /staf/acara/<event_id>/publikasikan",
            "GET /staf/acara/<event_id>/ubah",
            "POST /staf/acara/<event_id>/ubah",
            "GET /staf/hadir/<token>",
            "POST /staf/hadir/<token>",
            "GET /staf/pendaftaran/<registration_id>/batalkan",
            "POST /staf/pendaftaran/<registration_id>/batalkan",
            "POST /staf/pendaftaran/<registration_id>/hadir",
            "POST /staf/pendaftaran/<registration_id>/urungkan-hadir",
            "GET /staf/pendaftaran/<registration_id>/naikkan",
            "POST /staf/pendaftaran/<registration_id>/naikkan",
            "GET /staf/permintaan-data/<int:request_id>",  # a data request about a registration in HERE
            "POST /staf/permintaan-data/<int:request_id>",
            "GET /staf/acara/<event_id>/sertifikat",
            "POST /staf/sertifikat/<certificate_id>/ubah",
            "POST /staf/sertifikat/<certificate_id>/cabut",
            "GET /staf/acara/<event_id>/evaluasi",  # the evaluation's answers, knowledge test and setting
            "POST /staf/acara/<event_id>/evaluasi/soal",
            "POST /staf/acara/<event_id>/evaluasi/soal/<int:question_id>/hapus",
            "POST /staf/acara/<event_id>/evaluasi/sertifikat",
        ],
        "admin page": [
            "GET /staf/akun",  # staff accounts
            "POST /staf/akun",
            "POST /staf/akun/<int:staff_id>/<action>",
            "GET /staf/akun/<int:staff_id>/peran",
            "POST /staf/akun/<int:staff_id>/peran",
            "GET /staf/dua-langkah",  # setting up two-step sign-in: offered to provincial admins
            "GET /staf/kunci-api",  # partner systems' keys
            "POST /staf/kunci-api",
            "POST /staf/kunci-api/<int:key_id>/cabut",
            "GET /staf/jejak",  # the audit trail
            "GET /staf/sertifikat/teks",  # the certificate's wording, for every certificate of the province
            "POST /staf/sertifikat/teks",
        ],
    },
    "notifications": {
        "public": [
            "GET /berhenti/<token>",
            "POST /berhenti/<token>",
            "GET /healthz",
            "GET /livez",
            "GET /readyz",
            "GET /metrics",  # METRICS_TOKEN, when set
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
            "GET /webhooks/zenziva/<token>/masuk",
            "POST /webhooks/zenziva/<token>/masuk",
            "GET /u/<code>",  # an announcement's full text by its short link: the code is the secret, nothing personal
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
            "GET /staf/acara/<event_id>/pengumuman",
            "POST /staf/acara/<event_id>/pengumuman",  # a preview (sending takes the preview's key and a confirmation)
            "POST /staf/berhenti",
            "GET /staf/pesan/<notification_id>",
            "POST /staf/pesan/<notification_id>/kirim-ulang",
        ],
        "admin page": [  # the texts serve every kabupaten
            "POST /staf/templat/<purpose>/<channel>/<locale>",
            "POST /staf/templat/<purpose>/<channel>/<locale>/bawaan",
            "GET /staf/jejak",  # the audit trail
        ],
    },
    "reporting": {
        "public": [
            "GET /",  # a redirect to the dashboard
            "GET /healthz",
            "GET /livez",
            "GET /readyz",
            "GET /metrics",  # METRICS_TOKEN, when set
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
        "admin page": ["GET /jejak"],  # the audit trail
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
        "POST /staf/acara/<event_id>/pengumuman": {
            "audience": "confirmed",
            "subject": "Bawa laptop",
            "text": "Mohon bawa laptop.",
        },
        "POST /staf/templat/<purpose>/<channel>/<locale>": {"action": "save", **default_confirmation_email()},
        "POST /staf/acara/baru": make_event_form(),
        "POST /staf/acara/<event_id>/ubah": make_event_form(),
        "POST /staf/pendaftaran/<registration_id>/batalkan": {"confirm": "ya"},
        "POST /staf/pendaftaran/<registration_id>/naikkan": {"confirm": "ya"},
        "POST /staf/sertifikat/<certificate_id>/ubah": {"full_name": "Ahmad Fauzi Rahman"},
        "POST /staf/acara/<event_id>/evaluasi/soal": {
            "text": "Apa itu TPBIS?",
            "option_1": "Program",
            "option_2": "Buku",
            "correct": "1",
        },
        "POST /staf/acara/<event_id>/evaluasi/sertifikat": {"certificate_after_evaluation": "ya"},
        "POST /staf/sertifikat/teks": {
            "heading": "SERTIFIKAT",
            "given_to": "diberikan kepada",
            "body": "peserta {{ title }}",
        },
        "POST /staf/akun": {
            "name": "Rina Kartika",
            "email": "rina@contoh.id",
            "role": "regency_organiser",
            "kabupaten_code": HERE,
        },
        "POST /staf/akun/<int:staff_id>/peran": {"role": "regency_organiser", "kabupaten_code": HERE},
        "POST /staf/kata-sandi": {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        "POST /staf/dua-langkah": {"action": "matikan", "code": ""},
        "POST /staf/kunci-api": {"name": "Sistem Informasi Desa"},
        "POST /staf/permintaan-data/<int:request_id>": {"outcome": "refused", "answer": "Daftar hadir wajib disimpan."},
    }.get(key, {})


NEW_PASSWORD = "lampu sungai martapura hijau"
#: Routes that end the caller's sessions when they work: every token is issued again after them.
ENDS_SESSIONS = {"POST /api/v1/auth/logout", "POST /staf/kata-sandi"}
#: Staff pages' routes that take a JSON body (the door kit's sync), with a body that gets past validation.
JSON_PAGES = {"POST /staf/acara/<event_id>/pintu/sinkron": {"records": []}}
#: API operations that take a file rather than JSON.
UPLOADS = {"PUT /api/v1/events/<event_id>/poster": "poster"}


def small_picture() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 110, 160)).save(picture, format="PNG")
    return picture.getvalue()


def default_confirmation_email() -> dict:
    from services.notifications.content.messages import file_source

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
        "POST /api/v1/api-keys": {"name": "Sistem Informasi Desa"},
        "POST /api/v1/certificates/<certificate_id>/reissue": {"full_name": "Ahmad Fauzi Rahman"},
    }.get(key, {})


def kind_of(service: str, key: str) -> str | None:
    return next((kind for kind, keys in ROUTES[service].items() if key in keys), None)


@pytest.fixture
def stack(new_store, redis_url, smtp_server):
    """The three services (CSRF aside: another test's concern), with staff of each role and objects in HERE."""
    from services.notifications.app import create_app as notifications_app
    from services.registration import accounts, seed
    from services.registration.app import create_app as registration_app
    from services.registration.extensions import db
    from services.reporting.app import create_app as reporting_app

    common = {"WTF_CSRF_ENABLED": False}
    registration = build(
        registration_app,
        new_store("registration"),
        redis_url,
        ADMIN_PASSWORD=PASSWORD,
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
    accounts_by_role = {}
    with registration.app_context():
        seed.seed_regions()
        seed.seed_admin()
        for role in ROLES[1:]:
            if role.role is not None:
                account = accounts.add_account(email_of(role), role.name, role.role, role.kabupaten_code, PASSWORD)
                accounts_by_role[role.name] = account.id
        # the account the account pages change (its role, a new invitation) in the walk
        spare = accounts.add_account("rudi@contoh.id", "Rudi Hartono", "regency_organiser", HERE).id
        db.session.commit()
    client = registration.test_client()
    tokens = {}
    for role in ROLES:
        if role.role is not None:
            credentials = {"email": email_of(role), "password": PASSWORD}
            tokens[role.name] = client.post("/api/v1/auth/token", json=credentials).json["token"]
    # The tokens taken back, as staff do it: an admin disables one account; the other signs out everywhere.
    with registration.app_context():
        from services.registration import store

        admin = store.get_staff_by_email("admin@pelita.local").claims()
        accounts.set_active(accounts_by_role["disabled"], False, admin)
    signed_out = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {tokens['revoked']}"})
    assert signed_out.status_code == 204
    apps = {"registration": registration, "notifications": notifications, "reporting": reporting}
    relay_staff_changed(registration, notifications, reporting)
    yield apps, Tokens(apps, tokens), spare
    for app in apps.values():
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


class Tokens(dict):
    """Each role's token; the live accounts' are issued again after a route that ended their sessions."""

    def __init__(self, apps, tokens: dict) -> None:
        super().__init__(tokens)
        self.registration = apps["registration"]

    def renew(self) -> None:
        from services.registration import signin, store

        with self.registration.app_context():
            for role in ROLES:
                if role.name in self and role.ended is None:
                    self[role.name] = signin.issue_session(store.get_staff_by_email(email_of(role)))["token"]


def email_of(role: Role) -> str:
    """The email of the role's account (the seeded admin's for the provincial admin)."""
    if role.name == "provincial_admin":
        return "admin@pelita.local"
    return f"{role.name.replace('_', '.')}@contoh.id"


def fresh_objects(apps, tokens, spare: int) -> dict:
    """An event of HERE with a registration, known to notifications (with its messages), a report schedule and a
    partner's API key."""
    admin = {"Authorization": f"Bearer {tokens['provincial_admin']}"}
    client = apps["registration"].test_client()
    event = client.post("/api/v1/events", json=make_event_body(kabupaten_code=HERE), headers=admin).json
    body = make_registration_body(kabupaten_code=HERE)
    registration = client.post(f"/api/v1/events/{event['id']}/registrations", json=body, headers=admin).json
    key = client.post("/api/v1/api-keys", json=api_body("POST /api/v1/api-keys"), headers=admin)
    assert key.status_code == 201, key.json
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
        from services.registration import requests, store
        from services.registration.extensions import db
        from services.registration.models import KnowledgeQuestion

        asked = requests.open_request(store.get_registration(registration["id"]), "other", "Mohon penjelasan.")
        db.session.commit()
        request_id = asked.id
        certificate_id = add_certificate(event["id"], registration["id"])
        question = KnowledgeQuestion(
            event_id=event["id"], text="Apa itu TPBIS?", options=["Program", "Buku"], correct=0
        )
        db.session.add(question)
        db.session.commit()
        question_id = question.id
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
        "email": body["email"],
        "recipient": created["email"],
        "notification_id": notification_id,
        "schedule_id": schedule.json["id"],
        "key_id": key.json["api_key"]["id"],
        "request_id": request_id,
        "staff_id": spare,
        "certificate_id": certificate_id,
        "question_id": question_id,
        "token": checkin_token,  # the check-in link's (the only signed link a staff route takes)
        "purpose": "confirmation",
        "channel": "email",
        "locale": "id",
        "action": "undang-lagi",  # a new set-password link for the spare account
        "fmt": "csv",
        "filename": "pelita.css",
    }


def add_certificate(event_id: str, registration_id: str) -> str:
    """A certificate of the registration, as the issuing job leaves it (its PDF a stand-in: nothing renders it)."""
    from services.registration.extensions import db
    from services.registration.models import Certificate
    from shared.timeutil import utcnow

    seq, now = int(registration_id[:7], 16), utcnow()
    row = Certificate(
        registration_id=registration_id, event_id=event_id, year=2026, seq=seq, number=f"{seq}/MATRIX/XII/2026",
        slug=f"{seq}-MATRIX-XII-2026", download_code=registration_id[:10], full_name="Ahmad Fauzi",
        title="Pelatihan", starts_at=now, ends_at=now, kabupaten_name="Kabupaten Banjar", signatory_name="Kepala",
        signatory_title="Kepala Dinas", issued_at=now, version_at=now, pdf=b"%PDF-1.4 matrix",
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row.id


#: What an organiser of another kabupaten must never see of HERE's objects, on any page or in any answer.
SECRETS_OF_HERE = ("event_id", "registration_id", "email", "recipient")


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
    apps, _, _ = stack
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
    apps, tokens, spare = stack
    objects = fresh_objects(apps, tokens, spare)
    wrong = []
    for name, app in apps.items():
        for route in routes(app):
            kind = kind_of(name, route.key)
            if kind in (None, "public"):
                continue  # public routes: the fuzz test; unknown ones: the test above
            mutating = route.method != "GET"
            for role in ROLES:
                values = fresh_objects(apps, tokens, spare) if mutating else objects
                client = app.test_client()
                headers = {}
                if role.name in tokens:
                    headers["Authorization"] = f"Bearer {tokens[role.name]}"
                    client.set_cookie("pelita_staff", tokens[role.name])
                url = route.url(values)
                is_api = route.rule.startswith("/api/")
                if route.method == "GET":
                    response = client.get(url, query_string=form(route.key), headers=headers)
                elif route.key in UPLOADS:
                    upload = {UPLOADS[route.key]: (io.BytesIO(small_picture()), "poster.png")}
                    response = client.open(url, method=route.method, data=upload, headers=headers)
                elif is_api or route.key in JSON_PAGES:
                    body = JSON_PAGES[route.key] if route.key in JSON_PAGES else api_body(route.key)
                    response = client.open(url, method=route.method, json=body, headers=headers)
                else:
                    response = client.open(url, method=route.method, data=form(route.key), headers=headers)
                if route.key in ENDS_SESSIONS:
                    tokens.renew()
                got, expected = outcome(response, is_api), EXPECTED[kind][role.name]
                if expected == UNAUTHENTICATED and not is_api:
                    expected = SIGN_IN
                if got != expected:
                    wrong.append(f"{name} {route.key} as {role.name}: {response.status_code} ({got}), want {expected}")
                elif role.kabupaten_code not in (None, HERE) and response.status_code == 200:
                    seen = [what for what in SECRETS_OF_HERE if str(values[what]) in response.get_data(as_text=True)]
                    if seen:
                        wrong.append(f"{name} {route.key} as {role.name} shows HERE's {', '.join(seen)}")
    assert wrong == [], "\n".join(wrong)
