"""A hook for "this answer is about to wait on something slow" (an upstream LLM's first byte).

The site's admission control (lawbot_site.admission) lets a few requests start at a time and
registers here how the current request gives its place back; the engines only announce the wait,
so that they need not know about the ASGI layer above them."""

from collections.abc import Callable
from contextvars import ContextVar

on_slow_wait: ContextVar[Callable[[], None] | None] = ContextVar(
    "lawbot_on_slow_wait", default=None
)


def slow_wait_begins() -> None:
    callback = on_slow_wait.get()
    if callback is not None:
        callback()
