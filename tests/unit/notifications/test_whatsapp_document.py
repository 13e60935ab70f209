"""docs/whatsapp-templates.md (what is submitted to Meta) and the code that fills the templates agree, and the dev
sinks show a received template as the phone does."""

import re

import pytest

from devsinks.whatsapp import approved_templates, as_on_the_phone
from services.notifications.content.messages import (
    WHATSAPP_BODY,
    WHATSAPP_CANCEL_BUTTON,
    WHATSAPP_CERTIFICATE_BUTTON,
    WHATSAPP_EVALUATION_BUTTON,
)


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_template_the_code_fills_is_in_the_document_with_its_variables_and_button(language):
    approved = approved_templates()
    for purpose, parameters in WHATSAPP_BODY.items():
        template = approved[(purpose, language)]
        numbers = sorted({int(n) for n in re.findall(r"\{\{(\d+)\}\}", template.body)})
        assert numbers == list(range(1, len(parameters) + 1)), (purpose, language)
        with_button = purpose in WHATSAPP_CANCEL_BUTTON + WHATSAPP_CERTIFICATE_BUTTON + WHATSAPP_EVALUATION_BUTTON
        assert bool(template.button) == with_button, (purpose, language)


def test_the_phone_view_fills_the_approved_text_escapes_the_values_and_links_the_button(monkeypatch):
    monkeypatch.setenv("REGISTRATION_PUBLIC_URL", "https://pelita.dispersip.kalselprov.go.id")
    received = {
        "name": "pelita_confirmation",
        "language": "id",
        "parameters": ["Siti <b>*Rahmah*</b>", "Literasi Digital", "Selasa", "Aula", "KX7P2M9Q"],
        "buttons": [{"index": "0", "sub_type": "url", "text": "B7QW2MXK4N"}],
    }
    shown = as_on_the_phone(received)
    assert (
        "Halo Siti &lt;b&gt;*Rahmah*&lt;/b&gt;, pendaftaran Anda untuk <strong>Literasi Digital</strong>"
        in shown["html"]
    )
    assert "Kode hadir: <strong>KX7P2M9Q</strong>" in shown["html"]
    assert shown["buttons"] == [("Batalkan pendaftaran", "https://pelita.dispersip.kalselprov.go.id/k/B7QW2MXK4N")]
    assert as_on_the_phone({**received, "name": "pelita_unknown"}) is None


def test_the_evaluations_button_opens_the_persons_form(monkeypatch):
    monkeypatch.setenv("REGISTRATION_PUBLIC_URL", "https://pelita.dispersip.kalselprov.go.id")
    received = {
        "name": "pelita_evaluation",
        "language": "id",
        "parameters": ["Siti Rahmah", "Literasi Digital"],
        "buttons": [{"index": "0", "sub_type": "url", "text": "H7M2QX9KPA"}],
    }
    shown = as_on_the_phone(received)
    assert "mengikuti <strong>Literasi Digital</strong>" in shown["html"]
    assert shown["buttons"] == [("Isi evaluasi", "https://pelita.dispersip.kalselprov.go.id/e/H7M2QX9KPA")]
