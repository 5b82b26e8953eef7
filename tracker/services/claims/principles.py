"""Statements of principle: which principle an agreement's parties state, and where."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Principle, PrincipleStatement, User
from tracker.schemas.principles import StatementInSchema
from tracker.services import transactional
from tracker.services.agreements.queries import get_agreement
from tracker.services.audit import audited
from tracker.services.claims.parties import check_codes
from tracker.services.errors import FieldErrors
from tracker.services.evidence.articles import locate_quote, make_links


def vocabulary(session: Session) -> list[Principle]:
    return list(session.scalars(select(Principle).order_by(Principle.code)))


@transactional
def state_principle(
    session: Session, agreement_id: int, data: Mapping[str, Any], *, actor: User | None = None
) -> PrincipleStatement:
    """Record that a principle is stated, with a quote from an article or a treaty clause;
    InvalidInput (422) naming each bad field, writing nothing."""
    agreement = get_agreement(session, agreement_id)
    errors = FieldErrors()
    data = errors.load(StatementInSchema(), data)
    code = data.get("principle", "").strip()
    if code and session.get(Principle, code) is None:
        errors.add("principle", f"{code!r} is not in the principle vocabulary")
    party_code = None
    if data.get("party"):
        codes = check_codes(session, [data["party"]], "party", errors)
        party_code = codes[0] if codes else None
    clause, note = data.get("clause", ""), data.get("note", "")
    located = []
    if data.get("quote") is not None or data.get("article_id") is not None:
        found = locate_quote(
            session, data.get("article_id"), data.get("quote"), errors, "article_id"
        )
        located = [found] if found else []
    elif not clause:
        errors.add("quote", "give a quote with its article_id, or a clause such as 'Art. 3 §3'")
    errors.raise_if_any()
    statement = PrincipleStatement(
        agreement=agreement,
        principle_code=code,
        party_code=party_code,
        clause=clause,
        note=note,
        recorded_by_id=actor.id if actor else None,
    )
    with audited(session, statement, actor=actor, action="create", touch=agreement):
        statement.evidence = make_links(located, actor=actor)
        session.add(statement)
    return statement
