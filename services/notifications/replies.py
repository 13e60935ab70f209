"""Read a participant's reply to a reminder the ways people write it: "1", "ya", "Iya!!", "hadir 👍", "2", "batal",
"tdk bisa", "Gak"; "1A"/"2B" to pick one of several registrations; STOP/BERHENTI, whatever else it says, opts out.

Pure functions, no I/O: the webhooks and the use case (receipts.receive_reply) build on `parse`.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date

from shared.timeutil import to_local

#: A reply longer than this is not an answer to "Balas 1 atau 2" (and is not read further).
MAX_LENGTH = 160
STOP_WORDS = frozenset({"stop", "berhenti", "unsubscribe"})
YES_WORDS = frozenset({"1", "ya", "iya", "y", "yes", "hadir", "siap", "ok", "oke", "okay", "yoi", "yup", "insyaallah"})
#: Words that cancel on their own ("batal") and words that turn a "hadir"/"bisa" into a no ("tidak hadir").
NO_WORDS = frozenset({"2", "batal", "tidak", "tdk", "tak", "gak", "ga", "gk", "nggak", "ngga", "enggak", "engga"})
NO_WORDS |= frozenset({"ndak", "nda", "no", "berhalangan", "cancel", "batalkan", "absen", "not", "cannot"})
#: Words around the answer that change nothing: "saya hadir", "ya bisa pak", "insya allah hadir, terima kasih".
FILLER = frozenset(
    {"saya", "sy", "aku", "bisa", "akan", "jadi", "insya", "insha", "allah", "pak", "bu", "bapak", "maaf", "mohon"}
)
FILLER |= frozenset({"ibu", "kak", "min", "terima", "kasih", "makasih", "trims", "thanks", "thank", "you", "mas"})
FILLER |= frozenset({"mbak", "dik", "datang", "will", "attend", "i", "can", "sudah", "mau", "ingin", "baik"})
EMOJI_YES = ("👍", "✅", "🙏", "👌")
EMOJI_NO = ("👎", "❌")
#: "1A", "1 a", "2-b", "1.B": the answer for the registration with that letter (several registrations on one phone).
CHOICE = re.compile(r"^([12])\s*([a-z])$")


@dataclass(frozen=True)
class Reply:
    """What a reply says: kind is "yes", "no", "stop", "courtesy" (thanks, nothing to do) or "unknown"; `letter`
    picks one of several registrations."""

    kind: str
    letter: str | None = None
    #: Set by a WhatsApp quick-reply button, whose payload names the registration it was sent for.
    registration_id: str | None = None


UNKNOWN = Reply("unknown")


def normalise(text: str) -> str:
    """Lower case, compatibility forms folded (full-width digits, fancy letters), punctuation and emoji to spaces,
    a letter repeated for emphasis said once ("iyaaa" -> "iya")."""
    text = unicodedata.normalize("NFKC", text or "")[: MAX_LENGTH * 2]
    for emoji in EMOJI_YES:
        text = text.replace(emoji, " ya ")
    for emoji in EMOJI_NO:
        text = text.replace(emoji, " tidak ")
    text = "".join(ch if ch.isalnum() else " " for ch in text.casefold())
    return " ".join(_said_once(token) for token in text.split())


def _said_once(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


def _vocabulary(*words: frozenset[str]) -> frozenset[str]:
    return frozenset(_said_once(word) for group in words for word in group)


_STOP, _YES, _NO, _FILLER = (_vocabulary(words) for words in (STOP_WORDS, YES_WORDS, NO_WORDS, FILLER))


def parse(text: str) -> Reply:
    """Return what `text` answers; anything that is not clearly one answer is "unknown" (it is never guessed)."""
    if len(text or "") > MAX_LENGTH:
        return Reply("stop") if _STOP & set(normalise(text).split()) else UNKNOWN
    words = normalise(text)
    tokens = words.split()
    if _STOP & set(tokens):
        return Reply("stop")
    choice = CHOICE.match(words.replace(" ", ""))
    if choice and len(tokens) <= 2:
        return Reply("yes" if choice.group(1) == "1" else "no", choice.group(2).upper())
    kinds = set()
    for token in tokens:
        if token in _NO:
            kinds.add("no")
        elif token in _YES:
            kinds.add("yes")
        elif token not in _FILLER:
            return UNKNOWN
    if tokens and not kinds:  # only courtesy ("terima kasih", "baik pak"): nothing to act on, nothing to answer
        return Reply("courtesy")
    if {"1", "2"} <= set(tokens) or not kinds:
        return UNKNOWN
    return Reply("no") if "no" in kinds else Reply("yes")


#: A WhatsApp quick-reply button's payload, set when the reminder is sent: "hadir:<registration id>" or
#: "batal:<registration id>".
BUTTON = re.compile(r"^(hadir|batal):([0-9a-f-]{36})$")


def button_payloads(registration_id: str) -> list[str]:
    """The payloads of the reminder's two quick-reply buttons, in the template's order (Hadir, Batal)."""
    return [f"hadir:{registration_id}", f"batal:{registration_id}"]


def from_button(payload: str) -> Reply | None:
    """What a tap on a quick-reply button says, or None when `payload` is not one of ours."""
    match = BUTTON.match((payload or "").strip())
    if match is None:
        return None
    return Reply("yes" if match.group(1) == "hadir" else "no", registration_id=match.group(2))


#: The short answers to a reply: "help" when it was not understood, "ask" when the number has several registrations.
ANSWERS = {
    "help": {
        "id": "Maaf, balasan Anda belum kami pahami. Balas 1 jika hadir, 2 jika batal, atau BERHENTI jika tidak "
        "ingin menerima pengingat lagi.",
        "en": "Sorry, we did not understand your reply. Reply 1 if you will attend, 2 to cancel, or STOP for no "
        "more reminders.",
    },
    "ask": {
        "id": "Nomor ini terdaftar di {count} acara: {choices}. Balas 1A jika hadir di acara A, 2A jika batal "
        "(1B/2B untuk acara B, dst.).",
        "en": "This number is registered for {count} events: {choices}. Reply 1A if you will attend event A, 2A to "
        "cancel it (1B/2B for event B, and so on).",
    },
}
#: An event title in the "ask" answer is cut to this many characters, so the SMS stays within two parts.
TITLE_IN_ANSWER = 40


def answer_text(kind: str, locale: str, events: list[tuple[str, datetime]]) -> str:
    """The answer of `kind` in `locale`; for "ask", the events as "A) <title> (<day>)" in the order of the letters."""
    text = ANSWERS[kind].get(locale, ANSWERS[kind]["id"])
    if kind != "ask":
        return text
    day = lambda moment: format_date(to_local(moment).date(), "EEE d MMM", locale=locale)  # noqa: E731
    choices = "; ".join(
        f"{chr(ord('A') + index)}) {_short(title)} ({day(starts_at)})"
        for index, (title, starts_at) in enumerate(events)
    )
    return text.format(count=len(events), choices=choices)


def _short(title: str) -> str:
    if len(title) <= TITLE_IN_ANSWER:
        return title
    return title[: TITLE_IN_ANSWER - 3].rsplit(" ", 1)[0] + "..."
