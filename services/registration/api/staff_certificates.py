"""The staff pages of e-sertifikat: an event's certificates (correct a name, revoke one) and the certificate's texts.

Routes of the staff blueprint (api/staff.py), kept apart by role; docs/certificates.md describes them.
"""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from services.registration import certdoc, certificates, certtext, service
from services.registration.api.certificates import ReissueSchema
from services.registration.api.staff import bp
from shared.staffauth import staff_page


@bp.get("/acara/<event_id>/sertifikat")
@staff_page
def certificates_page(event_id: str):
    """An event's certificates: each one's number, name and state, with correcting the name and revoking."""
    event = service.get_staff_event(event_id, g.staff)
    rows = certificates.list_for_event(event_id, g.staff)
    service.audit("certificates.list", g.staff, event_id=event_id, commit=True)
    return render_template("staff/certificates.html", event=event, rows=rows, verify_url=certdoc.verify_url,
                           download_url=certdoc.download_url)  # fmt: skip


@bp.post("/sertifikat/<certificate_id>/ubah")
@staff_page
def reissue_certificate(certificate_id: str):
    """Correct the name on a certificate and reissue it (same number, next version); the person is sent it."""
    try:  # the API's checks: one line, 2-200 letters, no control or invisible characters
        name = ReissueSchema().load({"full_name": request.form.get("full_name", "")[:1000]})["full_name"]
    except ValidationError:
        flash(_("Isi nama peserta (2 sampai 200 huruf)."), "error")
        certificate = certificates.for_staff(certificate_id, g.staff)
    else:
        certificate = certificates.reissue(certificate_id, name, g.staff)
        flash(_("Sertifikat %(number)s diterbitkan ulang (versi %(version)s).", number=certificate.number,
                version=certificate.version), "success")  # fmt: skip
    return redirect(url_for(".certificates_page", event_id=certificate.event_id), 303)


@bp.post("/sertifikat/<certificate_id>/cabut")
@staff_page
def revoke_certificate(certificate_id: str):
    """Revoke a certificate: its verification page and its link say so from now on."""
    certificate = certificates.revoke(certificate_id, request.form.get("reason", "")[:500], g.staff)
    flash(_("Sertifikat %(number)s dicabut.", number=certificate.number), "success")
    return redirect(url_for(".certificates_page", event_id=certificate.event_id), 303)


@bp.route("/sertifikat/teks", methods=["GET", "POST"])
@staff_page
def certificate_wording():
    """The certificate's heading, the line before the name and the sentence after it (provincial admins only),
    checked by the template editor's rules before they are saved; certificates rendered from then on use them."""
    if not g.staff.is_provincial:
        raise service.RegistrationError(
            "forbidden", _("Hanya admin provinsi yang dapat mengubah teks sertifikat."), 403
        )
    wording = certificates.current_wording()
    values, errors = vars(wording), {}
    if request.method == "POST":
        values = {key: request.form.get(key, "")[:2000] for key in certtext.DEFAULTS}
        if request.form.get("action") == "bawaan":
            values = vars(certtext.default())
        errors = certificates.save_wording(values, g.staff)
        if not errors:
            flash(_("Teks sertifikat tersimpan. Sertifikat yang dibuat mulai sekarang memakainya."), "success")
            return redirect(url_for(".certificate_wording"), 303)
    preview = None if errors else certdoc.preview_html(certtext.Wording(**values))
    return render_template("staff/certificate_wording.html", values=values, errors=errors,
                           placeholders=certtext.PLACEHOLDERS, preview=preview), 400 if errors else 200  # fmt: skip
