"""One deadline for a whole HTTP exchange: an httpx transport on which every connect, TLS
handshake, read and write waits at most for the time the exchange has left.

httpx's own timeouts apply per network operation, so a page that sends a byte every few
seconds never trips them; fetching an article (fetching.py) needs the whole fetch, redirects
included, to end on time.
"""

from __future__ import annotations

import functools
import ssl
import time
from typing import Any

import httpcore
import httpx


class Deadline:
    """The moment the whole fetch must be over; every network wait is cut to what is left."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise error("the time for the whole fetch is over")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._deadline.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, wait), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own network backend, with every connect, read and write bounded by the
    deadline (httpx's timeouts apply per read: a byte every few seconds never trips them)."""

    def __init__(self, deadline: Deadline) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        wait = self._deadline.left(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, wait, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("no Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every fetch: loading the system's certificates takes ~30 ms, which a
    polling round would pay for each of its hundreds of requests. A context is safe to share
    between threads."""
    return httpx.create_ssl_context(trust_env=False)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport, verifying TLS, ignoring the environment's proxies, on the backend
    that keeps the deadline."""

    def __init__(self, deadline: Deadline) -> None:
        context = _tls_context()
        super().__init__(verify=context, trust_env=False)
        # The pool httpx would make, on the backend that keeps the deadline. No connection is
        # kept for the next hop: it is keyed by the checked address, and a TLS connection
        # verified for one name must not carry a request for another name at that address.
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_keepalive_connections=0,
            network_backend=_DeadlineBackend(deadline),
        )
