"""How long an SMS is and how many parts it is billed as: GSM-7 (160, or 153 per part) or UCS-2 (70, or 67)."""

import unicodedata
from dataclasses import dataclass

#: The GSM 03.38 default alphabet; each character is one septet.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: each character costs two septets (an escape and itself) and is never split across parts.
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
LIMITS = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True)
class SmsLength:
    encoding: str
    #: Characters as the encoding counts them: septets for GSM-7, UTF-16 code units for UCS-2.
    units: int
    segments: int
    #: Characters that forced UCS-2, so staff can replace them (e.g. curly quotes, an em dash).
    non_gsm: tuple[str, ...] = ()

    @property
    def single_limit(self) -> int:
        return LIMITS[self.encoding][0]

    @property
    def part_limit(self) -> int:
        return LIMITS[self.encoding][1]


def _pack(costs: list[int], single: int, per_part: int) -> int:
    """Count the parts: one if everything fits in `single`, else greedy parts of `per_part` never splitting a cost."""
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > per_part:
            parts, used = parts + 1, 0
        used += cost
    return parts


def measure(text: str) -> SmsLength:
    """Measure `text` as an SMS: GSM-7 when every character is in the GSM alphabet, else UCS-2."""
    non_gsm = tuple(dict.fromkeys(char for char in text if char not in GSM7_BASIC and char not in GSM7_EXTENDED))
    if not non_gsm:
        costs = [2 if char in GSM7_EXTENDED else 1 for char in text]
        encoding = "GSM-7"
    else:
        costs = [len(char.encode("utf-16-le")) // 2 for char in text]  # an emoji is a surrogate pair: two units
        encoding = "UCS-2"
    single, per_part = LIMITS[encoding]
    return SmsLength(encoding, sum(costs), _pack(costs, single, per_part), non_gsm)


#: Characters people and word processors type that GSM-7 lacks, with the GSM characters that read the same.
LOOKALIKES = str.maketrans(
    {
        "\u2018": "'",  # curly single quotes and primes
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',  # curly double quotes
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",  # hyphens and dashes
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "-",
        "\u00a0": " ",  # no-break, thin and narrow spaces (CLDR puts one before "AM" in English times)
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "`": "'",
    }
)


def gsm_safe(text: str) -> str:
    """Replace typographic characters GSM-7 lacks (curly quotes, dashes, accents) with what reads the same, so one
    of them in a name or a title does not turn the SMS into UCS-2 (67 characters a part instead of 153)."""
    text = unicodedata.normalize("NFC", text.translate(LOOKALIKES))
    if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text):
        return text
    return "".join(_plain(char) for char in text)


def _plain(char: str) -> str:
    """A letter GSM-7 lacks without its accent ("ā" -> "a") when that leaves GSM letters; else the letter as it is."""
    if char in GSM7_BASIC or char in GSM7_EXTENDED:
        return char
    if unicodedata.combining(char):  # an accent no letter here takes in one character
        return ""
    base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    return base if base and all(part in GSM7_BASIC for part in base) else char
