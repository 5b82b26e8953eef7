"""The reminder rules over the whole benchmark dataset: one run, timed, statements counted.

python -m bench.rules [--database-url URL] [--agreements 10000]

Target (issue 19): a first run over 100,000 agreements in at most 10 s on each engine, and a
second run at the same instant that creates nothing. The process's CPU time is given beside
the wall-clock time: on a shared machine it moves less (on PostgreSQL it leaves out the
server's own work).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.dataset import arguments, build, fresh_database, statements
from tracker.models import Agreement
from tracker.services.reminders.rules import run

TARGET_SECONDS = 10.0
TARGET_AGREEMENTS = 100_000


def report(engine) -> list[str]:  # type: ignore[no-untyped-def]
    """Markdown: a first run of the rules, then a second at the same instant, and the verdict
    against the target."""
    lines = [
        "| run | time (s) | CPU time (s) | SQL statements | reminders created "
        "| expected events computed |",
        "|---|---|---|---|---|---|",
    ]
    verdicts = []
    for label in ("first", "second (same instant)"):
        with Session(engine) as session, statements(engine) as seen:
            started, cpu = time.perf_counter(), time.process_time()
            result = run(session, now=datetime(2026, 11, 1, tzinfo=UTC))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        lines.append(
            f"| {label} | {elapsed:.2f} | {cpu:.2f} | {len(seen)} | "
            f"{result.created:,} | {result.computed_events:,} |"
        )
        met = elapsed <= TARGET_SECONDS and (label == "first" or result.created == 0)
        verdicts.append(f"{label} run {elapsed:.2f} s: {'met' if met else 'not met'}")
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(Agreement)) or 0
    scope = "" if count >= TARGET_AGREEMENTS else f" (for {TARGET_AGREEMENTS:,}; here {count:,})"
    lines += [
        "",
        f"Target ≤ {TARGET_SECONDS:g} s over {TARGET_AGREEMENTS:,} agreements, the second run "
        f"creating nothing{scope}: " + "; ".join(verdicts) + ".",
    ]
    return lines


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--agreements", type=int, default=10_000)
    args = parser.parse_args()
    with fresh_database(args.database_url) as (_url, engine):
        # No articles: the rules never read them, and 100,000 would take minutes to build.
        made = build(engine, agreements=args.agreements, articles=0)
        print(
            f"Engine: {engine.dialect.name}; {made['agreements']:,} agreements, "
            f"{made['events']:,} events"
        )
        print("\n".join(report(engine)))


if __name__ == "__main__":
    main()
