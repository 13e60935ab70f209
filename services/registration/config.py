"""Configuration of the registration service."""

from shared.config import BaseConfig, ConfigError, env, env_float, env_int
from shared.letterhead import letterhead_settings

#: The public form's shipped limit per address (a hall of 55 behind one Wi-Fi passes; see Config).
DEFAULT_FORM_RATE_LIMIT = "120 per minute;600 per hour"


class Config(BaseConfig):
    SERVICE = "registration"
    DEFAULT_PORT = 8001
    #: How staff passwords are hashed: werkzeug's scrypt at its full cost. Not read from the environment: only the
    #: test suite's config lowers it, to check hundreds of sign-ins in seconds.
    PASSWORD_HASH_METHOD = "scrypt"

    def __init__(self) -> None:
        super().__init__()
        self.ADMIN_EMAIL = env("ADMIN_EMAIL", "admin@pelita.local")
        #: The letterhead (kop surat) of the printed attendance list: the same settings, and defaults, as the
        #: reporting service's official report (shared/letterhead.py; set them for both services).
        vars(self).update(letterhead_settings())
        self.ADMIN_PASSWORD = env("ADMIN_PASSWORD")
        #: Per address on the public form's submissions (refreshing the kecamatan/desa lists is not one). A hall of
        #: 55 behind one Wi-Fi address, each sending once or twice (a typo fixed) in the same minute, is 110: it
        #: passes; a script sending several a second is stopped within the minute, and a day-long trickle at 600 an
        #: hour. The bench raises it; the rest of the world should not need to.
        self.REGISTRATION_FORM_RATE_LIMIT = env("REGISTRATION_FORM_RATE_LIMIT", DEFAULT_FORM_RATE_LIMIT)
        #: Per partner API key (staff page /staf/kunci-api) on the API's registrations, instead of the per-IP limit.
        self.REGISTRATION_API_KEY_RATE_LIMIT = env("REGISTRATION_API_KEY_RATE_LIMIT", "600 per minute;20000 per hour")
        #: Per IP on the short cancel links (/k/<code>) in SMS and WhatsApp messages.
        self.SHORT_LINK_RATE_LIMIT = env("SHORT_LINK_RATE_LIMIT", "30 per minute;300 per hour")
        #: Per IP on the "Data saya" page's code requests and code entries (docs/data.md, "Your rights").
        self.MY_DATA_RATE_LIMIT = env("MY_DATA_RATE_LIMIT", "10 per minute;60 per hour")
        #: Where the form's counts are kept (services/registration/ratelimit.py); default: the broker's Redis.
        self.RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URI")
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
        #: Keeps two deployments sharing one Redis (or two tests) from counting each other's submissions.
        self.RATELIMIT_KEY_PREFIX = env("RATELIMIT_KEY_PREFIX", "pelita")
        #: Reverse proxies in front of gunicorn whose X-Forwarded-For is trusted (1 behind nginx/a load balancer):
        #: the visitor's address is then the one the nearest proxy saw, not the proxy's own. 0: none, the header is
        #: ignored (a visitor could otherwise write any address in it and escape the rate limit).
        self.TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
        #: A form sent sooner than this after it was first shown is taken for a bot's: thanked, nothing stored.
        self.FORM_MIN_SECONDS = env_float("FORM_MIN_SECONDS", 3.0)
        #: A form open longer than this is shown again to check and send (its signed render time has run out).
        self.FORM_MAX_AGE_SECONDS = env_float("FORM_MAX_AGE_SECONDS", 24 * 3600.0)
        #: Check-in is taken from this many days before the event's first day to as many after its last (WITA).
        self.CHECKIN_WINDOW_DAYS = env_int("CHECKIN_WINDOW_DAYS", 1)
        #: A check-in can be taken back (a slip at the door) for this many minutes after it was made.
        self.CHECKIN_UNDO_MINUTES = env_int("CHECKIN_UNDO_MINUTES", 10)
        #: The largest request the views taking a poster read (5 MB, services/registration/posters.py, and the form);
        #: every other request keeps MAX_REQUEST_BYTES.
        self.LARGE_REQUEST_BYTES = 6 * 1024 * 1024
        self.LARGE_REQUEST_ENDPOINTS = ("staff.new_event", "staff.edit_event", "events.Poster")
        #: Failed staff sign-ins allowed per account and per address before a lock-out (counted where the form's are).
        self.STAFF_SIGNIN_ACCOUNT_LIMIT = env("STAFF_SIGNIN_ACCOUNT_LIMIT", "5 per 15 minutes")
        self.STAFF_SIGNIN_ADDRESS_LIMIT = env("STAFF_SIGNIN_ADDRESS_LIMIT", "30 per 15 minutes")
        #: Key of the pseudonym reporting keys each registration by (service.pseudonym; default: SECRET_KEY). Only
        #: registration may hold it: with it, reporting's rows could be linked back to people. Set it once and keep
        #: it: a new key gives every registration a new pseudonym, and reporting would no longer find the old rows.
        self.REPORTING_PSEUDONYM_KEY = env("REPORTING_PSEUDONYM_KEY")
        #: How long an invitation's set-password link works (it also stops working once used).
        self.STAFF_INVITE_HOURS = env_float("STAFF_INVITE_HOURS", 72.0)
        # E-sertifikat (docs/certificates.md)
        #: The certificate number; placeholders seq, month, roman_month and year (of the training's last day, WITA).
        self.CERTIFICATE_NUMBER_FORMAT = env("CERTIFICATE_NUMBER_FORMAT", "{seq:03d}/DISPERSIP-KS/{roman_month}/{year}")
        #: The letterhead's lines, separated by "|".
        self.CERTIFICATE_LETTERHEAD = env(
            "CERTIFICATE_LETTERHEAD",
            "PEMERINTAH PROVINSI KALIMANTAN SELATAN|DINAS PERPUSTAKAAN DAN KEARSIPAN|"
            "Jl. A. Yani Km. 6,4 Banjarmasin, Kalimantan Selatan",
        )
        #: How often the issuing job looks for ended trainings; how long after the end it waits; how far back it looks.
        self.CERTIFICATE_SWEEP_SECONDS = env_float("CERTIFICATE_SWEEP_SECONDS", 300.0)
        self.CERTIFICATE_DELAY_MINUTES = env_float("CERTIFICATE_DELAY_MINUTES", 0.0)
        self.CERTIFICATE_WINDOW_DAYS = env_float("CERTIFICATE_WINDOW_DAYS", 30.0)
        #: Certificates numbered (and later rendered and announced) per transaction.
        self.CERTIFICATE_BATCH = env_int("CERTIFICATE_BATCH", 25)

    def check(self) -> None:
        super().check()
        fmt = self.CERTIFICATE_NUMBER_FORMAT or ""
        try:
            sample = fmt.format(seq=45, month=12, roman_month="XII", year=2026)
        except (KeyError, IndexError, ValueError) as error:
            raise ConfigError(f"registration: CERTIFICATE_NUMBER_FORMAT is not a valid format ({error})") from error
        if "{seq" not in fmt or not 1 <= len(sample) <= 60:
            raise ConfigError("registration: CERTIFICATE_NUMBER_FORMAT must contain {seq} and give 1-60 characters")

    def beat_schedule(self) -> dict:
        return {
            # services/registration/tasks.py: send whatever the after-commit nudge did not (Redis was down, say)
            "relay-outbox": {
                "task": "registration.relay_outbox",
                "schedule": self.OUTBOX_SWEEP_SECONDS,
                "options": {"queue": "registration", "expires": self.OUTBOX_SWEEP_SECONDS * 4},
            },
            # services/registration/certificates.py: certificates for the attendees of trainings that ended
            "issue-certificates": {
                "task": "registration.issue_certificates",
                "schedule": self.CERTIFICATE_SWEEP_SECONDS,
                "options": {"queue": "registration", "expires": self.CERTIFICATE_SWEEP_SECONDS},
            },
            **self.purge_schedule(),
        }


class ProductionConfig(Config):
    APP_ENV = "production"


class DevelopmentConfig(Config):
    APP_ENV = "development"
    DEBUG = True

    def __init__(self) -> None:
        super().__init__()
        self.use_development_defaults()


class TestConfig(DevelopmentConfig):
    APP_ENV = "test"
    DEBUG = False
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        #: Tests submit the form the moment they get it; those of the render time itself set FORM_MIN_SECONDS.
        self.FORM_MIN_SECONDS = 0.0
        #: The same scrypt at a 32nd of the cost (the suite signs in hundreds of times; nothing here is secret).
        self.PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


CONFIGS = {"production": ProductionConfig, "development": DevelopmentConfig, "test": TestConfig}
