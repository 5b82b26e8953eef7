"""The domain. Every public function takes a Session first and decides the transaction."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")


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
            result = fn(session, *args, **kwargs)
            if depth == 0:
                session.commit()
            return result
        except BaseException:
            if depth == 0:
                session.rollback()
            raise
        finally:
            session.info["service_depth"] = depth

    return wrapper
