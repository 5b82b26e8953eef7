"""The domain. Every public function takes a Session first and decides the transaction."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tracker.db import begin_write
from tracker.models.mixins import MAX_ID
from tracker.services.errors import NotFound, Stale
from tracker.text.dates import parse_date_input

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M")


def is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def fetch(session: Session, model: type[M], ident: Any) -> M | None:
    """session.get for an integer id, None for anything that cannot be an id (never overflows)."""
    return session.get(model, ident) if is_id(ident) else None


def require(
    session: Session, model: type[M], ident: Any, name: str, *, include_deleted: bool = False
) -> M:
    """The `model` row with this id, or NotFound (404) saying that `name` `ident` does not
    exist; a soft-deleted row counts as none unless `include_deleted`."""
    row = fetch(session, model, ident)
    if row is None or (getattr(row, "is_deleted", False) and not include_deleted):
        raise NotFound(f"{name} {ident} does not exist")
    return row


def put_dated(values: dict[str, Any], name: str, earliest: str, latest: str | None = None) -> None:
    """A loaded input's date `name` (EDTF or Solar Hijri, already checked by its schema) as the
    EDTF kept, with its first (and last) possible day under `earliest` (and `latest`): the
    columns a claim is sorted and queried by. Nothing is done when `name` was not given."""
    if name in values:
        parsed = parse_date_input(values[name]) if values[name] else None
        values[name] = parsed.text if parsed else None
        values[earliest] = parsed.earliest if parsed else None
        if latest:
            values[latest] = parsed.latest if parsed else None


def transactional(fn: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Commit when the outermost service call returns; roll back everything if it raises.

    Services call one another; only the outermost call ends the transaction, so a
    composite operation (the seed loader) is one unit, and a refused input writes nothing.
    """

    @wraps(fn)
    def wrapper(session: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        depth = session.info.get("service_depth", 0)
        session.info["service_depth"] = depth + 1
        try:
            if depth == 0:
                begin_write(session)
            result = fn(session, *args, **kwargs)
            if depth == 0:
                session.commit()
            return result
        except StaleDataError:
            # Another writer changed the row between our read and our write (the version
            # column's check at flush): the same answer as a stale ETag or form version.
            if depth == 0:
                session.rollback()
                raise Stale(
                    "It was changed by someone else meanwhile: fetch it again and redo your "
                    "change. Nothing was written."
                ) from None
            raise
        except BaseException:
            if depth == 0:
                session.rollback()
            raise
        finally:
            session.info["service_depth"] = depth

    return wrapper
