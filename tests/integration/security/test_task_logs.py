"""What a worker logs of a message it receives (Celery's kwargsrepr) names the message, not the person in it."""

import base64
import json
import uuid

import redis
from celery import Celery

from shared.celery import celery_settings
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope, publish
from tests.factories import make_registration_created


def test_a_published_message_carries_no_personal_data_in_its_task_description(redis_url):
    app = Celery(f"test-{uuid.uuid4().hex}")
    app.conf.update(celery_settings(redis_url, "registration"))
    payload = make_registration_created(full_name="Siti Rahmah", phone="+6281234567890", email="siti@contoh.id")
    envelope = make_envelope(EventNames.REGISTRATION_CREATED, payload, source="registration")
    client = redis.Redis.from_url(redis_url)
    queues = {"notifications", "reporting"}
    before = {queue: client.llen(queue) for queue in queues}
    sent = publish(app, envelope)
    assert sent
    try:
        for queue in queues:
            raw = client.lindex(queue, 0)  # the message just sent (kombu pushes to the head)
            assert client.llen(queue) == before[queue] + 1
            message = json.loads(raw)
            described = message["headers"]["kwargsrepr"] + message["headers"]["argsrepr"]
            assert envelope["id"] in described and EventNames.REGISTRATION_CREATED in described
            for personal in ("Siti", "6281234567890", "siti@contoh.id"):
                assert personal not in described
            body = base64.b64decode(message["body"]).decode()
            if queue == "notifications":  # the task itself gets what its subscriber needs: names to write to
                assert "Siti Rahmah" in body
            else:  # reporting needs no name at all
                assert "Siti Rahmah" not in body
    finally:
        for queue in queues:
            client.lpop(queue)
