"""The reminder rules over the whole benchmark dataset: one run, timed, statements counted.

python -m bench.rules [--database-url URL] [--agreements 10000]
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from bench.dataset import arguments, build, fresh_database
from tracker.services.reminder_rules import run


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--agreements", type=int, default=10_000)
    args = parser.parse_args()
    with fresh_database(args.database_url) as (_url, engine):
        made = build(engine, agreements=args.agreements)
        statements = 0

        def count(*_args) -> None:  # type: ignore[no-untyped-def]
            nonlocal statements
            statements += 1

        event.listen(engine, "before_cursor_execute", count)
        print(
            f"Engine: {engine.dialect.name}; {made['agreements']:,} agreements, "
            f"{made['events']:,} events"
        )
        print("| run | time (s) | SQL statements | reminders created | expected events computed |")
        print("|---|---|---|---|---|")
        for label in ("first", "second (same instant)"):
            statements = 0
            with Session(engine) as session:
                started = time.perf_counter()
                report = run(session, now=datetime(2026, 11, 1, tzinfo=UTC))
                elapsed = time.perf_counter() - started
            print(
                f"| {label} | {elapsed:.2f} | {statements} | "
                f"{report.created:,} | {report.computed_events:,} |"
            )


if __name__ == "__main__":
    main()
