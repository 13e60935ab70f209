"""Queries and upserts of the reporting read model (never commits)."""

import uuid
from contextlib import contextmanager
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from services.reporting import figures, impact
from services.reporting.extensions import db
from services.reporting.models import (
    DeliveryFact,
    EvaluationFact,
    EventFact,
    RegistrationFact,
    ReportRun,
    ReportSchedule,
)
from services.reporting.states import RunStatus
from shared.states import EventStatus, RegistrationStatus


def upsert(model: type, key: str, values: dict):
    """Insert or update the row of `model` whose primary key is values[key] (replaying an event is harmless)."""
    row = db.session.get(model, values[key]) or model(**{key: values[key]})
    for name, value in values.items():
        setattr(row, name, value)
    db.session.add(row)
    return row


def get_registration(pseudonym: str | None) -> RegistrationFact | None:
    """The registration a message names by its pseudonym (reporting is never sent a registration's id)."""
    return db.session.get(RegistrationFact, pseudonym) if pseudonym else None


def get_event(event_id: str) -> EventFact | None:
    return db.session.get(EventFact, event_id)


@contextmanager
def reading():
    """Where the figures are counted: a read replica of this store when REPORTING_READ_DATABASE_URL names one (the
    dashboard's and the reports' GROUP BYs then leave the primary to the consumer's writes; docs/capacity.md), else
    the store itself. A replica may lag the primary by its replication delay: seconds, for figures of whole days."""
    url = current_app.config.get("REPORTING_READ_DATABASE_URL")
    if not url:
        yield db.session
        return
    engine = current_app.extensions.get("reporting_read_engine")
    if engine is None:
        engine = current_app.extensions.setdefault("reporting_read_engine", sa.create_engine(url, pool_pre_ping=True))
    with engine.connect() as connection:
        yield connection


def summary(filters: dict) -> dict:
    """Return the headline figures, optionally for one kabupaten, event or period of event start."""
    events = sa.select(EventFact.event_id)
    if filters.get("kabupaten_code"):
        events = events.where(EventFact.kabupaten_code == filters["kabupaten_code"])
    if filters.get("event_id"):
        events = events.where(EventFact.event_id == filters["event_id"])
    if filters.get("starts_from"):
        events = events.where(EventFact.starts_at >= filters["starts_from"])
    if filters.get("starts_before"):
        events = events.where(EventFact.starts_at < filters["starts_before"])
    active = RegistrationFact.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED))
    in_scope = RegistrationFact.event_id.in_(events.scalar_subquery())
    with reading() as reader:
        counts, event_count = _summary_counts(reader, events, active, in_scope)
    keys = ("registrations", "confirmed", "waitlisted", "cancelled", "attended", "certificates")
    return {"events": event_count, **dict(zip(keys, counts, strict=True))}


def _summary_counts(reader, events: sa.Select, active, in_scope) -> tuple:
    """The headline counts on `reader` (the store's session or a replica's connection: both execute a select)."""
    counts = reader.execute(
        sa.select(
            sa.func.count().filter(active),
            sa.func.count().filter(RegistrationFact.status == RegistrationStatus.CONFIRMED),
            sa.func.count().filter(RegistrationFact.status == RegistrationStatus.WAITLISTED),
            sa.func.count().filter(RegistrationFact.status == RegistrationStatus.CANCELLED),
            sa.func.count().filter(RegistrationFact.checked_in_at.is_not(None)),
            sa.func.count().filter(
                RegistrationFact.certificate_issued_at.is_not(None), RegistrationFact.certificate_revoked_at.is_(None)
            ),
        ).where(in_scope)
    ).one()
    return counts, reader.scalar(sa.select(sa.func.count()).select_from(events.subquery()))


