"""What a door kit sends when it syncs (door.py): the records the phone made, each with the id it gave it."""

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from services.registration.models import DoorKind
from services.registration.schemas import EARLIEST, LATEST
from services.registration.schemas.registrations import MISSING_CONSENTS, TRAINING_CONSENT, RegistrationCreateSchema
from shared.timeutil import LocalDateTime

#: The most records one sync carries (door.MAX_RECORDS); the request body's own limit stops larger ones first.
MAX_RECORDS = 100


class DoorRecordSchema(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([kind.value for kind in DoorKind]))
    made_at = LocalDateTime(load_default=None, allow_none=True, validate=validate.Range(min=EARLIEST, max=LATEST))
    registration_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))
    #: A walk-in's answers, as the registration form's (checked one by one in `load_people`, so one mistake
    #: refuses that walk-in only).
    person = fields.Dict(load_default=None, allow_none=True, validate=validate.Length(max=30))

    @validates_schema
    def says_who(self, data: dict, **kwargs) -> None:
        if data["kind"] in (DoorKind.CHECK_IN, DoorKind.UNDO) and not data.get("registration_id"):
            raise ValidationError(_l("Sebutkan pendaftaran yang dicatat hadir."), "registration_id")
        if data["kind"] == DoorKind.WALK_IN and data.get("person") is None:
            raise ValidationError(_l("Isi data peserta yang datang langsung."), "person")


class WalkInWithoutContactSchema(RegistrationCreateSchema):
    """A person at the door with no phone or email of their own (docs/organiser.md, "Kit pintu"): registered and
    seated all the same. No message can reach them, so only the training consent is asked, and they are told at the
    door; the organiser prints their certificate from the event's certificate page. Only the door kit takes this:
    the form and the API still want a phone or email."""

    @validates_schema(skip_on_field_errors=False)
    def consents_given(self, data: dict, **kwargs) -> None:
        if data.get("consents") is None or not data.get("notice_version"):
            raise ValidationError(MISSING_CONSENTS, "consents")
        if not data["consents"].get("training"):
            raise self.consent_errors({"training": TRAINING_CONSENT})

    @validates_schema
    def reachable_and_consistent(self, data: dict, **kwargs) -> None:
        if data.get("phone") or data.get("email"):
            raise ValidationError(_l("Tanpa kontak berarti tanpa nomor HP dan email."), "phone")
        self.regions_consistent(data)


class DoorSyncSchema(Schema):
    records = fields.List(
        fields.Nested(DoorRecordSchema, unknown=EXCLUDE),
        required=True,
        validate=validate.Length(max=MAX_RECORDS, error=_l("Paling banyak 100 catatan sekali kirim.")),
    )


def load_people(records: list[dict]) -> list[dict]:
    """Each record as door.sync takes it: its id as text and a walk-in's `person` checked as the API checks a
    registration, or, marked `no_contact`, as a person without phone or email (a mistake sets `invalid` to its
    messages instead)."""
    loaded = []
    for record in records:
        record = record | {"id": str(record["id"])}
        if record["kind"] == DoorKind.WALK_IN:
            without_contact = record["person"].get("no_contact") is True
            schema = WalkInWithoutContactSchema() if without_contact else RegistrationCreateSchema()
            try:
                record["person"] = schema.load(record["person"], unknown=EXCLUDE)
            except ValidationError as error:
                record["invalid"] = [text for texts in _flat(error.messages) for text in texts]
        loaded.append(record)
    return loaded


def _flat(messages) -> list[list[str]]:
    if isinstance(messages, dict):
        return [texts for value in messages.values() for texts in _flat(value)]
    return [[str(text) for text in messages]]
