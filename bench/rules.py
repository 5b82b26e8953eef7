"""The reminder rules over the whole benchmark dataset: one run, timed, statements counted.

python -m bench.rules [--database-url URL] [--agreements 10000]
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bench.dataset import arguments, build, fresh_database, statements
from tracker.services.reminders.rules import run


def report(engine) -> list[str]:  # type: ignore[no-untyped-def]
    """Markdown: a first run of the rules, then a second at the same instant."""
    lines = [
        "| run | time (s) | SQL statements | reminders created | expected events computed |",
        "|---|---|---|---|---|",
    ]
    for label in ("first", "second (same instant)"):
        with Session(engine) as session, statements(engine) as seen:
            started = time.perf_counter()
            result = run(session, now=datetime(2026, 11, 1, tzinfo=UTC))
            elapsed = time.perf_counter() - started
        lines.append(
            f"| {label} | {elapsed:.2f} | {len(seen)} | "
            f"{result.created:,} | {result.computed_events:,} |"
        )
    return lines


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--agreements", type=int, default=10_000)
    args = parser.parse_args()
    with fresh_database(args.database_url) as (_url, engine):
        made = build(engine, agreements=args.agreements)
        print(
            f"Engine: {engine.dialect.name}; {made['agreements']:,} agreements, "
            f"{made['events']:,} events"
        )
        print("\n".join(report(engine)))


if __name__ == "__main__":
    main()