def report_queries(start: datetime, end: datetime, kabupaten_code: str | None) -> dict[str, sa.Select]:
    """Return the SQL the figures of events starting in [start, end) (of one kabupaten, if given) are made of: the
    events themselves, then counts of their facts grouped in the database (see figures.Counts), never the facts."""
    in_scope = [EventFact.starts_at >= start, EventFact.starts_at < end]
    if kabupaten_code:
        in_scope.append(EventFact.kabupaten_code == kabupaten_code)
    held = [*in_scope, EventFact.status != EventStatus.CANCELLED]
    r, d = RegistrationFact, DeliveryFact
    checked_in = r.checked_in_at.is_not(None)
    disabled = r.disability.in_(figures.DISABILITY_KINDS)
    tallies = {  # per event, each in figures.PER_EVENT order
        RegistrationStatus.CONFIRMED: r.status == RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED: r.status == RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED: r.status == RegistrationStatus.CANCELLED,
        "attended": checked_in,
        "not_checked_in": sa.and_(r.status == RegistrationStatus.CONFIRMED, r.checked_in_at.is_(None)),
        "disability_registered": sa.and_(r.status.in_(figures.ACTIVE), disabled),
        "disability_attended": sa.and_(checked_in, disabled),
    }
    attributes = [getattr(r, name) for name in figures.ATTRIBUTES]
    to_event = EventFact.event_id == r.event_id
    return {
        "events": sa.select(
            EventFact.event_id,
            EventFact.title,
            EventFact.kabupaten_code,
            EventFact.starts_at,
            EventFact.ends_at,
            EventFact.status,
            EventFact.capacity,
        ).where(*in_scope),
        "per_event": sa.select(
            EventFact.event_id, *(sa.func.sum(sa.case((tallies[name], 1), else_=0)) for name in figures.PER_EVENT)
        )
        .join(r, to_event)
        .where(*held)
        .group_by(EventFact.event_id),
        "attributes": sa.select(*attributes, r.status, checked_in, sa.func.count())
        .join(EventFact, to_event)
        .where(*held)
        .group_by(*attributes, r.status, checked_in),
        "villages": sa.select(r.desa_code, r.status, checked_in, sa.func.count())
        .join(EventFact, to_event)
        .where(*held, r.desa_code.is_not(None), r.desa_code != "")
        .group_by(r.desa_code, r.status, checked_in),
        "deliveries": sa.select(EventFact.event_id, d.channel, d.status, sa.func.count())
        .join(d, EventFact.event_id == d.event_id)
        .where(*in_scope)
        .group_by(EventFact.event_id, d.channel, d.status),
        "impact": impact_query(held),
    }


def impact_query(held: list) -> sa.Select:
    """(kabupaten_code, gender, disability, *impact.TALLIES) of the registrations at the held events: attendees,
    standing certificates, answers, the sums of their scores, who took both tests and the sum of their gains."""
    r, e = RegistrationFact, EvaluationFact
    tested = sa.and_(e.pre_score.is_not(None), e.post_score.is_not(None))
    count = lambda condition: sa.func.sum(sa.case((condition, 1), else_=0))  # noqa: E731
    tallies = {
        "attended": count(r.checked_in_at.is_not(None)),
        "certificates": count(sa.and_(r.certificate_issued_at.is_not(None), r.certificate_revoked_at.is_(None))),
        "answers": sa.func.count(e.pseudonym),
        **{aspect: sa.func.coalesce(sa.func.sum(getattr(e, aspect)), 0) for aspect in impact.ASPECTS},
        "tested": count(tested),
        "gain": sa.func.coalesce(sa.func.sum(sa.case((tested, e.post_score - e.pre_score), else_=0)), 0),
    }
    keys = (r.kabupaten_code, r.gender, r.disability)
    return (
        sa.select(*keys, *(tallies[name] for name in impact.TALLIES))
        .select_from(r)
        .join(EventFact, EventFact.event_id == r.event_id)
        .outerjoin(e, e.pseudonym == r.pseudonym)
        .where(*held)
        .group_by(*keys)
    )


def count_facts(start: datetime, end: datetime, kabupaten_code: str | None) -> tuple[list, figures.Counts]:
    """Return the events starting in [start, end) (of one kabupaten, if given) and the counts of their facts."""
    queries = report_queries(start, end, kabupaten_code)
    with reading() as reader:
        rows = {name: reader.execute(query).all() for name, query in queries.items()}
    counts = figures.Counts(
        per_event=[tuple(row) for row in rows["per_event"]],
        attributes=[(*values, status, bool(c), n) for *values, status, c, n in rows["attributes"]],
        villages=[(desa, status, bool(c), n) for desa, status, c, n in rows["villages"]],
        deliveries=[tuple(row) for row in rows["deliveries"]],
        impact=[tuple(row) for row in rows["impact"]],
    )
    return rows["events"], counts


def list_schedules(kabupaten_code: str | None = None, only_mine: bool = False) -> list[ReportSchedule]:
    """Return the schedules (those of one kabupaten when `only_mine`), province first."""
    query = sa.select(ReportSchedule).order_by(ReportSchedule.kabupaten_code.is_not(None), ReportSchedule.id)
    if only_mine:
        query = query.where(ReportSchedule.kabupaten_code == kabupaten_code)
    return list(db.session.scalars(query))


def get_schedule(schedule_id: int) -> ReportSchedule | None:
    return db.session.get(ReportSchedule, schedule_id)


