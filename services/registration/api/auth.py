"""Staff authentication for the API: a bearer token for an email and password, and signing out everywhere."""

from flask import g, request
from flask_smorest import Blueprint

from services.registration import signin
from services.registration.schemas.accounts import TokenRequestSchema, TokenSchema
from shared.staffauth import staff_required

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Staff bearer tokens")


@bp.post("/token")
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema)
@bp.alt_response(401, description="Wrong email or password, or the two-step code is missing or wrong")
@bp.alt_response(429, description="Too many failed sign-ins for this account or address: try again later")
def create_token(credentials: dict):
    """Exchange a staff email and password (and the authenticator code, if two-step sign-in is on) for a bearer
    token, valid in every Pelita service until it expires or the account signs out, changes its password or is
    disabled."""
    return signin.token_for(credentials["email"], credentials["password"], credentials["code"], request.remote_addr)


@bp.post("/logout")
@bp.response(204)
@bp.doc(security=[{"bearerAuth": []}])
@staff_required
def logout():
    """End every session of this account in every service: this token and all others it holds stop working."""
    signin.sign_out(g.staff)
