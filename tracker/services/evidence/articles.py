"""Evidence articles and the quoted spans linking them to claims.

Longer than most modules: storing an article (from text, HTML or a fetched URL), filing it in
its group of near-duplicates, and locating the quotes that link it to claims share the same
checks and normalised text.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, inspect, or_, select, text
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import ArticleBand, AuditEntry, EvidenceArticle, EvidenceLink, User
from tracker.models.evidence import ArticleLimits
from tracker.schemas.articles import ArticleInSchema
from tracker.services import audit, fetch, is_id, require, transactional
from tracker.services.audit import DERIVED_COLUMNS, audited
from tracker.services.errors import Conflict, FieldErrors, InvalidInput, NotFound, ServiceError
from tracker.services.evidence.reading import article_name
from tracker.services.fulltext import count as fts_count
from tracker.services.fulltext import matches as fts_matches
from tracker.services.fulltext import terms as search_terms
from tracker.services.infra.bulk import column_defaults, insert_many
from tracker.services.infra.fetching import (
    FetchRefused,
    FetchSettings,
    Page,
    clean_text,
    fetch_page,
    from_html,
)
from tracker.text.dates import parse_date_input
from tracker.text.normalise import locate, normalise
from tracker.text.shingles import BANDS, bands, shingles, signature, similarity
from tracker.text.urls import canonical_url

_INPUT = ArticleInSchema()
# The fields an article takes from a page (pasted HTML, a fetched URL) as well as from input.
_FOUND = ArticleInSchema(only=("text", "title", "outlet", "author", "language", "published"))

# Estimated Jaccard similarity of word 3-grams from which two texts are the same story
# (chosen on labelled pairs, `python -m bench.duplicates`: see docs/evidence.md).
DUPLICATE_THRESHOLD = 0.3
# Below this many words a text is too short to call a near-duplicate of another.
DUPLICATE_MIN_WORDS = 25
MAX_TEXT = ArticleLimits.TEXT
MAX_URL = ArticleLimits.URL


def get_article(session: Session, article_id: int) -> EvidenceArticle:
    """The article, or NotFound (404)."""
    return require(session, EvidenceArticle, article_id, "article")


def _intake_text(
    data: Mapping[str, Any],
    url: str | None,
    settings: FetchSettings | None,
    errors: FieldErrors,
    fetched: Page | FetchRefused | None = None,
) -> dict[str, Any]:
    """Fields found in pasted HTML or in the fetched page; what the user typed wins."""
    html = data.get("html")
    if html is not None:
        found = from_html(html, url)
        if not found.get("text"):
            errors.add("html", "no article text could be found in this HTML")
        return found
    wants_fetch = data.get("fetch")
    if url and not data.get("text") and wants_fetch is not False and settings is not None:
        try:
            if isinstance(fetched, FetchRefused):
                raise fetched
            page = fetched if fetched is not None else fetch_page(url, settings)
        except FetchRefused as exc:
            errors.add("url", str(exc))
            return {}
        if page.content_type == "text/plain":
            return {"text": page.body.strip()}
        found = from_html(page.body, page.url)
        if not found.get("text"):
            errors.add("url", "no article text could be found on that page")
        return found
    if wants_fetch and settings is None:
        errors.add("fetch", "fetching is not available here")
    return {}


@transactional
def add_article(
    session: Session,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    fetch_settings: FetchSettings | None = None,
    fetched: Page | FetchRefused | None = None,
) -> EvidenceArticle:
    """Store an article from pasted text, pasted HTML or (with `fetch_settings`) its URL.

    Raise InvalidInput (422) naming each bad field. The text is indexed for search and
    compared with what is stored: a near-duplicate joins the group of the first one seen.
    """
    values, folded = _new_article(session, data, fetch_settings, fetched)
    values["duplicate_of_id"] = _duplicate_of(
        session, values["content_hash"], folded, values["minhash"]
    )
    article = EvidenceArticle(**values)
    with audited(session, article, actor=actor, action="create"):
        session.add(article)
        session.flush()
        if article.minhash:
            file_bands(session, article.id, article.minhash)
    return article


_ARTICLES = EvidenceArticle.__table__
_AUDITED = [
    (attr.key, attr.columns[0].key)
    for attr in inspect(EvidenceArticle).column_attrs
    if attr.key not in DERIVED_COLUMNS
]


@dataclass
class Unwritten:
    """Rows an import writes at the end of its transaction, each kind in one statement: its
    articles, their bands and their audit entries. The bands are looked up here as well, so
    that each article is compared with those before it in the same transaction."""

    # The articles' rows, each with every column (its id reserved by `reserve`).
    articles: list[dict[str, Any]] = field(default_factory=list)
    bands: list[dict[str, int]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    # Ids reserved for the articles, and the columns' Python-side defaults (one time for all).
    ids: Iterator[int] = field(default_factory=lambda: iter(()))
    defaults: dict[str, Any] = field(default_factory=dict)
    # (band, bucket) -> article ids; id -> (duplicate_of_id, minhash)
    filed: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    signed: dict[int, tuple[int | None, list[int]]] = field(default_factory=dict)
    # (band, bucket) -> ids of stored articles, looked up once for the whole transaction
    # (None: not looked up, each article asks): what is stored does not change meanwhile,
    # the transaction's own bands being held here until the end.
    stored: dict[tuple[int, int], list[int]] | None = None

    def reserve(self, session: Session, count: int) -> None:
        """Reserve ids for `count` articles, and take the columns' defaults: the rows are
        written at the end, and an article's id is needed before (the near-duplicates of
        the later ones, their bands, the audit entries). PostgreSQL: from the id's
        sequence (a URL given twice in one batch leaves a gap in it). SQLite: from the
        highest id up, as SQLite itself numbers rows; the transaction holds the write lock
        from its start (BEGIN IMMEDIATE), and were another writer to commit first in one
        begun otherwise, the batch's write would fail and its lines be stored one at a
        time (imports._store_batch)."""
        if session.get_bind().dialect.name == "postgresql":
            self.ids = iter(sorted(session.scalars(_NEXT_IDS, {"count": count})))
        else:
            self.ids = itertools.count((session.scalar(_HIGHEST_ID) or 0) + 1)
        self.defaults = {column.key: None for column in _ARTICLES.c} | column_defaults(_ARTICLES)

    def write(self, session: Session) -> None:
        """Write what is held, and forget it (those rows can now be read back).

        At the driver, each kind in one executemany (PostgreSQL: in statements of many rows
        each): SQLAlchemy's executemany spent more time on 160,000 bands than SQLite's
        full-text index on their 10,000 articles, an INSERT … RETURNING of each article
        about 0.3 ms beside SQLite's own work, and on PostgreSQL each was a round trip.
        """
        insert_many(session, _ARTICLES, self.articles)
        insert_many(session, ArticleBand.__table__, self.bands)
        insert_many(session, AuditEntry.__table__, self.entries)
        self.articles, self.bands, self.entries = [], [], []
        self.filed.clear()
        self.signed.clear()
        self.stored = None


Imported = tuple[int | None, bool, dict[str, list[str]]]


@transactional
def add_articles(
    session: Session, inputs: Sequence[Mapping[str, Any] | Prepared], *, actor: User | None = None
) -> list[Imported]:
    """Store each input as `add_article` would (text or HTML given, never fetched), in one
    transaction: per input, (the article's id, whether it is new, the errors refusing it).
    An input may come prepared already (`prepare_article`, in another process).

    An input refused by the checks writes nothing and the others go on; one whose URL is
    stored (or came earlier in `inputs`) answers with that article. Each is compared for
    near-duplicates with those stored and the inputs before it. Written without ORM objects,
    the lookups made once for all inputs and the articles, their bands and audit entries in
    one statement each (`Unwritten.write`): a third of an article's time went to the ORM,
    and on PostgreSQL each statement is a round trip.
    """
    canonicals = [
        item.canonical if isinstance(item, Prepared) else input_canonical(item) for item in inputs
    ]
    wanted = sorted({c for c in canonicals if c})
    known: dict[str, int] = (
        {url: id_ for url, id_ in session.execute(_URL_IDS, {"canonicals": wanted})}
        if wanted
        else {}
    )
    checked: list[tuple[dict[str, Any], str, list[int]] | dict[str, list[str]] | None] = []
    for item, canonical in zip(inputs, canonicals, strict=True):
        if canonical in known:
            checked.append(None)
            continue
        try:
            ready = item if isinstance(item, Prepared) else prepare_article(item)
            checked.append(_checked(session, ready))
        except InvalidInput as exc:
            checked.append(exc.errors)
        except ServiceError as exc:  # refused otherwise (nothing was written)
            checked.append({"line": [str(exc)]})
    hashes = sorted({c[0]["content_hash"] for c in checked if isinstance(c, tuple) and c[1]})
    groups: dict[str, int] = {}  # content hash -> its group (the first article's id)
    if hashes:
        for content_hash, id_, duplicate_of_id in session.execute(_SAME_TEXTS, {"hashes": hashes}):
            groups.setdefault(content_hash, duplicate_of_id or id_)
    unwritten = Unwritten()
    unwritten.reserve(session, sum(isinstance(c, tuple) for c in checked))
    unwritten.stored = _stored_mates(
        session,
        [c[2] for c in checked if isinstance(c, tuple) and _comparable(c[1], c[0]["minhash"])],
    )
    results: list[Imported] = []
    for canonical, item in zip(canonicals, checked, strict=True):
        if canonical in known:
            results.append((known[canonical], False, {}))
        elif isinstance(item, dict):
            results.append((None, False, item))
        elif item is not None:
            article_id = _import_one(session, *item, groups, unwritten, actor)
            results.append((article_id, True, {}))
            if canonical:
                known[canonical] = article_id
    unwritten.write(session)
    return results


def input_canonical(data: Mapping[str, Any]) -> str | None:
    """The input's URL canonicalised, as stored URLs are looked up (None: none, or none that
    is an address)."""
    url = data.get("url")
    if not (isinstance(url, str) and url.strip()):
        return None
    try:
        return canonical_url(url)
    except ValueError:  # refused by the checks, naming the field
        return None


def _import_one(
    session: Session,
    values: dict[str, Any],
    folded: str,
    buckets: list[int],
    groups: dict[str, int],
    unwritten: Unwritten,
    actor: User | None,
) -> int:
    """One checked article of an import, its row, bands and audit entry left `unwritten`."""
    content_hash, sig = values["content_hash"], values["minhash"]
    if not folded:
        values["duplicate_of_id"] = None
    elif content_hash in groups:
        values["duplicate_of_id"] = groups[content_hash]
    else:
        values["duplicate_of_id"] = _closest(session, folded, sig, unwritten, buckets)
    article_id = next(unwritten.ids)
    row = unwritten.defaults | values | {"id": article_id}
    unwritten.articles.append(row)
    if folded:
        groups.setdefault(content_hash, values["duplicate_of_id"] or article_id)
    # The entry audit.record writes for an ORM object: the row's values, dates as ISO text.
    unwritten.entries.append(
        audit.system_row(
            actor=actor.email if actor else "system",
            user_id=actor.id if actor else None,
            action="create",
            entity=_ARTICLES.name,
            entity_id=article_id,
            agreement_id=None,
            before=None,
            after={key: row[column] for key, column in _AUDITED},
            at=row["created_at"],
        )
    )
    if sig:
        for band, bucket in enumerate(buckets):
            unwritten.bands.append({"article_id": article_id, "band": band, "bucket": bucket})
            unwritten.filed.setdefault((band, bucket), []).append(article_id)
        unwritten.signed[article_id] = (values["duplicate_of_id"], sig)
    return article_id


def _new_article(
    session: Session,
    data: Mapping[str, Any],
    fetch_settings: FetchSettings | None = None,
    fetched: Page | FetchRefused | None = None,
) -> tuple[dict[str, Any], str]:
    """The column values of the article this input makes (but its group of near-duplicates)
    and its normalised text; InvalidInput (422) naming each bad field."""
    values, folded, _ = _checked(session, prepare_article(data, fetch_settings, fetched))
    return values, folded


@dataclass
class Prepared:
    """An input made ready to store, all but the checks that read the database: what an
    import can work out away from the process writing (see imports.prepared_lines)."""

    # The URL canonicalised as the lookup of stored URLs takes it (None: none, or not one).
    canonical: str | None
    # The column values but retrieved_at and duplicate_of_id; None when `errors` refuse it.
    values: dict[str, Any] | None
    folded: str
    errors: dict[str, list[str]]
    cites: Any = None
    # The LSH bands of its signature (none without one).
    buckets: list[int] = field(default_factory=list)


def prepare_article(
    data: Mapping[str, Any],
    fetch_settings: FetchSettings | None = None,
    fetched: Page | FetchRefused | None = None,
    *,
    loaded: bool = False,
) -> Prepared:
    """The checks and values of `_new_article` that need no database: its fields checked,
    its text normalised, hashed and signed. `loaded`: `data` is what ArticleInSchema loaded
    already (an import's line), and loading it again would change nothing."""
    errors = FieldErrors()
    canonical_input = input_canonical(data)
    if not loaded:
        data = errors.load(_INPUT, data)
    url = data.get("url") or None
    canonical = None
    if url and clean_text(url) != url:  # shown as a link: \u202e would reverse its end
        errors.add("url", "may not contain control or text-direction characters")
    elif url:
        try:
            canonical = canonical_url(url)
        except ValueError as exc:  # a port out of range, an unclosed [IPv6 literal
            errors.add("url", f"is not a valid address ({exc})")
        else:
            if len(canonical) > MAX_URL:  # its query percent-encoded: ä is %C3%A4
                errors.add(
                    "url",
                    f"is longer than {MAX_URL} characters once its query is percent-encoded "
                    f"({len(canonical)})",
                )
    found = _intake_text(data, url, fetch_settings, errors, fetched) if not errors.errors else {}
    merged = {**found, **{k: v for k, v in data.items() if v not in (None, "")}}
    # Control characters go, whichever way the text came (see intake.clean_text).
    for key in ("text", "title", "outlet", "author"):
        if isinstance(merged.get(key), str):
            merged[key] = clean_text(merged[key])
    # What was found in a page is held to the rules of what is typed.
    merged = errors.load(_FOUND, {k: merged[k] for k in _FOUND.fields if k in merged})
    text, title, outlet = (merged.get(k, "") for k in ("text", "title", "outlet"))
    if not (url or text or title or outlet) and "html" not in errors.errors:
        errors.add("text", "give the article's text, or at least its URL, title or outlet")
    cites_id = data.get("cites")
    if errors.errors:
        return Prepared(canonical_input, None, "", errors.errors, cites_id)
    published = parse_date_input(merged["published"]) if merged.get("published") else None
    folded = normalise(text)
    content_hash = hashlib.sha256(folded.encode("utf-8")).hexdigest()
    # Signed and compared before it is written: one INSERT, no UPDATE after it (PostgreSQL
    # would compute the search vector of the whole text twice).
    sig = signature(shingles(folded)) if folded else None
    values = {
        "url": url.split("#", 1)[0] if url else None,
        "url_canonical": canonical,
        "title": title,
        "outlet": outlet,
        "author": merged.get("author", ""),
        "language": merged.get("language") or None,
        "published": published.text if published else None,
        "published_earliest": published.earliest if published else None,
        "published_latest": published.latest if published else None,
        "text": text,
        "content_hash": content_hash,
        # normalise(f"{title}\n{text}"), without normalising the text twice
        "search_text": " ".join(part for part in (normalise(title), folded) if part),
        "cites_id": cites_id,
        "minhash": sig,
    }
    return Prepared(canonical_input, values, folded, {}, cites_id, bands(sig) if sig else [])


def _checked(session: Session, prepared: Prepared) -> tuple[dict[str, Any], str, list[int]]:
    """The prepared article's values once the article it cites is found (stamped with the
    time it is stored), its normalised text and bands; InvalidInput (422) naming each bad
    field."""
    errors = FieldErrors()
    for name, messages in prepared.errors.items():
        errors.errors[name] = list(messages)
    cites_id = prepared.cites
    if cites_id is not None and fetch(session, EvidenceArticle, cites_id) is None:
        errors.add("cites", f"article {cites_id} does not exist")
    errors.raise_if_any()
    assert prepared.values is not None  # no errors: prepared in full
    values = dict(prepared.values)
    values["retrieved_at"] = utcnow()
    return values, prepared.folded, prepared.buckets


def intake(
    session: Session,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    fetch_settings: FetchSettings | None = None,
) -> tuple[EvidenceArticle, bool]:
    """The article for this input and whether it is new: a URL stored already (once
    canonicalised) answers with the stored article, without fetching it again."""
    url = data.get("url")
    if isinstance(url, str) and url.strip() and (existing := find_by_url(session, url)):
        return existing, False
    fetched: Page | FetchRefused | None = None
    if (
        fetch_settings is not None
        and isinstance(url, str)
        and url.strip().startswith(("http://", "https://"))
        and not data.get("text")
        and data.get("html") is None
        and data.get("fetch") is not False
    ):
        # Fetch before the write transaction begins: no database lock is held (SQLite: no
        # other writer waits) while a slow page answers.
        if session.in_transaction():
            session.commit()
        try:
            fetched = fetch_page(url.strip(), fetch_settings)
        except FetchRefused as exc:
            fetched = exc
    return add_article(
        session, data, actor=actor, fetch_settings=fetch_settings, fetched=fetched
    ), True


# The statements of the near-duplicate and URL lookups: Core, on the tables, built once
# (they run for every article of an import).
_ARTICLE = _ARTICLES.c
_BAND = ArticleBand.__table__.c
_SAME_TEXT = (
    select(_ARTICLE.id, _ARTICLE.duplicate_of_id)
    .where(_ARTICLE.content_hash == bindparam("content_hash"), _ARTICLE.deleted_at.is_(None))
    .order_by(_ARTICLE.id)
    .limit(1)
)
# The bucket index first, then those articles by id: joining the two let the planner scan
# every article for each new one when statistics were stale (PostgreSQL after a bulk load).
_BAND_MATES = (
    select(_BAND.article_id)
    .where(
        or_(
            *(
                and_(_BAND.band == band, _BAND.bucket == bindparam(f"bucket{band}"))
                for band in range(BANDS)
            )
        )
    )
    .distinct()
)
# The same for the articles of an import's transaction at once, the (band, bucket) each was
# found under.
_BATCH_MATES = select(_BAND.article_id, _BAND.band, _BAND.bucket).where(
    or_(
        *(
            and_(_BAND.band == band, _BAND.bucket.in_(bindparam(f"buckets{band}", expanding=True)))
            for band in range(BANDS)
        )
    )
)
_SIGNED = select(_ARTICLE.id, _ARTICLE.duplicate_of_id, _ARTICLE.minhash).where(
    _ARTICLE.id.in_(bindparam("ids", expanding=True)),
    _ARTICLE.deleted_at.is_(None),
    _ARTICLE.minhash.is_not(None),
)
_URL_IDS = (
    select(_ARTICLE.url_canonical, func.min(_ARTICLE.id))
    .where(
        _ARTICLE.url_canonical.in_(bindparam("canonicals", expanding=True)),
        _ARTICLE.deleted_at.is_(None),
    )
    .group_by(_ARTICLE.url_canonical)
)
_SAME_TEXTS = (
    select(_ARTICLE.content_hash, _ARTICLE.id, _ARTICLE.duplicate_of_id)
    .where(
        _ARTICLE.content_hash.in_(bindparam("hashes", expanding=True)),
        _ARTICLE.deleted_at.is_(None),
    )
    .order_by(_ARTICLE.id)
)
_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('evidence_article', 'id')) "
    "FROM generate_series(1, :count)"
)
_HIGHEST_ID = select(func.max(_ARTICLES.c.id))


