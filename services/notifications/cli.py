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
        from services.notifications.content import editor

        click.echo(f"{editor.seed()} templat bawaan disimpan.")

    @app.cli.group("audit")
    def audit_group() -> None:
        """The audit trail of staff actions, and breach readiness."""

    @audit_group.command("exposure")
    @click.option("--staff-id", type=int, required=True, help="The staff account suspected (its number).")
    @click.option("--kabupaten", help="The account's kabupaten code (as registration's exposure shows it).")
    @click.option("--all", "everything", is_flag=True, help="A provincial admin: every event's recipients.")
    @click.option("--since", required=True, help="Start of the window, ISO 8601 (WITA when no offset is given).")
    @click.option("--until", required=True, help="End of the window, ISO 8601 (WITA when no offset is given).")
    def exposure_command(staff_id: int, kabupaten: str | None, everything: bool, since: str, until: str) -> None:
        """List, as CSV on stdout, whose contacts a staff account could see in the message log in a time window,
        and whose messages the audit trail shows it opened.

        THE OUTPUT HOLDS PERSONAL DATA (phones and emails): it is for the controller's breach notice only. Keep it
        encrypted, never in a shared folder or a chat, and delete it once the notices are sent.
        """
        from services.notifications import exposure
        from shared.audit import parse_moment

        if bool(kabupaten) == everything:
            raise click.UsageError("Give exactly one of --kabupaten and --all.")
        try:
            start, end = parse_moment(since), parse_moment(until)
        except ValueError as error:
            raise click.UsageError(f"--since/--until: {error}") from None
        rows = exposure.for_staff(staff_id, start, end, None if everything else kabupaten)
        click.echo(exposure.to_csv(rows), nl=False)
        click.echo(f"{len(rows)} penerima.", err=True)
