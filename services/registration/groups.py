"""Registering someone else ("daftarkan orang lain"): a village library manager or PKK cadre registers up to
MAX_PEOPLE people in one sitting, each with their own answers.

Each person is registered on their own, in the order the form lists them, by the one path every registration takes
(registering.register): their own seat or waitlist ticket, their own codes, their own registration.created, and the
duplicate check of the unique constraints. Not one transaction for the sitting: one person already registered, or an
event that filled up without a waitlist, must not undo the seats the others took; a seat freed by a cancellation
between two people goes to the next one in the list as it would to anyone. Order is kept: once the seats run out,
the rest of the list takes waitlist tickets one after the other, in the order they were written.

A person without a phone or email of their own is reached through the registrant's: their registration stores the
registrant's contact (`contact_phone`, `contact_email`; their own `phone` and `email` stay empty), `contact_for`
(their folded name, which tells the people on one contact apart and makes "the same name on the same contact for the
same event" the duplicate) and `registered_by`; the messages say whom they are for. Their consents are recorded as
given in person to the registrant, with the notice version the registrant read.
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from services.registration import store
from services.registration.common import RegistrationError
from services.registration.links import LINK_MAX_AGE
from services.registration.models import Registration
from services.registration.registering import register

#: People one registrant may register in one sitting (the form and the server both hold to it).
MAX_PEOPLE = 10
#: Salt of the signed address of a sitting's confirmation page (no other signed link opens it).
GROUP = "registration-group"
#: What the confirmation page says of a person who got no new registration.
ALREADY, REFUSED = "already", "refused"


def fold_name(name: str) -> str:
    """A name as duplicates are compared: spaces collapsed, case folded ("Siti  AMINAH" is "siti aminah")."""
    return " ".join(name.split()).casefold()[:200]


@dataclass
class Outcome:
    """What became of one person of the sitting: their registration, or why there is none (ALREADY, REFUSED)."""

    registration: Registration | None
    reason: str = ""
    message: str = ""


def register_group(event_id: str, registrant: dict, people: list[dict]) -> list[Outcome]:
    """Register each of `people` (checked by schemas.groups) for `event_id`, in order; return one Outcome each.

    `registrant` holds the registrant's name, phone, email and the locale; a person marked `shared_contact` gets the
    registrant's phone and email (the registrant's channel came with them from the form).
    """
    outcomes = []
    for person in people[:MAX_PEOPLE]:
        data = _person_data(registrant, person)
        try:
            registration, created = register(event_id, data)
        except RegistrationError as error:  # full without a waitlist, or closed meanwhile: said per person
            outcomes.append(Outcome(None, REFUSED, error.message))
            continue
        outcomes.append(Outcome(registration) if created else Outcome(None, ALREADY))
    return outcomes


def _person_data(registrant: dict, person: dict) -> dict:
    data = {key: value for key, value in person.items() if key != "shared_contact"}
    data |= {"registered_by": registrant["full_name"], "given_to_registrant": True, "locale": registrant["locale"]}
    if person.get("shared_contact"):  # their own phone and email stay empty: the registrant's reach them
        data |= {"phone": None, "email": None, "contact_for": fold_name(person["full_name"])}
        data |= {"contact_phone": registrant.get("phone"), "contact_email": registrant.get("email")}
    return data


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=GROUP)


def sign_group(outcomes: list[Outcome]) -> str:
    """The token of a sitting's confirmation page: the new registrations' ids, and ALREADY/REFUSED for the others
    (no name: an address ends up in browser histories and logs)."""
    return _signer().dumps([o.registration.id if o.registration else o.reason for o in outcomes])


def open_group(token: str) -> list[tuple[Registration | None, str]]:
    """The sitting a token names, person by person: (registration, "") or (None, ALREADY/REFUSED/"gone")."""
    try:
        entries = _signer().loads(token[:2000], max_age=LINK_MAX_AGE)
    except SignatureExpired as error:
        raise RegistrationError("link_expired", _("Tautan ini sudah kedaluwarsa."), 410) from error
    except BadSignature as error:
        raise RegistrationError("link_invalid", _("Tautan ini tidak sah atau rusak."), 404) from error
    people = []
    for entry in entries[:MAX_PEOPLE]:
        if entry in (ALREADY, REFUSED):
            people.append((None, entry))
            continue
        registration = store.get_registration(entry)
        # erased or anonymised since: nothing of them is shown
        gone = registration is None or registration.full_name is None
        people.append((None, "gone") if gone else (registration, ""))
    return people