def _duplicate_of(
    session: Session, content_hash: str, folded: str, sig: list[int] | None
) -> int | None:
    """The group a text not yet stored joins: that of the first article with the same
    normalised text, else that of the closest earlier copy (None: a story of its own)."""
    if not folded:
        return None
    same = session.execute(_SAME_TEXT, {"content_hash": content_hash}).first()
    if same is not None:
        return same.duplicate_of_id or same.id
    return _closest(session, folded, sig)


def _comparable(folded: str, sig: list[int] | None) -> bool:
    """Whether a text is long enough, and signed, to be anyone's near-duplicate (counting
    its words no further than needed)."""
    return bool(sig) and len(folded.split(None, DUPLICATE_MIN_WORDS)) >= DUPLICATE_MIN_WORDS


def _closest(
    session: Session,
    folded: str,
    sig: list[int] | None,
    unwritten: Unwritten | None = None,
    buckets: list[int] | None = None,
) -> int | None:
    """The group of the closest earlier copy by MinHash, found through the LSH bands (with
    those of an import's transaction not yet written; `buckets`: the bands, when worked out
    already); None when there is none."""
    if not sig or not _comparable(folded, sig):
        return None
    buckets = buckets or bands(sig)
    if unwritten is not None and unwritten.stored is not None:
        ids = {i for key in enumerate(buckets) for i in unwritten.stored.get(key, ())}
    else:
        ids = set(session.scalars(_BAND_MATES, {f"bucket{b}": k for b, k in enumerate(buckets)}))
    candidates: list[tuple[int, int | None, list[int]]] = []
    if unwritten is not None:
        for key in enumerate(buckets):
            ids.update(unwritten.filed.get(key, ()))
        candidates = [(i, *unwritten.signed[i]) for i in ids if i in unwritten.signed]
        ids.difference_update(unwritten.signed)
    if ids:
        candidates += [tuple(row) for row in session.execute(_SIGNED, {"ids": sorted(ids)})]
    scored = [
        (similarity(sig, minhash), -id_, duplicate_of_id or id_)
        for id_, duplicate_of_id, minhash in candidates
        if len(minhash) == len(sig)
    ]
    scored = [item for item in scored if item[0] >= DUPLICATE_THRESHOLD]
    return max(scored)[2] if scored else None