def get_run(run_id: str) -> ReportRun | None:
    return db.session.get(ReportRun, run_id)


def add_run_once(schedule_id: int, start: date, end: date, recipients: list[str] | None = None) -> bool:
    """Insert the run of (schedule, period) unless it exists; True when this call added it (unique key decides).

    `recipients`: who this run goes to instead of the schedule's recipients (None: the schedule's)."""
    if get_run_for(schedule_id, start, end) is not None:
        return False
    try:
        with db.session.begin_nested():
            run = ReportRun(id=str(uuid.uuid4()), schedule_id=schedule_id, period_start=start, period_end=end)
            run.recipients = list(recipients) if recipients else None
            db.session.add(run)
    except IntegrityError:  # another beat claimed the same period a moment earlier
        return False
    return True


def get_run_for(schedule_id: int, start: date, end: date) -> ReportRun | None:
    query = sa.select(ReportRun).where(
        ReportRun.schedule_id == schedule_id, ReportRun.period_start == start, ReportRun.period_end == end
    )
    return db.session.scalar(query)


def has_events(start: datetime, end: datetime, kabupaten_code: str | None) -> bool:
    """Whether any event (cancelled ones too) starts in [start, end), in one kabupaten if given."""
    query = sa.select(EventFact.event_id).where(EventFact.starts_at >= start, EventFact.starts_at < end)
    if kabupaten_code:
        query = query.where(EventFact.kabupaten_code == kabupaten_code)
    return db.session.scalar(query.limit(1)) is not None


def latest_event_start(before: datetime, kabupaten_code: str | None) -> datetime | None:
    """When the latest event starting before `before` starts (in one kabupaten if given); None if there is none."""
    query = sa.select(sa.func.max(EventFact.starts_at)).where(EventFact.starts_at < before)
    if kabupaten_code:
        query = query.where(EventFact.kabupaten_code == kabupaten_code)
    return db.session.scalar(query)


def list_runs_to_build(now: datetime, stuck_before: datetime) -> list[str]:
    """Return the runs to (re)build now: never started, due for a retry, or stuck with a crashed builder."""
    query = (
        sa.select(ReportRun.id)
        .join(ReportSchedule, ReportSchedule.id == ReportRun.schedule_id)
        .where(ReportSchedule.active.is_(True))
        .where(
            sa.or_(
                ReportRun.status == RunStatus.PENDING,
                sa.and_(ReportRun.status == RunStatus.FAILED, ReportRun.retry_at <= now),
                sa.and_(ReportRun.status == RunStatus.BUILDING, ReportRun.claimed_at < stuck_before),
            )
        )
    )
    return list(db.session.scalars(query))


def claim_run(run_id: str, token: str, now: datetime, stuck_before: datetime) -> bool:
    """Mark a run as being built by `token` if nobody is building it (or its builder is presumed dead)."""
    claimable = sa.or_(
        ReportRun.status.in_((RunStatus.PENDING, RunStatus.FAILED)),
        sa.and_(ReportRun.status == RunStatus.BUILDING, ReportRun.claimed_at < stuck_before),
    )
    result = db.session.execute(
        sa.update(ReportRun)
        .where(ReportRun.id == run_id, claimable)
        .values(status=RunStatus.BUILDING, claim_token=token, claimed_at=now, attempts=ReportRun.attempts + 1)
    )
    return result.rowcount == 1


def finish_run(run_id: str, token: str, values: dict) -> bool:
    """Record the outcome of a build, only if `token` still holds the claim (a taken-over build changes nothing)."""
    result = db.session.execute(
        sa.update(ReportRun)
        .where(ReportRun.id == run_id, ReportRun.claim_token == token, ReportRun.status == RunStatus.BUILDING)
        .values(**values)
    )
    return result.rowcount == 1


def list_recent_runs(schedule_ids: list[int], limit: int = 20) -> list[ReportRun]:
    query = sa.select(ReportRun).where(ReportRun.schedule_id.in_(schedule_ids))
    return list(db.session.scalars(query.order_by(ReportRun.created_at.desc()).limit(limit)))


def run_counts() -> list[tuple[str, int]]:
    """(status, how many) over every report run, for GET /metrics."""
    query = sa.select(ReportRun.status, sa.func.count()).group_by(ReportRun.status)
    return [tuple(row) for row in db.session.execute(query)]


def paused_schedule_count() -> int:
    """Schedules paused after failing again and again (they send nothing until someone resumes them)."""
    query = sa.select(sa.func.count()).select_from(ReportSchedule)
    return db.session.scalar(query.where(ReportSchedule.active.is_(False), ReportSchedule.paused_reason.is_not(None)))
