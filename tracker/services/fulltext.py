"""Full-text search over agreements and articles, on each engine's own index.

Text is folded by tracker.text.normalise at index time (the `search_text` columns) and at
query time (here), so a query in any spelling variant finds text written in another.
SQLite matches with FTS5 and ranks with bm25; PostgreSQL matches a `tsvector` and ranks
with ts_rank. Each query word matches as a prefix (توافقنامه finds توافقنامه‌ای), and all
words must be present. Snippets are cut from the original text, with the matches'
offsets, by mapping the folded text back to the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, column, func, select, table, text
from sqlalchemy.orm import Session, defer

from tracker.models import Agreement, Declaration, EvidenceArticle
from tracker.services.evidence.reading import article_title
from tracker.text.normalise import normalise, normalise_with_offsets

MAX_TERMS = 12
# A search's total is exact up to CAP matches; past it the search says only that more than
# CAP match (`capped`), as the agreements list does past its own cap, so that counting stops
# about there. A search is ranked among the newest matches (RANK_WINDOW,
# ARTICLE_RANK_WINDOW), so its pages reach no further than these anyway.
CAP = 1_000
# Ranking is done among at most this many matches, the most recently stored: bm25 costs
# about 2 µs a match, and a word found in 40,000 articles should still answer in milliseconds.
RANK_WINDOW = 2000
_WORD = re.compile(r"\w+")
KINDS = {
    "agreement": (Agreement, "agreement_fts"),
    "article": (EvidenceArticle, "article_fts"),
    "declaration": (Declaration, "declaration_fts"),
}

# Rows a search leaves out: soft-deleted ones, and a declaration to a deleted agreement.
GONE = {
    "declaration": "deleted_at IS NOT NULL OR agreement_id IN "
    "(SELECT id FROM agreement WHERE deleted_at IS NOT NULL)"
}


def _gone(kind: str, hidden: bool = False) -> str:
    """The rows of `kind` a search leaves out; articles hidden by the inbox (dismissed or
    off-topic stories) among them unless `hidden`."""
    gone = GONE.get(kind, "deleted_at IS NOT NULL")
    return gone if hidden or kind != "article" else f"{gone} OR hidden"


def terms(query: str) -> list[str]:
    """The query's words, folded, without repeats (at most MAX_TERMS)."""
    return list(dict.fromkeys(_WORD.findall(normalise(query))))[:MAX_TERMS]


def _fts5_query(words: list[str]) -> str:
    # Words are \w+ only, so quoting them is enough to keep FTS5 syntax out.
    return " ".join(f'"{word}"*' for word in words)


# A query word stands for at most this many indexed words (its own and longer ones).
MAX_EXPANSION = 24


def _fts5_expanded(session: Session, fts: str, words: list[str]) -> str:
    """The FTS5 query of `words` with each prefix spelled out: `"договор"*` becomes
    `("договор" OR "договора" OR "договоры" …)`, the indexed words it begins.

    The same rows match. For a prefix, FTS5 merges the posting lists of all the words it
    begins into one list, positions included, and does it again in every statement and for
    bm25's document frequency: 15 to 45 ms for `"договор"*` over 100,000 articles, where the
    spelled-out form costs a third. bm25 then weighs each indexed word on its own (its own
    rarity, its own count), as a search engine scores a prefix expanded to words, where it
    weighed the prefix as one word. A word the tokenizer would fold further (a diacritic:
    nothing indexed begins with it), that begins nothing, or too many words, keeps the
    prefix form.
    """
    vocabulary = f"temp.{fts}_terms"
    session.execute(
        text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {vocabulary} USING fts5vocab(main, {fts}, row)")
    )
    parts = []
    for word in words:
        found: list[str] = []
        if not any(unicodedata.decomposition(ch) for ch in word):
            found = list(
                session.scalars(
                    text(
                        f"SELECT term FROM {vocabulary} WHERE term >= :low AND term < :high "
                        "LIMIT :most"
                    ),
                    {"low": word, "high": word + "\U0010ffff", "most": MAX_EXPANSION + 1},
                )
            )
        if not found or len(found) > MAX_EXPANSION:
            parts.append(f'"{word}"*')
        else:
            spelled = " OR ".join('"' + term.replace('"', '""') + '"' for term in found)
            parts.append(f"({spelled})")
    return " AND ".join(parts)


def _tsquery(words: list[str]) -> str:
    return " & ".join(f"{word}:*" for word in words)