def _stored_mates(session: Session, signed: list[list[int]]) -> dict[tuple[int, int], list[int]]:
    """(band, bucket) -> the stored articles filed there, for the bands of all these
    signatures in one statement (one per article was a round trip each on PostgreSQL)."""
    wanted: dict[str, list[int]] = {f"buckets{band}": [] for band in range(BANDS)}
    for buckets in signed:
        for band, bucket in enumerate(buckets):
            wanted[f"buckets{band}"].append(bucket)
    found: dict[tuple[int, int], list[int]] = {}
    if signed:
        for article_id, band, bucket in session.execute(_BATCH_MATES, wanted):
            found.setdefault((band, bucket), []).append(article_id)
    return found


def file_bands(session: Session, article_id: int, sig: list[int]) -> None:
    """File the article's LSH bands, by which later copies find it."""
    insert_many(
        session,
        ArticleBand.__table__,
        [
            {"article_id": article_id, "band": band, "bucket": bucket}
            for band, bucket in enumerate(bands(sig))
        ],
    )


def check_quotes(
    session: Session, evidence: Any, errors: FieldErrors, field: str = "evidence"
) -> list[tuple[EvidenceArticle, str, int, int]]:
    """Each {article_id, quote} located in its article's text; bad ones reported on `field`.

    A quote must be an exact substring of the article's text after normalisation; the
    stored quote is the span as the article spells it.
    """
    if evidence is None:
        return []
    if isinstance(evidence, Mapping) or not isinstance(evidence, Sequence):
        errors.add(field, "must be a list of {article_id, quote}")
        return []
    found = []
    for item in evidence:
        if not isinstance(item, Mapping):
            errors.add(field, "each item must be {article_id, quote}")
            continue
        located = locate_quote(session, item.get("article_id"), item.get("quote"), errors, field)
        if located:
            found.append(located)
    return found


