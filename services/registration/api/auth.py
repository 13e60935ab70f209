"""Staff authentication for the API: a bearer token for an email and password."""

from flask_smorest import Blueprint

from services.registration import service
from services.registration.schemas import TokenRequestSchema, TokenSchema

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Staff bearer tokens")


@bp.post("/token")
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema)
@bp.alt_response(401, description="Wrong email or password")
def create_token(credentials: dict):
    """Exchange a staff email and password for a bearer token (valid in every Pelita service)."""
    return service.issue_staff_token(credentials["email"], credentials["password"])
