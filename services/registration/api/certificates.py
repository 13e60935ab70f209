"""REST API of e-sertifikat for staff: an event's certificates, correcting a name (reissue), revoking."""

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from services.registration import certdoc, certificates, service
from shared.staffauth import staff_required
from shared.text import MultiLineText, SingleLineText
from shared.timeutil import LocalDateTime

bp = Blueprint("certificates", __name__, url_prefix="/api/v1", description="E-sertifikat (docs/certificates.md)")
STAFF = [{"bearerAuth": []}]


class CertificateSchema(Schema):
    """A certificate as staff see it (the PDF is at download_url)."""

    id = fields.String()
    registration_id = fields.String()
    event_id = fields.String()
    number = fields.String()
    version = fields.Integer()
    full_name = fields.String()
    issued_at = LocalDateTime()
    version_at = LocalDateTime()
    revoked_at = LocalDateTime(allow_none=True)
    revoke_reason = fields.String()
    download_url = fields.Function(lambda c: certdoc.download_url(c))
    verify_url = fields.Function(lambda c: certdoc.verify_url(c))


class ReissueSchema(Schema):
    full_name = SingleLineText(required=True, min_length=2, max_length=200)


class RevokeSchema(Schema):
    reason = MultiLineText(load_default="", max_length=500)


@bp.get("/events/<event_id>/certificates")
@bp.response(200, CertificateSchema(many=True))
@bp.doc(security=STAFF)
@staff_required
def list_certificates(event_id: str):
    """An event's certificates, in number order (staff of the event's kabupaten)."""
    rows = certificates.list_for_event(event_id[:36], g.staff)
    service.audit("certificates.list", g.staff, event_id=event_id, commit=True)
    return rows


@bp.post("/certificates/<certificate_id>/reissue")
@bp.arguments(ReissueSchema)
@bp.response(200, CertificateSchema)
@bp.doc(security=STAFF)
@staff_required
def reissue(data: dict, certificate_id: str):
    """Correct the name and reissue: the same number, the next version; the person is sent the new one."""
    return certificates.reissue(certificate_id, data["full_name"], g.staff)


@bp.post("/certificates/<certificate_id>/revoke")
@bp.arguments(RevokeSchema)
@bp.response(200, CertificateSchema)
@bp.doc(security=STAFF)
@staff_required
def revoke(data: dict, certificate_id: str):
    """Revoke a certificate (revoking twice changes nothing); the reason is for staff only."""
    return certificates.revoke(certificate_id, data["reason"], g.staff)
