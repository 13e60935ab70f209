"""The relay is woken after every commit, but a burst of commits shares the nudges."""

import threading

from services.registration.service import Nudges


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
