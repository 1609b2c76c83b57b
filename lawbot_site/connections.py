"""Database connections under ASGI: a page request's thread gives its connection back.

Django runs each page request's sync code on a thread of its own, started for that request and
dropped after it. A connection kept past the request (SQLite's CONN_MAX_AGE, set for the shared
API thread) then stays open in a dead thread until a full garbage collection finds it: one file
descriptor per page request, and "Too many open files" after about a thousand."""

from asgiref.sync import SyncToAsync
from django.db import connections


def close_request_thread_connections(**kwargs) -> None:
    """request_finished: closes the connections of a per-request thread (PostgreSQL's go back to
    the pool). The process's shared sync thread, which has no request context, keeps its own."""
    if SyncToAsync.thread_sensitive_context.get(None) is None:
        return
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()
