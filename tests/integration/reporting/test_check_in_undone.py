"""A check-in undone at the door no longer counts as attendance; the undo takes back only the check-in it names."""

from datetime import UTC, datetime, timedelta

from services.reporting import store
from shared.messaging.names import EventNames
from shared.messaging.publisher import make_envelope
from tests.factories import make_event_published, make_registration_created, pseudonym_of
from tests.integration.reporting.conftest import feed

AT = datetime(2026, 3, 17, 0, 10, tzinfo=UTC)


def envelope(event_type: str, payload: dict) -> dict:
    return make_envelope(event_type, payload, source="registration")


def attended(app, registration_id: str) -> datetime | None:
    with app.app_context():
        return store.get_registration(pseudonym_of(registration_id)).checked_in_at


def test_an_undone_check_in_is_no_longer_attendance_and_a_replay_changes_nothing(reporting):
    event = make_event_published()
    person = make_registration_created(event_id=event["event_id"])
    ids = {"registration_id": person["registration_id"], "event_id": event["event_id"]}
    checked_in = envelope(EventNames.ATTENDANCE_CHECKED_IN, ids | {"checked_in_at": AT.isoformat()})
    undone = envelope(
        EventNames.ATTENDANCE_CHECK_IN_UNDONE,
        ids | {"checked_in_at": AT.isoformat(), "undone_at": (AT + timedelta(minutes=2)).isoformat()},
    )
    feed(reporting, [envelope(EventNames.EVENT_PUBLISHED, event), envelope(EventNames.REGISTRATION_CREATED, person)])
    feed(reporting, [checked_in])
    assert attended(reporting, person["registration_id"]) == AT
    assert feed(reporting, [undone, undone]) == ["processed", "duplicate"]
    assert attended(reporting, person["registration_id"]) is None


def test_an_undo_that_arrives_after_a_new_check_in_leaves_the_new_one(reporting):
    event = make_event_published()
    person = make_registration_created(event_id=event["event_id"])
    ids = {"registration_id": person["registration_id"], "event_id": event["event_id"]}
    again = AT + timedelta(minutes=5)
    feed(reporting, [envelope(EventNames.EVENT_PUBLISHED, event), envelope(EventNames.REGISTRATION_CREATED, person)])
    feed(
        reporting,
        [
            envelope(EventNames.ATTENDANCE_CHECKED_IN, ids | {"checked_in_at": AT.isoformat()}),
            envelope(EventNames.ATTENDANCE_CHECKED_IN, ids | {"checked_in_at": again.isoformat()}),
            envelope(
                EventNames.ATTENDANCE_CHECK_IN_UNDONE,
                ids | {"checked_in_at": AT.isoformat(), "undone_at": (AT + timedelta(minutes=1)).isoformat()},
            ),
        ],
    )
    assert attended(reporting, person["registration_id"]) == again
