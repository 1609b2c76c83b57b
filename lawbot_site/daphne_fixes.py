"""What daphne (Twisted, underneath) does before or after the application sees a request, set
right for Lawbot. Imported by the ASGI module, which every daphne process loads before it serves.

- Twisted parses a multipart/form-data POST body itself, before the application, and answers a
  malformed one with a bare 400 page. Django parses bodies anyway: Twisted is told not to, so
  every body reaches the application, which answers in its own format (OpenAI JSON on the API).
- The access log writes each request's path with its query string, where a client may have put
  an API key (?api_key=…): it is logged as "?…" instead.
- Twisted's table of reason phrases stops before 422 and 429, so a rate-limited client read
  "HTTP/1.1 429 Unknown Status": the table gains every status Python's http module names."""

import functools
import json
from http import HTTPStatus

from daphne.access import AccessLogGenerator
from daphne.http_protocol import WebRequest
from twisted.web.http import RESPONSES, HTTPChannel

# Twisted's limits (LineReceiver.MAX_LENGTH and HTTPChannel.totalHeadersSize), in the messages.
LINE_LIMIT = HTTPChannel.MAX_LENGTH


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


def _refuse(channel: HTTPChannel, status: str, message: str, code: str) -> None:
    body = json.dumps(
        {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": code,
            }
        }
    ).encode()
    channel.transport.write(
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    channel.loseConnection()


def _line_too_long(self: HTTPChannel, line: bytes) -> None:
    if getattr(self, "_HTTPChannel__first_line", 0):
        _refuse(
            self,
            "414 URI Too Long",
            f"The request line is longer than {LINE_LIMIT} bytes: send long text in a POST "
            "body (a question to POST /v1/chat/completions or /v1/responses).",
            "uri_too_long",
        )
    else:
        _headers_too_large(self)


def _headers_too_large(self: HTTPChannel) -> None:
    _refuse(
        self,
        "431 Request Header Fields Too Large",
        f"The request's headers are larger than {self.totalHeadersSize} bytes or more than "
        f"{self.maxHeaders} in number.",
        "headers_too_large",
    )


def _bad_request(self: HTTPChannel) -> None:
    too_many = getattr(self, "_receivedHeaderCount", 0) > self.maxHeaders
    if too_many or self._receivedHeaderSize > self.totalHeadersSize:
        _headers_too_large(self)
        return
    _refuse(
        self,
        "400 Bad Request",
        "The request is not valid HTTP/1.1 (its request line or a header is malformed).",
        "bad_request",
    )


if not getattr(WebRequest, "_lawbot_fixed", False):
    WebRequest.__init__ = _without_form_parsing(WebRequest.__init__)
    AccessLogGenerator.__call__ = _without_query(AccessLogGenerator.__call__)
    HTTPChannel.lineLengthExceeded = _line_too_long
    HTTPChannel._respondToBadRequestAndDisconnect = _bad_request
    for status in HTTPStatus:
        RESPONSES.setdefault(status.value, status.phrase.encode())
    WebRequest._lawbot_fixed = True