def matches(
    session: Session,
    kind: str,
    words: list[str],
    wrap: Callable[[Any], Any] | None = None,
) -> ColumnElement[bool]:
    """A WHERE condition on the kind's table: the row contains every word (as a prefix).

    With `wrap` (tracker.services.agreements.listing.unindexed), the condition is one the
    planner cannot answer from the full-text index, for a caller that walks another index
    and tests each row it meets (a list where most rows match): on SQLite `wrap` wraps the
    id it tests; on PostgreSQL the match is the function ts_match_vq rather than its
    operator `@@`, which no index serves. Unwrapped, PostgreSQL expects a few matches for
    every prefix query and gathers and sorts them all (17 ms for the 10,937 agreements
    matching "strategic partnership" of 100,000, where the walk down the sort's index fills
    the page after 539 rows: 0.6 ms)."""
    rows = KINDS[kind][0].__table__
    indexed = indexed_ids(session, kind, words)
    if indexed is not None:  # SQLite: the id among the full-text index's matches
        ids, match = indexed
        tested = rows.c.id if wrap is None else wrap(rows.c.id)
        return tested.in_(select(ids).where(*match))
    tsquery = {f"ts_query_{kind}": _tsquery(words)}
    query = f"to_tsquery('simple', :ts_query_{kind})"
    if kind == "article":  # PostgreSQL's article_fts (migration 0016) holds the vectors
        fts = KINDS[kind][1]
        condition = text(f"{fts}.search_vector @@ {query}").bindparams(**tsquery)
        found = select(column("id")).select_from(table(fts)).where(condition)
        return (rows.c.id if wrap is None else wrap(rows.c.id)).in_(found)
    if wrap is not None:
        return text(f"ts_match_vq({rows.name}.search_vector, {query})").bindparams(**tsquery)
    return text(f"{rows.name}.search_vector @@ {query}").bindparams(**tsquery)


def count(session: Session, kind: str, words: list[str], hidden: bool = False) -> int:
    """How many rows of `kind` contain every word, counted in the full-text index alone: the
    deleted ones left out, and the articles the inbox hid unless `hidden`."""
    return _ranked(session, kind, words, 0, hidden)[1]


