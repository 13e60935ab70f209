"""Command-line tasks of the registration service: `flask --app services.registration.wsgi seed`."""

import click
from flask import Flask

from services.registration import seed


def register(app: Flask) -> None:
    @app.cli.command("replay-events")
    @click.option("--to", "service", type=click.Choice(["reporting", "notifications"]), required=True)
    def replay_command(service: str) -> None:
        """Send this service's whole event history to another service again (e.g. to rebuild reporting)."""
        from services.registration.extensions import celery, db
        from services.registration.models import OutboxMessage
        from shared.bus import replay

        sent = replay(db.session, OutboxMessage, celery, f"{service}.handle_event")
        click.echo(f"{sent} peristiwa dikirim ulang ke {service}.")

    @app.cli.command("purge")
    def purge_command() -> None:
        """Run the daily retention purge now (docs/data.md); running it twice changes nothing more."""
        from services.registration import retention

        for key, value in retention.purge_old_data().items():
            click.echo(f"{key}: {value}")

    @app.cli.command("seed")
    @click.option("--demo/--no-demo", default=True, help="Also add the demo event.")
    def seed_command(demo: bool) -> None:
        """Add Kalsel's areas, the admin and (once) the demo event; running it again adds nothing."""
        added = seed.seed_regions()
        email, password, created = seed.seed_admin()
        click.echo(f"Wilayah: {added} baru dimuat.")
        click.echo(f"Admin: {email} / {password}" + (" (baru)" if created else ""))
        if demo:
            event, created = seed.seed_demo_event()
            click.echo(f"Acara demo: {event.title} ({event.id})" + (" (baru)" if created else ""))
