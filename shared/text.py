"""Free text people type (names, venues, titles, notes) as marshmallow fields: clean, bounded, one line if it must be.

What someone types ends up in official messages, staff lists and exports. A line break in a name would start a new
line of a confirmation ("Halo Siti\\nKlik di sini..."), a bidi override can make a name read backwards or hide a
web address, and zero-width or control characters make two texts that look alike differ (or break a terminal, a
CSV or an SMS gateway). Such text is refused with a message, not silently cleaned: the person sees what to fix.
"""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

#: Bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they reorder what is shown.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Zero-width space, non-joiner, joiner, word joiner, byte-order mark: invisible, and they split words and links.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
#: Characters no text field takes: the above, every control character (NUL included, C0, DEL and C1) but the
#: line breaks of multi-line text, the Unicode line and paragraph separators and lone surrogates.
_HIDDEN = f"[{BIDI_CONTROLS}{ZERO_WIDTH}\u2028\u2029\ud800-\udfff]"
_SINGLE_LINE_REFUSED = re.compile(rf"[\x00-\x1f\x7f-\x9f]|{_HIDDEN}")
_MULTI_LINE_REFUSED = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f]|{_HIDDEN}")

ONE_LINE = _l("Tulis dalam satu baris, tanpa baris baru atau tab.")
HIDDEN_CHARACTERS = _l(
    "Teks ini memuat karakter tersembunyi atau karakter kendali yang tidak diizinkan. Ketik ulang teksnya."
)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Return `value` trimmed and in Unicode NFC, or raise ValidationError naming what is wrong with it.

    Multi-line text keeps its line breaks (CRLF and CR become LF) and tabs; single-line text takes neither.
    """
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if _MULTI_LINE_REFUSED.search(value):
            raise ValidationError(str(HIDDEN_CHARACTERS))
    elif _SINGLE_LINE_REFUSED.search(value):
        message = ONE_LINE if re.search(r"[\t\n\r\v\f\x85\u2028\u2029]", value) else HIDDEN_CHARACTERS
        raise ValidationError(str(message))
    return unicodedata.normalize("NFC", value.strip())


class SingleLineText(fields.String):
    """A short text on one line: a name, a title, a venue. Always bounded (`max_length`, in characters).

    `length_error` is the message for a text too short or too long (the field's own words, e.g. "2 to 200
    letters"); other validators may be passed as usual.
    """

    MULTILINE = False

    def __init__(self, *, max_length: int, min_length: int | None = None, length_error=None, **kwargs) -> None:
        length = validate.Length(min=min_length, max=max_length, error=length_error or _too_long(max_length))
        extra = kwargs.pop("validate", None)
        validators = [length, *(extra if isinstance(extra, list | tuple) else [extra] if extra else [])]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return clean_text(super()._deserialize(value, attr, data, **kwargs), multiline=self.MULTILINE)


class MultiLineText(SingleLineText):
    """A longer text that may have several lines (a description, access needs), with the same characters refused."""

    MULTILINE = True


def _too_long(max_length: int):
    return _l("Paling banyak {max} huruf.")
