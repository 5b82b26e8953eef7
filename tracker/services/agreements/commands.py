"""Agreements: create, amend, soft-delete and restore; each checks its input, writes in one
transaction and is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import Agreement, AgreementParty, AgreementTopic, User
from tracker.models.agreement import AgreementLimits
from tracker.models.vocab import AgreementKind
from tracker.services import checks, transactional
from tracker.services.agreements.queries import get_agreement
from tracker.services.audit import audited
from tracker.services.claims.parties import check_codes, resolve_names
from tracker.services.errors import Conflict, FieldErrors, Stale
from tracker.text.normalise import normalise

FIELDS = {
    "ref",
    "title",
    "titles",
    "kind",
    "parties",
    "topics",
    "summary",
    "entry_into_force_rule",
    "duration_years",
}


def _clean(
    session: Session,
    data: Mapping[str, Any],
    *,
    partial: bool,
    current_id: int | None = None,
    parties_by_name: bool = False,
) -> dict[str, Any]:
    """Check every given field; raise InvalidInput naming each bad one.

    With `parties_by_name` (the web form) parties may be typed as names or aliases in any
    language as well as codes (see parties.resolve_names); the API gives codes only.
    """
    errors = FieldErrors()
    for unknown in sorted(set(data) - FIELDS):
        errors.add(unknown, "is not a field of an agreement")
    values: dict[str, Any] = {}
    if "title" in data or not partial:
        values["title"] = checks.text(
            errors, "title", data.get("title"), max_length=AgreementLimits.TITLE, required=True
        )
    if "ref" in data:
        values["ref"] = (
            checks.text(errors, "ref", data["ref"], max_length=AgreementLimits.REF) or None
        )
    if "titles" in data:
        titles = data["titles"] or {}
        if not isinstance(titles, Mapping):
            errors.add("titles", "must map language codes to titles")
        else:
            values["titles"] = {}
            for lang, title in titles.items():
                code = checks.language(errors, "titles", lang)
                value = checks.text(
                    errors, "titles", title, max_length=AgreementLimits.TITLE, required=True
                )
                if code and value:
                    values["titles"][code] = value
    if "kind" in data or not partial:
        values["kind"] = checks.choice(
            errors, "kind", data.get("kind") or AgreementKind.AGREEMENT.value, AgreementKind
        )
    if "parties" in data:
        parties = data["parties"] or []
        if parties_by_name and isinstance(parties, str | Sequence):
            values["parties"] = resolve_names(session, parties, "parties", errors)
        elif isinstance(parties, str) or not isinstance(parties, Sequence):
            errors.add("parties", "must be a list of party codes")
        else:
            values["parties"] = check_codes(session, parties, "parties", errors)
    if "topics" in data:
        topics = data["topics"] or []
        if isinstance(topics, str) or not isinstance(topics, Sequence):
            errors.add("topics", "must be a list of topics")
        else:
            cleaned: list[str] = []
            for topic in topics:
                value = checks.text(
                    errors, "topics", topic, max_length=AgreementLimits.TOPIC, required=True
                ).lower()
                if value and value not in cleaned:
                    cleaned.append(value)
            values["topics"] = cleaned
    if "summary" in data:
        values["summary"] = checks.text(
            errors, "summary", data["summary"], max_length=AgreementLimits.SUMMARY
        )
    if "entry_into_force_rule" in data:
        rule = data["entry_into_force_rule"]
        if rule is None:
            values["entry_into_force_days"] = None
        elif not isinstance(rule, Mapping) or set(rule) != {"days_after_last_notification"}:
            errors.add(
                "entry_into_force_rule",
                'must be null or {"days_after_last_notification": N}',
            )
        else:
            days = checks.integer(
                errors,
                "entry_into_force_rule",
                rule["days_after_last_notification"],
                minimum=0,
                maximum=AgreementLimits.ENTRY_INTO_FORCE_DAYS,
            )
            if days is None and "entry_into_force_rule" not in errors.errors:
                errors.add("entry_into_force_rule", "days_after_last_notification is required")
            values["entry_into_force_days"] = days
    if "duration_years" in data:
        values["duration_years"] = checks.integer(
            errors,
            "duration_years",
            data["duration_years"],
            minimum=1,
            maximum=AgreementLimits.DURATION_YEARS,
        )
    if values.get("ref"):
        query = select(Agreement.id).where(
            Agreement.ref == values["ref"], Agreement.id != (current_id or 0)
        )
        if session.scalar(query) is not None:
            errors.add("ref", f"an agreement with ref {values['ref']!r} already exists")
    errors.raise_if_any()
    return values


def _apply(agreement: Agreement, values: dict[str, Any]) -> None:
    for name in (
        "ref",
        "title",
        "titles",
        "kind",
        "summary",
        "entry_into_force_days",
        "duration_years",
    ):
        if name in values:
            setattr(agreement, name, values[name])
    # bilateral follows the party count unless a researcher said otherwise (SPEC §2b)
    followed_count = agreement.id is None or agreement.bilateral == (
        len(agreement.party_links) == 2
    )
    if "parties" in values:
        agreement.party_links = [
            AgreementParty(party_code=code, position=i) for i, code in enumerate(values["parties"])
        ]
    if values.get("bilateral") is not None:
        agreement.bilateral = values["bilateral"]
    elif "parties" in values and followed_count:
        agreement.bilateral = len(values["parties"]) == 2
    if "topics" in values:
        agreement.topic_links = [AgreementTopic(topic=t) for t in values["topics"]]
    texts = [agreement.title or "", *(agreement.titles or {}).values(), agreement.summary or ""]
    agreement.search_text = normalise("\n".join(texts))


def _links_state(agreement: Agreement) -> dict[str, Any]:
    return {"parties": agreement.party_codes, "topics": agreement.topics}


@transactional
def create_agreement(
    session: Session,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    parties_by_name: bool = False,
) -> Agreement:
    """Create an agreement; raise InvalidInput (422) naming each bad field, writing nothing.

    `parties_by_name`: parties may be names in any language as well as codes (web forms).
    """
    values = _clean(session, data, partial=False, parties_by_name=parties_by_name)
    agreement = Agreement()
    with audited(
        session, agreement, actor=actor, action="create", touch=agreement, links=_links_state
    ):
        _apply(agreement, values)
        session.add(agreement)
    return agreement


@transactional
def update_agreement(
    session: Session,
    agreement_id: int,
    data: Mapping[str, Any],
    *,
    actor: User | None = None,
    expected_version: int | None = None,
    parties_by_name: bool = False,
) -> Agreement:
    """Amend the given fields; raise Stale (412) when `expected_version` is stale."""
    agreement = get_agreement(session, agreement_id)
    if expected_version is not None and agreement.version != expected_version:
        raise Stale(f"agreement {agreement_id} changed meanwhile")
    values = _clean(
        session, data, partial=True, current_id=agreement.id, parties_by_name=parties_by_name
    )
    with audited(
        session, agreement, actor=actor, action="update", touch=agreement, links=_links_state
    ):
        _apply(agreement, values)
    return agreement


@transactional
def delete_agreement(
    session: Session, agreement_id: int, *, actor: User | None = None
) -> Agreement:
    """Soft-delete: hidden everywhere, restorable by an admin."""
    agreement = get_agreement(session, agreement_id)
    with audited(session, agreement, actor=actor, action="delete", agreement_id=agreement.id):
        agreement.deleted_at = utcnow()
    return agreement


@transactional
def restore_agreement(
    session: Session, agreement_id: int, *, actor: User | None = None
) -> Agreement:
    """Bring a deleted agreement back, with everything it had; Conflict (409) if not deleted."""
    agreement = get_agreement(session, agreement_id, include_deleted=True)
    if not agreement.is_deleted:
        raise Conflict(f"agreement {agreement_id} is not deleted")
    with audited(session, agreement, actor=actor, action="restore", agreement_id=agreement.id):
        agreement.deleted_at = None
    return agreement
