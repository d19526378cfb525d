"""A guard that turns a hang into a test failure (for the fuzz suites). Its limits are
generous margins over a busy machine, never a measure of speed."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TooLongError(Exception):
    """The guarded block was still running when its time was up."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Stop the block with an exception after ``seconds`` (a hang becomes a failure)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise TooLongError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
