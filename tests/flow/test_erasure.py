"""A participant's erasure through the real workers and Redis: every store forgets them, their seat goes to the next
person, and no further message reaches them."""

from services.registration import mydata
from tests.flow.conftest import assert_invariants, wait_for
from tests.flow.test_thin_slice import publish_event, register, stays_true
from tests.integration.retention import leftovers

AISYAH = {"full_name": "Nur Aisyah Putri", "email": "nur.aisyah@contoh.id", "phone": "0813-2222-7777"}


def test_an_erased_participant_is_forgotten_everywhere_and_sent_nothing_more(stack):
    event = publish_event(stack, capacity=1)
    aisyah = register(stack, event["id"], preferred_channel="email", **AISYAH)
    register(stack, event["id"], email="budi@contoh.id", full_name="Budi Santoso")  # on the waitlist
    wait_for(lambda: stack.smtp.mails_to(AISYAH["email"]), message="her confirmation")
    wait_for(lambda: stack.smtp.mails_to("budi@contoh.id"), message="his waitlist mail")

    registration = stack.app("registration")
    with registration.app_context():
        assert mydata.erase(aisyah["id"]) is True

    wait_for(lambda: len(stack.smtp.mails_to("budi@contoh.id")) == 2, message="Budi's seat, freed by the erasure")
    secrets = [AISYAH["full_name"], AISYAH["email"], "+6281322227777"]

    def forgotten() -> bool:
        found = []
        for name in ("registration", "notifications", "reporting"):
            app = stack.app(name)
            with app.app_context():
                found += leftovers(app.extensions["sqlalchemy"], secrets)
        return not found

    wait_for(forgotten, message="every store to forget her")
    assert stays_true(lambda: len(stack.smtp.mails_to(AISYAH["email"])) == 1, 3)  # no cancellation notice, nothing
    with registration.app_context():
        assert mydata.erase(aisyah["id"]) is False
    assert_invariants(stack)
