"""Import of evidence articles in bulk: one JSON object per line (JSON Lines).

Each line, read and checked by the caller with the schema of `POST /api/v1/articles`
(`tracker.schemas.articles.read_article_lines`), is stored through the same service, on its
own: a refused line loses nothing already imported, and the rest of the file still goes in. A
URL already stored is not stored again (the line reports that article). URLs are kept as
given, never fetched. A line that is not UTF-8, or holds what no database can store (NUL, a
lone surrogate), is refused with its number; so is one the database refuses, with the
database's reason.

Lines are stored BATCH to a transaction (a commit per article was a third of an import's
time). A line refused by the checks writes nothing and the batch goes on; should the
database refuse a line (or the commit), the batch is rolled back and its lines stored again
one transaction each, so that only the line at fault is refused. An article is compared for
near-duplicates with those stored before it, earlier lines of its batch included.

Reading, checking, normalising and signing a line (`prepared_lines`) takes about as much
time as storing it, and needs no database: in a large import it is done by another process,
CHUNK lines at a time, while this one stores the lines before them. The results come back in
the order of the lines, each as it would be prepared here.

On PostgreSQL the planner statistics of the tables an import grows are refreshed as it goes
(ANALYZE, every ANALYZE_EVERY stored articles): with statistics taken while those tables were
small, the near-duplicate lookup turns into a scan per article and an import slows down as it
goes, wherever autovacuum is off or has not caught up.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.models import User
from tracker.schemas.articles import read_article_lines
from tracker.services.errors import ServiceError
from tracker.services.evidence.articles import (
    Imported,
    Prepared,
    add_articles,
    input_canonical,
    prepare_article,
)

BATCH = 200
ANALYZE_EVERY = 2000
GROWN = "evidence_article, article_band, evidence_link, audit_entry"
# Lines sent to a preparing process at a time; how many such chunks may be read ahead of the
# lines stored, and how many of them handed to each worker at once: enough that a worker does
# not wait while the writer stores a batch.
CHUNK = 100
AHEAD = 10
SENT = 4
# Below this many lines a process of its own is not worth starting (it spends 1-3 s of CPU
# importing the application before it prepares a line).
PARALLEL_FROM = 1000

# A line read: its number, its fields (None when refused already; Prepared when checked and
# signed already) and the errors refusing it.
Line = tuple[int, Mapping[str, Any] | Prepared | None, dict[str, list[str]]]


@dataclass
class LineResult:
    line: int
    article_id: int | None = None
    created: bool = False
    # field -> messages; empty when the line was stored (or was there already)
    errors: dict[str, list[str]] = field(default_factory=dict)


def import_articles(
    session: Session,
    lines: Iterable[Line],
    *,
    actor: User | None = None,
) -> Iterator[LineResult]:
    """Store the article of each line read (its number, its fields or None, the errors that
    refused it already), yielding what became of it once its batch is committed."""
    stored = analyzed = 0
    read = iter(lines)
    while batch := list(islice(read, BATCH)):
        results = _store_batch(session, batch, actor)
        stored += sum(result.created for result in results)
        if stored - analyzed >= ANALYZE_EVERY:
            _refresh_statistics(session)
            analyzed = stored
        yield from results


def prepared_lines(lines: Sequence[str | bytes], *, workers: int = 1) -> Iterator[Line]:
    """The lines of a JSON Lines file as `read_article_lines` reads them, in their order,
    read, checked and signed by `workers` other processes (none: here, as each is stored)
    while the caller stores those before them.

    Up to AHEAD chunks are read ahead, the first SENT of them handed to the workers. While
    the next chunk is not ready, this process prepares the last one not handed out, rather
    than idle: while the workers start (seconds of importing the application) and whenever
    they fall behind the writer (a busy machine, a quick database). Nothing handed out is
    taken back (a cancelled task makes Python 3.11's pool fail when a worker dies), and
    should a worker die, what it had is prepared here.
    """
    if workers < 1 or len(lines) < PARALLEL_FROM:
        yield from read_article_lines(lines)
        return
    # Spawned, not forked: a fork would copy this process's database connections and
    # threads, which the new process must not touch.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        pending: deque[_Chunk] = deque()
        for start in range(0, len(lines), CHUNK):
            pending.append(_Chunk(lines[start : start + CHUNK], start + 1))
            _hand_out(pool, pending, workers)
            if len(pending) >= AHEAD:
                yield from _next_in_order(pool, pending, workers)
        while pending:
            yield from _next_in_order(pool, pending, workers)
    finally:  # the import stopped early: what was not started is not needed
        pool.shutdown(cancel_futures=True)


@dataclass
class _Chunk:
    """Lines from number `start`: handed to a worker (`future`), prepared here (`here`), or
    neither yet."""

    lines: Sequence[str | bytes]
    start: int
    future: Future[list[Line]] | None = None
    here: list[Line] | None = None


def _hand_out(pool: ProcessPoolExecutor, pending: deque[_Chunk], workers: int) -> None:
    """Hand the first chunks not yet taken to the workers, SENT per worker at most at a time
    (the rest stay for this process to take should the workers fall behind)."""
    busy = sum(1 for c in pending if c.future is not None and not c.future.done())
    for chunk in pending:
        if busy >= SENT * workers:
            return
        if chunk.future is None and chunk.here is None:
            chunk.future = _sent(pool, chunk.lines, chunk.start)
            busy += 1


def _next_in_order(pool: ProcessPoolExecutor, pending: deque[_Chunk], workers: int) -> list[Line]:
    """The first pending chunk's lines prepared, this process preparing later chunks (or
    that one) while no worker has it ready."""
    head = pending[0]
    while head.here is None and (head.future is None or not head.future.done()):
        if head.future is None:  # not handed out: quicker here than waiting for its turn
            head.here = prepare_chunk(head.lines, head.start)
            break
        spare = next((c for c in reversed(pending) if c.future is None and c.here is None), None)
        if spare is None:
            break  # every later chunk is with a worker or done: wait
        spare.here = prepare_chunk(spare.lines, spare.start)
    pending.popleft()
    if head.here is not None:
        done = head.here
    else:
        assert head.future is not None
        try:
            done = head.future.result()
        except BrokenProcessPool:  # a worker died (killed, out of memory): done here instead
            done = prepare_chunk(head.lines, head.start)
    _hand_out(pool, pending, workers)
    return done


def _sent(
    pool: ProcessPoolExecutor, lines: Sequence[str | bytes], start: int
) -> Future[list[Line]]:
    """The chunk handed to the pool; once the pool is broken, a future that says so (and the
    chunk is prepared here when its turn comes)."""
    try:
        return pool.submit(prepare_chunk, lines, start)
    except BrokenProcessPool as exc:
        broken: Future[list[Line]] = Future()
        broken.set_exception(exc)
        return broken


def prepare_chunk(lines: Sequence[str | bytes], start: int) -> list[Line]:
    """Lines read from number `start`, each checked and signed (in a preparing process)."""
    return [
        (number, _prepare(data) if data is not None else None, errors)
        for number, data, errors in read_article_lines(lines, start=start)
    ]


def _prepare(data: Mapping[str, Any]) -> Prepared:
    try:  # loaded by the schema already, as read_article_lines does
        return prepare_article(data, loaded=True)
    except ServiceError as exc:  # as add_articles answers it (nothing was written)
        return Prepared(input_canonical(data), None, "", {"line": [str(exc)]})


def _store_batch(session: Session, batch: list[Line], actor: User | None) -> list[LineResult]:
    """The lines in one transaction; should the database refuse one of them (or the commit),
    nothing of the batch is kept and its lines are stored again one transaction each."""
    try:
        return _stored(batch, _add(session, batch, actor))
    except DBAPIError:  # rolled back by the service
        return [_store_alone(session, line, actor) for line in batch]


def _add(session: Session, batch: list[Line], actor: User | None) -> list[Imported]:
    inputs = [data for _, data, _ in batch if data is not None]
    return add_articles(session, inputs, actor=actor) if inputs else []


def _stored(batch: list[Line], imported: list[Imported]) -> list[LineResult]:
    """Each line's result: the errors that refused it when read, or what became of it."""
    done = iter(imported)
    results = []
    for number, data, errors in batch:
        if data is None:
            results.append(LineResult(number, errors=errors))
        else:
            article_id, created, refused = next(done)
            results.append(LineResult(number, article_id, created, refused))
    return results


def _store_alone(session: Session, line: Line, actor: User | None) -> LineResult:
    """One line in a transaction of its own; refused by the database, it says why."""
    try:
        return _stored([line], _add(session, [line], actor))[0]
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return LineResult(line[0], errors={"line": [f"the database refused it ({reason})"]})


def _refresh_statistics(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {GROWN}"))
        session.commit()
