"""Phone numbers as people type them reach each gateway in the form it expects."""

import pytest

from services.notifications.sending.phones import BadNumber, for_twilio, for_whatsapp, for_zenziva, to_e164

TYPED = ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "+6281234567890", "(0812) 3456 7890"]


@pytest.mark.parametrize("typed", TYPED)
def test_every_way_of_typing_a_number_reaches_each_gateway_in_its_format(typed):
    assert to_e164(typed) == "+6281234567890"
    assert for_zenziva(typed) == "081234567890"
    assert for_whatsapp(typed) == "6281234567890"
    assert for_twilio(typed) == "+6281234567890"


@pytest.mark.parametrize("typed", ["", "halo", "12"])
def test_a_non_number_is_refused(typed):
    with pytest.raises(BadNumber):
        to_e164(typed)
