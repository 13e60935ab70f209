"""Command-line tasks of the notifications service: `flask --app services.notifications.wsgi replay-events`."""

import click
from flask import Flask

from shared.messaging.names import EventNames
from shared.messaging.routing import SUBSCRIBERS

#: The services that consume what this one publishes (notification.delivered / failed): reporting today.
OUR_EVENTS = (EventNames.NOTIFICATION_DELIVERED, EventNames.NOTIFICATION_FAILED)
SUBSCRIBING_SERVICES = sorted({task.split(".", 1)[0] for name in OUR_EVENTS for task in SUBSCRIBERS[name]})


def register(app: Flask) -> None:
    @app.cli.command("replay-events")
    @click.option("--to", "service", type=click.Choice(SUBSCRIBING_SERVICES), required=True)
    def replay_command(service: str) -> None:
        """Send this service's whole event history to another service again (e.g. to rebuild reporting's
        delivery figures after `flask --app services.reporting.wsgi rebuild-read-model`)."""
        from services.notifications.extensions import celery, db
        from services.notifications.models import OutboxMessage
        from shared.bus import replay

        sent = replay(db.session, OutboxMessage, celery, f"{service}.handle_event")
        click.echo(f"{sent} peristiwa dikirim ulang ke {service}.")

    @app.cli.command("purge")
    def purge_command() -> None:
        """Run the daily retention purge now (docs/data.md); running it twice changes nothing more."""
        from services.notifications import retention

        for key, value in retention.purge_old_data().items():
            click.echo(f"{key}: {value}")

    @app.cli.command("seed-templates")
    def seed_templates_command() -> None:
        """Store the default text of every message template not yet in the store (running it again adds nothing)."""
        from services.notifications import editor

        click.echo(f"{editor.seed()} templat bawaan disimpan.")
