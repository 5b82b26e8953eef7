"""Full-text search over many articles: p50 and p95 per language.

    python -m bench.search [--database-url URL] [--articles 100000] [--runs 100]

Builds the agreement dataset and the articles (bench/dataset.py) in a fresh database, then
times the search service (ranked, with snippets, 20 a page) for Persian, Russian and English
queries of one and two words, written in other spellings than the articles use.
"""

from __future__ import annotations

import statistics
import time

from sqlalchemy.orm import Session

from bench.dataset import arguments, build, fresh_database
from tracker.services.fulltext import search

QUERIES = {
    "fa": ["حاكميت", "توافقنامه امضا", "مجلس"],  # Arabic kaf and yeh for Persian ones
    "ru": ["РАТИФИЦИРОВАЛА", "договор партнерстве", "Госдума"],
    "en": ["Treaty", "strategic partnership", "ratification"],
}


def report(engine, runs: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Markdown: p50 and p95 of each query, with its number of hits."""
    lines = ["| language | query | hits | p50 (ms) | p95 (ms) |", "|---|---|---|---|---|"]
    with Session(engine) as session:
        for language, queries in QUERIES.items():
            for query in queries:
                samples = []
                for _ in range(5):
                    search(session, query, kind="article", limit=20)
                for _ in range(runs):
                    start = time.perf_counter()
                    _hits, total = search(session, query, kind="article", limit=20)
                    samples.append((time.perf_counter() - start) * 1000)
                p95 = statistics.quantiles(samples, n=20)[18]
                p50 = statistics.median(samples)
                lines.append(f"| {language} | {query} | {total:,} | {p50:.1f} | {p95:.1f} |")
    return lines


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with fresh_database(args.database_url) as (_url, engine):
        started = time.perf_counter()
        made = build(engine, agreements=1000, articles=args.articles)
        built = time.perf_counter() - started
        print(
            f"Engine: {engine.dialect.name}; {made['articles']:,} articles "
            f"(built in {built:.0f} s); {args.runs} runs per query"
        )
        print("\n".join(report(engine, args.runs)))


if __name__ == "__main__":
    main()
