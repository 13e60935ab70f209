"""Every kind of message has one name, the same on a participant's "Data saya" page and in the organisers' log."""

from services.notifications import labels as notification_labels
from services.registration import labels as registration_labels
from shared.states import Purpose


def test_the_message_log_names_every_purpose_a_message_is_sent_for():
    assert set(notification_labels.PURPOSES) == set(Purpose)
    assert all(str(name).strip() for name in notification_labels.PURPOSES.values())


def test_a_participant_and_the_organisers_read_the_same_name_for_the_same_message():
    mine = registration_labels.MESSAGE_PURPOSES
    assert Purpose.REPORT not in mine and Purpose.STAFF_INVITE not in mine  # never sent to a participant
    for purpose, name in mine.items():
        assert str(notification_labels.PURPOSES[purpose]) == str(name)
    assert str(mine[Purpose.ANNOUNCEMENT]) == "Pengumuman panitia"
