"""What every service's HTML pages share: the layout, the language switch, CSRF, the staff session."""

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_babel import Babel
from flask_wtf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader

from shared.staffauth import current_staff
from shared.timeutil import format_when, to_local
from shared.web.errors import install_error_pages
from shared.web.security import install_security

HERE = Path(__file__).resolve().parent
LOCALES = ("id", "en")
LANG_COOKIE = "pelita_lang"

babel = Babel()
csrf = CSRFProtect()


def select_locale() -> str:
    """?lang= (remembered in a cookie), else the cookie, else the default: Bahasa Indonesia."""
    from flask import has_request_context

    if not has_request_context():  # a worker rendering a message: the caller forces the locale it wants
        return current_app.config.get("DEFAULT_LOCALE", "id")
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LOCALES:
            return candidate
    return current_app.config.get("DEFAULT_LOCALE", "id")


def init_web(app: Flask, translations: Path | None = None) -> None:
    """Give `app` the shared layout, Flask-Babel (id default, en), CSRF on every form and the staff session."""
    directories = [str(translations)] if translations else []
    directories.append(str(HERE / "translations"))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(directories))
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config.get("TIMEZONE", "Asia/Makassar"))
    # One cookie name per service: the services may share a host name, and cookies ignore the port (Flask's own
    # defaults, "session" and no SameSite, are already in app.config, so these are set rather than defaulted).
    app.config["SESSION_COOKIE_NAME"] = f"pelita_{app.config['SERVICE']}_session"
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # Sent over HTTPS only in production (as the staff cookie is) and wherever the service's address is https://.
    public_url = str(app.config.get("PUBLIC_BASE_URL") or "")
    app.config["SESSION_COOKIE_SECURE"] = app.config.get("APP_ENV") == "production" or public_url.startswith("https")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(HERE / "templates")])
    app.add_url_rule("/static/pelita/<path:filename>", "pelita_static", _static_view(), methods=["GET"])
    install_error_pages(app)
    install_security(app)  # after: its 400, 413 and 422 answers (with the same page) win

    @app.before_request
    def _staff():
        g.staff = current_staff()

    @app.after_request
    def _remember_language(response):
        lang = request.args.get("lang")
        if lang in LOCALES:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    @app.template_filter("when")
    def _when(value) -> str:
        from flask_babel import get_locale

        return format_when(value, str(get_locale() or "id")) if value else ""

    app.add_template_filter(clock, "clock")

    @app.template_filter("wita_input")
    def _wita_input(value) -> str:
        """A moment as a datetime-local input value, in WITA."""
        return to_local(value).strftime("%Y-%m-%dT%H:%M") if value else ""

    @app.context_processor
    def _layout():
        from flask_babel import get_locale

        return {"lang": str(get_locale() or "id"), "staff": g.get("staff"), "service_urls": _service_urls(app)}


def clock(value) -> str:
    """The time of day of a moment in WITA: "08.42 WITA" on an Indonesian page, "08:42 WITA" on an English one."""
    from flask_babel import get_locale

    if not value:
        return ""
    local = to_local(value)
    return f"{local:%H.%M} WITA" if str(get_locale() or "id") == "id" else f"{local:%H:%M} WITA"


def _service_urls(app: Flask) -> dict:
    from shared.config import env

    return {
        "registration": env("REGISTRATION_PUBLIC_URL", f"http://127.0.0.1:{env('REGISTRATION_PORT', '8001')}"),
        "notifications": env("NOTIFICATIONS_PUBLIC_URL", f"http://127.0.0.1:{env('NOTIFICATIONS_PORT', '8002')}"),
        "reporting": env("REPORTING_PUBLIC_URL", f"http://127.0.0.1:{env('REPORTING_PORT', '8003')}"),
    }


def _static_view():
    from flask import send_from_directory

    def serve(filename: str):
        return send_from_directory(HERE / "static", filename, max_age=3600)

    return serve


def safe_redirect_target(target: str | None, fallback: str) -> str:
    """Return `target` if it is one of Pelita's own pages, else `fallback`: the one check for every next=/back=.

    Accepted: a path on this site ("/staf/acara/1"), or a full address on one of the three services' public
    addresses or this request's host. Refused: other hosts, scheme-relative ("//evil", "/\\evil"), "https:evil",
    "javascript:" and anything with a backslash or control character (browsers read those loosely).
    """
    if not target or len(target) > 2000 or "\\" in target or any(ord(char) < 33 for char in target):
        return fallback
    parsed = urlsplit(target)
    if not parsed.scheme and not parsed.netloc:
        return target if target.startswith("/") and not target.startswith("//") else fallback
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return fallback
    own = {_origin(url) for url in _service_urls(current_app).values()} | {_origin(request.host_url)}
    return target if _origin(target) in own else fallback


def _origin(url: str) -> str:
    parsed = urlsplit(url)
    return f"{parsed.scheme}://{parsed.netloc}".lower()


def field_errors(messages) -> dict[str, list[str]]:
    """Flatten marshmallow's error messages to {field: [text, ...]} for the templates."""

    def texts(value) -> list[str]:
        if isinstance(value, dict):
            return [text for item in value.values() for text in texts(item)]
        if isinstance(value, list | tuple):
            return [text for item in value for text in texts(item)]
        return [str(value)]

    if not isinstance(messages, dict):
        return {"_schema": texts(messages)}
    return {field: texts(value) for field, value in messages.items()}
