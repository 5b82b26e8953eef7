"""Agreements: create, amend, soft-delete and restore; each loads its input through the API's
schema, checks what it means, writes in one transaction and is audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import Agreement, AgreementParty, AgreementTopic, User
from tracker.schemas.agreements import AgreementInSchema, AgreementPatchSchema
from tracker.services import transactional
from tracker.services.agreements.queries import get_agreement
from tracker.services.audit import audited
from tracker.services.claims.parties import check_codes, resolve_names
from tracker.services.errors import Conflict, FieldErrors, Stale
from tracker.text.dates import parse_date_input
from tracker.text.normalise import normalise


def _clean(
    session: Session,
    data: Mapping[str, Any],
    *,
    partial: bool,
    current_id: int | None = None,
    parties_by_name: bool = False,
    ref: str | None = None,
) -> dict[str, Any]:
    """Load the input through its schema (shape), then check what it means (known parties,
    a ref no other agreement has); raise InvalidInput naming each bad field.

    With `parties_by_name` (the web form) parties are text: names or aliases in any language
    as well as codes, separated by commas (see parties.resolve_names); the API gives codes.
    """
    data = dict(data)
    typed_parties = data.pop("parties", None) if parties_by_name else None
    typed_depositary = data.pop("depositary", None) if parties_by_name else None
    schema = AgreementPatchSchema() if partial else AgreementInSchema()
    errors = FieldErrors()
    values = errors.load(schema, data)
    if typed_parties is not None:
        values["parties"] = resolve_names(session, typed_parties, "parties", errors)
    elif "parties" in values:
        values["parties"] = check_codes(session, values["parties"], "parties", errors)
    if "topics" in values:
        values["topics"] = list(dict.fromkeys(topic.lower() for topic in values["topics"]))
    if "entry_into_force_rule" in values:
        values |= _rule_columns(values.pop("entry_into_force_rule"))
    if "withdrawal_rule" in values:
        period = values.pop("withdrawal_rule") or {}
        ((key, value),) = period.items() if period else ((None, None),)
        values["withdrawal_period"] = value
        values["withdrawal_unit"] = key.removesuffix("_after_notification") if key else None
    if typed_depositary is not None:  # a name in any language, or a code
        codes = resolve_names(session, typed_depositary, "depositary", errors)
        if len(codes) > 1:
            errors.add("depositary", "name one party or organisation")
        values["depositary_code"] = codes[0] if codes else None
    elif parties_by_name:
        values["depositary_code"] = None
    elif "depositary" in values:
        depositary = values.pop("depositary")
        codes = check_codes(session, [depositary], "depositary", errors) if depositary else []
        values["depositary_code"] = codes[0] if codes else None
    for name in ("signature_opens", "signature_closes"):
        if name in values:
            parsed = parse_date_input(values[name]) if values[name] else None
            values[name] = parsed.text if parsed else None
            values[f"_{name}"] = parsed
    opens, closes = values.pop("_signature_opens", None), values.pop("_signature_closes", None)
    if opens and closes and closes.latest and opens.earliest and closes.latest < opens.earliest:
        errors.add("signature_closes", "is before the day the agreement opens for signature")
    if ref:
        query = select(Agreement.id).where(Agreement.ref == ref, Agreement.id != (current_id or 0))
        if session.scalar(query) is not None:
            errors.add("ref", f"an agreement with ref {ref!r} already exists")
        values["ref"] = ref
    errors.raise_if_any()
    return values


_RULE_COLUMNS = (
    "entry_into_force_days",
    "instruments_required",
    "days_after_instrument",
    "days_after_own_instrument",
)


def _rule_columns(rule: Mapping[str, Any] | None) -> dict[str, Any]:
    """The columns of either rule of entry into force; the other rule's are emptied."""
    rule = rule or {}
    return {
        "entry_into_force_days": rule.get("days_after_last_notification"),
        "instruments_required": rule.get("instruments_required"),
        "days_after_instrument": rule.get("days_after_instrument"),
        "days_after_own_instrument": rule.get("days_after_own_instrument"),
    }


def _apply(agreement: Agreement, values: dict[str, Any]) -> None:
    for name in (
        "ref",
        "title",
        "titles",
        "kind",
        "summary",
        *_RULE_COLUMNS,
        "withdrawal_period",
        "withdrawal_unit",
        "depositary_code",
        "signature_opens",
        "signature_closes",
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
    ref: str | None = None,
) -> Agreement:
    """Create an agreement; raise InvalidInput (422) naming each bad field, writing nothing.

    `parties_by_name`: parties may be names in any language as well as codes (web forms).
    `ref`: the stable key of a case loaded from data files (the seed), unique.
    """
    values = _clean(session, data, partial=False, parties_by_name=parties_by_name, ref=ref)
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
