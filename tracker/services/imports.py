"""Import of evidence articles in bulk: one JSON object per line (JSON Lines).

Each line is checked by the same schema as `POST /api/v1/articles` and stored through the
same service, on its own: a refused line loses nothing already imported, and the rest of the
file still goes in. A URL already stored is not stored again (the line reports that article).
URLs are kept as given, never fetched. A line that is not UTF-8, or holds what no database
can store (NUL, a lone surrogate), is refused with its number; so is one the database
refuses, with the database's reason.

On PostgreSQL the planner statistics of the tables an import grows are refreshed as it goes
(ANALYZE, every ANALYZE_EVERY stored articles): with statistics taken while those tables were
small, the near-duplicate lookup turns into a scan per article and an import slows down as it
goes, wherever autovacuum is off or has not caught up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from marshmallow import ValidationError as SchemaError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.models import User
from tracker.schemas.articles import ArticleInSchema
from tracker.schemas.common import read_json
from tracker.services.errors import ServiceError, ValidationError
from tracker.services.evidence import intake

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
    session: Session, lines: Iterable[str | bytes], *, actor: User | None = None
) -> Iterator[LineResult]:
    """Store the article of each non-blank line (text, or UTF-8 bytes), yielding what became
    of it."""
    schema = ArticleInSchema()
    stored = 0
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:  # a byte order mark before the first line is no part of it
                raw = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield LineResult(
                    number, errors={"line": [f"is not UTF-8 text (byte {exc.start + 1})"]}
                )
                continue
        else:
            raw = line
        if not raw.strip():
            continue
        try:
            parsed = read_json(raw)
        except ValueError as exc:  # not JSON, or nested too deep, or a number too long
            yield LineResult(number, errors={"line": [f"is not JSON ({exc})"]})
            continue
        if not isinstance(parsed, dict):
            yield LineResult(number, errors={"line": ["must be a JSON object"]})
            continue
        try:
            data = schema.load(parsed)
        except SchemaError as exc:
            yield LineResult(number, errors=_messages(exc.messages))
            continue
        data.pop("fetch", None)
        try:
            article, created = intake(session, data, actor=actor)
        except ValidationError as exc:
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


def _messages(messages: object) -> dict[str, list[str]]:
    if not isinstance(messages, dict):
        return {"line": [str(messages)]}
    return {
        str(key): [str(m) for m in value] if isinstance(value, list) else [str(value)]
        for key, value in messages.items()
    }
