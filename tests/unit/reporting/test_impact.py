"""The impact figures from plain rows: means of the scores with their n, the gain only of those who took both tests,
and, by disability, a lone small count hidden with one more so that neither it nor its means can be worked out."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from services.reporting.figures import Scope, compute
from services.reporting.impact import Mean
from services.reporting.reports import display
from services.reporting.suppression import HIDDEN, SMALL, suppress

START = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
EVENT = SimpleNamespace(
    event_id="e1", title="e1", kabupaten_code="63.03", starts_at=START, ends_at=START + timedelta(hours=6),
    status="published", capacity=20,
)  # fmt: skip


def person(key: str, disability: str, scores: tuple | None, test=(None, None)):
    registration = SimpleNamespace(
        pseudonym=key, event_id="e1", status="confirmed", kabupaten_code="63.03", desa_code=None, gender="female",
        age_group="26_35", disability=disability, participant_type="public", checked_in_at=START,
        certificate_issued_at=START, certificate_revoked_at=None,
    )  # fmt: skip
    if scores is None:
        return registration, None
    material, trainer, venue = scores
    answer = SimpleNamespace(
        pseudonym=key, material=material, trainer=trainer, venue=venue, pre_score=test[0], post_score=test[1]
    )
    return registration, answer


def figures_of(people):
    registrations = [r for r, _ in people]
    answers = [a for _, a in people if a is not None]
    scope = Scope(date(2026, 12, 14), date(2026, 12, 20))
    return compute(scope, [EVENT], registrations, [], START + timedelta(days=7), answers)


def test_means_gain_and_rate_with_their_n():
    people = [person("p1", "none", (5, 4, 3), (1, 4)), person("p2", "none", (4, 4, 4), (None, 2))]
    people += [person("p3", "none", None)]
    total = figures_of(people).impact.total
    assert (total.attended, total.certificates, total.answers) == (3, 3, 2)
    assert (total.response_rate, total.material, total.trainer, total.venue) == (pytest.approx(2 / 3), 4.5, 4.0, 3.5)
    assert (total.tested, total.gain) == (1, 3.0)  # p2 took only the test after
    assert isinstance(total.material, Mean) and display(total.material) == "4,5" and display(total.gain) == "3,0"


def test_a_lone_small_disability_cell_is_hidden_with_one_more_and_their_means_too():
    people = [person(f"f{n}", "physical", (4, 4, 4), (1, 2)) for n in range(6)]
    people += [person("s1", "sensory", (1, 2, 3), (0, 1)), person("s2", "sensory", (2, 2, 2), (0, 3))]
    rows = {row.key: row for row in suppress(figures_of(people)).impact.breakdowns["disability"]}
    sensory, physical = rows["sensory"], rows["physical"]
    assert (sensory.attended, sensory.answers, sensory.tested) == (SMALL, SMALL, SMALL)
    assert (sensory.material, sensory.response_rate, sensory.gain) == (HIDDEN, HIDDEN, HIDDEN)
    # physical (6) would give sensory away as the disability total (8) minus 6: hidden too, its means with it
    assert (physical.attended, physical.answers, physical.tested) == (HIDDEN, HIDDEN, HIDDEN)
    assert (physical.material, physical.trainer, physical.venue, physical.gain) == (HIDDEN,) * 4
    assert "none" not in rows
    # five or more with no lone small cell beside them: shown as counted
    people = [person(f"f{n}", "physical", (4, 4, 4)) for n in range(6)]
    assert suppress(figures_of(people)).impact.breakdowns["disability"][0].material == 4.0
