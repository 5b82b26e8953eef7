"""Import of evidence articles in bulk: one JSON object per line (JSON Lines).

Each line, read and checked by the caller with the schema of `POST /api/v1/articles`
(`tracker.schemas.articles.read_article_lines`), is stored through the same service, on its
own: a refused line loses nothing already imported, and the rest of the file still goes in. A
URL already stored is not stored again (the line reports that article). URLs are kept as
given, never fetched. A line that is not UTF-8, or holds what no database can store (NUL, a
lone surrogate), is refused with its number; so is one the database refuses, with the
database's reason.

On PostgreSQL the planner statistics of the tables an import grows are refreshed as it goes
(ANALYZE, every ANALYZE_EVERY stored articles): with statistics taken while those tables were
small, the near-duplicate lookup turns into a scan per article and an import slows down as it
goes, wherever autovacuum is off or has not caught up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.models import User
from tracker.services.errors import InvalidInput, ServiceError
from tracker.services.evidence.articles import intake

ANALYZE_EVERY = 2000
GROWN = "evidence_article, article_band, evidence_link, audit_entry"


@dataclass
class LineResult:
    line: int
    article_id: int | None = None
    created: bool = False
    # field -> messages; empty when the line was stored (or was there already)
    errors: dict[str, list[str]] = field(default_factory=dict)


def import_articles(
    session: Session,
    lines: Iterable[tuple[int, Mapping[str, Any] | None, dict[str, list[str]]]],
    *,
    actor: User | None = None,
) -> Iterator[LineResult]:
    """Store the article of each line read (its number, its fields or None, the errors that
    refused it already), yielding what became of it."""
    stored = 0
    for number, data, errors in lines:
        if data is None:
            yield LineResult(number, errors=errors)
            continue
        try:
            article, created = intake(session, data, actor=actor)
        except InvalidInput as exc:
            yield LineResult(number, errors=exc.errors)
        except ServiceError as exc:
            yield LineResult(number, errors={"line": [str(exc)]})
        except DBAPIError as exc:  # rolled back by the service; the next line goes on
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            yield LineResult(number, errors={"line": [f"the database refused it ({reason})"]})
        else:
            stored += created
            if created and stored % ANALYZE_EVERY == 0:
                _refresh_statistics(session)
            yield LineResult(number, article_id=article.id, created=created)


def _refresh_statistics(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {GROWN}"))
        session.commit()
