"""A realistic dataset for the benchmarks, written fast with bulk inserts.

10,000 agreements between 2-6 of 60 states, 6 stage events each on average (a lifecycle
that stops at a random stage, with per-party ratification steps), topics, then the
lifecycle cache derived for every agreement through the real service.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, insert, make_url, select, text
from sqlalchemy.orm import Session

from tracker import migrate
from tracker.db import make_engine
from tracker.models import (
    Agreement,
    AgreementParty,
    AgreementTopic,
    EvidenceArticle,
    Party,
    StageEvent,
    User,
)
from tracker.services.agreements import state
from tracker.services.data.seed import load_seed
from tracker.text.normalise import normalise

TOPICS = ["defence", "trade", "energy", "transport", "nuclear", "finance", "space", "health"]
KINDS = ["treaty", "agreement", "memorandum", "declaration", "protocol", "roadmap"]
WORDS = "strategic partnership cooperation comprehensive security economic transit energy".split()
CHAIN = ["submitted", "committee", "lower_house", "upper_house", "head_of_state", "notification"]


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's command line, with the --database-url every benchmark takes."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", help="PostgreSQL URL (emptied first); default a temporary SQLite file"
    )
    return parser


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` runs inside the block (the list fills as they run)."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


@contextmanager
def fresh_database(database_url: str | None) -> Iterator[tuple[str, Engine]]:
    """(url, engine) of an empty database: the PostgreSQL one given, emptied, or a temporary
    SQLite file removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        try:
            yield url, engine
        finally:
            engine.dispose()


def database_beside(url: str, suffix: str) -> str:
    """The URL of `<name>_<suffix>` on the same PostgreSQL server as `url`, created when
    missing (a benchmark that needs several databases keeps them beside the one given)."""
    base = make_url(url)
    name = f"{base.database}_{suffix}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not found:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def build(
    engine: Engine,
    agreements: int = 10_000,
    events_per_agreement: float = 6.7,
    seed: int = 7,
    *,
    articles: int = 0,
    users: int = 0,
) -> dict[str, int]:
    """Migrate, seed, and add the synthetic agreements (and articles and users when asked);
    returns what was made."""
    rng = random.Random(seed)
    migrate.upgrade(engine)
    with Session(engine) as session:
        load_seed(session)
        states = list(
            session.scalars(select(Party.code).where(Party.kind == "state").order_by(Party.code))
        )[:60]
    now = datetime(2026, 11, 1, tzinfo=UTC)
    made = {"agreements": 0, "events": 0}
    with engine.begin() as connection:
        first_id = (
            connection.scalar(select(Agreement.id).order_by(Agreement.id.desc()).limit(1)) or 0
        ) + 1
        rows, parties, topics, events = [], [], [], []
        for offset in range(agreements):
            agreement_id = first_id + offset
            members = rng.sample(states, rng.choice([2, 2, 2, 3, 4, 6]))
            title = (
                f"{rng.choice(KINDS).title()} on {' '.join(rng.sample(WORDS, 3))} {agreement_id}"
            )
            created = now - timedelta(days=rng.randint(0, 2000))
            rows.append(
                {
                    "id": agreement_id,
                    "title": title,
                    "titles": {},
                    "kind": rng.choice(KINDS),
                    "summary": f"Synthetic agreement {agreement_id} between {', '.join(members)}.",
                    "entry_into_force_days": rng.choice([None, 30, 60]),
                    "version": 1,
                    "search_text": normalise(title),
                    "created_at": created,
                    "updated_at": created + timedelta(days=rng.randint(0, 300)),
                }
            )
            parties += [
                {"agreement_id": agreement_id, "party_code": c, "position": i}
                for i, c in enumerate(members)
            ]
            topics += [{"agreement_id": agreement_id, "topic": t} for t in rng.sample(TOPICS, 2)]
            day = date(2019, 1, 1) + timedelta(days=rng.randint(0, 2000))
            count = max(1, int(rng.gauss(events_per_agreement, 2)))
            lifecycle = [("announcement", None, None), ("signing", None, None)]
            lifecycle += [("ratification", step, party) for party in members for step in CHAIN]
            lifecycle += [("entry_into_force", None, None)]
            for stage, step, party in lifecycle[:count]:
                day += timedelta(days=rng.randint(1, 60))
                events.append(
                    {
                        "agreement_id": agreement_id,
                        "stage": stage,
                        "step": step,
                        "party_code": party,
                        "body": "",
                        "place": "",
                        "date": day.isoformat(),
                        "date_earliest": day,
                        "date_latest": day,
                        "status": "reported",
                        "preferred": False,
                        "note": "",
                        "version": 1,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
        for table, batch in (
            (Agreement, rows),
            (AgreementParty, parties),
            (AgreementTopic, topics),
            (StageEvent, events),
        ):
            for start in range(0, len(batch), 5000):
                connection.execute(insert(table), batch[start : start + 5000])
        made = {"agreements": len(rows), "events": len(events)}
        if engine.dialect.name == "postgresql":  # ids were given: move the sequence past them
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('agreement', 'id'), "
                    "(SELECT max(id) FROM agreement))"
                )
            )
    with Session(engine, expire_on_commit=False) as session:
        state.rebuild(session, only_missing=True)
    made["articles"] = add_articles(engine, articles) if articles else 0
    made["users"] = add_users(engine, users) if users else 0
    if engine.dialect.name == "postgresql":  # what autovacuum would do after a bulk load
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
    return made


