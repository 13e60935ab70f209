"""A check-in undone at the door leaves reporting's attendance as it was, through the real workers and Redis."""

from tests.flow.conftest import assert_invariants, staff_headers, summary, wait_for
from tests.flow.test_thin_slice import publish_event, register
from tests.integration.registration.test_staff_api import today


def test_reporting_counts_a_check_in_then_no_longer_once_it_is_undone(stack):
    event = publish_event(stack, capacity=2, **today())
    person = register(stack, event["id"], email="pintu@contoh.id")
    client, headers = stack.app("registration").test_client(), staff_headers(stack)

    def attended() -> int:
        return summary(stack, headers).get("attended")

    assert client.post(f"/api/v1/registrations/{person['id']}/check-in", headers=headers).status_code == 200
    wait_for(lambda: attended() == 1, message="reporting to count the check-in")
    assert client.delete(f"/api/v1/registrations/{person['id']}/check-in", headers=headers).status_code == 200
    wait_for(lambda: attended() == 0, message="reporting to take the check-in back")
    assert_invariants(stack)
