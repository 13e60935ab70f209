"""What the webs ask Celery's broker (is it up, how many tasks wait), whichever engine it is.

The broker is configuration: CELERY_BROKER_URL (RabbitMQ's amqp://, or a Redis of its own) or, by default,
REDIS_URL. Locks, rate limits and send pacing always use REDIS_URL, so moving the queues to RabbitMQ changes only
where tasks travel (docs/capacity.md).
"""

import redis
from kombu import Connection
from kombu.exceptions import OperationalError


def is_redis(url: str) -> bool:
    return url.split(":", 1)[0] in ("redis", "rediss", "unix")


def ping(url: str) -> str:
    """Return "ok" when the broker answers within about a second, else a short reason (never the URL)."""
    if is_redis(url):
        try:
            with redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1) as client:
                client.ping()
            return "ok"
        except redis.RedisError as error:
            return f"unreachable: {type(error).__name__}"
    try:
        with Connection(url, connect_timeout=1) as connection:
            connection.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except (OperationalError, OSError) as error:
        return f"unreachable: {type(error).__name__}"


def queue_length(url: str, queue: str) -> int:
    """Tasks waiting in `queue`; raises BrokerDown when the broker does not answer."""
    if is_redis(url):
        try:
            with redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1) as client:
                return client.llen(queue)
        except redis.RedisError as error:
            raise BrokerDown from error
    try:
        with Connection(url, connect_timeout=1) as connection:
            channel = connection.channel()
            try:
                return channel.queue_declare(queue=queue, passive=True).message_count
            except connection.channel_errors:  # not declared yet: no worker has started, nothing waits
                return 0
    except (OperationalError, OSError) as error:
        raise BrokerDown from error


class BrokerDown(Exception):
    """The broker did not answer."""
