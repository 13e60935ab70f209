"""The relay is woken after every commit, but a burst of commits shares the nudges."""

import threading

from shared.nudge import Nudges
from tests.conftest import wait_for


def test_a_burst_of_commits_sends_one_nudge_now_and_one_after_the_last_commit():
    sent = []
    second = threading.Event()

    def send():
        sent.append("nudge")
        if len(sent) == 2:
            second.set()

    nudges = Nudges(send, gap=1.0)
    nudges()  # the first commit: the relay is woken at once
    assert sent == ["nudge"]
    nudges()
    nudges()  # commits within the gap wait for the nudge at its end, which comes after them
    assert sent == ["nudge"]
    assert second.wait(timeout=10)
    assert sent == ["nudge", "nudge"]


def test_a_rush_widens_the_gap_and_a_quiet_gap_narrows_it_again():
    sent = []
    nudges = Nudges(lambda: sent.append("nudge"), gap=0.5, burst_gap=60.0, burst=3)
    nudges()  # sent at once
    for _ in range(3):  # three commits wait in the first gap: a rush
        nudges()
    wait_for(lambda: len(sent) == 2, timeout=10)
    assert nudges.gap == 60.0  # the next commits share nudges a minute apart
    nudges()
    assert sent == ["nudge", "nudge"]  # not at once: at the end of the wider gap

    calm = Nudges(lambda: sent.append("calm"), gap=0.5, burst_gap=60.0, burst=3)
    calm()
    calm()  # one commit waits: no rush
    wait_for(lambda: sent.count("calm") == 2, timeout=10)
    assert calm.gap == 0.5
    calm._state.get().next_at = 0.0  # as if the gap had passed with no commit
    calm()
    assert sent.count("calm") == 3  # sent at once
