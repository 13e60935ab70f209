"""Response headers every service sends, the request size limit, and 400/413/422 answers instead of crashes.

The pages carry signed links in their URLs and personal data in their bodies: no browser may frame them, guess
their type, pass their address to another site, keep them in a cache, or run a script that is not our own file.
"""

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge, UnprocessableEntity
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import IntegerConverter

#: Scripts and styles from our own files only; inline style attributes stay allowed (no script can use them).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: One year; sent only in production, which is served over HTTPS.
HSTS = "max-age=31536000; includeSubDomains"
#: The request bodies of every form and API call are small; a report recipient list is the longest.
DEFAULT_MAX_CONTENT_LENGTH = 256 * 1024
#: Endpoints whose own caching stands: static files, and a published event's poster (public; its address changes
#: with each new upload).
CACHEABLE_ENDPOINTS = frozenset({"static", "pelita_static", "swagger_ui_file", "public.poster"})


def install_security(app: Flask) -> None:
    """Add the headers, the body size limit and the 400/413/422 handlers to `app`."""
    # Flask's own defaults (no limit on a body, 500 kB a form field, 1000 parts) are in app.config already.
    limit = app.config.get("MAX_REQUEST_BYTES") or DEFAULT_MAX_CONTENT_LENGTH
    app.config["MAX_CONTENT_LENGTH"] = limit
    app.config["MAX_FORM_MEMORY_SIZE"] = limit
    app.config["MAX_FORM_PARTS"] = 200
    # Before any blueprint: every <int:...> in a route then stops at the largest id a store can hold.
    app.url_map.converters["int"] = StoreIntConverter
    # First of all: the CSRF check parses a form, after which its raw body can no longer be read.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_nul)
    app.before_request_funcs[None].insert(0, _larger_bodies)
    app.after_request(_security_headers)
    app.register_error_handler(400, bad_request)
    app.register_error_handler(413, too_large)
    app.register_error_handler(422, _unprocessable)
    app.register_error_handler(UnicodeError, _undecodable)
    app.register_error_handler(ValidationError, _invalid)


class StoreIntConverter(IntegerConverter):
    """<int:...> for ids: a number past PostgreSQL's INTEGER (and SQLite's) is no id of ours, so 404, not a crash."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


#: A NUL character as it arrives in a path, a query string, a form body or a JSON body.
_NUL = (b"\x00", b"%00", b"\\u0000")


def _larger_bodies():
    """The few views that take a file (an event's poster) may read LARGE_REQUEST_BYTES instead of the usual limit."""
    if request.endpoint in current_app.config.get("LARGE_REQUEST_ENDPOINTS", ()):
        request.max_content_length = request.max_form_memory_size = current_app.config["LARGE_REQUEST_BYTES"]


def _refuse_nul():
    """No name, phone, code or id contains a NUL character, and PostgreSQL cannot store one: refuse it at the door."""
    raw = (request.environ.get("RAW_URI", "") + "?" + request.environ.get("QUERY_STRING", "")).encode(
        "latin-1", "replace"
    )
    raw = raw.lower()
    binary = request.mimetype.startswith("multipart/")  # an uploaded file may hold any byte
    body = request.get_data(cache=True) if request.content_length and not binary else b""
    if "\x00" in request.path or any(nul in raw or nul in body.lower() for nul in _NUL):
        raise UnreadableInput(gettext("Teks yang dikirim tidak valid."))


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    # Not "no-referrer": Flask-WTF's CSRF check over HTTPS needs our own pages' Referer. Same-origin keeps signed
    # links in URLs from ever reaching another site.
    headers["Referrer-Policy"] = "same-origin"
    if current_app.config.get("APP_ENV") == "production":
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint not in CACHEABLE_ENDPOINTS or response.status_code >= 400:
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        headers.pop("ETag", None)
    return response


def wants_json() -> bool:
    """True for the JSON APIs and the provider webhooks; the rest are pages people read."""
    return request.path.startswith(("/api/", "/webhooks/")) or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html
    )


def _answer(code: int, title: str, message: str, error: HTTPException | None = None):
    """JSON shaped like flask-smorest's errors (code, status, message, errors) for machines, a page for people."""
    if wants_json():
        data = getattr(error, "data", None) or {}
        body = {"code": code, "status": HTTP_STATUS_CODES[code], "message": data.get("message", message)}
        if data.get("errors") or data.get("messages"):
            body["errors"] = data.get("errors") or data.get("messages")
        return jsonify(body), code, data.get("headers") or {}
    return render_template("pelita/error.html", code=code, title=title, message=message, reference=None), code


def bad_request(error: BadRequest):
    return _answer(400, gettext("Permintaan tidak dapat dibaca"), _description(error), error)


def too_large(error: RequestEntityTooLarge):
    message = gettext("Data yang dikirim terlalu besar. Perpendek isiannya lalu coba lagi.")
    return _answer(413, gettext("Data terlalu besar"), message)


def _unprocessable(error: UnprocessableEntity):
    return _answer(422, gettext("Isian tidak valid"), _description(error), error)


def _undecodable(error: UnicodeError):
    """A body or query string that is not valid UTF-8, or text with lone surrogates the store cannot keep."""
    return _answer(400, gettext("Permintaan tidak dapat dibaca"), gettext("Teks yang dikirim tidak valid."))


def _invalid(error: ValidationError):
    """A marshmallow schema a view loaded without catching its errors: the caller's input, so 422, never a 500."""
    from shared.web import field_errors

    messages = field_errors(error.messages)
    if wants_json():
        body = {"code": 422, "status": HTTP_STATUS_CODES[422], "errors": messages}
        return jsonify(body | {"message": gettext("Periksa kembali isian Anda lalu coba lagi.")}), 422
    message = " ".join(text for texts in messages.values() for text in texts)
    title = gettext("Isian tidak valid")
    return render_template("pelita/error.html", code=422, title=title, message=message, reference=None), 422


class UnreadableInput(BadRequest):
    """Input no store can keep (a NUL character): its description is ours, already in the visitor's language."""


def _description(error: HTTPException) -> str:
    """Our own message; werkzeug's and Flask-WTF's English texts ("The CSRF token is missing.") become a polite,
    translated one."""
    if isinstance(error, UnreadableInput):
        return str(error.description)
    return gettext("Periksa kembali isian Anda lalu coba lagi.")
