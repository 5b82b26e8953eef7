"""Digest generation for many subscribers over the benchmark dataset.

    python -m bench.digests [--database-url URL] [--subscribers 1000] [--articles N]
                            [--keep FILE]

Builds the dataset (bench/dataset.py) with its subscribers in five time zones (a third with
a watchlist), then builds and renders every subscriber's digest for one week, counting SQL
statements with an engine event. Run with 100 and 1,000 subscribers, the statement count
shows that it does not grow per subscriber. With --keep FILE the SQLite dataset is built
into FILE once and reused by later runs (delete the file to rebuild it).
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy.orm import Session

from bench.dataset import arguments, fresh_database, statements
from bench.dataset import build as build_dataset
from tracker.db import make_engine
from tracker.services.digests import weekly

WEEK = "2025-W16"


def measure(engine, count: int) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        users = weekly.subscribers(session)[:count]
        with statements(engine) as seen:
            started = time.perf_counter()
            built = weekly.build(
                session, users, {u.id: WEEK for u in users}, "https://tracker.example"
            )
            elapsed = time.perf_counter() - started
    return elapsed, len(seen), len(built)


def report(engine, subscribers: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Markdown: digests for a tenth of the subscribers and for all of them."""
    lines = [
        f"Week {WEEK}; digests built and rendered (HTML and text):",
        "",
        "| subscribers | time (s) | SQL statements | digests built |",
        "|---|---|---|---|",
    ]
    for count in sorted({max(1, subscribers // 10), subscribers}):
        elapsed, statements, built = measure(engine, count)
        lines.append(f"| {count:,} | {elapsed:.2f} | {statements} | {built:,} |")
    return lines


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument(
        "--articles", type=int, default=0, help="articles in the dataset (make bench: 100000)"
    )
    parser.add_argument(
        "--keep", type=Path, help="SQLite file to build the dataset into once and reuse"
    )
    args = parser.parse_args()
    if args.keep:
        reused = args.keep.exists()
        engine = make_engine(f"sqlite:///{args.keep.resolve()}")
        try:
            if not reused:
                build_dataset(engine, users=args.subscribers, articles=args.articles)
            print(f"Engine: sqlite ({'reused' if reused else 'built'} {args.keep})")
            print("\n".join(report(engine, args.subscribers)))
        finally:
            engine.dispose()
        return
    with fresh_database(args.database_url) as (_url, engine):
        made = build_dataset(engine, users=args.subscribers, articles=args.articles)
        print(
            f"Engine: {engine.dialect.name}; {made['agreements']:,} agreements, "
            f"{made['events']:,} events, {made['articles']:,} articles"
        )
        print("\n".join(report(engine, args.subscribers)))


if __name__ == "__main__":
    main()
