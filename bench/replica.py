"""What routing reads to a replica costs a request (TRACKER_READ_DATABASE_URL).

    python -m bench.replica [--database-url URL] [--agreements 2000] [--runs 300] [--cpu]

In one process, through the Flask test client with a viewer's bearer token, the API's first
page of agreements and the detail of random agreements, under three settings of the same
app on the same database:

- primary only: no TRACKER_READ_DATABASE_URL;
- replica: TRACKER_READ_DATABASE_URL naming the same database again (a second engine and
  pool), so that the difference is the routing's own cost, not another server's speed;
- replica unreachable: a replica that refuses connections (PostgreSQL: a closed port;
  SQLite: a file in a folder that does not exist), once it is marked down: the fallback's
  cost on every request while the replica is away.

The settings take turns in rounds (a round of each, five times), so that the machine's load
weighs on all three alike. Prints p50 and p95 in ms and the ratio to the primary alone.
With `--cpu`, the times are this process's CPU time (`time.process_time`), which the other
work of a busy machine hardly moves; on PostgreSQL that leaves out the server's own time.
"""

from __future__ import annotations

import logging
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bench.dataset import arguments, build, fresh_database
from tracker import create_app
from tracker.services.accounts.users import create_token, create_user

ROUNDS = 5


def _app(url: str, read_url: str) -> Flask:
    config: dict[str, Any] = {"SECRET_KEY": "bench", "DATABASE_URL": url}
    if read_url:
        config["READ_DATABASE_URL"] = read_url
    return create_app(config)


def _unreachable(engine: Engine) -> str:
    if engine.dialect.name == "postgresql":
        return "postgresql+psycopg://postgres@127.0.0.1:1/replica"
    return "sqlite:////nonexistent-folder/replica.sqlite3"


def measure(
    url: str, engine: Engine, runs: int, clock: Callable[[], float] = time.perf_counter
) -> dict[tuple[str, str], list[float]]:
    """{(setting, request): [ms per request]}."""
    with engine.begin() as connection:
        ids = list(connection.scalars(text("SELECT id FROM agreement WHERE deleted_at IS NULL")))
    with Session(engine, expire_on_commit=False) as session:
        token = create_token(session, create_user(session, "bench@example.org", role="viewer"))[1]
    headers = {"Authorization": f"Bearer {token}"}
    settings = {
        "primary only": _app(url, ""),
        "replica (the same database)": _app(url, url),
        "replica unreachable": _app(url, _unreachable(engine)),
    }
    rng = random.Random(3)
    requests: dict[str, Callable[[], str]] = {
        "list: first page": lambda: "/api/v1/agreements",
        "detail": lambda: f"/api/v1/agreements/{rng.choice(ids)}",
    }
    # The fallback warns once per 30 s of an unreachable replica; not a figure.
    logging.getLogger("tracker.db").setLevel(logging.ERROR)
    times: dict[tuple[str, str], list[float]] = {}
    clients = {name: app.test_client() for name, app in settings.items()}
    for client in clients.values():  # warm up: pools, caches, the replica marked down
        for path in requests.values():
            for _ in range(5):
                assert client.get(path(), headers=headers).status_code == 200
    per_round = max(1, runs // ROUNDS)
    for _ in range(ROUNDS):
        for name, client in clients.items():
            for label, path in requests.items():
                bucket = times.setdefault((name, label), [])
                for _ in range(per_round):
                    target = path()
                    started = clock()
                    answer = client.get(target, headers=headers)
                    bucket.append((clock() - started) * 1000)
                    assert answer.status_code == 200, answer.status_code
    for app in settings.values():
        app.extensions["tracker.engine"].dispose()
        if "tracker.read_engine" in app.extensions:
            app.extensions["tracker.read_engine"].dispose()
    return times


def report(times: dict[tuple[str, str], list[float]]) -> list[str]:
    lines = [
        "| setting | request | p50 | p95 | p50 / primary only |",
        "|---|---|---|---|---|",
    ]
    for (name, label), values in times.items():
        p50 = statistics.median(values)
        p95 = statistics.quantiles(values, n=20)[-1]
        base = statistics.median(times[("primary only", label)])
        lines.append(f"| {name} | {label} | {p50:.2f} | {p95:.2f} | {p50 / base:.2f}x |")
    return lines


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--agreements", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--cpu", action="store_true", help="time the process's CPU, not the wall")
    args = parser.parse_args()
    with fresh_database(args.database_url) as (url, engine):
        made = build(engine, agreements=args.agreements)
        print(
            f"Engine: {engine.dialect.name}; {made['agreements']:,} agreements; "
            f"{args.runs} timed requests per setting and request; "
            f"{'CPU' if args.cpu else 'wall-clock'} times in ms."
        )
        clock = time.process_time if args.cpu else time.perf_counter
        print("\n".join(report(measure(url, engine, args.runs, clock))))


if __name__ == "__main__":
    main()
