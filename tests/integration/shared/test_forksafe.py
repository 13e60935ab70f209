"""A forked worker process makes its own thread pools and connections instead of using its parent's."""

import os

from shared.forksafe import PerProcess


def test_a_forked_child_makes_its_own_value_and_the_parent_keeps_its_own():
    made = []
    value = PerProcess(lambda: made.append(os.getpid()) or object())
    assert value.peek() is None  # nothing made before first use
    parents = value.get()
    assert value.get() is parents and made == [os.getpid()]
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: reports whether it started without the parent's value and made a new one
        fresh = value.peek() is None and value.get() is not parents and made[-1] == os.getpid()
        os.write(write, b"1" if fresh else b"0")
        os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.waitpid(child, 0)
    assert value.get() is parents and made == [os.getpid()]
