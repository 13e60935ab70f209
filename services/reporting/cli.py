"""Command-line tasks of the reporting service: `flask --app services.reporting.wsgi rebuild-read-model`."""

import click
from flask import Flask

from services.reporting import service


def register(app: Flask) -> None:
    @app.cli.group("audit")
    def audit_group() -> None:
        """The audit trail of staff actions, and breach readiness."""

    @audit_group.command("exposure")
    @click.option("--staff-id", type=int, required=True, help="The staff account suspected (its number).")
    @click.option("--since", required=True, help="Start of the window, ISO 8601 (WITA when no offset is given).")
    @click.option("--until", required=True, help="End of the window, ISO 8601 (WITA when no offset is given).")
    def exposure_command(staff_id: int, since: str, until: str) -> None:
        """List, as CSV on stdout, what a staff account downloaded or changed here in a time window.

        Reporting keeps no one's name, phone or email: its figures are counts, small ones suppressed in every file.
        So an account here could see no person's data; the trail's rows show which figures it took.
        """
        from services.reporting.extensions import db
        from services.reporting.models import AuditEntry
        from shared import audit

        try:
            start, end = audit.parse_moment(since), audit.parse_moment(until)
        except ValueError as error:
            raise click.UsageError(f"--since/--until: {error}") from None
        rows = audit.between(db.session, AuditEntry, start, end, staff_id=staff_id)
        click.echo(audit.to_csv(rows, audit.to_local), nl=False)
        click.echo(f"{len(rows)} tindakan.", err=True)

    @app.cli.command("rekey")
    @click.argument("mapping", type=click.File("r"))
    def rekey_command(mapping) -> None:
        """Key the rows made before pseudonyms by the registration's pseudonym (once; a second run changes nothing).

        MAPPING is the CSV registration's `reporting-pseudonyms` writes (registration_id,pseudonym): `-` reads it
        from that command through a pipe, so the list is never on a disk (docs/data.md). A file: shred it after.
        """
        import csv

        import sqlalchemy as sa

        from services.reporting.extensions import db
        from services.reporting.models import RegistrationFact

        changed = 0
        for row in csv.DictReader(mapping):
            old, new = row.get("registration_id") or "", row.get("pseudonym") or ""
            if len(old) != 36 or len(new) != 32:
                raise click.ClickException("MAPPING: expected registration_id,pseudonym from reporting-pseudonyms")
            query = sa.update(RegistrationFact).where(RegistrationFact.pseudonym == old).values(pseudonym=new)
            changed += db.session.execute(query).rowcount
        db.session.commit()
        click.echo(f"{changed} baris kini berkunci pseudonim.")

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
