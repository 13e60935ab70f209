"""Rebuilding reporting's read model from the replayed histories of registration and notifications gives the same
figures, deliveries included."""

import subprocess
import sys

from services.reporting.models import DeliveryFact, RegistrationFact
from tests.conftest import ROOT
from tests.flow.conftest import assert_invariants, staff_headers, summary, wait_for
from tests.flow.test_thin_slice import publish_event, register
from tests.integration.registration.test_staff_api import today


def flask(stack, service: str, *args: str) -> str:
    command = [sys.executable, "-m", "flask", "--app", f"services.{service}.wsgi", *args]
    result = subprocess.run(command, cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_rebuilding_the_read_model_from_the_replayed_history_gives_identical_figures(stack):
    event = publish_event(stack, capacity=2, **today())
    people = [
        register(stack, event["id"], email=f"ulang{n}@contoh.id", disability=d)
        for n, d in enumerate(["none", "sensory", "physical"])
    ]
    client, headers = stack.app("registration").test_client(), staff_headers(stack)
    client.post(f"/api/v1/registrations/{people[0]['id']}/check-in", headers=headers)
    client.post(f"/api/v1/registrations/{people[1]['id']}/cancel", headers=headers)  # people[2] is promoted

    def settled():
        figures = summary(stack, headers)
        return (
            figures
            if (figures.get("attended"), figures.get("cancelled"), figures.get("confirmed")) == (1, 1, 2)
            else None
        )

    before = wait_for(settled, message="the read model to take in every event")
    assert_invariants(stack)  # everything settled, the deliveries' outcomes included
    deliveries = stack.count("reporting", DeliveryFact)
    assert deliveries > 0

    flask(stack, "reporting", "rebuild-read-model", "--yes")
    assert stack.count("reporting", RegistrationFact) == stack.count("reporting", DeliveryFact) == 0
    assert "dikirim ulang" in flask(stack, "registration", "replay-events", "--to", "reporting")
    assert "dikirim ulang" in flask(stack, "notifications", "replay-events", "--to", "reporting")

    after = wait_for(settled, message="the replayed history to be applied")
    assert after == before
    wait_for(lambda: stack.count("reporting", DeliveryFact) == deliveries, message="the delivery figures to return")
    assert_invariants(stack)  # both histories replayed: reporting applied every message again
