"""A loopback TCP proxy a test can cut, to take a shared server (PostgreSQL) away from one app only, or
that loses one reply (`lose_reply_to`), to show what a client does when a command ran unanswered, or
that closes the connections left idle (`close_idle`) as a server's keep-alive timeout does, or that answers
Redis commands with an error reply in the server's place (`refuse_requests`), or has Redis refuse some
commands of a request, a pipeline's among them (`refuse_commands`), or goes away as one is sent
(`cut_at`), or holds one request back until the test lets it go (`hold_next`: another writer's first), or
drops a pipeline's connection after its first reply (`answer_first_then_drop`), or lets one command run and
holds its reply back until the test lets it go (`hold_reply_to`: an answer that is late).
`proxied` puts one in front of a server named by its URL; `resp_command` tells a Redis request by its
command and arguments."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._lose_after: bytes | Callable[[bytes], bool] | None = None
        self._losses_left = 0
        self._drop_before: bytes | None = None
        self._keep_head = False
        self._cut_after_loss = False
        self._refused: tuple[Callable[[bytes], bool], bytes] | None = None
        self._refused_commands: tuple[Callable[[bytes], bool], bytes] | None = None
        self._cut_at: Callable[[bytes], bool] | None = None
        self._hold: Callable[[bytes], bool] | None = None
        self._first_only: Callable[[bytes], bool] | None = None
        self._hold_reply: Callable[[bytes], bool] | None = None
        self.held = asyncio.Event()  # the request `hold_next` waits for arrived, and waits
        self._let_go = asyncio.Event()
        self._idle_closed: set[asyncio.StreamWriter] = set()
        self.replies_lost = 0
        self.requests: list[bytes] = []  # every request that reached the server, in order
        self.requests_refused = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def lose_reply_to(self, marker: bytes | Callable[[bytes], bool], times: int = 1, *, keep_head: bool = False,
                      then_cut: bool = False) -> None:
        """Once (or `times` in a row): the next request containing `marker` (or `marker` matches: a Redis
        command by `resp_command`) reaches the server, and its
        connection is dropped when the server answers, the answer thrown away (the command ran; the
        client never hears so), but for its HTTP head with `keep_head`. aiohttp repeats a GET whose
        connection dropped once: losing its answer takes two. `then_cut`: the proxy is `cut` with the
        answer (the server gone just after it ran the command: asked again, the client finds nobody)."""
        self._lose_after, self._losses_left, self._keep_head = marker, times, keep_head
        self._cut_after_loss = then_cut

    def close_idle(self) -> None:
        """The server's keep-alive timeout closes every connection open now, and the client has not seen
        it yet (the close crosses its next request, or a middlebox forgot the connection): the next
        request on one of them reaches nobody, its connection closed before any byte of an answer."""
        self._idle_closed |= self._writers

    def lose_request_to(self, marker: bytes) -> None:
        """Once: the next request containing `marker` never reaches the server, its connection dropped
        (nothing ran; the client, having sent it, cannot tell from a reply lost)."""
        self._drop_before = marker

    def refuse_requests(self, matching: Callable[[bytes], bool] | None, error: bytes = b"") -> None:
        """Until called with None: each request `matching` never reaches the server, and the proxy answers
        it with the RESP error reply `error` (Redis out of memory, a read-only replica: a refusal, not an
        outage). For requests of one command each."""
        self._refused = None if matching is None else (matching, error)

    def refuse_commands(self, matching: Callable[[bytes], bool] | None, error: bytes = b"") -> None:
        """Until called with None: each Redis command `matching`, alone or in a pipeline, is replaced on its
        way by a script that has Redis answer the error reply `error` in its place (a refusal, in order
        among the pipeline's other replies: those commands run). For requests sent whole at once."""
        self._refused_commands = None if matching is None else (matching, error)

    def hold_next(self, matching: Callable[[bytes], bool]) -> None:
        """Once: the next request `matching` waits in the proxy (`held` set) until `let_go`, then reaches
        the server: what the test does meanwhile lands first, as another writer's would."""
        self._hold = matching
        self.held.clear()
        self._let_go.clear()

    def answer_first_then_drop(self, matching: Callable[[bytes], bool]) -> None:
        """Once: of the next Redis pipeline `matching`, only the first command reaches the server; its reply
        waits in the proxy (`held` set) until `let_go`, then reaches the client and the connection drops
        (the client read one reply; the others, it cannot tell, may have run)."""
        self._first_only = matching
        self.held.clear()
        self._let_go.clear()

    def hold_reply_to(self, matching: Callable[[bytes], bool]) -> None:
        """Once: the next request `matching` reaches the server (the command runs), and its reply waits in
        the proxy (`held` set) until `let_go`: the caller is still waiting for an answer that is late."""
        self._hold_reply = matching
        self.held.clear()
        self._let_go.clear()

    def let_go(self) -> None:
        self._let_go.set()

    def cut_at(self, matching: Callable[[bytes], bool]) -> None:
        """Once: the next request `matching` never reaches the server, and the proxy is `cut` then (the
        server gone just as the client sent it: nothing ran, and reconnecting fails until `start`)."""
        self._cut_at = matching

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        losing = asyncio.Event()  # this connection's next reply is lost
        dropping = asyncio.Event()  # this connection drops after its next reply
        holding = asyncio.Event()  # this connection's next reply waits for `let_go`
        await asyncio.gather(self._pipe(reader, up_writer, losing, dropping, holding, requests=True, client=writer),
                             self._pipe(up_reader, writer, losing, dropping, holding))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, losing: asyncio.Event,
                    dropping: asyncio.Event, holding: asyncio.Event, requests: bool = False,
                    client: asyncio.StreamWriter | None = None) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                if client is not None and self._hold_reply is not None and self._hold_reply(data):
                    self._hold_reply = None
                    holding.set()
                elif not requests and holding.is_set():
                    holding.clear()
                    self.held.set()
                    await self._let_go.wait()
                if client is not None and self._first_only is not None and self._first_only(data):
                    self._first_only = None
                    data = (_resp_commands(data) or [data])[0]
                    dropping.set()
                elif not requests and dropping.is_set():
                    self.held.set()
                    await self._let_go.wait()
                    writer.write(data)
                    await writer.drain()
                    break
                if client is not None and self._cut_at is not None and self._cut_at(data):
                    self._cut_at = None
                    await self.cut()
                    break
                if client is not None and self._refused is not None and self._refused[0](data):
                    client.write(b"-" + self._refused[1] + b"\r\n")
                    await client.drain()
                    continue
                if client is not None and self._hold is not None and self._hold(data):
                    self._hold = None
                    self.held.set()
                    await self._let_go.wait()
                if client is not None and self._refused_commands is not None:
                    data = _with_commands_refused(data, *self._refused_commands)
                if requests and writer in self._idle_closed:
                    self.requests_refused += 1
                    break
                if requests and self._drop_before is not None and self._drop_before in data:
                    self._drop_before = None
                    break
                if requests and self._lose_after is not None and _marked(data, self._lose_after):
                    self._losses_left -= 1
                    self._lose_after = self._lose_after if self._losses_left else None
                    losing.set()
                elif not requests and losing.is_set():
                    self.replies_lost += 1
                    if self._keep_head and b"\r\n\r\n" in data:
                        writer.write(data[:data.index(b"\r\n\r\n") + 4])
                        await writer.drain()
                    if self._cut_after_loss:
                        await self.cut()
                    break
                if requests:
                    self.requests.append(data)
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
        self._writers.discard(writer)
        self._idle_closed.discard(writer)


