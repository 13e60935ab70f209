"""The one phone rule: the form (registration) and the sender (notifications) read every number the same way."""

import pytest
from marshmallow import ValidationError

from services.notifications.sending import phones as sender
from services.registration.schemas import check_textable, normalise_phone
from services.registration.schemas.registrations import RegistrationCreateSchema
from shared import phones
from tests.factories import make_registration_body

MOBILE = "+6281234567890"
#: (typed, E.164 or None when not a number at all, why SMS/WhatsApp refuse it or None when they take it)
TABLE = [
    ("0812-3456-7890", MOBILE, None),
    ("0812 3456 7890", MOBILE, None),
    ("(0812) 3456 7890", MOBILE, None),
    ("0812.3456.7890", MOBILE, None),
    ("+62 812-3456-7890", MOBILE, None),
    ("+6281234567890", MOBILE, None),
    ("6281234567890", MOBILE, None),  # the country code without the plus: not +6262…
    ("62 812 3456 7890", MOBILE, None),
    ("+62 0812-3456-7890", MOBILE, None),  # the trunk 0 kept after the country code
    ("620812 3456 7890", MOBILE, None),
    ("0062 812 3456 7890", MOBILE, None),
    ("0511-3252123", "+625113252123", "landline"),  # Banjarmasin
    ("(0511) 3252123", "+625113252123", "landline"),
    ("021-5551234", "+62215551234", "landline"),
    ("+60 12-345 6789", "+60123456789", "region"),  # Malaysia
    ("+1 415 555 2671", "+14155552671", "region"),
    ("", None, "unreadable"),
    ("halo", None, "unreadable"),
    ("12", None, "unreadable"),
    ("0812", None, "unreadable"),
    ("9" * 40, None, "unreadable"),
]


@pytest.mark.parametrize(("typed", "e164", "refused"), TABLE)
def test_each_number_is_read_the_same_by_the_form_and_the_sender(typed, e164, refused):
    if e164 is None:
        with pytest.raises(phones.BadNumber):
            phones.normalise(typed)
        with pytest.raises(ValidationError):
            normalise_phone(typed)
        with pytest.raises(phones.BadNumber):
            sender.to_e164(typed)
    else:
        assert phones.normalise(typed) == normalise_phone(typed) == sender.to_e164(typed) == e164
    if refused is None:
        assert sender.mobile(typed) == e164
        check_textable(e164)  # the form takes it for SMS and WhatsApp too
    else:
        with pytest.raises(phones.BadNumber) as error:
            sender.mobile(typed)
        assert error.value.kind == refused
        assert typed.strip() == "" or typed not in str(error.value)  # the reason never repeats the number


def test_another_region_is_allowed_when_listed():
    assert phones.regions("id, my") == ("ID", "MY")
    assert phones.regions("") == ("ID",)
    assert phones.mobile("+60 12-345 6789", phones.regions("ID,MY")) == "+60123456789"


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
@pytest.mark.parametrize(
    ("phone", "words"), [("0511-3252123", "nomor telepon rumah/kantor"), ("+60 12-345 6789", "nomor HP Indonesia")]
)
def test_the_form_refuses_a_landline_or_a_foreign_number_for_texts_with_a_clear_message(channel, phone, words):
    body = make_registration_body(phone=phone, email="siti@contoh.id", preferred_channel=channel)
    with pytest.raises(ValidationError) as error:
        RegistrationCreateSchema().load(body)
    assert words in str(error.value.messages["phone"])


@pytest.mark.parametrize("phone", ["0511-3252123", "+60 12-345 6789"])
def test_an_email_participant_may_leave_any_real_number(phone):
    body = make_registration_body(phone=phone, email="siti@contoh.id", preferred_channel="email")
    assert RegistrationCreateSchema().load(body)["phone"] == phones.normalise(phone)
