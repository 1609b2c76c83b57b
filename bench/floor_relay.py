"""The floor for relay overhead: a minimal asyncio relay (no framework, no auth, no retrieval).

It forwards each POST to the upstream and relays its stream, parsing each SSE event with
json.loads and re-encoding it with json.dumps, as any relay that looks at the chunks must.
bench/relay.py starts it with: python bench/floor_relay.py PORT UPSTREAM_HOST UPSTREAM_PORT"""

import asyncio
import json
import sys


async def read_head(reader: asyncio.StreamReader) -> tuple[str, dict]:
    first = (await reader.readline()).decode()
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    return first, headers


async def read_chunked(reader: asyncio.StreamReader):
    while True:
        size = int((await reader.readline()).strip() or b"0", 16)
        if not size:
            return
        yield await reader.readexactly(size)
        await reader.readexactly(2)


async def relay(reader, writer, upstream: tuple[str, int]) -> None:
    try:
        first, headers = await read_head(reader)
        if not first:  # a connection that only checked the port
            return
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        path = first.split(" ")[1]
        up_reader, up_writer = await asyncio.open_connection(*upstream)
        up_writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {upstream[0]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        status, _ = await read_head(up_reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        buffer = b""
        async for data in read_chunked(up_reader):
            buffer += data
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                payload = event.removeprefix(b"data: ")
                if payload != b"[DONE]":
                    payload = json.dumps(json.loads(payload), ensure_ascii=False).encode()
                frame = b"data: " + payload + b"\n\n"
                writer.write(b"%x\r\n%s\r\n" % (len(frame), frame))
                await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        up_writer.close()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main(port: int, host: str, upstream_port: int) -> None:
    server = await asyncio.start_server(
        lambda r, w: relay(r, w, (host, upstream_port)), "127.0.0.1", port, backlog=1024
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
