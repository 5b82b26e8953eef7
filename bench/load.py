"""Throughput under concurrent load, and a peer: Datasette serving the same listing.

    python -m bench.load [--database-url URL] [--seconds 20] [--connections 16]

Serves the app with gunicorn (4 sync workers) on a database holding the benchmark dataset and
drives it from a load generator in this process on loopback: for a bounded time, that many
connections send API requests (the first page of agreements, a filtered page, random agreement
details) with a viewer's token, one after another. Reports requests per second, latency
percentiles and the errors (any answer but 200, any failed connection).

With SQLite (the default), it also starts Datasette on the same database file and sets the
app's list of agreements against the same listing served by Datasette as one SQL query: the
app as deployed (a repeated list answered from its cache of list pages,
tracker.api.page_cache) and with that cache off (TRACKER_LIST_CACHE_SIZE=0).
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, text

from bench.dataset import arguments, build, fresh_database
from tracker import create_app
from tracker.services.accounts.users import create_token, create_user

ROOT = Path(__file__).resolve().parents[1]
# The API's first page as one SQL statement, for Datasette: JSON columns stay text there.
PEER_SQL = """
SELECT a.id, a.title, a.titles, a.kind, a.summary, a.entry_into_force_days, a.duration_years,
       a.created_at, a.updated_at, s.derived,
       (SELECT json_group_array(ap.party_code) FROM agreement_party ap
        WHERE ap.agreement_id = a.id) AS parties,
       (SELECT json_group_array(t.topic) FROM agreement_topic t
        WHERE t.agreement_id = a.id) AS topics,
       (SELECT count(*) FROM agreement WHERE deleted_at IS NULL) AS total
FROM agreement a LEFT JOIN agreement_state s ON s.agreement_id = a.id
WHERE a.deleted_at IS NULL ORDER BY a.updated_at DESC, a.id DESC LIMIT 50
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped at start (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered on port {port}")


@contextmanager
def serve(
    command: list[str], port: int, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> Iterator[None]:
    """Run `command` from `cwd` (this tree by default) while the block runs, once `port`
    answers."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=os.environ | (env or {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port, process)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def gunicorn(url: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "app:app",
    ]


APP_ENV = {"TRACKER_SECRET_KEY": "bench", "TRACKER_ENV": "production"}


async def _get(port: int, path: str, headers: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n".encode()
    )
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    return int(data[9:12])


def load(
    port: int,
    paths: Callable[[random.Random], str],
    *,
    connections: int,
    seconds: float,
    token: str | None = None,
) -> dict[str, float]:
    """`connections` clients sending requests back to back for `seconds`; the figures."""
    headers = f"Authorization: Bearer {token}\r\n" if token else ""
    latencies: list[float] = []
    errors = 0

    async def client(seed: int, deadline: float) -> None:
        nonlocal errors
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = await _get(port, paths(rng), headers) == 200
            except (OSError, ValueError):
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok

    async def main() -> float:
        for _ in range(20):  # warm-up: every worker opens its connections
            await _get(port, paths(random.Random(0)), headers)
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(client(n, deadline) for n in range(connections)))
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": cuts[94],
        "p99": cuts[98],
        "max": max(latencies),
        "errors": errors,
    }


def viewer_token(url: str) -> str:
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url})
    with app.app_context():
        from tracker.db import get_session

        user = create_user(get_session(), f"load{time.time_ns()}@example.org", role="viewer")
        token = create_token(get_session(), user)[1]
    app.extensions["tracker.engine"].dispose()
    return token


def api_mix(top: int) -> Callable[[random.Random], str]:
    """Four in ten: the first page; two: a filtered page; four: an agreement's detail."""

    def pick(rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.4:
            return "/api/v1/agreements?page_size=50"
        if roll < 0.6:
            return f"/api/v1/agreements?stage=ratification&page={rng.randint(1, 20)}"
        return f"/api/v1/agreements/{rng.randint(1, top)}"

    return pick


ROW = (
    "| {label} | {requests:,} | {rps:.0f} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {max:.0f} "
    "| {errors} |"
)
HEAD = [
    "| server, requests | requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | errors |",
    "|---|---|---|---|---|---|---|---|",
]


def report_load(url: str, engine: Engine, *, seconds: float, connections: int) -> list[str]:
    """Markdown: gunicorn with 4 workers under `connections` concurrent clients."""
    token = viewer_token(url)
    with engine.connect() as connection:
        top = connection.execute(text("SELECT max(id) FROM agreement")).scalar()
    port = free_port()
    with serve(gunicorn(url, port, 4), port, APP_ENV | {"TRACKER_DATABASE_URL": url}):
        figures = load(port, api_mix(top), connections=connections, seconds=seconds, token=token)
    label = f"gunicorn, 4 workers; API mix, {connections} connections, {seconds:.0f} s"
    return HEAD + [ROW.format(label=label, **figures)]


def report_peer(url: str, *, seconds: float) -> list[str]:
    """Markdown: the first page of agreements from the app (gunicorn, 1 worker) and the same
    listing from Datasette (one process), both on the same SQLite file, one connection at a time
    and eight at once. The app twice: as deployed, a repeated list answered from its cache of
    list pages (tracker.api.page_cache), and with that cache off, building every answer as
    Datasette does."""
    path = url.removeprefix("sqlite:///")
    token = viewer_token(url)
    ours, theirs = free_port(), free_port()
    peer_path = f"/{Path(path).stem}.json?_shape=array&sql={quote(PEER_SQL)}"
    lines = list(HEAD)
    uncached = free_port()
    with (
        serve(gunicorn(url, ours, 1), ours, APP_ENV | {"TRACKER_DATABASE_URL": url}),
        serve(
            gunicorn(url, uncached, 1),
            uncached,
            APP_ENV | {"TRACKER_DATABASE_URL": url, "TRACKER_LIST_CACHE_SIZE": "0"},
        ),
        serve(
            [
                sys.executable,
                "-m",
                "datasette",
                "serve",
                path,
                "-p",
                str(theirs),
                "--setting",
                "sql_time_limit_ms",
                "5000",
            ],
            theirs,
        ),
    ):
        for connections in (1, 8):
            figures = load(
                ours,
                lambda _rng: "/api/v1/agreements?page_size=50",
                connections=connections,
                seconds=seconds,
                token=token,
            )
            lines.append(
                ROW.format(label=f"Treaty Tracker API, 1 worker; {connections} conn.", **figures)
            )
            figures = load(
                uncached,
                lambda _rng: "/api/v1/agreements?page_size=50",
                connections=connections,
                seconds=seconds,
                token=token,
            )
            label = f"Treaty Tracker API, list cache off, 1 worker; {connections} conn."
            lines.append(ROW.format(label=label, **figures))
            figures = load(theirs, lambda _rng: peer_path, connections=connections, seconds=seconds)
            lines.append(ROW.format(label=f"Datasette, same SQL; {connections} conn.", **figures))
    return lines


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with fresh_database(args.database_url) as (url, engine):
        made = build(engine, agreements=args.agreements)
        print(f"Engine: {engine.dialect.name}; {made['agreements']:,} agreements")
        print(
            "\n".join(report_load(url, engine, seconds=args.seconds, connections=args.connections))
        )
        if engine.dialect.name == "sqlite":
            print()
            print("\n".join(report_peer(url, seconds=args.seconds / 2)))


if __name__ == "__main__":
    main()
