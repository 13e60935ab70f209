"""API keys of partner systems that register people: provincial admins issue, list and revoke them."""

from flask import g
from flask_smorest import Blueprint

from services.registration import service
from services.registration.schemas.accounts import ApiKeyCreateSchema, ApiKeySchema, NewApiKeySchema
from shared.staffauth import staff_required

bp = Blueprint("api_keys", __name__, url_prefix="/api/v1/api-keys", description="Partner systems' API keys")
STAFF = [{"bearerAuth": []}]


@bp.get("")
@bp.response(200, ApiKeySchema(many=True))
@bp.alt_response(403, description="Not a provincial admin")
@bp.doc(security=STAFF)
@staff_required
def list_keys():
    """List every key: name, first letters, when made, last used and revoked (never the key itself)."""
    return service.list_api_keys(g.staff)


@bp.post("")
@staff_required
@bp.arguments(ApiKeyCreateSchema)
@bp.response(201, NewApiKeySchema)
@bp.alt_response(403, description="Not a provincial admin")
@bp.doc(security=STAFF)
def create_key(data: dict):
    """Issue a key for a partner system; the answer is the only time the key is shown."""
    row, key = service.create_api_key(data["name"], g.staff)
    return {"key": key, "api_key": row}


@bp.post("/<int:key_id>/revoke")
@bp.response(200, ApiKeySchema)
@bp.alt_response(403, description="Not a provincial admin")
@bp.alt_response(404, description="No such key")
@bp.doc(security=STAFF)
@staff_required
def revoke_key(key_id: int):
    """Stop a key working: its next request gets 401."""
    return service.revoke_api_key(key_id, g.staff)
