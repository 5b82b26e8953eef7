"""Full-text search over many articles: p50 and p95 per language.

    python -m bench.search [--database-url URL] [--articles 100000] [--runs 100]

Builds the agreement dataset and the articles (bench/dataset.py) in a fresh database, then
times the search service (ranked, with snippets, 20 a page) for Persian, Russian and English
queries of one and two words, written in other spellings than the articles use.
"""

from __future__ import annotations

import statistics
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.dataset import add_articles, arguments, build, fresh_database
from tracker.services.search import search

QUERIES = {
    "fa": ["حاكميت", "توافقنامه امضا", "مجلس"],  # Arabic kaf and yeh for Persian ones
    "ru": ["РАТИФИЦИРОВАЛА", "договор партнерстве", "Госдума"],
    "en": ["Treaty", "strategic partnership", "ratification"],
}


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with fresh_database(args.database_url) as (_url, engine):
        started = time.perf_counter()
        build(engine, agreements=1000)
        made = add_articles(engine, args.articles)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        built = time.perf_counter() - started
        print(
            f"Engine: {engine.dialect.name}; {made:,} articles (built in {built:.0f} s); "
            f"{args.runs} runs per query"
        )
        print("| language | query | hits | p50 (ms) | p95 (ms) |")
        print("|---|---|---|---|---|")
        with Session(engine) as session:
            for language, queries in QUERIES.items():
                for query in queries:
                    samples = []
                    for _ in range(5):
                        search(session, query, kind="article", limit=20)
                    for _ in range(args.runs):
                        start = time.perf_counter()
                        hits, total = search(session, query, kind="article", limit=20)
                        samples.append((time.perf_counter() - start) * 1000)
                    p95 = statistics.quantiles(samples, n=20)[18]
                    p50 = statistics.median(samples)
                    print(f"| {language} | {query} | {total:,} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
