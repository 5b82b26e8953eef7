"""Digest generation for many subscribers over the benchmark dataset.

    python -m bench.digests [--database-url URL] [--subscribers 1000]

Builds the dataset (bench/dataset.py), adds subscribers in five time zones (a third with a
watchlist), then builds and renders every subscriber's digest for one week, counting SQL
statements with an engine event. Run with 100 and 1,000 subscribers, the statement count
shows that it does not grow per subscriber.
"""

from __future__ import annotations

import random
import time

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from bench.dataset import arguments, fresh_database
from bench.dataset import build as build_dataset
from tracker.models import User
from tracker.services import weekly

ZONES = ["UTC", "Asia/Tehran", "Europe/Moscow", "Asia/Pyongyang", "America/New_York"]
WEEK = "2025-W16"
PARTIES = ["RUS", "IRN", "CHN", "PRK", "BLR", "IND"]


def add_subscribers(engine, count: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    rows = []
    for n in range(count):
        watch = n % 3 == 0
        rows.append(
            {
                "email": f"subscriber{n}@example.org",
                "display_name": "",
                "role": "viewer",
                "timezone": ZONES[n % len(ZONES)],
                "show_jalali": False,
                "digest_mode": "watchlist" if watch else "everything",
                "digest_watchlist": {
                    "parties": rng.sample(["RUS", "IRN", "CHN", "PRK", "BLR", "IND"], 2),
                    "topics": ["energy"],
                }
                if watch
                else {},
                "digest_send_empty": True,
                "is_active": True,
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(User), rows)


def measure(engine, count: int) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    statements = 0

    def count_statement(*_args) -> None:  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1

    with Session(engine) as session:
        users = weekly.subscribers(session)[:count]
        event.listen(engine, "before_cursor_execute", count_statement)
        started = time.perf_counter()
        built = weekly.build(session, users, {u.id: WEEK for u in users}, "https://tracker.example")
        elapsed = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count_statement)
    return elapsed, statements, len(built)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    args = parser.parse_args()
    with fresh_database(args.database_url) as (_url, engine):
        made = build_dataset(engine)
        add_subscribers(engine, args.subscribers)
        print(
            f"Engine: {engine.dialect.name}; {made['agreements']:,} agreements, "
            f"{made['events']:,} events; week {WEEK}"
        )
        print("| subscribers | time (s) | SQL statements | digests built |")
        print("|---|---|---|---|")
        for count in sorted({max(1, args.subscribers // 10), args.subscribers}):
            elapsed, statements, built = measure(engine, count)
            print(f"| {count:,} | {elapsed:.2f} | {statements} | {built:,} |")


if __name__ == "__main__":
    main()
