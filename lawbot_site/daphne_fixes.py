"""Two things daphne does before or after the application sees a request, set right for Lawbot.
Imported by the ASGI module, which every daphne process loads before it serves.

- Twisted parses a multipart/form-data POST body itself, before the application, and answers a
  malformed one with a bare 400 page. Django parses bodies anyway: Twisted is told not to, so
  every body reaches the application, which answers in its own format (OpenAI JSON on the API).
- The access log writes each request's path with its query string, where a client may have put
  an API key (?api_key=…): it is logged as "?…" instead."""

import functools

from daphne.access import AccessLogGenerator
from daphne.http_protocol import WebRequest


def _without_form_parsing(init):
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        kwargs["parsePOSTFormSubmission"] = False
        init(self, *args, **kwargs)

    return __init__


def _without_query(call):
    @functools.wraps(call)
    def __call__(self, protocol, action, details):
        path = details.get("path")
        if isinstance(path, str) and "?" in path:
            details = {**details, "path": path.split("?", 1)[0] + "?…"}
        return call(self, protocol, action, details)

    return __call__


if not getattr(WebRequest, "_lawbot_fixed", False):
    WebRequest.__init__ = _without_form_parsing(WebRequest.__init__)
    AccessLogGenerator.__call__ = _without_query(AccessLogGenerator.__call__)
    WebRequest._lawbot_fixed = True
