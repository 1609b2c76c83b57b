"""The chat page and the account pages: server-rendered, thin views over chat.page.conversations."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.answering.catalogue import DEFAULT_MODEL, MODELS
from chat.models import Conversation
from chat.page.conversations import (
    conversation_delete,
    conversation_rename,
    messages_interrupt_stale,
)

SIDEBAR_LIMIT = 500


def _ui_strings() -> dict:
    return {
        "answering": _("Answering…"),
        "reconnecting": _("Connection lost; reconnecting…"),
        "stalled": _("No news from the server for a while; still waiting…"),
        "lost": _("The connection to the answer was lost."),
        "sendFailed": _("Your question could not be sent (network or server problem)."),
        "retry": _("Retry"),
        "copy": _("Copy"),
        "copied": _("Copied"),
        "stopping": _("Stopping…"),
        "done": _("Answer complete."),
    }


def _page(request: HttpRequest, conversation: Conversation | None) -> HttpResponse:
    if conversation:
        messages_interrupt_stale(conversation=conversation)
    messages = list(conversation.messages.all()) if conversation else []
    return render(
        request,
        "chat/page.html",
        {
            "conversation": conversation,
            "conversations": Conversation.objects.sidebar(request.user)[:SIDEBAR_LIMIT],
            "chat_messages": messages,
            "models": list(MODELS),
            "model": next(
                (m.model for m in reversed(messages) if m.model), request.GET.get("model", "")
            )
            or DEFAULT_MODEL,
            "ui_strings": _ui_strings(),
        },
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _page(request, None)


@login_required
def conversation_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(Conversation, pk=pk, owner=request.user))


@login_required
@require_POST
def conversation_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk, owner=request.user)
    conversation_rename(conversation=conversation, title=request.POST.get("title", ""))
    return redirect(conversation)


@login_required
@require_POST
def conversation_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk, owner=request.user)
    conversation_delete(conversation=conversation)
    return redirect("chat-home")


@login_required
@require_POST
def conversation_keep_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A conversation stored over the API is kept past LAWBOT_LOG_RETENTION_DAYS (or no more)."""
    conversation = get_object_or_404(Conversation, pk=pk, owner=request.user)
    conversation.kept = request.POST.get("kept") == "1"
    conversation.save(update_fields=["kept"])
    return redirect(conversation)


def signup(request: HttpRequest) -> HttpResponse:
    if not settings.LAWBOT_ALLOW_SIGNUP:
        raise Http404("Sign-up is off.")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("chat-home")
    return render(request, "registration/signup.html", {"form": form})