def locate_quote(
    session: Session, article_id: Any, quote: Any, errors: FieldErrors, field: str
) -> tuple[EvidenceArticle, str, int, int] | None:
    if isinstance(article_id, bool) or not isinstance(article_id, int):
        errors.add(field, "article_id must be an article id")
        return None
    # Read under a share lock (PostgreSQL): an article being deleted at this moment is
    # either seen deleted here, or its deletion waits and then finds this quote.
    article = (
        session.get(
            EvidenceArticle, article_id, with_for_update={"read": True}, populate_existing=True
        )
        if is_id(article_id)
        else None
    )
    if article is None or article.is_deleted:
        errors.add(field, f"article {article_id} does not exist")
        return None
    if not isinstance(quote, str) or not quote.strip():
        errors.add("quote", "a quote from the article is required")
        return None
    span = locate(article.text, quote)
    if span is None:
        errors.add("quote", f"is not in the text of {article_name(article)}")
        return None
    start, end = span
    return article, article.text[start:end], start, end


def make_links(
    located: list[tuple[EvidenceArticle, str, int, int]],
    *,
    actor: User | None,
    **target: Any,
) -> list[EvidenceLink]:
    return [
        EvidenceLink(
            article=article,
            quote=quote,
            quote_start=start,
            quote_end=end,
            created_by_id=actor.id if actor else None,
            **target,
        )
        for article, quote, start, end in located
    ]


