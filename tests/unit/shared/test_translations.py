"""The English catalogue is complete: every Indonesian string in the source has an English translation, compiled."""

import io
import re
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "shared/web/translations/en/LC_MESSAGES"
PO = CATALOGUE / "messages.po"
MO = CATALOGUE / "messages.mo"
#: The keywords of `make translations` that the source uses: Flask-Babel's _, _l, gettext, lazy_gettext, ngettext.
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": DEFAULT_KEYWORDS["ngettext"]}
#: Only the folders babel.cfg maps; node_modules and the venv are not walked.
SOURCE_DIRS = ("services", "shared")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
FIX = f"Run `make translations`, then write the English msgstr of each in {PO.relative_to(ROOT)}."


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as po:
        return read_po(po, locale="en")


def source_msgids() -> dict[str, str]:
    """Every msgid the current source would give `pybabel extract -F babel.cfg`, with where it was found."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)

    def walk_only_the_source(path: str) -> bool:
        relative = Path(path).relative_to(ROOT).parts
        hidden = relative and relative[-1].startswith((".", "_"))  # as babel's default filter: .git, __pycache__
        return not hidden and (not relative or relative[0] in SOURCE_DIRS)

    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=walk_only_the_source
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_every_msgid_has_an_english_translation(catalogue):
    untranslated = [m.id for m in catalogue if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not untranslated, f"{len(untranslated)} string(s) without English: {untranslated}. {FIX}"
    assert not fuzzy, f"Check these translations and remove their '#, fuzzy' flag: {fuzzy}"


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalogue):
    def placeholders(text):
        texts = text if isinstance(text, tuple | list) else (text,)
        return sorted({p for t in texts for p in PLACEHOLDER.findall(t)})

    wrong = {m.id: m.string for m in catalogue if m.id and m.string and placeholders(m.id) != placeholders(m.string)}
    assert not wrong, f"Placeholders such as %(name)s must be kept exactly: {wrong}"


def test_every_string_in_the_source_is_in_the_catalogue(catalogue):
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}
    new = {msgid: where for msgid, where in source_msgids().items() if msgid not in known}
    listed = "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(new.items(), key=lambda item: item[1]))
    assert not new, f"{len(new)} Indonesian string(s) in the source are not in the English catalogue:\n{listed}\n{FIX}"


def test_the_compiled_catalogue_is_up_to_date(catalogue):
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    expected = GNUTranslations(compiled)._catalog
    with MO.open("rb") as mo:
        committed = GNUTranslations(mo)._catalog
    expected.pop("", None)  # the header: dates only
    committed.pop("", None)
    assert committed == expected, (
        f"{MO.relative_to(ROOT)} is older than messages.po: run `make translations` "
        "(or `pybabel compile -d shared/web/translations -l en`) and commit the .mo."
    )
