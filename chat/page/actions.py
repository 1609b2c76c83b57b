"""The chat page's own JSON and SSE endpoints (session auth + CSRF), under /api/ui/."""

import functools
import json
import logging
import re

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from chat.models import Conversation, Message
from chat.page.answer_stream import answer_events
from chat.page.answer_worker import answer_start
from chat.page.conversations import (
    Refused,
    conversation_ask,
    conversation_regenerate,
    conversation_share,
    conversation_unshare,
    message_rate,
    message_stop,
    question_edit,
)
from chat.templatetags.chat_tags import shown_citations

logger = logging.getLogger(__name__)
ID_RE = re.compile(r"[0-9]{1,18}")
REFUSALS = {  # code → status, message
    "empty_question": (400, lambda: _("Type a question first.")),
    "question_too_long": (400, lambda: _("The question is too long.")),
    "answer_streaming": (409, lambda: _("Wait for the current answer to finish, or stop it.")),
    "nothing_to_regenerate": (409, lambda: _("There is no answer to regenerate.")),
    "answer_would_not_change": (
        409,
        lambda: _("This model answers the same question the same way; choose another model."),
    ),
    "invalid_feedback": (400, lambda: _("That rating is not one of 👍 or 👎.")),
}
SEARCH_LIMIT = 50


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def ui_endpoint(*methods: str):
    def decorator(view):
        @functools.wraps(view)
        async def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return _error(405, "method_not_allowed", _("Method not allowed."))
            try:
                user = await request.auser()
                if not user.is_authenticated:
                    return _error(401, "not_signed_in", _("Your session has ended; sign in again."))
                return await view(request, user, *args, **kwargs)
            except Refused as refusal:
                code = str(refusal)
                status, message = REFUSALS[code]
                return _error(status, code, message())
            except (Conversation.DoesNotExist, Message.DoesNotExist):
                return _error(404, "not_found", _("Not found."))
            except DatabaseError:
                logger.exception("database error on %s", request.path)
                message = _("The database is unavailable right now; try again in a moment.")
                return _error(503, "database_unavailable", message)

        return wrapper

    return decorator


def _json_body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nesting 100,000 deep
        body = None
    return body if isinstance(body, dict) else {}


def _message_html(message: Message) -> str:
    # No request: the fragment needs none, and it is also rendered inside the async stream.
    return render_to_string("chat/_message.html", {"message": message})


def _message_html_in(language: str, message: Message) -> str:
    with translation.override(language):
        return _message_html(message)


async def _started(assistant: Message) -> dict:
    answer_start(assistant)  # on this event loop
    return {
        "message_id": assistant.pk,
        "assistant_html": await sync_to_async(_message_html)(assistant),
    }


@ui_endpoint("POST")
async def ask(request: HttpRequest, user) -> HttpResponse:
    body = _json_body(request)
    conversation_id = body.get("conversation") or None
    # ASCII digits only ("²".isdigit() is true, and int() refuses it), and a size a key can have.
    if conversation_id is not None and not ID_RE.fullmatch(str(conversation_id)):
        raise Conversation.DoesNotExist
    asked = await sync_to_async(conversation_ask)(
        owner=user,
        conversation_id=conversation_id and int(conversation_id),
        question=str(body.get("question", "")),
        model=str(body.get("model", "")),
    )
    conversation = asked.conversation
    # Rename, delete, share and export, for a conversation the page did not have when it loaded.
    tools = "chat/_conversation_tools.html"
    return JsonResponse(
        {
            "conversation": {
                "id": conversation.pk,
                "title": conversation.title,
                "url": conversation.get_absolute_url(),
                "regenerate_url": reverse("ui-regenerate", args=[conversation.pk]),
                "created": asked.created,
                "tools_html": await sync_to_async(render_to_string)(
                    tools, {"conversation": conversation}, request
                )
                if asked.created
                else "",
            },
            "question_html": await sync_to_async(_message_html)(asked.question),
            **await _started(asked.answer),
        }
    )


@ui_endpoint("POST")
async def regenerate(request: HttpRequest, user, pk: int) -> HttpResponse:
    conversation = await Conversation.objects.aget(pk=pk, owner=user)
    model = str(_json_body(request).get("model", "")) or None
    assistant = await sync_to_async(conversation_regenerate)(conversation=conversation, model=model)
    return JsonResponse(await _started(assistant))


@ui_endpoint("POST")
async def edit(request: HttpRequest, user, pk: int) -> HttpResponse:
    question = await Message.objects.select_related("conversation").aget(
        pk=pk, conversation__owner=user, role=Message.Role.USER
    )
    body = _json_body(request)
    edited = await sync_to_async(question_edit)(
        question=question,
        text=str(body.get("question", "")),
        model=str(body.get("model", "")),
    )
    return JsonResponse(
        {
            "replaced": edited.replaced,
            "question_html": await sync_to_async(_message_html)(edited.question),
            **await _started(edited.answer),
        }
    )


@ui_endpoint("POST")
async def feedback(request: HttpRequest, user, pk: int) -> HttpResponse:
    message = await Message.objects.aget(pk=pk, conversation__owner=user)
    body = _json_body(request)
    rating = body.get("rating")
    await sync_to_async(message_rate)(
        message=message,
        rating=rating if rating in (1, -1) else None if rating in (None, 0) else 99,
        note=str(body.get("note", "")),
    )
    return JsonResponse({"message_id": message.pk, "rating": message.feedback})


@ui_endpoint("POST")
async def share(request: HttpRequest, user, pk: int) -> HttpResponse:
    conversation = await Conversation.objects.aget(pk=pk, owner=user)
    if _json_body(request).get("revoke"):
        await sync_to_async(conversation_unshare)(conversation=conversation)
        return JsonResponse({"shared": False, "url": None})
    token = await sync_to_async(conversation_share)(conversation=conversation)
    url = request.build_absolute_uri(reverse("chat-shared", args=[token]))
    return JsonResponse({"shared": True, "url": url})


@ui_endpoint("GET")
async def search(request: HttpRequest, user) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:200]
    if not query:
        return JsonResponse({"results": []})
    found = Conversation.objects.matching(user, query)[:SEARCH_LIMIT]
    return JsonResponse(
        {
            "results": [
                {"id": c.pk, "title": c.title, "url": c.get_absolute_url()} async for c in found
            ]
        }
    )


@ui_endpoint("POST")
async def stop(request: HttpRequest, user, pk: int) -> HttpResponse:
    message = await Message.objects.aget(pk=pk, conversation__owner=user)
    await sync_to_async(message_stop)(message=message)
    return JsonResponse({"message_id": message.pk, "stop_requested": True})


def _resume_point(request: HttpRequest) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("from") or "0"
    try:
        return max(0, int(raw))
    except ValueError:
        return 0


@ui_endpoint("GET")
async def stream(request: HttpRequest, user, pk: int) -> HttpResponse:
    message = await Message.objects.aget(
        pk=pk, conversation__owner=user, role=Message.Role.ASSISTANT
    )
    language = translation.get_language()

    async def render_end(message: Message) -> dict:
        # Rendering reads the cited laws' amendment dates from the database.
        html = await sync_to_async(_message_html_in)(language, message)
        return {"status": message.status, "html": html}

    async def render_citations(message: Message) -> dict:
        return {"citations": await sync_to_async(shown_citations)(message.citations)}

    body = answer_events(
        message.pk,
        _resume_point(request),
        heartbeat=settings.LAWBOT_HEARTBEAT_SECONDS,
        render_end=render_end,
        render_citations=render_citations,
    )
    response = StreamingHttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