def find_by_url(session: Session, url: str) -> EvidenceArticle | None:
    """The stored article at this URL once canonicalised (tracking parameters, fragment,
    host case and default port make no difference), if any (None for a URL that is not one)."""
    try:
        canonical = canonical_url(url)
    except ValueError:
        return None
    return session.scalar(_AT_URL, {"canonical": canonical})


_AT_URL = (
    select(EvidenceArticle)
    .where(
        EvidenceArticle.url_canonical == bindparam("canonical"),
        EvidenceArticle.deleted_at.is_(None),
    )
    .order_by(EvidenceArticle.id)
    .limit(1)
)


_ARTICLE_SORTS = {
    "updated": EvidenceArticle.updated_at,
    "published": EvidenceArticle.published_earliest,
}


def list_articles(
    session: Session,
    *,
    language: str | None = None,
    outlet: str | None = None,
    q: str | None = None,
    updated_since: datetime | None = None,
    sort: str = "-updated",
    offset: int = 0,
    limit: int = 50,
    hidden: bool = False,
) -> tuple[list[EvidenceArticle], int]:
    """One page of articles and how many match; those the inbox hid (dismissed or off-topic
    stories) only with `hidden`."""
    # Conditions on the article's own columns (the deleted and hidden ones apart).
    own = []
    if language:
        own.append(EvidenceArticle.language == language)
    if outlet:
        own.append(func.lower(EvidenceArticle.outlet) == outlet.strip().lower())
    if updated_since:
        own.append(EvidenceArticle.updated_at >= updated_since)
    query = select(EvidenceArticle).where(EvidenceArticle.deleted_at.is_(None), *own)
    if not hidden:
        query = query.where(EvidenceArticle.hidden.is_(False))
    words = search_terms(q) if q else []
    if words:
        query = query.where(fts_matches(session, "article", words))
    if words and not own:
        # From the full-text index alone (PostgreSQL: 6 ms for 40,000 matches among 100,000
        # articles, where joining the matches to the articles read every article: 80 ms).
        total = fts_count(session, "article", words, hidden)
    else:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = _ARTICLE_SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    order = column.desc() if descending else column.asc()
    if column.nullable:  # undated last either way; NULLS LAST on a column that has none
        order = order.nulls_last()  # would keep PostgreSQL off its (column, id) index
    tiebreak = EvidenceArticle.id.desc() if descending else EvidenceArticle.id.asc()
    page = session.scalars(query.order_by(order, tiebreak).offset(offset).limit(limit)).all()
    return list(page), total


