"""Agreements: what clients send and what they get."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.models.agreement import AgreementLimits
from tracker.models.principle import StatementLimits
from tracker.models.vocab import (
    AgreementKind,
    AgreementStatus,
    Participation,
    PeriodUnit,
    RatificationState,
    Stage,
    Step,
)
from tracker.schemas.common import (
    ANONYMOUS,
    LANGUAGE,
    PARTY_CODE,
    Actor,
    DumpSchema,
    InputSchema,
    OutputSchema,
    PartyRefSchema,
    Person,
    ReaderSchema,
    Text,
    date_input_field,
    instant_field,
    one_of,
)
from tracker.schemas.events import EventSchema
from tracker.schemas.principles import StatementSchema

# Each ascending, or descending with "-" first; rows without the date or stage come last.
SORT_KEYS = (
    "updated",
    "created",
    "title",
    "next_expected",
    "stage",
    "signed",
    "in_force",
    "last_activity",
)
SORTS = [f"{sign}{key}" for key in SORT_KEYS for sign in ("", "-")]


def _days(description: str, **kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=AgreementLimits.ENTRY_INTO_FORCE_DAYS),
        metadata={"description": description},
        **kwargs,
    )


class EntryIntoForceRuleSchema(InputSchema):
    """One of two rules (SPEC §2b): {"days_after_last_notification": N} (N days after the
    last party's notification), or {"instruments_required": K, "days_after_instrument": N,
    "days_after_own_instrument": M} (N days after the K-th instrument; a later party is bound
    M days after its own, never before the entry into force)."""

    days_after_last_notification = _days("N days after the last party's notification")
    instruments_required = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=AgreementLimits.INSTRUMENTS),
        metadata={"description": "K: the instruments it needs"},
    )
    days_after_instrument = _days("N days after the K-th instrument (default 0)")
    days_after_own_instrument = _days("M days after a later party's own instrument (default N)")

    @validates_schema
    def one_rule(self, data: dict[str, Any], **kwargs: Any) -> None:
        last = "days_after_last_notification" in data
        instruments = {"instruments_required", "days_after_instrument", "days_after_own_instrument"}
        if last and instruments & set(data):
            raise ValidationError(
                "Either days_after_last_notification alone, or instruments_required with "
                "days_after_instrument and days_after_own_instrument.",
                "_schema",
            )
        if not last and "instruments_required" not in data:
            field = "instruments_required" if instruments & set(data) else "_schema"
            raise ValidationError(
                "Give days_after_last_notification, or instruments_required.", field
            )


_PERIODS = {f"{unit}_after_notification": unit for unit in PeriodUnit}


class WithdrawalRuleSchema(InputSchema):
    """A withdrawal takes effect N days, months or years after its notification: one of
    {"days_after_notification": N}, {"months_after_notification": N},
    {"years_after_notification": N}."""

    days_after_notification = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=AgreementLimits.WITHDRAWAL_PERIOD)
    )
    months_after_notification = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=AgreementLimits.WITHDRAWAL_PERIOD // 30)
    )
    years_after_notification = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=AgreementLimits.WITHDRAWAL_PERIOD // 365)
    )

    @validates_schema
    def one_period(self, data: dict[str, Any], **kwargs: Any) -> None:
        if len(data) != 1:
            raise ValidationError(
                "Give one of days_after_notification, months_after_notification or "
                "years_after_notification.",
                "_schema",
            )


class AgreementInSchema(InputSchema):
    title = Text(required=True, validate=validate.Length(min=1, max=AgreementLimits.TITLE))
    titles = fields.Dict(
        keys=fields.String(validate=LANGUAGE),
        values=Text(validate=validate.Length(min=1, max=AgreementLimits.TITLE)),
        metadata={"description": "Language code -> title in that language or original script"},
    )
    kind = fields.String(validate=one_of(AgreementKind), load_default="agreement")
    parties = fields.List(
        fields.String(validate=PARTY_CODE), metadata={"description": "Party codes"}
    )
    topics = fields.List(Text(validate=validate.Length(min=1, max=AgreementLimits.TOPIC)))
    summary = Text(validate=validate.Length(max=AgreementLimits.SUMMARY))
    entry_into_force_rule = fields.Nested(EntryIntoForceRuleSchema, allow_none=True)
    withdrawal_rule = fields.Nested(WithdrawalRuleSchema, allow_none=True)
    duration_years = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=AgreementLimits.DURATION_YEARS),
    )
    bilateral = fields.Boolean(
        metadata={
            "description": "Defaults from the party count (two: bilateral) and follows it "
            "until set: an organisation and its members with one state is bilateral in law"
        }
    )
    depositary = fields.String(
        allow_none=True,
        validate=PARTY_CODE,
        metadata={"description": "Party or organisation keeping the instruments (UN, AU…)"},
    )
    signature_opens = date_input_field(
        max_length=AgreementLimits.DATE,
        allow_none=True,
        metadata={"description": "Opened for signature (EDTF or Solar Hijri)"},
    )
    signature_closes = date_input_field(
        max_length=AgreementLimits.DATE,
        allow_none=True,
        metadata={"description": "Closed for signature (EDTF or Solar Hijri)"},
    )


class AgreementPatchSchema(AgreementInSchema):
    title = Text(validate=validate.Length(min=1, max=AgreementLimits.TITLE))
    kind = fields.String(validate=one_of(AgreementKind))


class NextExpectedSchema(OutputSchema):
    stage = fields.String(required=True)
    date = fields.String(
        required=True, allow_none=True, metadata={"description": "EDTF, or null when unknown"}
    )
    step = fields.String(allow_none=True)
    party = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "rule, event or sequence"})
    event_id = fields.Integer(
        allow_none=True, metadata={"description": "The expected claim, if any"}
    )


class FlagSchema(OutputSchema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    event_ids = fields.List(fields.Integer(), required=True)


class AgreementSummarySchema(OutputSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    titles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    kind = fields.String(required=True)
    bilateral = fields.Boolean(required=True)
    parties = fields.List(fields.Nested(PartyRefSchema), required=True)
    topics = fields.List(fields.String(), required=True)
    summary = fields.String(required=True)
    entry_into_force_rule = fields.Nested(EntryIntoForceRuleSchema, allow_none=True, required=True)
    withdrawal_rule = fields.Nested(WithdrawalRuleSchema, allow_none=True, required=True)
    duration_years = fields.Integer(allow_none=True, required=True)
    depositary = fields.Nested(PartyRefSchema, allow_none=True, required=True)
    signature_opens = fields.String(
        allow_none=True, required=True, metadata={"description": "EDTF"}
    )
    signature_closes = fields.String(
        allow_none=True, required=True, metadata={"description": "EDTF"}
    )
    current_stage = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, metadata={"enum": [s.value for s in AgreementStatus]})
    next_expected = fields.Nested(NextExpectedSchema, allow_none=True, required=True)
    ratification = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Party code -> not_started, in_progress, ratified or notified"},
    )
    participation = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Party code -> " + ", ".join(Participation)},
    )
    instruments_deposited = fields.Integer(
        required=True,
        metadata={"description": "Parties whose instrument stands (not revoked or withdrawn)"},
    )
    instruments_required = fields.Integer(
        allow_none=True,
        required=True,
        metadata={
            "description": "K of the rule of instruments; the party count under the rule "
            "of the last notification; null without a rule"
        },
    )
    conflicts = fields.List(
        fields.List(fields.Integer()),
        required=True,
        metadata={"description": "Groups of conflicting event ids"},
    )
    flags = fields.List(fields.Nested(FlagSchema), required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class StepReachedSchema(OutputSchema):
    step = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "enum": [s.value for s in Step],
            "description": "null: a ratification claim that names no step",
        },
    )
    body = fields.String(required=True, metadata={"description": 'e.g. "State Duma"'})
    date = fields.String(required=True, allow_none=True, metadata={"description": "EDTF"})
    event_id = fields.Integer(required=True)
    conflict = fields.Boolean(
        required=True,
        metadata={"description": "Another claim about this step disagrees; none is preferred"},
    )


class PartyProgressSchema(OutputSchema):
    party = fields.String(required=True, metadata={"description": "Party code"})
    ratification = fields.String(
        required=True, metadata={"enum": [s.value for s in RatificationState]}
    )
    steps = fields.List(
        fields.Nested(StepReachedSchema),
        required=True,
        metadata={
            "description": "The counted ratification claims of this party (reported or "
            "confirmed; only the preferred one of a settled step), in the chain's order"
        },
    )
    ratified_on = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "EDTF of the head of state's signature, promulgation or a "
            "step-less ratification claim (the earliest); null if none"
        },
    )
    notified_on = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "EDTF of the earliest notification; null if none"},
    )
    explanation = fields.String(
        required=True,
        metadata={"description": "The derived state in words, and what would move it on"},
    )


class AgreementSchema(AgreementSummarySchema):
    events = fields.List(fields.Nested(EventSchema), required=True)
    parties_progress = fields.List(
        fields.Nested(PartyProgressSchema),
        required=True,
        metadata={
            "description": "Per party of the agreement, in its order: the ratification "
            "steps reached with their dates"
        },
    )
    principles = fields.List(fields.Nested(StatementSchema), required=True)
    evidence_count = fields.Integer(
        required=True, metadata={"description": "Distinct articles cited"}
    )


class AgreementQuerySchema(InputSchema):
    party = fields.String(validate=PARTY_CODE, metadata={"description": "Has this party"})
    stage = fields.String(validate=one_of(Stage), metadata={"description": "Current stage"})
    status = fields.String(validate=one_of(AgreementStatus))
    topic = fields.String(validate=validate.Length(min=1, max=AgreementLimits.TOPIC))
    principle = fields.String(
        validate=validate.Length(min=1, max=StatementLimits.PRINCIPLE),
        metadata={"description": "States this principle"},
    )
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Words in a title or the summary, any spelling"},
    )
    updated_since = instant_field(
        metadata={"description": "Changed at or after this instant (ISO 8601 with offset)"}
    )
    kind = fields.String(validate=one_of(AgreementKind), metadata={"description": "Of this kind"})
    participation = fields.String(
        validate=one_of(Participation),
        metadata={"description": "With `party`: that party's participation (SPEC §2b)"},
    )
    sort = fields.String(
        validate=validate.OneOf(SORTS),
        load_default="-updated",
        metadata={
            "description": "updated, created, title, next_expected (its date), stage (the "
            "current stage, in lifecycle order), signed (the earliest reported or confirmed "
            "signing), in_force (entry into force, or else its expected date), last_activity "
            "(the last event or evidence); a leading '-' sorts descending. Rows without the "
            "date or stage come last either way."
        },
    )

    after = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={
            "description": "Continue after the last row of a page: the `next_cursor` of that "
            "page's X-Pagination, with the same sort (and `page` left at 1). Rows added or "
            "removed before it meanwhile shift nothing, and it costs the same however deep."
        },
    )

    @validates_schema
    def participation_of_a_party(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "participation" in data and "party" not in data:
            raise ValidationError("Give the party whose participation it is.", "party")


class AuditEntrySchema(ReaderSchema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    user = Person(
        required=True,
        allow_none=True,
        metadata={"description": f"Who, by email{ANONYMOUS}; null: the system"},
    )
    actor = Actor(
        required=True,
        metadata={"description": f"Who acted: an email{ANONYMOUS}, or the system's part"},
    )
    action = fields.String(required=True, metadata={"description": "create, update, delete, …"})
    entity = fields.String(required=True, metadata={"description": "agreement, stage_event, …"})
    entity_id = fields.String(required=True)
    before = fields.Dict(required=True, allow_none=True, metadata={"description": "null: created"})
    after = fields.Dict(required=True, allow_none=True)


class DeletedAgreementSchema(DumpSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    deleted_at = fields.DateTime(required=True)
    deleted_by = fields.String(required=True, allow_none=True)
