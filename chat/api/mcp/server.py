"""The MCP server at /mcp: the official SDK's low-level Server (tools/list, tools/call) behind its
Streamable HTTP transport, with the API's key, limits and request log in front.

- Stateless, JSON responses: every POST carries one JSON-RPC message and gets its answer, with no
  session to keep, so any of N daphne workers can serve any request (the SDK's sessions live in
  one process's memory). Both the 2025 handshake (initialize) and the 2026-07-28 per-request
  revision are served; the SDK negotiates.
- Daphne has no ASGI lifespan, so the SDK's session manager (which needs its task group running)
  is started on the first request, once per event loop.
- Authentication, limits and the log are per HTTP request, exactly as on /chat/completions:
  `Authorization: Bearer lb-…` (chat.api.auth, the one key lookup), then limits_acquire (requests
  per minute and at once, tokens per day), then one RequestLog row when the response is sent."""

import asyncio
import json
import logging

import jsonschema
import mcp_types as types
from django.conf import settings
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings

from api_keys.limits import LimitRefused, limits_acquire
from chat.answering.errors import AnswerError
from chat.api.auth import authenticate_header
from chat.api.errors import ApiError, api_error
from chat.api.mcp.tools import TOOLS, ToolFailed, Usage, tool_run
from chat.api.request_record import RequestRecord
from chat.api.rest.errors import INDEX_MISSING
from laws.index import IndexMissing

logger = logging.getLogger(__name__)
RECORD = "lawbot.record"  # the ASGI scope key the request's RequestRecord travels under


def tool_list() -> list[types.Tool]:
    return [
        types.Tool(
            name=name,
            title=tool["title"],
            description=tool["description"],
            input_schema=tool["input_schema"],
            annotations=types.ToolAnnotations(
                read_only_hint=True, open_world_hint=False, idempotent_hint=name != "ask_lawbot"
            ),
        )
        for name, tool in TOOLS.items()
    ]


async def _list_tools(ctx, params) -> types.ListToolsResult:
    return types.ListToolsResult(tools=tool_list())


def _failed(message: str) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=message)], is_error=True
    )


async def _call_tool(ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
    tool = TOOLS.get(params.name)
    if tool is None:
        return _failed(f"Unknown tool '{params.name}'; the tools are {', '.join(TOOLS)}.")
    arguments = params.arguments or {}
    try:
        jsonschema.validate(arguments, tool["input_schema"])
    except jsonschema.ValidationError as exc:
        where = ".".join(str(p) for p in exc.absolute_path) or "arguments"
        return _failed(f"Invalid argument '{where}': {exc.message}")
    record: RequestRecord | None = (
        ctx.request.scope.get(RECORD) if ctx.request is not None else None
    )
    usage = Usage()
    try:
        result = await tool_run(
            params.name, arguments, api_key=record.api_key if record else None, usage=usage
        )
    except ToolFailed as exc:
        return _failed(str(exc))
    except AnswerError as exc:  # an upstream LLM failed
        return _failed(exc.message)
    except IndexMissing:
        return _failed(INDEX_MISSING.message)
    finally:
        if record is not None:
            record.model = usage.model
            record.question = (
                usage.question
                or json.dumps({"tool": params.name, "arguments": arguments}, ensure_ascii=False)[
                    :4000
                ]
            )
            record.answer = usage.answer
            record.prompt_tokens, record.completion_tokens = (
                usage.prompt_tokens,
                usage.completion_tokens,
            )
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=json.dumps(result, ensure_ascii=False))],
        structured_content=result,
    )


def mcp_server() -> Server:
    return Server(
        "lawbot",
        version="1.0.0",
        title="Lawbot: Taiwan's laws",
        instructions="Look up Taiwan's laws and regulations: search_laws for articles that answer "
        "a question, get_article and resolve_citation for a known article (勞基法第38條第1項), "
        "calculate for labour-law figures (severance, notice, leave, overtime, average wage), "
        "ask_lawbot for a whole cited answer. Cite the official URL each result carries.",
        on_list_tools=_list_tools,
        on_call_tool=_call_tool,
        get_tool_input_schema=lambda name: TOOLS.get(name, {}).get("input_schema"),
    )


class McpEndpoint:
    """The ASGI app for /mcp and /v1/mcp."""

    def __init__(self):
        self._managers: dict[asyncio.AbstractEventLoop, StreamableHTTPSessionManager] = {}
        self._ready: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}

    async def _manager(self) -> StreamableHTTPSessionManager:
        loop = asyncio.get_running_loop()
        if loop not in self._ready:
            self._ready[loop] = ready = asyncio.Event()
            manager = StreamableHTTPSessionManager(
                app=mcp_server(),
                stateless=True,
                json_response=True,
                max_request_body_size=settings.LAWBOT_MAX_BODY_BYTES,
                # Every request carries a secret key, which a rebinding page cannot know.
                security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False),
            )
            self._managers[loop] = manager
            loop.create_task(self._run(manager, ready))
        await self._ready[loop].wait()
        return self._managers[loop]

    @staticmethod
    async def _run(manager: StreamableHTTPSessionManager, ready: asyncio.Event) -> None:
        async with manager.run():
            ready.set()
            await asyncio.Event().wait()  # as long as the process

    async def __call__(self, scope, receive, send) -> None:
        record = RequestRecord(path=scope["path"])
        headers = dict(scope.get("headers") or [])
        status = 500

        async def sending(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"x-request-id", record.request_id.encode()),
                        *security_headers(),
                    ],
                }
            await send(message)

        try:
            if scope["method"] != "POST":
                # Stateless: no session to DELETE and no stream to GET (the spec's 405 for a server
                # that offers none); the SDK would hold a GET open with nothing ever to send.
                error = ApiError(
                    405,
                    f"Method {scope['method']} is not allowed on {scope['path']}; send JSON-RPC by POST.",
                    code="method_not_allowed",
                    headers={"Allow": "POST"},
                )
                record.fail(error)
                await _send_error(error, sending)
                return
            try:
                record.api_key = await authenticate_header(
                    headers.get(b"authorization", b"").decode("latin-1"),
                    address=(scope.get("client") or ("unknown",))[0],
                )
                record.lease = await limits_acquire(
                    api_key=record.api_key, model=None, request_id=record.request_id
                )
            except (ApiError, LimitRefused) as failure:
                error = api_error(failure)
                record.fail(error)
                await _send_error(error, sending)
                return
            manager = await self._manager()
            await manager.handle_request({**scope, RECORD: record}, receive, sending)
        finally:
            record.status = status
            await asyncio.shield(record.save())


def security_headers() -> list[tuple[bytes, bytes]]:
    """The headers Django's middleware gives every other API response (this app is not Django's)."""
    headers = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY")]
    if settings.SECURE_REFERRER_POLICY:
        headers.append((b"referrer-policy", settings.SECURE_REFERRER_POLICY.encode()))
    if settings.LAWBOT_CSP:
        headers.append((b"content-security-policy", settings.LAWBOT_CSP.encode()))
    return headers


async def _send_error(error: ApiError, send) -> None:
    body = json.dumps(error.body(), ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in error.headers.items()),
    ]
    if error.status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="lawbot"'))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


mcp_endpoint = McpEndpoint()
