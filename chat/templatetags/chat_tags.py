from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chat.markdown import render_markdown
from chat.page.conversations import answer_can_vary
from laws.models import Law

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    # render_markdown sanitises its output with nh3, so it may be marked safe.
    return mark_safe(render_markdown(text or ""))  # noqa: S308


@register.filter
def answer_html(message) -> str:
    """An answer's Markdown with its [n] markers linked to its citations."""
    return mark_safe(render_markdown(message.content or "", message.citations))  # noqa: S308


@register.filter
def message_kind(message) -> str:
    """How the page shows a message: by its role, except an answer over the API that only asked
    the client to call its functions ("function-call"), which has no text to show as an answer."""
    wire = message.wire if isinstance(message.wire, dict) else {}
    if message.role == "assistant" and not message.content and wire.get("tool_calls"):
        return "function-call"
    return message.role


@register.filter
def function_calls(message) -> list[dict]:
    """The functions an answer asked the API client to call: [{"name", "arguments"}]."""
    wire = message.wire if isinstance(message.wire, dict) else {}
    calls = [
        call.get("function") for call in wire.get("tool_calls") or [] if isinstance(call, dict)
    ]
    return [call for call in calls if isinstance(call, dict)]


@register.filter
def web_url(url: str) -> str:
    """Only http(s) links from stored data ever reach an href."""
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else "#"


def amended_dates(pcodes: set[str]) -> dict[str, str]:
    """pcode → the law's last amendment (or promulgation) date, YYYY-MM-DD."""
    dates = Law.objects.filter(pcode__in=pcodes).values_list("pcode", "modified_date")
    return {p: f"{d[:4]}-{d[4:6]}-{d[6:8]}" for p, d in dates if d and len(d) == 8}


@register.filter
def shown_citations(citations: list[dict]) -> list[dict]:
    """The citations as the page shows them: numbered, the quoted paragraph (or the article),
    the law's last amendment date and the official link."""
    dates = amended_dates({c.get("pcode", "") for c in citations or []})
    return [
        {
            **c,
            "number": number,
            "quote": c.get("paragraph") or c.get("text", ""),
            "amended": dates.get(c.get("pcode", ""), ""),
            "url": web_url(c.get("url")),
        }
        for number, c in enumerate(citations or [], start=1)
    ]


def error_text(code: str) -> str:
    """Why an answer failed, for a reader, in the page's language, with what to do next."""
    if code == "upstream_timeout":
        return _("The language model took too long to answer. Try again, or choose lawbot-lite.")
    if code in ("upstream_unavailable", "upstream_error"):
        return _(
            "The language model behind lawbot-pro is not available right now. Try again later, "
            "or choose lawbot-lite, which answers without it."
        )
    if code == "index_missing":
        return _("The law database is still being prepared. Try again in a few minutes.")
    return _("Something went wrong on the server while answering. Try again.")


@register.filter(name="error_text")
def error_text_filter(message) -> str:
    return error_text(message.error_code)


@register.filter
def can_vary(message) -> bool:
    return answer_can_vary(message)
