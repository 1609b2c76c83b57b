from django import template
from django.utils.safestring import mark_safe

from chat.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    # render_markdown sanitises its output with nh3, so it may be marked safe.
    return mark_safe(render_markdown(text or ""))  # noqa: S308


@register.filter
def web_url(url: str) -> str:
    """Only http(s) links from stored data ever reach an href."""
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else "#"
