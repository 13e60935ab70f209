"""GET /metrics of the notifications service: messages by channel, provider and status, the reminders' lag and the
providers' priorities, besides the queue and outbox every service shows (shared/metrics.py).

Messages are counted in the store at scrape time rather than by counters in the workers: the workers run in other
processes (other containers in production) than the web that answers Prometheus, and the store is the one place
that knows every send. A provider's own trouble (5xx, 429, timeouts) also lowers its priority in Redis, read here
too: a provider failing shows there even while its messages fail over to another and end up sent.
"""

from flask import current_app
from prometheus_client.core import GaugeMetricFamily

from services.notifications import queries
from services.notifications.content.messages import CHANNELS
from services.notifications.extensions import db
from services.notifications.models import OutboxMessage
from shared.metrics import age_seconds, make_metrics_blueprint
from shared.states import MessageStatus
from shared.timeutil import utcnow


def _families():
    messages = GaugeMetricFamily(
        "pelita_notifications_messages",
        "Stored messages by channel, the provider that took them (empty: none yet) and status",
        labels=["channel", "provider", "status"],
    )
    failed = GaugeMetricFamily(
        "pelita_notifications_failed_messages",
        "Messages that ended failed (every provider refused them), by channel; 0 from the start",
        labels=["channel"],
    )
    failures = dict.fromkeys(CHANNELS, 0)
    for channel, provider, status, count in queries.message_counts():
        messages.add_metric([channel, provider, status], count)
        if status == MessageStatus.FAILED:
            failures[channel] = failures.get(channel, 0) + count
    for channel, count in failures.items():
        failed.add_metric([channel], count)
    lag = GaugeMetricFamily(
        "pelita_notifications_reminder_lag_seconds",
        "How long the most overdue reminder not yet handed to a provider has been due (0: none overdue)",
    )
    lag.add_metric([], age_seconds(queries.oldest_overdue_reminder(utcnow())))
    return [messages, failed, lag, *_priorities()]


def _priorities():
    priorities = current_app.extensions["provider_priorities"]
    now = GaugeMetricFamily(
        "pelita_notifications_provider_priority",
        "A provider's share of first tries now; below its resting priority while it fails",
        labels=["channel", "provider"],
    )
    rest = GaugeMetricFamily(
        "pelita_notifications_provider_resting_priority",
        "A provider's priority when it is healthy (PROVIDER_PRIORITIES)",
        labels=["channel", "provider"],
    )
    for channel, resting in sorted(priorities.resting.items()):
        for provider, priority in priorities.current(channel).items():
            now.add_metric([channel, provider], priority)
            rest.add_metric([channel, provider], resting[provider])
    return [now, rest]


bp = make_metrics_blueprint(db, OutboxMessage, _families)