ZONES = ["UTC", "Asia/Tehran", "Europe/Moscow", "Asia/Pyongyang", "America/New_York"]
WATCHED = ["RUS", "IRN", "CHN", "PRK", "BLR", "IND"]


def add_users(engine: Engine, count: int, seed: int = 5) -> int:
    """`count` weekly-digest subscribers in five time zones, a third with a watchlist of two
    parties and a topic; the first ten are editors, the rest viewers."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        watch = n % 3 == 0
        rows.append(
            {
                "email": f"subscriber{n}@example.org",
                "display_name": f"Subscriber {n}",
                "role": "editor" if n < 10 else "viewer",
                "timezone": ZONES[n % len(ZONES)],
                "show_jalali": n % 4 == 0,
                "digest_mode": "watchlist" if watch else "everything",
                "digest_watchlist": (
                    {"parties": rng.sample(WATCHED, 2), "topics": ["energy"]} if watch else {}
                ),
                "digest_send_empty": True,
                "is_active": True,
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(User), rows)
    return len(rows)


def _vocabulary() -> dict[str, list[str]]:
    """Words per language from the labelled test articles (real treaty-news vocabulary)."""
    root = Path(__file__).resolve().parents[1] / "tests" / "data"
    words: dict[str, list[str]] = {"fa": [], "ru": [], "ar": [], "en": []}
    for item in json.loads((root / "extraction.json").read_text(encoding="utf-8"))["articles"]:
        words[item["language"]] += item["text"].replace(".", " ").replace("،", " ").split()
    for name, paragraphs in json.loads((root / "duplicates.json").read_text(encoding="utf-8"))[
        "stories"
    ].items():
        words[name[:2]] += " ".join(paragraphs).replace(".", " ").split()
    return {lang: sorted(set(w for w in pool if len(w) > 1)) for lang, pool in words.items()}


def add_articles(engine: Engine, count: int, seed: int = 11, progress: bool = False) -> int:
    """`count` articles in fa/ru/ar/en of 150-900 words (bulk; no MinHash: too slow to make
    here, and not what the benchmarks read). Returns how many were added."""
    rng = random.Random(seed)
    vocabulary = _vocabulary()
    languages = ["fa", "ru", "ar", "en"]
    now = datetime(2026, 11, 1, tzinfo=UTC)
    outlets = {
        "fa": ["Tasnim", "IRNA", "Jamaran", "Mehr"],
        "ru": ["RIA Novosti", "TASS", "Interfax"],
        "ar": ["Al Mayadeen", "SANA"],
        "en": ["Reuters", "AP", "AFP"],
    }
    made = 0
    with engine.begin() as connection:
        batch = []
        for n in range(count):
            lang = languages[n % 4]
            pool = vocabulary[lang]
            words = rng.choices(pool, k=rng.randint(150, 900))
            sentences = [" ".join(words[i : i + 14]) + "." for i in range(0, len(words), 14)]
            text = "\n".join(" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5))
            title = " ".join(rng.choices(pool, k=8))
            day = date(2019, 1, 1) + timedelta(days=rng.randint(0, 2500))
            batch.append(
                {
                    "url": f"https://news.example/{lang}/{n}",
                    "url_canonical": f"https://news.example/{lang}/{n}",
                    "outlet": rng.choice(outlets[lang]),
                    "author": "",
                    "title": title,
                    "language": lang,
                    "published": day.isoformat(),
                    "published_earliest": day,
                    "published_latest": day,
                    "retrieved_at": now,
                    "text": text,
                    "content_hash": hashlib.sha256(text.encode()).hexdigest(),
                    "search_text": normalise(f"{title}\n{text}"),
                    "version": 1,
                    "created_at": now - timedelta(days=rng.randint(0, 700)),
                    "updated_at": now,
                }
            )
            if len(batch) == 2000:
                connection.execute(insert(EvidenceArticle), batch)
                made += len(batch)
                batch = []
                if progress:
                    print(f"  {made:,} articles", flush=True)
        if batch:
            connection.execute(insert(EvidenceArticle), batch)
            made += len(batch)
    return made