def _marked(data: bytes, marker: bytes | Callable[[bytes], bool]) -> bool:
    return marker in data if isinstance(marker, bytes) else marker(data)


def _resp_commands(data: bytes) -> list[bytes] | None:
    """`data` split into its Redis commands (arrays of bulk strings), or None if it is not whole."""
    commands, at = [], 0
    try:
        while at < len(data):
            start, end = at, data.index(b"\r\n", at)
            if data[at:at + 1] != b"*":
                return None
            at = end + 2
            for _ in range(int(data[start + 1:end])):
                end = data.index(b"\r\n", at)
                if data[at:at + 1] != b"$":
                    return None
                at = end + 2 + int(data[at + 1:end]) + 2
            if at > len(data):
                return None
            commands.append(data[start:at])
    except ValueError:
        return None
    return commands


def _resp_pack(*parts: bytes) -> bytes:
    return b"*%d\r\n" % len(parts) + b"".join(resp_argument(part) for part in parts)


def resp_argument(value: bytes) -> bytes:
    """`value` as one whole argument of a Redis request, for `resp_command`'s `containing`: a short member
    name ("c1") is found inside the random ids of other commands' arguments (a worker's, a receipt's)
    about once in ten requests, whole it is not."""
    return b"$%d\r\n%s\r\n" % (len(value), value)


def _with_commands_refused(data: bytes, matching: Callable[[bytes], bool], error: bytes) -> bytes:
    """`data` with each command `matching` replaced by a script returning the error reply `error`."""
    commands = _resp_commands(data)
    if commands is None:
        return data
    refusal = _resp_pack(b"EVAL", b"return redis.error_reply([[" + error + b"]])", b"0")
    return b"".join(refusal if matching(command) else command for command in commands)


@contextlib.asynccontextmanager
async def proxied(url: str, default_port: int = 6379) -> AsyncIterator[tuple[str, TcpProxy]]:
    """The server of `url` (Redis, PostgreSQL) behind a new proxy: the URL to give the app instead, and
    the proxy; cut when the block ends."""
    parts = urlsplit(url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or default_port)
    await proxy.start()
    user = f"{parts.username}@" if parts.username else ""
    try:
        yield parts._replace(netloc=f"{user}127.0.0.1:{proxy.port}").geturl(), proxy
    finally:
        await proxy.cut()


def resp_command(name: str, *containing: bytes, times: int | None = None) -> Callable[[bytes], bool]:
    """Matches a request (for `refuse_requests`, `cut_at`, `lose_reply_to`) that is the Redis command `name`
    alone, not in a pipeline, with each of `containing` in its arguments; with `times`, only that many such
    requests."""
    head, left = f"${len(name)}\r\n{name.upper()}\r\n".encode(), [times]

    def matching(request: bytes) -> bool:
        if not (request.startswith(b"*") and request.count(b"\r\n*") == 0
                and request.split(b"\r\n", 1)[1].upper().startswith(head)
                and all(part in request for part in containing)):
            return False
        if left[0] is None:
            return True
        left[0] -= 1
        return left[0] >= 0

    return matching