@transactional
def delete_article(session: Session, article_id: int, *, actor: User | None = None) -> None:
    """Soft-delete an article no claim quotes (Conflict, 409, while one does: the evidence
    behind a claim stays). An admin can restore it."""
    article = (
        session.get(EvidenceArticle, article_id, with_for_update=True, populate_existing=True)
        if is_id(article_id)
        else None
    )  # locked: no quote of it can be committed while this runs (PostgreSQL)
    if article is None or article.is_deleted:
        raise NotFound(f"article {article_id} does not exist")
    quoted = session.scalar(
        select(func.count()).select_from(EvidenceLink).where(EvidenceLink.article_id == article.id)
    )
    if quoted:
        raise Conflict(
            f"{article_name(article)} is quoted as evidence {quoted} time(s); retract or amend "
            "those claims first"
        )
    with audited(session, article, actor=actor, action="delete"):
        article.deleted_at = utcnow()


@transactional
def restore_article(
    session: Session, article_id: int, *, actor: User | None = None
) -> EvidenceArticle:
    """Bring a deleted article back; Conflict (409) if it is not deleted."""
    article = fetch(session, EvidenceArticle, article_id)
    if article is None:
        raise NotFound(f"article {article_id} does not exist")
    if not article.is_deleted:
        raise Conflict(f"{article_name(article)} is not deleted")
    with audited(session, article, actor=actor, action="restore"):
        article.deleted_at = None
    return article


def deleted_articles(
    session: Session, *, offset: int = 0, limit: int = 50
) -> list[tuple[EvidenceArticle, str | None]]:
    """Soft-deleted articles, most recently deleted first, with who deleted each."""
    articles = list(
        session.scalars(
            select(EvidenceArticle)
            .where(EvidenceArticle.deleted_at.is_not(None))
            .order_by(EvidenceArticle.deleted_at.desc(), EvidenceArticle.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    who = audit.deleted_by(session, "evidence_article", [a.id for a in articles])
    return [(a, who.get(a.id)) for a in articles]


def deleted_article_count(session: Session) -> int:
    query = select(func.count()).select_from(EvidenceArticle)
    return session.scalar(query.where(EvidenceArticle.deleted_at.is_not(None))) or 0
