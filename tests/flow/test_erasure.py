"""A participant's erasure through the real workers and Redis: every store (outbox and dead letters included) and
Redis forget them, their seat goes to the next person, no further message or gateway request names or reaches them,
and reporting still counts them."""

import base64
import json

import redis
import sqlalchemy as sa

from services.registration import rights
from services.reporting.models import RegistrationFact
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

    wait_for(lambda: len(counted(stack)) == 2, message="reporting to count both")
    before = counted(stack)
    mails_before = sent_mails(stack)
    texts_before = len(stack.gateways.requests)
    registration = stack.app("registration")
    with registration.app_context():
        assert rights.erase(aisyah["id"]) is True

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
    wait_for(lambda: not [s for s in secrets if s in redis_text(stack.redis_url)], message="Redis to hold none of her")
    assert stays_true(lambda: len(stack.smtp.mails_to(AISYAH["email"])) == 1, 3)  # no cancellation notice, nothing
    later = [text for text in sent_mails(stack) if text not in mails_before]
    assert later and not [secret for secret in secrets for text in later if secret in text]  # Budi's, not her
    assert not [r for r in stack.gateways.requests[texts_before:] if r[1] in (AISYAH["phone"], "+6281322227777")]
    assert counted(stack) == before  # reporting counts her still, by attributes that name no one
    with registration.app_context():
        assert rights.erase(aisyah["id"]) is False
    assert_invariants(stack)


def counted(stack) -> list[tuple]:
    """What reporting counts, registration by registration (no name in it)."""
    fact = RegistrationFact
    columns = (fact.gender, fact.age_group, fact.disability, fact.participant_type, fact.kabupaten_code)
    columns += (fact.registered_at,)
    return sorted(tuple(row) for row in stack.rows("reporting", sa.select(*columns)))


def sent_mails(stack) -> list[str]:
    """Every mail the SMTP sink received, as its text and its recipients."""
    return [mail.text() + " " + " ".join(mail.rcpt_tos) for mail in stack.smtp.mailbox.mails()]


def redis_text(url: str) -> str:
    """Everything Redis holds (every key's values, Celery's message bodies decoded), to search for someone."""
    client = redis.Redis.from_url(url)
    readers = {
        b"string": lambda key: [client.get(key)],
        b"list": lambda key: client.lrange(key, 0, -1),
        b"hash": lambda key: list(client.hgetall(key).values()),
        b"set": lambda key: list(client.smembers(key)),
        b"zset": lambda key: client.zrange(key, 0, -1),
    }
    found = []
    for key in client.scan_iter():
        for value in readers.get(client.type(key), lambda key: [])(key):
            found.append(_decoded(value or b""))
    client.close()
    return "\n".join(found)


def _decoded(raw: bytes) -> str:
    text = raw.decode(errors="replace")
    try:
        message = json.loads(text)
    except ValueError:
        return text
    if isinstance(message, list) and message:  # an unacknowledged message: [message, exchange, routing key]
        message = message[0]
    if isinstance(message, dict) and message.get("properties", {}).get("body_encoding") == "base64":
        text += "\n" + base64.b64decode(message.get("body") or "").decode(errors="replace")
    return text
