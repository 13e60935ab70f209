"""HTTP schemas of signing in, partners' API keys and staff accounts."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates, validates_schema

from shared.text import SingleLineText
from shared.timeutil import LocalDateTime


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1000))
    #: The current code of the authenticator app, for accounts with two-step sign-in.
    code = fields.String(load_only=True, load_default=None, validate=validate.Length(max=12))


class TokenSchema(Schema):
    token = fields.String()
    expires_at = LocalDateTime()


class LoginSchema(Schema):
    email = fields.String(
        required=True, validate=validate.Length(max=254), error_messages={"required": _l("Isi email Anda.")}
    )
    password = fields.String(
        required=True, validate=validate.Length(max=1000), error_messages={"required": _l("Isi kata sandi Anda.")}
    )
    next = fields.String(load_default="", validate=validate.Length(max=2000))


class ApiKeyCreateSchema(Schema):
    name = SingleLineText(
        required=True,
        min_length=2,
        max_length=100,
        length_error=_l("Beri nama kunci (2 sampai 100 huruf), mis. nama sistem mitra."),
        error_messages={"required": _l("Beri nama kunci, mis. nama sistem mitra.")},
        metadata={"description": "Whose system the key is for, e.g. the partner's name"},
    )


class ApiKeySchema(Schema):
    """A key as staff see it: never the key itself (only its hash is stored)."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "The key's first letters, to tell keys apart"})
    scope = fields.String()
    created_at = LocalDateTime()
    last_used_at = LocalDateTime(allow_none=True)
    revoked_at = LocalDateTime(allow_none=True)


class NewApiKeySchema(Schema):
    key = fields.String(metadata={"description": "The key: shown this once, store it in the partner system now"})
    api_key = fields.Nested(ApiKeySchema)


class InviteFormSchema(Schema):
    """The provincial admin's form inviting a new staff member."""

    name = SingleLineText(
        required=True, min_length=2, max_length=200, error_messages={"required": _l("Isi nama staf.")}
    )
    email = fields.String(
        required=True, validate=validate.Length(max=254), error_messages={"required": _l("Isi email staf.")}
    )
    role = fields.String(
        required=True,
        validate=validate.OneOf(("provincial_admin", "regency_organiser")),
        error_messages={"required": _l("Pilih peran.")},
    )
    kabupaten_code = fields.String(load_default=None, validate=validate.Length(max=5))

    @pre_load
    def blanks_are_unset(self, data, **kwargs) -> dict:
        return {key: value.strip() for key, value in data.items() if isinstance(value, str) and value.strip()}

    @validates("email")
    def an_address(self, value: str, **kwargs) -> None:
        try:
            validate.Email()(value)
        except ValidationError:
            raise ValidationError(_l("Email tidak valid.")) from None


class NewPasswordSchema(Schema):
    """A new password typed twice (the set-password and change-password pages)."""

    current = fields.String(load_default="", validate=validate.Length(max=1000))
    password = fields.String(
        required=True, validate=validate.Length(max=1000), error_messages={"required": _l("Isi kata sandi baru.")}
    )
    confirm = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def same_twice(self, data, **kwargs) -> None:
        if data.get("password") != data.get("confirm"):
            raise ValidationError(_l("Kedua kata sandi tidak sama."), "confirm")
