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

import lawbot_site.daphne_fixes  # noqa: E402, F401  (before daphne serves anything)
from chat.api.mcp.server import mcp_endpoint  # noqa: E402
from lawbot_site.admission import admitted  # noqa: E402
from lawbot_site.routing import MCP_PATHS, takes_lean_handler  # noqa: E402

API_MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
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

    from laws.fusion import meaning_warm_up
    from laws.index import IndexMissing, get_index
    from laws.search import lexicon

    get_resolver().url_patterns  # noqa: B018  (imports every view module)
    # Not imported yet (/healthz says so), or the database is down: the first question loads it.
    with contextlib.suppress(IndexMissing, DatabaseError):
        lexicon(get_index())
        meaning_warm_up()
    _mark_interrupted()
    connections.close_all()  # this thread serves no request
    for connection in connections.all(initialized_only=True):
        # A PostgreSQL pool made now would keep the settings of this moment (a test run renames
        # the database after importing this module): the first request makes it afresh.
        if connection.alias in getattr(type(connection), "_connection_pools", {}):
            connection.close_pool()


def _mark_interrupted() -> None:
    """What a process that died (kill -9) left in progress is marked interrupted now, before this
    one serves: its request log rows, and its chat answers (so that their conversations take a
    new question at once)."""
    import logging

    from api_keys.services import request_logs_interrupt_orphaned
    from chat.page.answer_worker import SAVE_SECONDS
    from chat.page.conversations import messages_interrupt_abandoned

    logger = logging.getLogger("lawbot_site.asgi")
    try:
        requests = request_logs_interrupt_orphaned()
        answers = messages_interrupt_abandoned(watch_seconds=4 * SAVE_SECONDS)
    except Exception as exc:  # the database is down, or not migrated: the first requests say so
        logger.warning("start-up could not look for interrupted requests: %s", exc)
        return
    if requests or answers:
        logger.warning(
            "marked interrupted: %d requests and %d chat answers of a stopped server",
            requests,
            answers,
        )


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
    if scope["type"] == "http" and scope["path"].rstrip("/") in MCP_PATHS:
        return await admitted(mcp_endpoint, scope, receive, send)
    if scope["type"] == "http" and takes_lean_handler(scope["path"]):
        return await admitted(api, scope, receive, send)
    return await pages(scope, receive, send)
