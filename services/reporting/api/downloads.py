"""Report downloads by signed, expiring link (the link in the report email): no sign-in needed until it expires."""

import io

from flask import Blueprint, render_template, send_file

from services.reporting import service

bp = Blueprint("downloads", __name__)


@bp.get("/laporan/<token>")
def show(token: str):
    """List the files of an emailed report."""
    run = service.run_for_token(token)
    return render_template("reporting/download.html", run=run, token=token)


@bp.get("/laporan/<token>/unduh.<any(xlsx, pdf):fmt>")
def download(token: str, fmt: str):
    """Send one file of an emailed report."""
    document = service.run_document(service.run_for_token(token), fmt)
    return send_file(
        io.BytesIO(document.content), document.mimetype, as_attachment=True, download_name=document.filename
    )
