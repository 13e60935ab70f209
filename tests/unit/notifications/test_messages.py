"""The shipped message texts pass the editor's own placeholder check, and the check refuses what it should."""

import pytest

from services.notifications import messages


@pytest.mark.parametrize("purpose", messages.PURPOSES)
@pytest.mark.parametrize("locale", messages.LOCALES)
def test_every_default_text_uses_only_its_purposes_placeholders(purpose, locale):
    for channel in messages.channels_for(purpose):
        source = messages.file_source(purpose, channel, locale)
        assert messages.check(purpose, source.body) == [], (purpose, channel, locale)
        assert messages.check(purpose, source.subject) == []
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
    assert len(messages.check("confirmation", text)) >= 1


def test_the_check_accepts_conditions_and_the_listed_filters():
    text = '{% if reason %}Alasan: {{ reason|trim }}{% else %}{{ event.title|upper }}{% endif %} {{ when|default("") }}'
    assert messages.check("event_cancelled", text) == []
