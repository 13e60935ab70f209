"""Command-line tasks of the registration service: `flask --app services.registration.wsgi seed`."""

import click
from flask import Flask
from flask.cli import AppGroup

from services.registration import seed
from shared.audit import parse_moment


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

    @app.cli.command("reporting-pseudonyms")
    def reporting_pseudonyms_command() -> None:
        """Write, as CSV on stdout, each registration's id and its pseudonym in reporting, for `rekey` there.

        Needed once, for reporting rows made before reporting was keyed by pseudonyms (docs/data.md). The file links
        reporting's rows to registrations: pipe it straight into reporting's `rekey -`, never into a file.
        """
        import sqlalchemy as sa

        from services.registration import service
        from services.registration.extensions import db
        from services.registration.models import Registration

        click.echo("registration_id,pseudonym")
        for registration_id in db.session.scalars(sa.select(Registration.id).order_by(Registration.id)):
            click.echo(f"{registration_id},{service.pseudonym(registration_id)}")

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
        if created:
            click.echo(f"Admin: {email} / {password} (baru; kata sandi ini hanya ditampilkan sekali, catat sekarang)")
        else:
            click.echo(f"Admin: {email} (sudah ada)")
        if demo:
            event, created = seed.seed_demo_event()
            click.echo(f"Acara demo: {event.title} ({event.id})" + (" (baru)" if created else ""))

    app.cli.add_command(staff_group)
    app.cli.add_command(audit_group)


@click.group("staff", cls=AppGroup)
def staff_group() -> None:
    """Staff accounts: invite, disable, enable, list, announce."""


def _by_email(email: str):
    from services.registration import store

    staff = store.get_staff_by_email(email)
    if staff is None:
        raise click.ClickException(f"Tidak ada akun staf dengan email {email}.")
    return staff


def _console():
    """The command line acts as a provincial admin (whoever can run it can read the store anyway)."""
    from shared.staffauth import StaffClaims

    return StaffClaims(id=0, email="cli", role="provincial_admin")


@staff_group.command("invite")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["provincial_admin", "regency_organiser"]), default="regency_organiser")
@click.option("--kabupaten", "kabupaten_code", help="Kode kabupaten/kota (mis. 63.03) untuk panitia kabupaten.")
@click.option("--lang", "locale", type=click.Choice(["id", "en"]), default="id")
def invite_command(email: str, name: str, role: str, kabupaten_code: str | None, locale: str) -> None:
    """Create an account and mail its owner a one-time link to set a password."""
    from services.registration import accounts
    from services.registration.service import RegistrationError

    data = {"email": email, "name": name, "role": role, "kabupaten_code": kabupaten_code}
    try:
        staff = accounts.invite(data, _console(), locale)
    except RegistrationError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Undangan untuk {staff.email} (id {staff.id}) dikirim lewat layanan notifikasi.")


@staff_group.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Disable an account: it cannot sign in, and every token it holds is refused in every service."""
    from services.registration import accounts

    staff = accounts.set_active(_by_email(email).id, False, _console())
    click.echo(f"Akun {staff.email} dinonaktifkan.")


@staff_group.command("enable")
@click.argument("email")
def enable_command(email: str) -> None:
    """Enable a disabled account again."""
    from services.registration import accounts

    staff = accounts.set_active(_by_email(email).id, True, _console())
    click.echo(f"Akun {staff.email} aktif kembali.")


@staff_group.command("list")
def list_command() -> None:
    """List staff accounts (no passwords: they are stored only as hashes)."""
    from services.registration import store

    for staff in store.list_staff():
        state = "aktif" if staff.active else "nonaktif"
        click.echo(f"{staff.id}\t{staff.email}\t{staff.role}\t{staff.kabupaten_code or '-'}\t{state}")


@staff_group.command("announce")
def announce_command() -> None:
    """Tell notifications and reporting every account's state again (once after upgrading to token versions)."""
    from services.registration import accounts

    click.echo(f"{accounts.announce_all()} akun diumumkan ke layanan lain.")


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """The audit trail of staff actions, and breach readiness."""


@audit_group.command("exposure")
@click.option("--staff-id", type=int, help="The staff account suspected (its number, as on the accounts page).")
@click.option("--api-key-id", type=int, help="The API key suspected (its number).")
@click.option("--since", required=True, help="Start of the window, ISO 8601 (WITA when no offset is given).")
@click.option("--until", required=True, help="End of the window, ISO 8601 (WITA when no offset is given).")
def exposure_command(staff_id: int | None, api_key_id: int | None, since: str, until: str) -> None:
    """List, as CSV on stdout, whose data a staff account or an API key could see or export in a time window.

    A staff account: every registration of every event of its kabupaten (a provincial admin: all) that existed in
    the window, and which of them the audit trail shows it viewed or exported. An API key: the registrations it
    made in the window (a key can only register people; it can read nothing else).

    THE OUTPUT HOLDS PERSONAL DATA (phones and emails): it is for the controller's breach notice only. Write it to
    an encrypted place, never to a shared folder or a chat, and delete it once the notices are sent.
    """
    from services.registration import exposure

    if (staff_id is None) == (api_key_id is None):
        raise click.UsageError("Give exactly one of --staff-id and --api-key-id.")
    try:
        start, end = parse_moment(since), parse_moment(until)
    except ValueError as error:
        raise click.UsageError(f"--since/--until: {error}") from None
    if start >= end:
        raise click.UsageError("--since must be before --until.")
    if staff_id is not None:
        try:
            rows, warnings = exposure.for_staff(staff_id, start, end)
        except exposure.UnknownAccount:
            raise click.ClickException(f"Tidak ada akun staf nomor {staff_id}.") from None
    else:
        rows, warnings = exposure.for_api_key(api_key_id, start, end), []
    for warning in warnings:
        click.echo(f"Perhatian: {warning}", err=True)
    click.echo(exposure.to_csv(rows), nl=False)
    click.echo(f"{len(rows)} pendaftaran.", err=True)
