"""A small HTTP/1.1 client over asyncio streams, for the ballots benchmarks' phones (loopback only)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from http.cookies import SimpleCookie

HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 60.0


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    def cookies(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        for k, v in self.headers:
            if k.lower() == "set-cookie":
                parsed: SimpleCookie = SimpleCookie()
                parsed.load(v)
                jar.update({name: morsel.value for name, morsel in parsed.items()})
        return jar


async def _read_response(reader: asyncio.StreamReader) -> Response:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed before a response")
    status = int(status_line.split()[1])
    headers = []
    while True:
        line = (await reader.readline()).decode("latin-1").rstrip("\r\n")
        if not line:
            break
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    resp = Response(status, headers, b"")
    if resp.header("Transfer-Encoding").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        resp.body = b"".join(chunks)
    elif resp.header("Content-Length"):
        resp.body = await reader.readexactly(int(resp.header("Content-Length")))
    else:
        resp.body = await reader.read()
    return resp


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"",
                      close: bool = False) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "User-Agent: dianti-bench"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method == "POST":
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        if close:
            lines.append("Connection: close")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        resp = await asyncio.wait_for(_read_response(self.reader), REQUEST_TIMEOUT_S)
        if close or resp.header("Connection").lower() == "close":
            await self.close()
        return resp

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())
