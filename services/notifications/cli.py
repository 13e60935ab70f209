"""Command-line tasks of the notifications service: `flask --app services.notifications.wsgi seed-templates`."""

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("seed-templates")
    def seed_templates_command() -> None:
        """Store the default text of every message template not yet in the store (running it again adds nothing)."""
        from services.notifications import editor

        click.echo(f"{editor.seed()} templat bawaan disimpan.")
