"""The registration body: phones as people type them, at least one contact, consent required."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from services.registration import notices
from services.registration.schemas import normalise_phone
from services.registration.schemas.registrations import RegistrationCreateSchema
from tests.factories import make_registration_body


@pytest.mark.parametrize(
    "typed", ["0812-3456-7890", "0812 3456 7890", "+62 812-3456-7890", "6281234567890", "081234567890"]
)
def test_phone_typed_any_usual_way_becomes_e164(typed):
    assert normalise_phone(typed) == "+6281234567890"


@pytest.mark.parametrize("typed", ["12", "abc", "0812", "+1 202 555"])
def test_nonsense_phone_is_refused_in_indonesian(typed):
    with pytest.raises(ValidationError, match="Nomor HP"):
        normalise_phone(typed)


@given(st.text(max_size=30))
def test_any_phone_text_is_normalised_or_refused_never_crashes(text):
    try:
        result = normalise_phone(text)
    except ValidationError:
        return
    assert result.startswith("+") and result[1:].isdigit()


def test_valid_body_loads_with_normalised_contacts():
    data = RegistrationCreateSchema().load(make_registration_body(phone="0812-3456-7890", email="Siti@Contoh.ID"))
    assert data["phone"] == "+6281234567890"
    assert data["email"] == "Siti@contoh.id"


def test_phone_or_email_is_required():
    with pytest.raises(ValidationError) as error:
        RegistrationCreateSchema().load(make_registration_body(phone=None, email=None, preferred_channel="sms"))
    assert "phone" in error.value.messages


def legacy_body(**overrides) -> dict:
    """A body as API clients sent it before consents were separate: one `consent` box, no notice version."""
    body = make_registration_body(**overrides)
    del body["consents"], body["notice_version"]
    return body


def test_consent_is_required():
    with pytest.raises(ValidationError) as error:
        RegistrationCreateSchema().load(legacy_body(consent=False))
    assert "consent" in error.value.messages
    with pytest.raises(ValidationError) as error:
        RegistrationCreateSchema().load(legacy_body())
    assert "consents" in error.value.messages


def test_the_old_single_consent_reads_as_training_and_messages_under_the_legacy_notice():
    data = RegistrationCreateSchema().load(legacy_body(consent=True))
    assert data["consents"] == {"training": True, "messages": True}
    assert data["notice_version"] == "legacy" and "consent" not in data


def test_each_required_consent_is_required_and_the_notice_version_must_be_known():
    schema = RegistrationCreateSchema()
    for purpose in ("training", "messages"):
        consents = {"training": True, "messages": True} | {purpose: False}
        with pytest.raises(ValidationError) as error:
            schema.load(make_registration_body(consents=consents))
        assert purpose in error.value.messages["consents"]
    for version in ("1999-01-01", None):
        body = make_registration_body(notice_version=version) if version else make_registration_body()
        body.pop("notice_version") if version is None else None
        with pytest.raises(ValidationError) as error:
            schema.load(body)
        assert "notice_version" in error.value.messages
    optional = schema.load(make_registration_body(consents={"training": True, "messages": True}))
    assert optional["consents"] == {"training": True, "messages": True}


def test_kecamatan_must_lie_in_the_chosen_kabupaten():
    # 63.01.01 (Takisung) is in Tanah Laut, not Banjar.
    with pytest.raises(ValidationError) as error:
        RegistrationCreateSchema().load(make_registration_body(kabupaten_code="63.03", kecamatan_code="63.01.01"))
    assert "kecamatan_code" in error.value.messages


def test_only_the_13_kabupaten_kota_of_kalsel_are_accepted():
    with pytest.raises(ValidationError) as error:
        RegistrationCreateSchema().load(make_registration_body(kabupaten_code="31.71"))
    assert "kabupaten_code" in error.value.messages


def test_the_curl_example_in_the_architecture_doc_registers_under_the_current_notice():
    """docs/architecture.md "Try it by hand" is what a partner system's developer copies first: its body must be one
    the API takes today, with the consents and the notice a person is shown now (not the deprecated single flag)."""
    doc = (Path(__file__).resolve().parents[3] / "docs" / "architecture.md").read_text()
    body = json.loads(re.search(r"/registrations -H 'Content-Type: application/json' -d '(\{.*?\})'", doc, re.S)[1])
    data = RegistrationCreateSchema().load(body)
    assert "consent" not in body
    assert data["notice_version"] == notices.CURRENT
    assert data["consents"] == {"training": True, "messages": True, "statistics": True}
    assert data["phone"] == "+6281234567890"
