"""A stand-in OpenAI-compatible LLM server for the tests: plain asyncio HTTP/1.1 in a thread.

It streams a scripted answer (slowly, or held until the test releases it), fails on demand, and
records every request it received and when its client went away."""

import asyncio
import contextlib
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field

ANSWER = ["依勞動基準法", "第 17 條，", "雇主應發給", "資遣費。"]
PROMPT_ARTICLE_RE = re.compile(r"^\[(\d+)\] (\S+) 第 (\S+) 條", re.M)
NOT_SENT = [("中華民國刑法", "271"), ("民法", "1")]  # real articles, cited when not in the prompt


def citing_answer(system: str, *, wrongly: bool) -> list[str]:
    """An answer citing the prompt's articles by [n] and by name, in pieces; `wrongly` adds the
    three kinds of bad citation Lawbot must flag."""
    articles = PROMPT_ARTICLE_RE.findall(system)
    pieces = [f"依{law}第 {number} 條 [{n}]，相關規定如上。" for n, law, number in articles[:2]]
    if wrongly:
        sent = {(law, number) for _, law, number in articles}
        law, number = next(ref for ref in NOT_SENT if ref not in sent)
        pieces += [
            f"另見第 {len(articles) + 3} 項說明 [{len(articles) + 3}]。",
            "依民法第 9999 條，亦同。",
            f"此外{law}第 {number} 條也有規定。",
        ]
    return pieces or ["找不到相關條文。"]


USAGE = {"prompt_tokens": 321, "completion_tokens": 54, "total_tokens": 375}


@dataclass
class Script:
    """What the stand-in does with the next requests.

    fail: "" (answer), "status" (HTTP error before streaming), "error_event" / "garbage" / "die"
    / "truncate" (after `fail_after` deltas), "stall_headers" / "stall_body" (silent until
    released or the client leaves)."""

    deltas: list[str] = field(default_factory=lambda: list(ANSWER))
    delay: float = 0.0  # seconds between deltas
    hold_after: int | None = None  # deltas sent before waiting for release()
    fail: str = ""
    fail_after: int = 1
    status: int = 500
    message: str = "CUDA out of memory"
    finish_reason: str = "stop"
    usage: dict | None = field(default_factory=lambda: dict(USAGE))
    # "": send `deltas`. "rightly": answer from the articles in the system prompt, citing each by
    # its [n] and its law and number. "wrongly": the same, plus a marker past the list, an
    # article that does not exist and a real one that was not in the prompt.
    cite: str = ""
    # Calls of the caller's functions to send (OpenAI `tool_calls`: the first delta with the id,
    # the name and the arguments' first piece, then one delta per further piece, as OpenAI
    # streams them), then finish_reason "tool_calls".
    tool_calls: list[dict] = field(default_factory=list)
    argument_pieces: int = 2  # the pieces each call's arguments are cut into


def argument_pieces(arguments: str, script: Script) -> list[str]:
    """A call's arguments cut into script.argument_pieces nearly equal pieces, as sent."""
    count = max(1, min(script.argument_pieces, len(arguments)))
    cuts = [len(arguments) * i // count for i in range(count + 1)]
    return [arguments[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


@dataclass
class Received:
    body: dict
    headers: dict
    path: str
    at: float = field(default_factory=time.monotonic)
    finished_at: float | None = None  # the response was sent in full
    gone_at: float | None = None  # the client closed the connection before that


class StandInLLM:
    def __init__(self):
        self.script = Script()
        self.requests: list[Received] = []
        self.client_gone = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._release: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    # --- control from the tests ---
    def __enter__(self) -> "StandInLLM":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reset(self, **script) -> None:
        self.script = Script(**script)
        self.requests.clear()
        self.client_gone.clear()
        self._loop.call_soon_threadsafe(self._new_release)

    def release(self) -> None:
        self._loop.call_soon_threadsafe(self._release.set)

    @property
    def last(self) -> Received:
        return self.requests[-1]

    # --- the server ---
    def _new_release(self) -> None:
        self._release = asyncio.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._new_release()
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            method, path, _ = (await reader.readline()).decode().split(" ", 2)
            headers = {}
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            raw = await reader.readexactly(int(headers.get("content-length", 0)))
        except (ValueError, asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        received = Received(json.loads(raw or b"{}"), headers, path)
        if method == "POST" and path.endswith("/chat/completions"):
            self.requests.append(received)
        respond = asyncio.ensure_future(self._respond(writer, received, self.script))
        # The request is all the client sends (Connection: close), so EOF means it went away.
        gone = asyncio.ensure_future(reader.read(1))
        await asyncio.wait({respond, gone}, return_when=asyncio.FIRST_COMPLETED)
        if not respond.done():
            received.gone_at = time.monotonic()
            self.client_gone.set()
            respond.cancel()
        gone.cancel()
        with contextlib.suppress(BaseException):
            await respond
        writer.close()

    async def _respond(self, writer: asyncio.StreamWriter, received: Received, script: Script):
        body = received.body
        if script.fail == "status":
            payload = {"error": {"message": script.message, "type": "server_error", "code": None}}
            data = json.dumps(payload).encode()
            writer.write(
                f"HTTP/1.1 {script.status} Error\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
                + data
            )
            await writer.drain()
            received.finished_at = time.monotonic()
            return
        if script.fail == "stall_headers":
            await self._release.wait()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()

        async def send(data: str) -> None:
            frame = f"data: {data}\n\n".encode()
            writer.write(b"%x\r\n%s\r\n" % (len(frame), frame))
            await writer.drain()

        def chunk(delta: dict, finish_reason=None, **extra) -> str:
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
            return json.dumps(
                {
                    "id": "chatcmpl-standin",
                    "object": "chat.completion.chunk",
                    "created": 1,
                    "model": body.get("model"),
                    "choices": [choice],
                    **extra,
                }
            )

        await send(chunk({"role": "assistant", "content": ""}))
        deltas = script.deltas
        if script.cite:
            system = next(
                (m["content"] for m in body.get("messages", []) if m.get("role") == "system"), ""
            )
            deltas = citing_answer(system, wrongly=script.cite == "wrongly")
        for sent, delta in enumerate(deltas):
            if sent == script.fail_after and script.fail:
                break
            if sent == script.hold_after:
                await self._release.wait()
            if script.delay:
                await asyncio.sleep(script.delay)
            await send(chunk({"content": delta}))
        for index, call in enumerate(script.tool_calls):
            head = {"index": index, "id": call["id"], "type": "function"}
            for number, piece in enumerate(argument_pieces(call["arguments"], script)):
                if number == 0:
                    delta = {**head, "function": {"name": call["name"], "arguments": piece}}
                else:
                    delta = {"index": index, "function": {"arguments": piece}}
                await send(chunk({"tool_calls": [delta]}))
        if script.tool_calls:
            script.finish_reason = "tool_calls"
        if script.fail == "error_event":
            await send(json.dumps({"error": {"message": script.message, "type": "server_error"}}))
        elif script.fail == "garbage":
            await send("{this is not json")
        elif script.fail == "die":
            writer.transport.abort()
            return
        elif script.fail == "stall_body":
            await self._release.wait()
        if script.fail != "truncate":
            await send(chunk({}, script.finish_reason))
            if script.usage and (body.get("stream_options") or {}).get("include_usage"):
                await send(
                    json.dumps({"id": "chatcmpl-standin", "choices": [], "usage": script.usage})
                )
            await send("[DONE]")
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        received.finished_at = time.monotonic()


def refused_url() -> str:
    """A base URL where nothing listens: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
