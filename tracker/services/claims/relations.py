"""Relations between agreements (SPEC §2b): "A supersedes B" is stored on A, its subject,
and listed on both. A relation never changes a status; a superseded agreement only stops
wanting follow-up (services/reminders/rules.py asks `superseded_by`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from tracker.db import utcnow
from tracker.models import Agreement, AgreementRelation, User
from tracker.models.vocab import RELATION_LABELS, RelationRole, RelationType
from tracker.schemas.relations import RelationInSchema, RelationPatchSchema
from tracker.services import fetch, put_dated, require, transactional
from tracker.services.agreements.queries import get_agreement
from tracker.services.audit import audited
from tracker.services.errors import FieldErrors, NotFound, Stale
from tracker.services.evidence.articles import check_quotes, make_links


@dataclass(frozen=True)
class RelationView:
    """A relation as one of its agreements lists it: its end (`role`), the relation read
    from that end (`label`: "superseded by") and the agreement at the other end."""

    relation: AgreementRelation
    role: str
    label: str
    other: Agreement

    @property
    def quotes(self) -> list[dict[str, Any]]:
        return [
            {
                "id": link.id,
                "article_id": link.article_id,
                "quote": link.quote,
                "start": link.quote_start,
                "end": link.quote_end,
            }
            for link in self.relation.evidence
        ]


def label(relation_type: str, role: str) -> str:
    """ "supersedes" on the subject, "superseded by" on the target."""
    subject_label, target_label = RELATION_LABELS[RelationType(relation_type)]
    return subject_label if role == RelationRole.SUBJECT else target_label


def view(relation: AgreementRelation, agreement_id: int | None = None) -> RelationView:
    """The relation as `agreement_id` lists it (its subject's when not given)."""
    if agreement_id is not None and agreement_id == relation.target_id:
        role, other = RelationRole.TARGET.value, relation.subject
    else:
        role, other = RelationRole.SUBJECT.value, relation.target
    return RelationView(relation, role, label(relation.type, role), other)


def sentence(subject_title: str, relation_type: str, target_title: str) -> str:
    """ "A supersedes B", as the history and the digests say it."""
    return f"{subject_title} {label(relation_type, RelationRole.SUBJECT)} {target_title}"


def get_relation(session: Session, relation_id: int) -> AgreementRelation:
    """The relation, or NotFound (404); one between a deleted agreement and another counts
    as none."""
    relation = require(session, AgreementRelation, relation_id, "relation")
    if relation.subject.is_deleted or relation.target.is_deleted:
        raise NotFound(f"relation {relation_id} does not exist")
    return relation


def list_relations(session: Session, agreement_id: int) -> list[RelationView]:
    """Both directions of the agreement's live relations with live agreements: those it is
    the subject of, then those it is the target of, each by date (undated last); NotFound."""
    get_agreement(session, agreement_id)
    subject, target = aliased(Agreement), aliased(Agreement)
    rows = session.scalars(
        select(AgreementRelation)
        .join(subject, subject.id == AgreementRelation.subject_id)
        .join(target, target.id == AgreementRelation.target_id)
        .where(
            (AgreementRelation.subject_id == agreement_id)
            | (AgreementRelation.target_id == agreement_id),
            AgreementRelation.deleted_at.is_(None),
            subject.deleted_at.is_(None),
            target.deleted_at.is_(None),
        )
        .order_by(AgreementRelation.date_earliest.asc().nulls_last(), AgreementRelation.id)
        .options(
            selectinload(AgreementRelation.evidence),
            selectinload(AgreementRelation.subject),
            selectinload(AgreementRelation.target),
            selectinload(AgreementRelation.recorded_by),
        )
    ).all()
    views = [view(r, agreement_id) for r in rows]
    return [v for v in views if v.role == RelationRole.SUBJECT] + [
        v for v in views if v.role == RelationRole.TARGET
    ]


def _clean(
    session: Session,
    subject_id: int,
    data: Mapping[str, Any],
    *,
    current: AgreementRelation | None = None,
) -> dict[str, Any]:
    """Load the input through its schema (shape), then check what it means: a live other
    agreement, not the subject itself, no second live relation of the same type between the
    two, quotes found in their articles."""
    errors = FieldErrors()
    schema = RelationInSchema() if current is None else RelationPatchSchema()
    values = errors.load(schema, data)
    evidence = values.pop("evidence", None)
    if "target_id" in values:
        target = fetch(session, Agreement, values["target_id"])
        if target is None or target.is_deleted:
            errors.add("target_id", f"agreement {values['target_id']} does not exist")
        elif target.id == subject_id:
            errors.add("target_id", "an agreement cannot be related to itself")
    put_dated(values, "date", "date_earliest", "date_latest")
    relation_type = values.get("type", current.type if current else None)
    target_id = values.get("target_id", current.target_id if current else None)
    if relation_type and target_id and not errors.errors.get("target_id"):
        query = select(AgreementRelation.id).where(
            AgreementRelation.subject_id == subject_id,
            AgreementRelation.type == relation_type,
            AgreementRelation.target_id == target_id,
            AgreementRelation.deleted_at.is_(None),
        )
        if current is not None:
            query = query.where(AgreementRelation.id != current.id)
        if session.scalar(query.limit(1)) is not None:
            errors.add(
                "target_id",
                f"this agreement already {label(relation_type, RelationRole.SUBJECT)} that one",
            )
    values["located"] = check_quotes(session, evidence, errors)
    errors.raise_if_any()
    return values


def _apply(relation: AgreementRelation, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name != "located":
            setattr(relation, name, value)


def _links(relation: AgreementRelation) -> dict[str, Any]:
    """What the history says a relation is: its quotes, and both agreements' titles, which
    its columns do not hold."""
    return {
        "evidence": [link.quote for link in relation.evidence],
        "subject_title": relation.subject.title if relation.subject else None,
        "target_title": relation.target.title if relation.target else None,
    }


@transactional
def record_relation(
    session: Session, subject_id: int, data: Mapping[str, Any], *, actor: User | None = None
) -> AgreementRelation:
    """Record that the agreement `subject_id` stands to `data["target_id"]` as `data["type"]`
    says, with its evidence quotes: NotFound (404) for the subject, InvalidInput (422)
    writing nothing. Neither agreement's status changes."""
    subject = get_agreement(session, subject_id)
    values = _clean(session, subject.id, data)
    relation = AgreementRelation(subject=subject, recorded_by_id=actor.id if actor else None)
    with audited(session, relation, actor=actor, action="create", touch=subject, links=_links):
        _apply(relation, values)
        relation.target = session.get(Agreement, values["target_id"])
        relation.evidence = make_links(values["located"], actor=actor)
        session.add(relation)
    return relation


def _current(session: Session, relation_id: int, expected_version: int | None) -> AgreementRelation:
    relation = get_relation(session, relation_id)
    if expected_version is not None and relation.version != expected_version:
        raise Stale(f"relation {relation_id} changed meanwhile")
    return relation


@transactional
def amend_relation(
    session: Session,
    relation_id: int,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    version: int | None = None,
) -> AgreementRelation:
    """Change the given fields; evidence given here is added to what the relation has.
    NotFound (404), Stale (412) when no longer at `version`, InvalidInput (422)."""
    relation = _current(session, relation_id, version)
    values = _clean(session, relation.subject_id, data, current=relation)
    with audited(
        session, relation, actor=actor, action="update", touch=relation.subject, links=_links
    ):
        _apply(relation, values)
        if "target_id" in values:
            relation.target = session.get(Agreement, values["target_id"])
        relation.evidence.extend(make_links(values["located"], actor=actor))
    return relation


@transactional
def remove_relation(
    session: Session,
    relation_id: int,
    *,
    actor: User | None = None,
    version: int | None = None,
) -> AgreementRelation:
    """Remove the relation (soft delete, kept on the history). NotFound (404), Stale (412)."""
    relation = _current(session, relation_id, version)
    with audited(
        session, relation, actor=actor, action="delete", touch=relation.subject, links=_links
    ):
        relation.deleted_at = utcnow()
    return relation


def superseded_by(session: Session, agreement_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Each agreement that is the target of a live `supersedes` relation from a live
    agreement, with the title of (the first recorded of) what supersedes it: one query for
    every agreement, or for `agreement_ids`."""
    subject, target = aliased(Agreement), aliased(Agreement)
    query = (
        select(AgreementRelation.target_id, subject.title)
        .join(subject, subject.id == AgreementRelation.subject_id)
        .join(target, target.id == AgreementRelation.target_id)
        .where(
            AgreementRelation.type == RelationType.SUPERSEDES.value,
            AgreementRelation.deleted_at.is_(None),
            subject.deleted_at.is_(None),
            target.deleted_at.is_(None),
        )
        .order_by(AgreementRelation.id)
    )
    if agreement_ids is not None:
        query = query.where(AgreementRelation.target_id.in_(list(agreement_ids)))
    found: dict[int, str] = {}
    for target_id, title in session.execute(query):
        found.setdefault(target_id, title)
    return found


def is_superseded(session: Session, agreement_id: int) -> bool:
    """Whether a live agreement supersedes this one."""
    return agreement_id in superseded_by(session, [agreement_id])