def indexed_ids(session: Session, kind: str, words: list[str]) -> tuple[Any, list[Any]] | None:
    """SQLite: the ids of the kind's rows that contain every word, as the full-text index's
    rowid column and its MATCH condition, to count matches from the index alone without
    reading a row of the kind's table. None on PostgreSQL, where the words are a condition
    on the table's own rows (`matches`)."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    fts = KINDS[kind][1]
    index = table(fts, column("rowid"))
    match = text(f"{fts} MATCH :fts_query").bindparams(fts_query=_fts5_query(words))
    return index.c.rowid, [match]


@contextmanager
def _plans_off(session: Session, *settings: str) -> Iterator[None]:
    """PostgreSQL: within the block, the planner's `settings` (enable_seqscan, …) are off, so
    that matches are found through the GIN index. The planner prices a table's pages, not
    the TOASTed vector it unpacks from each row it tests: it chose a sequential scan for
    words in a quarter of 100,000 articles (1 to 2 s where the index answers in under
    100 ms), and for the newest matching articles a walk down `article_fts`'s primary key
    testing each row (10 ms for 1,900 rows where the GIN index, which holds the id too,
    answers in 2). The settings are the transaction's, put back as they were when the block
    ends; a statement that fails in it has aborted the transaction, whose rollback discards
    them (putting them back then would only fail again and hide the error)."""
    names = {f"name{n}": setting for n, setting in enumerate(settings)}
    was = session.execute(
        text(
            "SELECT "
            + ", ".join(f"current_setting(:{name})" for name in names)
            + ", "
            + ", ".join(f"set_config(:{name}, 'off', true)" for name in names)
        ),
        names,
    ).one()
    yield
    session.execute(
        text("SELECT " + ", ".join(f"set_config(:{name}, :was{name}, true)" for name in names)),
        names | {f"was{name}": value for name, value in zip(names, was, strict=False)},
    )


def _ranked(
    session: Session, kind: str, words: list[str], limit: int, hidden: bool = False
) -> tuple[list[tuple[int, float]], int]:
    """The best `limit` (id, score) of one kind, higher scores first, and how many match."""
    model, fts = KINDS[kind]
    table = model.__table__
    gone = _gone(kind, hidden)
    if session.get_bind().dialect.name == "sqlite":
        deleted, hide = _gone(kind, hidden=True), kind == "article" and not hidden
        query = _fts5_expanded(session, fts, words)
        return _ranked_fts5(session, table, fts, query, limit, deleted, hide)
    if kind == "article":
        return _ranked_articles(session, _tsquery(words), limit, hidden)
    with _plans_off(session, "enable_seqscan"):
        if limit <= 0:
            live = text(f"NOT ({gone})")
            count = (
                select(func.count()).select_from(table).where(live, matches(session, kind, words))
            )
            return [], session.execute(count).scalar() or 0
        # One pass over the matches (a bitmap scan of the GIN index) counts them and keeps the
        # newest RANK_WINDOW; only those are ranked, as on SQLite, so ts_rank does not read
        # every matching row's vector.
        rows = session.execute(
            text(
                "WITH matched AS MATERIALIZED ("
                f"  SELECT id FROM {table.name} "
                f"   WHERE search_vector @@ to_tsquery('simple', :q) AND NOT ({gone})"
                "), recent AS (SELECT id FROM matched ORDER BY id DESC LIMIT :window) "
                "SELECT t.id, ts_rank(t.search_vector, to_tsquery('simple', :q)) AS score, "
                "  (SELECT count(*) FROM matched) AS total "
                f"FROM recent JOIN {table.name} AS t ON t.id = recent.id "
                "ORDER BY score DESC, t.id LIMIT :limit"
            ),
            {"q": _tsquery(words), "window": RANK_WINDOW, "limit": limit},
        ).all()
    total = rows[0][2] if rows else 0
    return [(row[0], float(row[1])) for row in rows], total


# PostgreSQL ranks the newest this many matching articles: ts_rank costs 3 to 5 µs an
# article even on the lead's small vector (10 ms for 2,000), where bm25 costs SQLite 2 µs.
ARTICLE_RANK_WINDOW = 500
# PostgreSQL: the ids below the newest article among which a search first looks for its
# newest CAP + 1 matches (_ranked_articles).
FIRST_SPAN = 20_000

# PostgreSQL, articles: matches, not hidden unless asked for, and in _NEWEST above an id, as
# the GIN index holds it (a bigint: migration 0016), which the primary key cannot serve.
_ARTICLE_MATCH = "search_vector @@ to_tsquery('simple', :q) AND (:hidden OR NOT hidden)"
_COUNTED_EVERY = text(f"SELECT count(*) FROM article_fts WHERE {_ARTICLE_MATCH}")
_COUNTED = text(
    f"SELECT count(*) FROM (SELECT 1 FROM article_fts WHERE {_ARTICLE_MATCH} LIMIT :most) AS m"
)


def _newest(above: str) -> Any:
    """The newest `most` matches (`above` an id, or all), counted, and the newest `window`
    of them ranked by their lead: the best `limit` (id, score, how many were counted)."""
    return text(
        "WITH found AS MATERIALIZED ("
        f"  SELECT id FROM article_fts WHERE {_ARTICLE_MATCH}{above}"
        "   ORDER BY id DESC LIMIT :most) "
        "SELECT f.id, ts_rank(f.lead_vector, to_tsquery('simple', :q)) AS score, "
        "  (SELECT count(*) FROM found) AS counted "
        "FROM (SELECT id FROM found ORDER BY id DESC LIMIT :window) AS recent "
        "JOIN article_fts AS f ON f.id = recent.id "
        "ORDER BY score DESC, f.id LIMIT :limit"
    )


_NEWEST_ABOVE = _newest(" AND CAST(id AS bigint) > CAST(:floor AS bigint)")
_NEWEST_OF_ALL = _newest("")


def _ranked_articles(
    session: Session, tsquery: str, limit: int, hidden: bool
) -> tuple[list[tuple[int, float]], int]:
    """PostgreSQL: articles are matched in `article_fts` (migration 0016), a narrow table of
    the live articles' vectors kept by a trigger, never in the articles' own rows. The total
    is exact up to CAP, and CAP + 1 when more match; a count alone (`limit` 0: `count`)
    counts every match.

    One statement finds the newest CAP + 1 matches (or a window's worth, if more), counts
    them and ranks the newest ARTICLE_RANK_WINDOW of them by their lead (`lead_vector`: the
    first 600 characters of the folded title and text, cut to a whole word, about 1 kB
    where the whole text's vector is 4 kB). It looks first among the newest FIRST_SPAN ids:
    the GIN index holds the id beside the words and reads the matches above an id in time
    with the ids it passes, where counting every match of a word in 400,000 of 1,000,000
    articles read its whole list (45 to 75 ms). When those ids hold no more than CAP
    matches but a window's worth, the window is right and the total is counted among every
    match (up to CAP + 1); with fewer, the same statement runs over every match.

    Each word matches as a prefix, which the GIN index reads as every word it begins, all
    their matches, however few ids it passes: about 5 ms a word over 1,000,000 articles.
    """
    values = {"q": tsquery, "hidden": hidden}
    lowest, highest = session.execute(text("SELECT min(id), max(id) FROM article_fts")).one()
    if highest is None:
        return [], 0
    with _plans_off(session, "enable_seqscan", "enable_indexscan"):
        if limit <= 0:
            return [], session.execute(_COUNTED_EVERY, values).scalar() or 0
        window, floor = ARTICLE_RANK_WINDOW, highest - FIRST_SPAN
        values |= {"most": max(CAP + 1, window), "window": window, "limit": limit}
        if floor >= lowest:
            rows = session.execute(_NEWEST_ABOVE, values | {"floor": floor}).all()
            counted = rows[0][2] if rows else 0
            if counted > CAP:
                return _scores(rows), counted
            if counted >= window:
                every = session.execute(_COUNTED, values | {"most": CAP + 1}).scalar()
                return _scores(rows), every or 0
        rows = session.execute(_NEWEST_OF_ALL, values).all()
        return _scores(rows), rows[0][2] if rows else 0


def _scores(rows: Sequence[Any]) -> list[tuple[int, float]]:
    return [(row[0], float(row[1])) for row in rows]


def _ranked_fts5(
    session: Session,
    table: Any,
    fts: str,
    query: str,
    limit: int,
    gone_rows: str = "deleted_at IS NOT NULL",
    hide: bool = False,
) -> tuple[list[tuple[int, float]], int]:
    """FTS5 alone counts and ranks; soft-deleted rows, few, are taken out afterwards through
    a partial index of them, and with `hide` so are the hidden articles (through theirs).
    The total is exact up to CAP, and more than CAP past it; a count alone (`limit` 0)
    counts every match.

    Each statement naming a prefix word merges the posting lists of every indexed word it
    begins (`"договор"*`: договор, договора, договоры…), so there are as few as can be: one
    walk down the newest matches' rowids, as far as the window's floor and one past the
    cap, gives both, where counting every match read all of them. The window is ranked with
    bm25 for each of its rows and sorted by SQLite: FTS5's own `ORDER BY rank` runs the
    query again through a sorter, nearly twice the cost for the same order. A count alone
    is one statement: the matches less the rows taken out, which it reads from their
    partial indexes.
    """
    if limit <= 0:
        out = f"SELECT id FROM {table.name} WHERE {gone_rows}"
        if hide:
            out += f" UNION ALL SELECT id FROM {table.name} WHERE hidden"
        counted = text(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH :q AND rowid NOT IN ({out})")
        return [], session.execute(counted, {"q": query}).scalar() or 0
    gone = {
        row[0] for row in session.execute(text(f"SELECT id FROM {table.name} WHERE {gone_rows}"))
    }
    if hide:
        gone |= {
            row[0] for row in session.execute(text(f"SELECT id FROM {table.name} WHERE hidden"))
        }
    # Newest first, as FTS5 walks rowids natively: the live matches as far as the window's
    # floor and one past the cap (the total is exact up to CAP), however many more match.
    reach = max(RANK_WINDOW, CAP + 1)
    newest = [
        row[0]
        for row in session.execute(
            text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q ORDER BY rowid DESC LIMIT :most"),
            {"q": query, "most": reach + 1 + len(gone)},
        )
        if row[0] not in gone
    ][: reach + 1]
    total = len(newest)
    floor = newest[RANK_WINDOW] if total > RANK_WINDOW else 0
    if total <= 0 or limit <= 0:
        return [], total
    # bm25() by name, not `rank`: ordered by SQLite, not handed back to FTS5's sorter.
    rows = session.execute(
        text(
            f"SELECT rowid, bm25({fts}) AS score FROM {fts} "
            f"WHERE {fts} MATCH :q AND rowid > :floor ORDER BY score, rowid LIMIT :limit"
        ),
        {"q": query, "floor": floor, "limit": limit + len(gone)},
    )
    # bm25 is negative, better matches lower: the best first, ties by rowid.
    best = [(rowid, -float(rank)) for rowid, rank in rows if rowid not in gone][:limit]
    return best, total


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    score: float
    snippet: str
    # [start, end) of each match within `snippet`.
    highlights: list[tuple[int, int]]
    # Articles: the outlet and publication date (EDTF), to name the article as readers do.
    outlet: str = ""
    published: str | None = None
    # Declarations: the agreement they are made to (their page is the agreement's).
    agreement_id: int | None = None


def snippet(original: str, words: list[str], width: int = 180) -> tuple[str, list[tuple[int, int]]]:
    """A window of the original text around the first match, and the matches inside it.

    Paragraph by paragraph: only the paragraph with the first match is mapped character by
    character back to the original.
    """
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")\w*")
    offset = 0
    for paragraph in original.split("\n"):
        if pattern.search(normalise(paragraph)):
            folded, origin = normalise_with_offsets(paragraph)
            spans = [
                (offset + origin[m.start()], offset + origin[m.end() - 1] + 1)
                for m in pattern.finditer(folded)
            ]
            return _window(original, spans, width)
        offset += len(paragraph) + 1
    return original[:width].strip(), []


def _window(
    original: str, spans: list[tuple[int, int]], width: int
) -> tuple[str, list[tuple[int, int]]]:
    first = spans[0][0]
    start = max(0, first - width // 3)
    if start:
        space = original.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(original), start + width)
    window = original[start:end]
    marks = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    prefix = "…" if start else ""
    suffix = "…" if end < len(original) else ""
    shift = len(prefix)
    return prefix + window + suffix, [(s + shift, e + shift) for s, e in marks]


class Found(NamedTuple):
    """A page of hits and how many match: exact up to CAP, else CAP and `capped`."""

    hits: list[Hit]
    total: int
    capped: bool = False


def search(
    session: Session,
    query: str,
    *,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 20,
    hidden: bool = False,
) -> Found:
    """Agreements, articles and parties' declarations containing every word of `query`, best
    first, and the total (exact up to CAP). Articles the inbox hid (dismissed or off-topic
    stories) are left out unless `hidden`."""
    words = terms(query)
    if not words:
        return Found([], 0)
    kinds = [kind] if kind else list(KINDS)
    ranked: list[tuple[float, str, int]] = []
    total = 0
    for name in kinds:
        rows, count = _ranked(session, name, words, offset + limit, hidden)
        total += count
        ranked += [(score, name, row_id) for row_id, score in rows]
    ranked.sort(key=lambda item: (-item[0], item[1], item[2]))
    page = ranked[offset : offset + limit]
    rows: dict[tuple[str, int], Any] = {}
    for name in kinds:  # one query per kind for the whole page
        model, _ = KINDS[name]
        ids = [row_id for _, kind_name, row_id in page if kind_name == name]
        if ids:
            # Not the folded copy a hit never shows (nor an article's MinHash signature).
            unread = [defer(model.search_text)]
            if model is EvidenceArticle:
                unread.append(defer(EvidenceArticle.minhash))
            found = select(model).where(model.id.in_(ids)).options(*unread)
            rows |= {(name, r.id): r for r in session.scalars(found)}
    hits = [_hit(name, rows[(name, row_id)], score, words) for score, name, row_id in page]
    return Found(hits, min(total, CAP), total > CAP)


def _hit(kind: str, row: Any, score: float, words: list[str]) -> Hit:
    if kind == "declaration":
        title = f"{row.party_code}'s {row.kind} to {row.agreement.title}"
        cut, marks = snippet(row.text, words) if row.text else ("", [])
        return Hit(kind, row.id, title, round(score, 6), cut, marks, agreement_id=row.agreement_id)
    if kind == "agreement":
        title = row.title
        body = "\n".join([*row.titles.values(), row.summary])
    else:
        title = article_title(row) or row.outlet or "Untitled article"
        body = row.text
    cut, marks = snippet(body, words) if body else ("", [])
    if not marks:  # the words are in the title only
        cut, marks = snippet(title, words)
    if kind == "article":
        return Hit(kind, row.id, title, round(score, 6), cut, marks, row.outlet, row.published)
    return Hit(kind, row.id, title, round(score, 6), cut, marks)
