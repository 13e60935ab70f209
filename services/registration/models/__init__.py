"""Tables of the registration service (and only of this service), in one place for the rest of it: the core tables
(core.py), e-sertifikat's (certificates.py), the evaluation's (evaluation.py), the door kit's (door.py) and those of a
participant's own data (rights.py)."""

from services.registration.models.certificates import Certificate, CertificateCounter, CertificateWording
from services.registration.models.core import (
    DEFAULT_REMINDER_OFFSETS,
    ApiKey,
    AuditEntry,
    Consent,
    DeadLetter,
    Event,
    EventPoster,
    OutboxMessage,
    ProcessedMessage,
    Region,
    Registration,
    Staff,
    new_id,
)
from services.registration.models.door import DoorKind, DoorOutcome, DoorRecord
from services.registration.models.evaluation import Evaluation, KnowledgeQuestion, Pretest
from services.registration.models.rights import AccessCode, DataRequest, MessageRecord

__all__ = [
    "DEFAULT_REMINDER_OFFSETS",
    "AccessCode",
    "ApiKey",
    "AuditEntry",
    "Certificate",
    "CertificateCounter",
    "CertificateWording",
    "Consent",
    "DataRequest",
    "DeadLetter",
    "DoorKind",
    "DoorOutcome",
    "DoorRecord",
    "Evaluation",
    "Event",
    "EventPoster",
    "KnowledgeQuestion",
    "MessageRecord",
    "OutboxMessage",
    "Pretest",
    "ProcessedMessage",
    "Region",
    "Registration",
    "Staff",
    "new_id",
]
