"""The chat page and the account pages: server-rendered, thin views over chat.page.conversations."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.answering.catalogue import DEFAULT_MODEL, MODELS, upstream_serves
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
        "stopped": _("Stopped; the text so far is kept."),
        "failed": _("The answer could not be completed."),
        "interrupted": _("The answer was interrupted."),
        "waitForAnswer": _("Wait for this answer to finish, or stop it, before sending."),
        "emptyQuestion": _("Write your question first."),
        "tooLong": _(
            "A question can be at most 8,000 characters: the text past that was not added."
        ),
        "placeholderDesktop": _(
            "Ask a legal question… (Enter to send, Shift+Enter for a new line)"
        ),
        "placeholderTouch": _("Ask a legal question…"),
        "noResults": _("No conversation matches."),
        "searchFailed": _("Search failed; try again."),
        "shareCopied": _("Link copied. Anyone with it can read this conversation."),
        "shareRevoked": _("The link no longer works."),
        "thanks": _("Thanks for the feedback."),
        "noteSent": _("Your note was sent. Thank you."),
        "officialText": _("Official text"),
        "amended": _("Last amended"),
        "citedArticles": _("Cited articles"),
        "editLabel": _("Edit your question"),
        "cancel": _("Cancel"),
        "saveAndSend": _("Save and send"),
    }


def model_choices() -> list[dict]:
    """The models as the picker explains them: what each does and whether an LLM answers."""
    pro = (
        _("An LLM writes the answer from the articles found, and cites them.")
        if upstream_serves("lawbot-pro")
        else _(
            "No LLM is configured on this server, so the built-in composer answers "
            "(as lawbot-lite does)."
        )
    )
    lite = _(
        "The built-in composer: quotes the relevant articles word for word and does the "
        "calculations labour law prescribes. No LLM; the same question always gets the same answer."
    )
    explained = {"lawbot-pro": pro, "lawbot-lite": lite}
    return [{"id": m, "about": explained.get(m, "")} for m in MODELS]


def _page(request: HttpRequest, conversation: Conversation | None) -> HttpResponse:
    if conversation:
        messages_interrupt_stale(conversation=conversation)
    messages = list(conversation.messages.current()) if conversation else []
    return render(
        request,
        "chat/page.html",
        {
            "conversation": conversation,
            "conversations": Conversation.objects.sidebar(request.user)[:SIDEBAR_LIMIT],
            "chat_messages": messages,
            "models": model_choices(),
            "model": next(
                (m.model for m in reversed(messages) if m.model), request.GET.get("model", "")
            )
            or DEFAULT_MODEL,
            "model_from_conversation": any(m.model for m in messages),
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


def _transcript(conversation: Conversation) -> dict:
    return {
        "conversation": conversation,
        "chat_messages": list(conversation.messages.current()),
        "exported": timezone.localtime(),
    }


@login_required
def conversation_export_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk, owner=request.user)
    text = render_to_string("chat/export_markdown.txt", _transcript(conversation), request)
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lawbot-{conversation.pk}.md"'
    return response


@login_required
def conversation_print(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk, owner=request.user)
    return render(request, "chat/transcript.html", {**_transcript(conversation), "printing": True})


def shared_conversation(request: HttpRequest, token: str) -> HttpResponse:
    """A shared conversation, read-only, for whoever has the link (signed in or not)."""
    conversation = get_object_or_404(Conversation, share_token=token)
    response = render(
        request, "chat/transcript.html", {**_transcript(conversation), "shared": True}
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the token never leaks through a link
    return response


def signup(request: HttpRequest) -> HttpResponse:
    if not settings.LAWBOT_ALLOW_SIGNUP:
        raise Http404("Sign-up is off.")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("chat-home")
    return render(request, "registration/signup.html", {"form": form})
