"""The programme's impact for a period and area (pure, like figures.py): certificates, the evaluation's satisfaction
per aspect, the knowledge gain and the response rate, overall and by kabupaten/kota, gender and disability.

Definitions (what the reports promise):
- counted over the registrations of the events in scope that were not cancelled, like every participation figure,
  and by the attributes each person registered with (a statistics consent withdrawn: disability "not said");
- certificates = issued and not revoked (a reissue is the same certificate);
- answers = evaluations received, one per person (the first one: a repeat changes nothing); the response rate
  divides them by the people who attended;
- satisfaction per aspect (material, trainer, venue) = the mean of the 1-5 scores of the answers, n = answers;
- knowledge gain = the mean of (post - pre) correct answers of the people who took both tests, n = those people.

The store sums scores in SQL; a mean is sum / n, so equal facts give exactly equal figures however they arrived."""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

IMPACT_BREAKDOWNS = ("kabupaten", "gender", "disability")
ASPECTS = ("material", "trainer", "venue")
#: What is summed per (kabupaten, gender, disability), in this order, after those three (the store's SQL too).
TALLIES = ("attended", "certificates", "answers", "material", "trainer", "venue", "tested", "gain")


class Mean(float):
    """An average (a satisfaction score, a gain in correct answers): shown as 4,2, not as a percentage like the
    fractions, which are plain floats."""


@dataclass(frozen=True)
class ImpactRow:
    key: str
    attended: int | str
    certificates: int | str
    answers: int | str
    response_rate: float | str | None
    material: Mean | str | None
    trainer: Mean | str | None
    venue: Mean | str | None
    #: How many took both the test before and the one after (the n of the gain).
    tested: int | str
    gain: Mean | str | None


@dataclass(frozen=True)
class Impact:
    total: ImpactRow = field(default_factory=lambda: row_of("total", Counter()))
    breakdowns: dict[str, list[ImpactRow]] = field(default_factory=dict)


def mean(total: int, n: int) -> Mean | None:
    return Mean(total / n) if n else None


def row_of(key: str, tally: Counter) -> ImpactRow:
    """One row of the impact figures from its tally (sums and counts, see TALLIES)."""
    answers = tally["answers"]
    return ImpactRow(
        key=key,
        attended=tally["attended"],
        certificates=tally["certificates"],
        answers=answers,
        response_rate=answers / tally["attended"] if tally["attended"] else None,
        material=mean(tally["material"], answers),
        trainer=mean(tally["trainer"], answers),
        venue=mean(tally["venue"], answers),
        tested=tally["tested"],
        gain=mean(tally["gain"], tally["tested"]),
    )


def count_rows(registrations, evaluations) -> list[tuple]:
    """Count plain rows the way the store's GROUP BY does: (kabupaten_code, gender, disability, *TALLIES) of the
    given registrations (those of the events in scope that were not cancelled), each with its evaluation if any."""
    answers = {e.pseudonym: e for e in evaluations}
    sums: dict[tuple, Counter] = defaultdict(Counter)
    for r in registrations:
        tally = sums[(r.kabupaten_code, r.gender, r.disability)]
        tally["attended"] += r.checked_in_at is not None
        tally["certificates"] += r.certificate_issued_at is not None and r.certificate_revoked_at is None
        answer = answers.get(r.pseudonym)
        if answer is not None:
            tally["answers"] += 1
            for aspect in ASPECTS:
                tally[aspect] += getattr(answer, aspect)
            if answer.pre_score is not None and answer.post_score is not None:
                tally["tested"] += 1
                tally["gain"] += answer.post_score - answer.pre_score
    return [(*key, *(tally[name] for name in TALLIES)) for key, tally in sums.items()]


def from_counts(rows: list[tuple], categories: Callable[[str], tuple[str, ...]]) -> Impact:
    """The impact figures from the counted rows; each breakdown lists every known category in order (`categories`
    of its name), then any other value met, sorted."""
    total = Counter()
    by: dict[str, dict[str, Counter]] = {name: defaultdict(Counter) for name in IMPACT_BREAKDOWNS}
    for row in rows:
        keys, tally = row[:3], Counter(dict(zip(TALLIES, (int(n or 0) for n in row[3:]), strict=True)))
        total.update(tally)
        for name, key in zip(IMPACT_BREAKDOWNS, keys, strict=True):
            by[name][key].update(tally)
    breakdowns = {}
    for name in IMPACT_BREAKDOWNS:
        known = categories(name)
        keys = list(known) + sorted(set(by[name]) - set(known))
        breakdowns[name] = [row_of(key, by[name].get(key, Counter())) for key in keys]
    return Impact(total=row_of("total", total), breakdowns=breakdowns)
