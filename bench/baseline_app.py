"""The bare stack under the registration form: Flask + marshmallow + SQLAlchemy, one INSERT per request.

`gunicorn bench.baseline_app:app` with BASELINE_DATABASE_URL (the same database Pelita's registration store
uses in that run). It loads the same fields the public form takes (with the same phone and email libraries),
inserts one row into `bench_baseline_registrations` (created by the benchmark before the server starts) and
answers 303, like the form. No CSRF, no session, no seat counting, no outbox, no rate limit: that is the point.
"""

import os
import uuid

import email_validator
import phonenumbers
import sqlalchemy as sa
from flask import Flask, redirect, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

GENDERS = ["female", "male"]
AGE_GROUPS = ["under_18", "18_25", "26_35", "36_45", "46_55", "56_plus"]
CHANNELS = ["email", "sms", "whatsapp"]

metadata = sa.MetaData()
table = sa.Table(
    "bench_baseline_registrations",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(20), unique=True),
    sa.Column("email", sa.String(254)),
    sa.Column("preferred_channel", sa.String(20), nullable=False),
    sa.Column("kabupaten_code", sa.String(5), nullable=False),
    sa.Column("kecamatan_code", sa.String(8)),
    sa.Column("desa_code", sa.String(13)),
    sa.Column("gender", sa.String(10), nullable=False),
    sa.Column("age_group", sa.String(10), nullable=False),
    sa.Column("disability", sa.String(30), nullable=False),
    sa.Column("accessibility_needs", sa.Text, nullable=False),
    sa.Column("participant_type", sa.String(30), nullable=False),
    sa.Column("institution", sa.String(200), nullable=False),
    sa.Column("consent", sa.Boolean, nullable=False),
)


class Phone(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        number = phonenumbers.parse(super()._deserialize(value, attr, data, **kwargs), "ID")
        if not phonenumbers.is_valid_number(number):
            raise ValidationError("invalid phone")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Email(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return email_validator.validate_email(value, check_deliverability=False).normalized if value else None


class FormSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # the fields only Pelita's form has (its separate consents and their notice version)

    full_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    phone = Phone(load_default=None)
    email = Email(load_default=None)
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    kabupaten_code = fields.String(required=True, validate=validate.Length(equal=5))
    kecamatan_code = fields.String(load_default=None)
    desa_code = fields.String(load_default=None)
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    age_group = fields.String(required=True)
    disability = fields.String(required=True)
    accessibility_needs = fields.String(load_default="", validate=validate.Length(max=1000))
    participant_type = fields.String(required=True)
    institution = fields.String(load_default="", validate=validate.Length(max=200))
    consent = fields.Boolean(required=True, truthy={"ya", "true", "1", "on"})
    website = fields.String(load_default="")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """The same SQLite settings Pelita's stores use (WAL, wait for locks), so only the framework differs."""
    if type(dbapi_connection).__module__ == "sqlite3":
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = sa.create_engine(database_url or os.environ["BASELINE_DATABASE_URL"], pool_pre_ping=True)
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    schema = FormSchema()

    @app.post("/register")
    def register():
        try:
            data = schema.load(request.form.to_dict())
        except ValidationError as error:
            return {"errors": error.messages}, 400
        data.pop("website")
        with engine.begin() as connection:
            connection.execute(table.insert().values(id=str(uuid.uuid4()), **data))
        return redirect("/thanks", 303)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def create_table(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()


app = create_app() if os.environ.get("BASELINE_DATABASE_URL") else None
