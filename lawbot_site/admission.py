"""Admission: at most LAWBOT_STARTING_REQUESTS API requests at a time between arrival and their
response's first byte.

Each request's start (parsing, key, limits, retrieval, a few trips to the database thread) is
short, but 1,000 requests arriving at once all started together: their trips queued behind each
other on the one database thread, so every request finished starting at about the same time,
late, and then 1,000 streams ran at once and outran the event loop. Admitted a few at a time,
in arrival order, requests start streaming one after another, and the streams already running
keep the loop. Waiting on something slow (an upstream LLM's first byte) gives the place back."""

import asyncio
import weakref
from contextvars import ContextVar

from django.conf import settings

from chat.answering.waiting import on_slow_wait


class Place:
    def __init__(self, semaphore: asyncio.Semaphore):
        self._semaphore = semaphore
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._semaphore.release()


_current: ContextVar[Place | None] = ContextVar("lawbot_admission_place", default=None)
_semaphores: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one per event loop


def admission_release() -> None:
    """Gives the current request's place back early, before it waits on something slow."""
    place = _current.get()
    if place is not None:
        place.release()


async def admitted(app, scope, receive, send) -> None:
    """Runs the ASGI `app` once admitted; the place is released at the response's start."""
    limit = settings.LAWBOT_STARTING_REQUESTS
    if limit <= 0:
        return await app(scope, receive, send)
    loop = asyncio.get_running_loop()
    semaphore = _semaphores.get(loop)
    if semaphore is None:
        semaphore = _semaphores[loop] = asyncio.Semaphore(limit)
    await semaphore.acquire()
    place = Place(semaphore)
    _current.set(place)  # tasks the app creates copy the context, and with it this place
    on_slow_wait.set(place.release)  # an engine about to wait on an upstream gives it back

    async def send_and_release(message: dict) -> None:
        if message["type"] == "http.response.start":
            place.release()
        await send(message)

    try:
        await app(scope, receive, send_and_release)
    finally:
        place.release()
