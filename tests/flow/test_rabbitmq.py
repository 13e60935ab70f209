"""RabbitMQ as Celery's broker is configuration: the thin slice, unchanged, over RabbitMQ (docs/capacity.md).

Only CELERY_BROKER_URL differs from the other flow tests; Redis still holds the locks, rate limits and send pacing.
PELITA_FLOW_BROKER=rabbitmq runs the whole flow suite this way.
"""

from tests.flow import test_thin_slice


def test_the_thin_slice_runs_with_rabbitmq_as_the_broker(stack_on_rabbitmq):
    stack = stack_on_rabbitmq
    test_thin_slice.test_registration_flows_to_a_confirmation_mail_and_the_read_model(stack)
    for service in ("registration", "notifications", "reporting"):
        assert "transport:   amqp://" in stack.log(f"{service}-worker"), f"{service} worker is not on RabbitMQ"
