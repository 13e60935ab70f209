"""The shipped message texts pass the editor's own placeholder check, and the check refuses what it should."""

import pytest

from services.notifications.content import checking, messages


@pytest.mark.parametrize("purpose", messages.PURPOSES)
@pytest.mark.parametrize("locale", messages.LOCALES)
def test_every_default_text_uses_only_its_purposes_placeholders(purpose, locale):
    for channel in messages.channels_for(purpose):
        source = messages.file_source(purpose, channel, locale)
        assert checking.check(purpose, source.body) == [], (purpose, channel, locale)
        assert checking.check(purpose, source.subject) == []
        if channel == "email":
            assert source.subject and "\n" not in source.subject


@pytest.mark.parametrize(
    "text",
    [
        "{{ nama }}",
        "{{ recipient.phone }}",
        "{{ recipient }}",
        "{{ event.title.upper() }}",
        "{{ recipient.__class__ }}",
        "{% for x in event.title %}{{ x }}{% endfor %}",
        '{% include "confirmation.id.txt" %}',
        "{{ event.title|attr('x') }}",
        "{{ reason }}",  # only an event cancellation has a reason
        "{{ event.title",
    ],
)
def test_the_check_refuses_unknown_placeholders_and_anything_but_simple_logic(text):
    assert len(checking.check("confirmation", text)) >= 1


def test_the_check_accepts_conditions_and_the_listed_filters():
    text = '{% if reason %}Alasan: {{ reason|trim }}{% else %}{{ event.title|upper }}{% endif %} {{ when|default("") }}'
    assert checking.check("event_cancelled", text) == []


def _person(**overrides):
    from types import SimpleNamespace

    fields = {"full_name": "Siti\tAminah\n", "checkin_code": "KX7P2M9Q", "waitlist_position": 2}
    return SimpleNamespace(**fields | overrides)


def _event():
    from datetime import UTC, datetime
    from types import SimpleNamespace

    return SimpleNamespace(title="Literasi  Digital", venue="", starts_at=datetime(2026, 3, 17, 0, 30, tzinfo=UTC))


def test_whatsapp_parameters_are_one_line_never_empty_and_the_button_takes_the_cancel_code():
    person = _person(cancel_url="https://pelita.example/k/B7QW2MXK4N")
    values = messages.whatsapp_parameters("confirmation", "id", recipient=person, event=_event())
    assert values == {
        "body": ["Siti Aminah", "Literasi Digital", "Selasa, 17 Maret 2026 pukul 08.30 WITA", "-", "KX7P2M9Q"],
        "buttons": ["B7QW2MXK4N"],
    }
    waiting = messages.whatsapp_parameters("waitlisted", "en", recipient=person, event=_event())
    assert waiting["body"] == ["Siti Aminah", "Literasi Digital", "2"]  # no code to show at the door


def test_a_registration_with_only_the_long_signed_link_gets_no_button():
    person = _person(cancel_url="https://pelita.example/r/eyJhbGciOi.abc/batal")
    assert (
        messages.whatsapp_parameters("reminder", "id", recipient=person, event=_event(), lead="besok")["buttons"] == []
    )
