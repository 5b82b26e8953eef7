"""Parties' declarations: reservations, declarations, understandings and objections."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models.relation import RelationLimits
from tracker.models.vocab import DeclarationKind, MadeAt
from tracker.schemas.common import (
    LANGUAGE,
    PARTY_CODE,
    EvidenceInSchema,
    InputSchema,
    OutputSchema,
    PartyRefSchema,
    QuoteRefSchema,
    Text,
    date_input_field,
    id_field,
    one_of,
)
from tracker.schemas.events import DATE_HELP

KIND = one_of(DeclarationKind)
MADE_AT = one_of(MadeAt)


class DeclarationInSchema(InputSchema):
    party = fields.String(
        required=True,
        validate=PARTY_CODE,
        metadata={"description": "One of the agreement's parties", "example": "IRN"},
    )
    kind = fields.String(required=True, validate=KIND)
    text = Text(
        validate=validate.Length(max=RelationLimits.TEXT),
        metadata={
            "description": "As the party worded it, in any language; required but for an objection"
        },
    )
    language = fields.String(
        allow_none=True, validate=LANGUAGE, metadata={"description": "Of the text: fa, ru, en…"}
    )
    made_at = fields.String(
        allow_none=True,
        validate=MADE_AT,
        metadata={"description": "On signing or with the instrument of consent; null: unknown"},
    )
    date = date_input_field(
        max_length=RelationLimits.DATE, allow_none=True, metadata={"description": DATE_HELP}
    )
    objects_to = id_field(
        allow_none=True,
        metadata={
            "description": "An objection's: the declaration it answers, made by another party "
            "to the same agreement (required on an objection, refused on any other kind)"
        },
    )
    withdrawn_on = date_input_field(
        max_length=RelationLimits.DATE,
        allow_none=True,
        metadata={
            "description": "The day the party withdrew it; null while it stands. " + DATE_HELP
        },
    )
    note = Text(validate=validate.Length(max=RelationLimits.NOTE))
    evidence = fields.List(
        fields.Nested(EvidenceInSchema), validate=validate.Length(max=RelationLimits.QUOTES)
    )


class DeclarationPatchSchema(DeclarationInSchema):
    party = fields.String(validate=PARTY_CODE, metadata={"description": "One of the parties"})
    kind = fields.String(validate=KIND)
    evidence = fields.List(
        fields.Nested(EvidenceInSchema),
        validate=validate.Length(max=RelationLimits.QUOTES),
        metadata={"description": "Quotes to add to the ones the declaration has"},
    )


class DeclarationSchema(OutputSchema):
    id = fields.Integer(required=True)
    agreement_id = fields.Integer(required=True)
    party = fields.Nested(PartyRefSchema, required=True)
    kind = fields.String(required=True, validate=KIND)
    text = fields.String(required=True)
    language = fields.String(required=True, allow_none=True)
    made_at = fields.String(required=True, allow_none=True, validate=MADE_AT)
    date = fields.String(allow_none=True, required=True, metadata={"description": "EDTF"})
    objects_to = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The declaration it answers"}
    )
    objected_by = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "The objections (live) that answer this one"},
    )
    withdrawn_on = fields.String(
        required=True, allow_none=True, metadata={"description": "EDTF; null while it stands"}
    )
    note = fields.String(required=True)
    evidence = fields.List(fields.Nested(QuoteRefSchema), required=True)
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
