"""Error pages every service shares: the person's language, a reference id, never Werkzeug's default page.

A failure is logged once, with its traceback and a short reference id but without the request's path (it may hold
a signed link); the page or JSON body shows only that id, so staff can quote it and the log can be searched for it.
"""

import logging
import secrets

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger("pelita.errors")

#: The HTTP errors answered with the shared page (or JSON under /api/); others keep their service's own handler.
HANDLED = (400, 403, 404, 405, 500)


def install_error_pages(app: Flask) -> None:
    """Answer 4xx/500 with a page in the person's language (JSON under /api/), and log 500s with a reference."""
    app.log_exception = _log_exception  # Flask's own logs the path: a signed link must not reach the log
    for code in HANDLED:
        app.register_error_handler(code, error_page)


def new_reference() -> str:
    """A short id a person can read out on the phone: eight letters and digits."""
    return secrets.token_hex(4).upper()


def _log_exception(exc_info) -> None:
    g.error_reference = new_reference()
    log.error("unhandled error, reference %s", g.error_reference, exc_info=exc_info)


def error_page(error: HTTPException):
    """The shared answer to an HTTP error: a page in the person's language, or JSON under /api/."""
    code = error.code or 500
    reference = g.get("error_reference") if code == 500 else None
    if code == 500 and reference is None:  # an explicit abort(500): still give and log a reference
        reference = g.error_reference = new_reference()
        log.error("error page 500, reference %s", reference)
    if request.path.startswith("/api/"):
        return _json(error, code, reference)
    return render_template("pelita/error.html", code=code, message=_message(code, error), reference=reference), code


def _json(error: HTTPException, code: int, reference: str | None):
    """flask-smorest's error body (code, status, message, errors), with the reference of a 500."""
    data = getattr(error, "data", None) or {}
    body = {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Error"),
        "message": data.get("message", _message(code, error)),
    }
    if "errors" in data or "messages" in data:
        body["errors"] = data.get("errors", data.get("messages"))
    if reference:
        body["reference"] = reference
    return jsonify(body), code, data.get("headers", {})


def _message(code: int, error: HTTPException | None = None) -> str:
    if isinstance(error, CSRFError):
        return _("Formulir ini sudah kedaluwarsa atau tidak lengkap. Muat ulang halamannya, lalu kirim lagi.")
    messages = {
        400: _("Permintaan ini tidak dapat dibaca. Periksa isiannya lalu coba lagi."),
        403: _("Anda tidak berhak membuka halaman ini."),
        404: _("Halaman ini tidak ditemukan. Mungkin alamatnya salah ketik atau sudah tidak berlaku."),
        405: _("Halaman ini tidak dapat dibuka dengan cara itu."),
    }
    return messages.get(
        code, _("Maaf, terjadi kesalahan di sistem kami. Data yang belum tersimpan perlu dikirim lagi.")
    )
