"""Command-line tasks of the reporting service: `flask --app services.reporting.wsgi rebuild-read-model`."""

import click
from flask import Flask

from services.reporting import service


def register(app: Flask) -> None:
    @app.cli.command("purge")
    def purge_command() -> None:
        """Run the daily retention purge now (docs/data.md); running it twice changes nothing more."""
        from services.reporting import retention

        for key, value in retention.purge_old_data().items():
            click.echo(f"{key}: {value}")

    @app.cli.command("rebuild-read-model")
    @click.confirmation_option(
        prompt=(
            "Kosongkan model baca pelaporan? Angka kembali setelah riwayat diputar ulang, tetapi hanya riwayat yang "
            "masih disimpan di outbox (OUTBOX_RETENTION_DAYS, docs/data.md): angka yang lebih lama hilang."
        )
    )
    def rebuild_read_model_command() -> None:
        """Empty the read model and the processed-message log, so that the replayed history is applied again."""
        removed = service.rebuild_read_model()
        for table, count in removed.items():
            click.echo(f"{table}: {count} baris dihapus.")
        click.echo("Putar ulang riwayat pendaftaran dan notifikasi ke reporting:")
        click.echo("  flask --app services.registration.wsgi replay-events --to reporting")
        click.echo("  flask --app services.notifications.wsgi replay-events --to reporting")
