"""Small counts suppressed (UU PDP data minimisation): figures as they may leave the service.

Counts of 1-4 people with a disability show as SMALL, and one more cell as HIDDEN when a lone small one could be
worked out from the total."""

from dataclasses import replace

from services.reporting.figures import DISABILITY_KINDS, NOT_SAID, BreakdownRow, Figures
from services.reporting.impact import ASPECTS, ImpactRow

#: What a suppressed small count shows (1 to 4 people with a disability), per UU PDP data minimisation.
SMALL = "<5"
#: A cell hidden only so that a suppressed one cannot be worked out by subtraction.
HIDDEN = "*"


def protect(cells: list[int], total: int) -> tuple[list[int | str], int | str]:
    """Suppress counts of 1-4 people, and one more cell when a lone suppressed cell could be subtracted out."""
    shown: list[int | str] = [SMALL if 1 <= value <= 4 else value for value in cells]
    shown_total: int | str = SMALL if 1 <= total <= 4 else total
    hidden = [i for i, value in enumerate(shown) if value == SMALL]
    if shown_total != SMALL and len(hidden) == 1:
        others = sorted((value, i) for i, value in enumerate(cells) if i not in hidden and value > 0)
        if others:
            shown[others[0][1]] = HIDDEN
    return shown, shown_total


def suppress(figures: Figures) -> Figures:
    """Return the figures as they may leave the service: small counts of people with a disability suppressed.

    The "none" row of the disability breakdown is left out, since registrations minus it would give the total
    (minus "prefer not to say", which is shown as it is: it tells nothing about anyone's disability).
    """
    if figures.suppressed:
        return figures
    kinds = [row for row in figures.breakdowns["disability"] if row.key in DISABILITY_KINDS]
    registered, disability_registered = protect([r.registered for r in kinds], figures.disability_registered)
    attended, disability_attended = protect([r.attended for r in kinds], figures.disability_attended)
    rows = [BreakdownRow(r.key, reg, att) for r, reg, att in zip(kinds, registered, attended, strict=True)]
    rows += [row for row in figures.breakdowns["disability"] if row.key == NOT_SAID]
    per_event, _ = protect([e.disability_registered for e in figures.events], figures.disability_registered)
    events = [replace(e, disability_registered=v) for e, v in zip(figures.events, per_event, strict=True)]
    return replace(
        figures,
        breakdowns={**figures.breakdowns, "disability": rows},
        disability_registered=disability_registered,
        disability_attended=disability_attended,
        events=events,
        impact=replace(figures.impact, breakdowns={**figures.impact.breakdowns, "disability": impact_rows(figures)}),
        suppressed=True,
    )


#: The counts of people in an impact row, and what is worked out from each (hidden with it).
IMPACT_COUNTS = {"attended": ("response_rate",), "answers": ("response_rate", *ASPECTS), "tested": ("gain",)}


def impact_rows(figures: Figures) -> list[ImpactRow]:
    """The impact by disability as it may leave the service: each count of 1-4 people suppressed as in the other
    tables (certificates too), and a mean or rate worked out from a suppressed count hidden (a mean of two people
    is nearly their answers). The "none" row is left out, as in the participants' table."""
    rows = figures.impact.breakdowns["disability"]
    kinds = [row for row in rows if row.key in DISABILITY_KINDS]
    changes: list[dict] = [{} for _ in kinds]
    for name in ("certificates", *IMPACT_COUNTS):
        cells = [getattr(row, name) for row in kinds]
        shown, _total = protect(cells, sum(cells))
        for change, value, cell in zip(changes, shown, cells, strict=True):
            if value != cell:
                change[name] = value
                change.update(dict.fromkeys(IMPACT_COUNTS.get(name, ()), HIDDEN))
    protected = [replace(row, **change) for row, change in zip(kinds, changes, strict=True)]
    return protected + [row for row in rows if row.key == NOT_SAID]
