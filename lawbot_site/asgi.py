"""The ASGI application: Django, with API requests taken through a lean handler.

The page middleware (sessions, CSRF, authentication, messages, locale, common) is synchronous:
under ASGI every one of its steps is a hop to Django's sync thread and back, about twenty per
request. API requests need none of it (they authenticate with keys), so they get only the
middleware that sets their security headers and error format, with its hooks run on the event
loop (lawbot_site.middleware.InlineHooksMixin).

Django also gives every request a sync thread of its own (ThreadSensitiveContext): a thread
started and joined per request, and a database connection opened per request. API requests
instead share the process's one sync thread (asgiref's default), where their few database steps
(key lookup, retrieval, the request log) are short: starting a thread blocks the event loop
while it starts, which under 1,000 arriving requests stalled every running stream."""

import contextlib
import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawbot_site.settings")
pages = get_asgi_application()

from django.conf import settings  # noqa: E402  (after Django is set up)
from django.core.handlers.asgi import ASGIHandler  # noqa: E402

from lawbot_site.admission import admitted  # noqa: E402
from lawbot_site.routing import takes_lean_handler  # noqa: E402

API_MIDDLEWARE = [
    "lawbot_site.middleware.InlineSecurityMiddleware",
    "lawbot_site.middleware.ContentSecurityPolicyMiddleware",
    "lawbot_site.api_not_found.ApiNotFoundMiddleware",
    "lawbot_site.middleware.InlineXFrameOptionsMiddleware",
]


class ApiHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full

    async def __call__(self, scope, receive, send):
        # No ThreadSensitiveContext (see above): sync_to_async uses the process's sync thread.
        await self.handle(scope, receive, send)


api = ApiHandler()


def _warm_up() -> None:
    """Loads now what the first request would: the URL patterns and views, the search index, its
    law-name tables and the article cards (whose articles it looks up in the database)."""
    from django.db import DatabaseError, connections
    from django.urls import get_resolver

    from laws.index import IndexMissing, get_index
    from laws.search import lexicon

    get_resolver().url_patterns  # noqa: B018  (imports every view module)
    # Not imported yet (/healthz says so), or the database is down: the first question loads it.
    with contextlib.suppress(IndexMissing, DatabaseError):
        lexicon(get_index())
    connections.close_all()  # this thread serves no request


if os.environ.get("LAWBOT_PROFILE"):  # bench/profile.py: CPU counters per stage of an answer
    import importlib

    importlib.import_module("bench.stage_clock").install()
_warm_up()
# What is alive now lives as long as the process. Frozen, the cyclic garbage collector stops
# walking it: a full collection over it paused the event loop (every stream) for ~200 ms. A full
# collection still walks every request in flight (100-240 ms under 1,000 streams), so it runs
# after 100 middle-generation collections instead of 10; the young generations, where a
# request's short-lived cycles die, are collected as often as before.
gc.freeze()
gc.set_threshold(700, 10, 100)


async def application(scope, receive, send):
    if scope["type"] == "http" and takes_lean_handler(scope["path"]):
        return await admitted(api, scope, receive, send)
    return await pages(scope, receive, send)
