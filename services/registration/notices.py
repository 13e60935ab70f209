"""The privacy notice people agree to, kept as data: every wording has a version, and a consent names the one shown.

A notice, once shown, is never edited: a change is a new entry with a new version (the date it took effect), and
CURRENT moves to it. Old consents keep their version, and /privasi/<version> still shows them what they agreed to.
Text is here rather than in the translation catalogue for that reason: a catalogue changes, a given notice must not.
`{days}` is the retention period (PERSONAL_DATA_RETENTION_DAYS), filled in when the notice is shown.
"""

from dataclasses import dataclass

from services.registration.notice_texts import earlier, v2026_12_05, v2026_12_06

#: The purposes one can consent to; training and messages are required to register, statistics is optional.
PURPOSES = ("training", "messages", "statistics")


@dataclass(frozen=True)
class Notice:
    version: str
    #: {locale: (title, [(heading, [paragraph, ...]), ...])}
    text: dict[str, tuple[str, list[tuple[str, list[str]]]]]

    def sections(self, locale: str, retention_days: int) -> tuple[str, list[tuple[str, list[str]]]]:
        title, sections = self.text.get(locale) or self.text["id"]
        filled = [(heading, [p.format(days=retention_days) for p in paragraphs]) for heading, paragraphs in sections]
        return title, filled


CONTROLLER_ID = "Dinas Perpustakaan dan Kearsipan Provinsi Kalimantan Selatan"

#: The one bundled notice shown before consents were separate (registrations up to 2026-12-04, and API clients
#: still sending `consent: true`), kept word for word as people saw it.
LEGACY = Notice(version="legacy", text=earlier.LEGACY)
NOTICE_2026_12_04 = Notice(version="2026-12-04", text=earlier.TEXT_2026_12_04)
NOTICE_2026_12_05 = Notice(version="2026-12-05", text=v2026_12_05.TEXT)
#: Says what the evaluation, announcements, registering someone else and the door kit do with people's data.
NOTICE_2026_12_06 = Notice(version="2026-12-06", text=v2026_12_06.TEXT)

NOTICES = {notice.version: notice for notice in (LEGACY, NOTICE_2026_12_04, NOTICE_2026_12_05, NOTICE_2026_12_06)}
#: The notice the form shows now; a new wording is a new entry above and this moves to it.
CURRENT = NOTICE_2026_12_06.version
