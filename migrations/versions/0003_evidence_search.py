"""evidence: canonical URL, search text, full-text indexes, near-duplicate bands

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 04:26:44.995768
"""

import hashlib
import random
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_band",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["evidence_article.id"],
            name=op.f("fk_article_band_article_id_evidence_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "band", name=op.f("pk_article_band")),
    )
    with op.batch_alter_table("article_band", schema=None) as batch_op:
        batch_op.create_index("ix_article_band_bucket", ["band", "bucket"], unique=False)

    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("url_canonical", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column(
                "minhash", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
            )
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_article_url_canonical"), ["url_canonical"], unique=False
        )

    _backfill_articles()
    _fts_create(op.get_bind())


def downgrade() -> None:
    _fts_drop(op.get_bind())
    with op.batch_alter_table("evidence_article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_article_url_canonical"))
        batch_op.drop_column("minhash")
        batch_op.drop_column("search_text")
        batch_op.drop_column("url_canonical")

    with op.batch_alter_table("article_band", schema=None) as batch_op:
        batch_op.drop_index("ix_article_band_bucket")

    op.drop_table("article_band")


def _backfill_articles() -> None:
    """Search text, canonical URL and MinHash bands for articles that exist already."""
    article = sa.table(
        "evidence_article",
        sa.column("id", sa.Integer),
        sa.column("url", sa.Text),
        sa.column("title", sa.Text),
        sa.column("text", sa.Text),
        sa.column("url_canonical", sa.Text),
        sa.column("search_text", sa.Text),
        sa.column("minhash", sa.JSON),
    )
    band = sa.table(
        "article_band",
        sa.column("article_id", sa.Integer),
        sa.column("band", sa.Integer),
        sa.column("bucket", sa.BigInteger),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(article.c.id, article.c.url, article.c.title, article.c.text))
    for row_id, url, title, text in rows.all():
        folded = normalise(f"{title or ''}\n{text or ''}")
        sig = signature(shingles(normalise(text or "")))
        bind.execute(
            article.update()
            .where(article.c.id == row_id)
            .values(
                search_text=folded,
                url_canonical=canonical_url(url) if url else None,
                minhash=sig,
            )
        )
        if sig:
            bind.execute(
                band.insert(),
                [{"article_id": row_id, "band": i, "bucket": b} for i, b in enumerate(bands(sig))],
            )


# --- Frozen at this revision: the text normaliser as it was when it was written ----------
# A migration imports no application code (which may change or go after it was written); it
# folds text as the application did when it was written.

_LETTERS = {
    "\u064a": "\u06cc",
    "\u0649": "\u06cc",
    "\u0643": "\u06a9",
    "\u0623": "\u0627",
    "\u0625": "\u0627",
    "\u0622": "\u0627",
    "\u0671": "\u0627",
    "\u0624": "\u0648",
    "\u0626": "\u06cc",
    "\u0629": "\u0647",
    "\u06c0": "\u0647",
    "\u06d5": "\u0647",
    "\u0640": "",
    "\u0451": "\u0435",
    "\u060c": ",",
    "\u061b": ";",
    "\u061f": "?",
}
_INVISIBLE = set("\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
_INVISIBLE |= set("\u2066\u2067\u2068\u2069\ufeff")
_DIGITS = {chr(0x06F0 + i): str(i) for i in range(10)} | {
    chr(0x0660 + i): str(i) for i in range(10)
}
_SPACES = re.compile(" {2,}")


def _is_arabic_mark(ch: str) -> bool:
    code = ord(ch)
    return (
        0x064B <= code <= 0x065F
        or code == 0x0670
        or 0x0610 <= code <= 0x061A
        or 0x06D6 <= code <= 0x06ED
    )


def _fold(ch: str) -> str:
    if ch in _INVISIBLE or _is_arabic_mark(ch):
        return ""
    if ch in _DIGITS:
        return _DIGITS[ch]
    if ch in _LETTERS:
        return _LETTERS[ch]
    if ch.isspace():
        return " "
    out = []
    for c in unicodedata.normalize("NFKC", ch).casefold():
        if c in _INVISIBLE or _is_arabic_mark(c):
            continue
        c = _DIGITS.get(c, c)
        out.append(_LETTERS.get(c, c))
    return "".join(out)


def normalise(text: str) -> str:
    """Persian/Arabic letters, digits, marks and case folded; runs of spaces made one."""
    return _SPACES.sub(" ", "".join(_fold(ch) for ch in text)).strip(" ")


# --- Frozen at this revision: full-text DDL, MinHash and canonical URLs as they were ----

# Indexed table -> its FTS5 table (SQLite).
INDEXED = {"agreement": "agreement_fts", "evidence_article": "article_fts"}


def _sqlite_create(table: str, fts: str) -> list[str]:
    add = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    )
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF search_text ON {table} "
        f"BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _postgres_create(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
        f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)",
    ]


def _fts_create(connection: sa.engine.Connection) -> None:
    for table, fts in INDEXED.items():
        if connection.dialect.name == "sqlite":
            statements = _sqlite_create(table, fts)
        else:
            statements = _postgres_create(table)
        for statement in statements:
            connection.exec_driver_sql(statement)


def _fts_drop(connection: sa.engine.Connection) -> None:
    for table, fts in INDEXED.items():
        if connection.dialect.name == "sqlite":
            for suffix in ("insert", "delete", "update"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {fts}")
        else:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


SHINGLE_WORDS = 3
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
_MASK = (1 << 62) - 1
# Fixed masks: signatures must compare across processes and releases.
_XORS = [random.Random(20240115 + i).getrandbits(62) for i in range(PERMUTATIONS)]
_WORD = re.compile(r"\w+")


def shingles(normalised: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The set of `size`-word runs of a normalised text (the whole text if shorter)."""
    words = _WORD.findall(normalised)
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()) & _MASK


def signature(shingle_set: set[str]) -> list[int] | None:
    """64 minima of the shingles' hashes under fixed XOR permutations; None for no text."""
    if not shingle_set:
        return None
    hashes = [_hash(s) for s in shingle_set]
    return [min(h ^ mask for h in hashes) for mask in _XORS]


def bands(sig: list[int]) -> list[int]:
    """One bucket number per band (63-bit, fits a signed BIGINT)."""
    buckets = []
    for band in range(BANDS):
        rows = ",".join(str(v) for v in sig[band * ROWS : (band + 1) * ROWS])
        buckets.append(_hash(f"{band}:{rows}"))
    return buckets


# Parameters that say who sent the reader, not which page it is.
TRACKING = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "yclid",
    "msclkid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "ref_src",
    "cmpid",
    "spm",
}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no utm_* or click ids,
    the remaining query parameters in a stable order, no empty trailing '?'."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    netloc = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))
