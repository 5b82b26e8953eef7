"""What a party declares of its consent to an agreement: reservations, declarations,
understandings, and objections to another party's. None of them changes anyone's
participation; withdrawing one is amending its `withdrawn_on`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.db import utcnow
from tracker.models import Agreement, Declaration, User
from tracker.models.vocab import DeclarationKind
from tracker.schemas.declarations import DeclarationInSchema, DeclarationPatchSchema
from tracker.services import put_dated, require, transactional
from tracker.services.agreements.queries import get_agreement
from tracker.services.audit import audited
from tracker.services.claims.parties import check_codes
from tracker.services.errors import Conflict, FieldErrors, Stale
from tracker.services.evidence.articles import check_quotes, make_links
from tracker.text.normalise import normalise

OBJECTION = DeclarationKind.OBJECTION.value


def get_declaration(session: Session, declaration_id: int) -> Declaration:
    """The declaration, or NotFound (404)."""
    return require(session, Declaration, declaration_id, "declaration")


def list_declarations(session: Session, agreement_id: int) -> list[Declaration]:
    """The agreement's live declarations by party (in the agreement's order of its parties),
    then by date (undated last); NotFound (404) for no such agreement."""
    agreement = get_agreement(session, agreement_id)
    rows = session.scalars(
        select(Declaration)
        .where(Declaration.agreement_id == agreement_id, Declaration.deleted_at.is_(None))
        .order_by(Declaration.date_earliest.asc().nulls_last(), Declaration.id)
        .options(
            selectinload(Declaration.evidence),
            selectinload(Declaration.objections),
            selectinload(Declaration.objects_to),
            selectinload(Declaration.party),
        )
    ).all()
    order = {code: i for i, code in enumerate(agreement.party_codes)}
    return sorted(rows, key=lambda d: order.get(d.party_code, len(order)))


def objected_by(declaration: Declaration) -> list[Declaration]:
    """The live objections that answer it."""
    return [o for o in declaration.objections if not o.is_deleted]


def _party(session: Session, agreement: Agreement, given: Any, errors: FieldErrors) -> str | None:
    codes = check_codes(session, [given], "party", errors)
    if not codes or "party" in errors.errors:
        return None
    if codes[0] not in agreement.party_codes:
        errors.add(
            "party",
            f"{codes[0]} is not a party to this agreement (its parties: "
            f"{', '.join(agreement.party_codes)}); add it to the agreement's parties first",
        )
        return None
    return codes[0]


def _clean(
    session: Session,
    agreement: Agreement,
    data: Mapping[str, Any],
    *,
    current: Declaration | None = None,
) -> dict[str, Any]:
    """Load the input through its schema (shape), then check what it means: a party of the
    agreement, an objection answering another party's live declaration of this agreement,
    words for everything but an objection, a withdrawal not before the declaration, quotes
    found in their articles."""
    errors = FieldErrors()
    schema = DeclarationInSchema() if current is None else DeclarationPatchSchema()
    values = errors.load(schema, data)
    evidence = values.pop("evidence", None)
    if "party" in values:
        values["party_code"] = _party(session, agreement, values.pop("party"), errors)
    put_dated(values, "date", "date_earliest", "date_latest")
    put_dated(values, "withdrawn_on", "withdrawn_earliest")
    if "text" in values:
        values["search_text"] = normalise(values["text"])
    if "objects_to" in values:
        values["objects_to_id"] = values.pop("objects_to")

    def now(name: str) -> Any:
        return values[name] if name in values else getattr(current, name, None)

    kind, party = now("kind"), now("party_code")
    if kind is not None and "kind" not in errors.errors:
        target_id = now("objects_to_id")
        if kind != OBJECTION:
            if values.get("objects_to_id") is not None:
                errors.add("objects_to", "only an objection answers another declaration")
            elif current is not None and current.objects_to_id is not None:
                values["objects_to_id"] = None  # no longer an objection: it answers nothing
            if not now("text") and "text" not in errors.errors:
                errors.add("text", f"give the words of the {kind}")
        elif target_id is None:
            if "objects_to" not in errors.errors:
                errors.add("objects_to", "an objection answers a declaration: give its id")
        else:
            _check_target(session, agreement, current, target_id, party, errors)
        if current is not None and kind == OBJECTION and objected_by(current):
            errors.add("kind", "other parties object to this one: it cannot be an objection")
    if current is not None and party and party != current.party_code:
        if any(o.party_code == party for o in objected_by(current)):
            errors.add("party", f"{party} objects to this declaration: it cannot be its own")
    first, withdrawn = now("date_earliest"), now("withdrawn_earliest")
    if first and withdrawn and withdrawn < first and "withdrawn_on" not in errors.errors:
        errors.add("withdrawn_on", f"is before the declaration's date ({now('date')})")
    values["located"] = check_quotes(session, evidence, errors)
    errors.raise_if_any()
    return values


def _check_target(
    session: Session,
    agreement: Agreement,
    current: Declaration | None,
    target_id: int,
    party: str | None,
    errors: FieldErrors,
) -> None:
    target = session.get(Declaration, target_id)
    if target is None or target.is_deleted or target.agreement_id != agreement.id:
        errors.add("objects_to", f"declaration {target_id} is not one of this agreement's")
    elif current is not None and target.id == current.id:
        errors.add("objects_to", "an objection cannot answer itself")
    elif target.kind == OBJECTION:
        errors.add(
            "objects_to",
            "answers a reservation, declaration or understanding, not another objection",
        )
    elif party is not None and target.party_code == party:
        errors.add("objects_to", f"{party} cannot object to its own {target.kind}")


def _apply(declaration: Declaration, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name != "located":
            setattr(declaration, name, value)


def _links(declaration: Declaration) -> dict[str, Any]:
    """Kept beside the columns in the history: its quotes, and what an objection answers
    (so the sentence names it even once that one is gone)."""
    target = declaration.objects_to
    return {
        "evidence": [link.quote for link in declaration.evidence],
        "answers": {"party": target.party_code, "kind": target.kind} if target else None,
    }


@transactional
def record_declaration(
    session: Session, agreement_id: int, data: Mapping[str, Any], *, actor: User | None = None
) -> Declaration:
    """Record one declaration with its evidence quotes; InvalidInput (422) naming each bad
    field, writing nothing; NotFound (404) for no such agreement."""
    agreement = get_agreement(session, agreement_id)
    values = _clean(session, agreement, data)
    declaration = Declaration(agreement=agreement, recorded_by_id=actor.id if actor else None)
    with audited(session, declaration, actor=actor, action="create", touch=agreement, links=_links):
        _apply(declaration, values)
        declaration.evidence = make_links(values["located"], actor=actor)
        session.add(declaration)
    return declaration


def _current(session: Session, declaration_id: int, expected_version: int | None) -> Declaration:
    declaration = get_declaration(session, declaration_id)
    if expected_version is not None and declaration.version != expected_version:
        raise Stale(f"declaration {declaration_id} changed meanwhile")
    return declaration


@transactional
def amend_declaration(
    session: Session,
    declaration_id: int,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    version: int | None = None,
) -> Declaration:
    """Change the given fields (withdrawing it is giving `withdrawn_on`); evidence given
    here is added to what it has. Stale (412) when it is no longer at `version`."""
    declaration = _current(session, declaration_id, version)
    values = _clean(session, declaration.agreement, data, current=declaration)
    with audited(
        session,
        declaration,
        actor=actor,
        action="update",
        touch=declaration.agreement,
        links=_links,
    ):
        _apply(declaration, values)
        declaration.evidence.extend(make_links(values["located"], actor=actor))
        session.flush()
        session.expire(declaration, ["objects_to"])
    return declaration


@transactional
def remove_declaration(
    session: Session,
    declaration_id: int,
    *,
    actor: User | None = None,
    version: int | None = None,
) -> Declaration:
    """Take it off the record (kept, restorable from the history). Conflict (409) while a
    live objection answers it: remove or re-point those first; Stale (412)."""
    declaration = _current(session, declaration_id, version)
    answering = objected_by(declaration)
    if answering:
        parties = ", ".join(sorted({o.party_code for o in answering}))
        raise Conflict(
            f"{parties} object{'s' if len(answering) == 1 else ''} to this "
            f"{declaration.kind}: remove the objection first"
        )
    with audited(
        session,
        declaration,
        actor=actor,
        action="delete",
        touch=declaration.agreement,
        links=_links,
    ):
        declaration.deleted_at = utcnow()
    return declaration
