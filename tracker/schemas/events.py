"""Stage events."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models.event import EventLimits
from tracker.models.vocab import ConsentType
from tracker.schemas.common import (
    ANONYMOUS,
    EVENT_STATUS,
    PARTY_CODE,
    STAGE,
    STEP,
    EvidenceInSchema,
    InputSchema,
    OutputSchema,
    QuoteRefSchema,
    Text,
    date_input_field,
    one_of,
)

DATE_HELP = (
    "EDTF (2024-01-15, 2024-01, 2025-06~, 2024-07-21?, 2025-05/2025-06) or Solar Hijri (1403/10/28)"
)


class EventInSchema(InputSchema):
    stage = fields.String(required=True, validate=STAGE)
    step = fields.String(
        allow_none=True, validate=STEP, metadata={"description": "Refines a ratification"}
    )
    party = fields.String(
        allow_none=True,
        validate=PARTY_CODE,
        metadata={"description": "Required for a ratification"},
    )
    body = Text(validate=validate.Length(max=EventLimits.BODY), metadata={"example": "State Duma"})
    place = Text(validate=validate.Length(max=EventLimits.PLACE))
    date = date_input_field(
        max_length=EventLimits.DATE, allow_none=True, metadata={"description": DATE_HELP}
    )
    status = fields.String(validate=EVENT_STATUS, load_default="reported")
    consent_type = fields.String(
        allow_none=True,
        validate=one_of(ConsentType),
        metadata={
            "description": "The notification step's kind of instrument (default "
            "ratification); refused on any other step"
        },
    )
    note = Text(validate=validate.Length(max=EventLimits.NOTE))
    evidence = fields.List(
        fields.Nested(EvidenceInSchema), validate=validate.Length(max=EventLimits.QUOTES)
    )


class EventPatchSchema(EventInSchema):
    stage = fields.String(validate=STAGE)
    status = fields.String(validate=EVENT_STATUS)
    preferred = fields.Boolean(
        validate=validate.Equal(True),
        metadata={"description": "true settles a conflict in favour of this claim"},
    )
    evidence = fields.List(
        fields.Nested(EvidenceInSchema),
        validate=validate.Length(max=EventLimits.QUOTES),
        metadata={"description": "Quotes to add to the ones the event has"},
    )


class EventSchema(OutputSchema):
    id = fields.Integer(required=True)
    agreement_id = fields.Integer(required=True)
    stage = fields.String(required=True)
    step = fields.String(allow_none=True, required=True)
    party = fields.String(allow_none=True, required=True)
    body = fields.String(required=True)
    place = fields.String(required=True)
    date = fields.String(allow_none=True, required=True, metadata={"description": "EDTF"})
    date_earliest = fields.Date(allow_none=True, required=True)
    date_latest = fields.Date(allow_none=True, required=True)
    status = fields.String(required=True)
    consent_type = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "On the notification step: " + ", ".join(ConsentType)},
    )
    preferred = fields.Boolean(required=True)
    note = fields.String(required=True)
    evidence = fields.List(fields.Nested(QuoteRefSchema), required=True)
    recorded_by = fields.String(
        allow_none=True, required=True, metadata={"description": f"Email{ANONYMOUS}"}
    )
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
