"""Rows reporting made before it was keyed by pseudonyms are rekeyed once, from the list registration writes (piped
from one command to the other, so no file links pseudonyms to registrations)."""

import sqlalchemy as sa

from services.registration import service as registration_service
from services.reporting.extensions import db
from services.reporting.models import RegistrationFact
from tests.factories import make_registration_body
from tests.integration.registration.test_api import create_event


def test_old_rows_take_the_pseudonym_registration_lists_and_a_second_run_changes_nothing(
    registration, reporting, auth, tmp_path
):
    client = registration.test_client()
    event = create_event(client, auth)
    person = client.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body()).json
    with reporting.app_context():  # a row as reporting kept it before: keyed by the registration id
        fields = {"status": "confirmed", "kabupaten_code": "63.03", "gender": "female", "age_group": "26_35"}
        fields |= {"disability": "none", "participant_type": "pkk_cadre", "registered_at": sa.func.now()}
        db.session.execute(sa.insert(RegistrationFact).values(pseudonym=person["id"], event_id=event["id"], **fields))
        db.session.commit()

    listed = registration.test_cli_runner().invoke(args=["reporting-pseudonyms"])
    assert listed.exit_code == 0
    mapping = tmp_path / "map.csv"
    mapping.write_text(listed.output)
    with registration.app_context():
        pseudonym = registration_service.pseudonym(person["id"])
    assert f"{person['id']},{pseudonym}" in listed.output

    runner = reporting.test_cli_runner()
    # piped straight from registration's command, as docs/data.md says: the list never touches a disk
    assert "1 baris" in runner.invoke(args=["rekey", "-"], input=listed.output).output
    assert "0 baris" in runner.invoke(args=["rekey", str(mapping)]).output
    with reporting.app_context():
        assert db.session.scalars(sa.select(RegistrationFact.pseudonym)).all() == [pseudonym]
    mapping.write_text("nama,nomor\nSiti,0812\n")  # not the list registration writes: refused, nothing changed
    assert runner.invoke(args=["rekey", str(mapping)]).exit_code != 0
