"""Per-stage CPU counters inside the server, for bench/profile.py (LAWBOT_PROFILE=<file>).

Loaded by lawbot_site/asgi.py only when LAWBOT_PROFILE is set. It wraps the functions of each
stage of an answer (relayed, or the composer's for lawbot-lite), the key and the limits, the cache
calls and every SQL statement's execution, and charges the CPU time of the thread that runs them
(time.thread_time: the process clock of one thread, so the machine's load does not inflate it)
to that stage. Nested stages are exclusive (the prompt is not counted again in the upstream
request that builds it). Coroutines and async generators are driven step by step, so only their
own steps are charged, never what the event loop runs while they wait. On SIGUSR1 (and at exit)
the counters are written as JSON to the LAWBOT_PROFILE file: {stage: [seconds, calls]}.

Everything not in a stage (daphne and Twisted, Django's handler and middleware, the trips to the
sync thread, SSE and JSON encoding) is the difference between the process's CPU and the stages' sum, which
bench/profile.py reports as "request/response handling"."""

import atexit
import functools
import json
import os
import signal
import threading
import time
import types

OUT = os.environ.get("LAWBOT_PROFILE", "")
_lock = threading.Lock()
_totals: dict[str, list[float]] = {}
_local = threading.local()


def _charge(stage: str, seconds: float, calls: int = 0) -> None:
    with _lock:
        total = _totals.setdefault(stage, [0.0, 0])
        total[0] += seconds
        total[1] += calls


class _Stage:
    """Exclusive timing on this thread: entering a stage pauses the one around it."""

    __slots__ = ("stage", "calls")

    def __init__(self, stage: str, calls: int = 1):
        self.stage, self.calls = stage, calls

    def __enter__(self):
        stack = _local.__dict__.setdefault("stack", [])
        now = time.thread_time()
        if stack:
            outer = stack[-1]
            _charge(outer[0], now - outer[1])
        stack.append([self.stage, now])

    def __exit__(self, *exc):
        stack = _local.stack
        now = time.thread_time()
        stage, began = stack.pop()
        _charge(stage, now - began, self.calls)
        if stack:
            stack[-1][1] = now


def timed(stage: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _Stage(stage):
            return function(*args, **kwargs)

    return wrapper


@types.coroutine
def _drive(coroutine, stage: str):
    """Awaits coroutine, charging stage only with the CPU of its own steps."""
    value, error, first = None, None, True
    while True:
        with _Stage(stage, calls=int(first)):
            first = False
            try:
                future = coroutine.throw(error) if error is not None else coroutine.send(value)
            except StopIteration as stop:
                return stop.value
        try:
            value, error = (yield future), None
        except BaseException as exc:  # noqa: BLE001  (passed into the coroutine, as await does)
            value, error = None, exc


def timed_coroutine(stage: str, function):
    @functools.wraps(function)
    async def wrapper(*args, **kwargs):
        return await _drive(function(*args, **kwargs), stage)

    return wrapper


def timed_agen(stage: str, function):
    @functools.wraps(function)
    async def wrapper(*args, **kwargs):
        generator = function(*args, **kwargs)
        try:
            while True:
                try:
                    item = await _drive(generator.__anext__(), stage)
                except StopAsyncIteration:
                    return
                yield item
        finally:
            await _drive(generator.aclose(), stage)

    return wrapper


def dump(*_args) -> None:
    with _lock:
        data = {stage: list(total) for stage, total in _totals.items()}
    tmp = f"{OUT}.tmp"
    with open(tmp, "w") as out:
        json.dump(data, out)
    os.replace(tmp, OUT)


def install() -> None:
    from django.core.cache import caches
    from django.db.backends.utils import CursorWrapper
    from django.db.models.query import QuerySet

    import api_keys.limits as limits
    import chat.answering.engines.upstream as upstream
    import chat.answering.pipeline as pipeline
    import chat.answering.verification as verification
    import chat.api.endpoint as endpoint
    import chat.api.request_record as request_record
    import chat.api.views as views
    from api_keys.models import RequestLog

    pipeline.search = timed("retrieval", pipeline.search)
    # The built-in composer's answer (lawbot-lite): choosing the articles and paragraphs to
    # quote, and writing the text.
    pipeline.answer_plan = timed("answer plan", pipeline.answer_plan)
    pipeline.composer_deltas = timed_agen("composer", pipeline.composer_deltas)
    # The key, the limits and the cache calls they make (on whichever thread runs them).
    endpoint.authenticate = timed_coroutine("auth", endpoint.authenticate)
    views.limits_acquire = timed_coroutine("limits", views.limits_acquire)
    limits.Lease.release = timed_coroutine("limits", limits.Lease.release)
    limits.Lease.count = timed_coroutine("limits", limits.Lease.count)
    cache_class = type(caches["default"])
    # The fail-over Redis cache sends every operation, and the limits' scripts, through one
    # method; process memory has its own operations (the limits use them in the event loop).
    names = ("get", "add", "set", "incr", "delete", "touch", "get_many")
    for name in ("failover",) if hasattr(cache_class, "failover") else names:
        setattr(cache_class, name, timed("cache (sync side)", getattr(cache_class, name)))
    # Every SQL statement's execution, whichever stage issued it (taken out of that stage).
    CursorWrapper.execute = timed("SQL execute", CursorWrapper.execute)
    pipeline._calculations = timed("calculations", pipeline._calculations)
    upstream.prompt_messages = timed("prompt", upstream.prompt_messages)
    upstream.upstream_open = timed_coroutine("upstream request", upstream.upstream_open)
    pipeline.upstream_open = upstream.upstream_open
    upstream._relay = timed_agen("relay read", upstream._relay)
    # The check runs on the event loop for a short answer, in the database thread otherwise.
    upstream.citations_acheck = timed_coroutine("citation check", upstream.citations_acheck)
    verification.citations_check = timed("citation check", verification.citations_check)
    verification._unlisted_flags = timed("citation check", verification._unlisted_flags)
    record = request_record.RequestRecord
    record._write = timed_coroutine("log write", record._write)
    create = QuerySet.create

    def logged_create(self, **kwargs):
        if self.model is RequestLog:
            with _Stage("log write", calls=0):
                return create(self, **kwargs)
        return create(self, **kwargs)

    QuerySet.create = logged_create
    signal.signal(signal.SIGUSR1, dump)
    atexit.register(dump)
