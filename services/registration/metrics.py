"""The registration service's Prometheus metrics, served at GET /metrics (api/metrics.py)."""

from prometheus_client import Counter

#: Form submissions thanked but not stored (docs/reliability.md): the honeypot filled, or sent too soon for a person.
BOT_SUSPECTED = Counter(
    "pelita_registration_bot_suspected",
    "Registration form submissions taken for a bot's: thanked, nothing stored",
    ["reason"],
)
BOT_REASONS = ("honeypot", "too_fast")
for _reason in BOT_REASONS:  # shown at 0 from the start, so a rate over them has a baseline
    BOT_SUSPECTED.labels(reason=_reason)
