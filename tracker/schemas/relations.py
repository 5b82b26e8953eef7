"""Relations between agreements (SPEC §2b): "A supersedes B", stored on A."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models.relation import RelationLimits
from tracker.models.vocab import RelationRole, RelationType
from tracker.schemas.common import (
    ANONYMOUS,
    DumpSchema,
    EvidenceInSchema,
    InputSchema,
    Person,
    QuoteRefSchema,
    ReaderSchema,
    Text,
    date_input_field,
    id_field,
    one_of,
)
from tracker.schemas.events import DATE_HELP

RELATION_TYPE = one_of(RelationType)


class RelationInSchema(InputSchema):
    type = fields.String(
        required=True,
        validate=RELATION_TYPE,
        metadata={"description": "How this agreement (the subject) stands to the target"},
    )
    target_id = id_field(required=True, metadata={"description": "The other agreement"})
    date = date_input_field(
        max_length=RelationLimits.DATE, allow_none=True, metadata={"description": DATE_HELP}
    )
    note = Text(validate=validate.Length(max=RelationLimits.NOTE))
    evidence = fields.List(
        fields.Nested(EvidenceInSchema), validate=validate.Length(max=RelationLimits.QUOTES)
    )


class RelationPatchSchema(RelationInSchema):
    type = fields.String(validate=RELATION_TYPE)
    target_id = id_field(metadata={"description": "The other agreement"})
    evidence = fields.List(
        fields.Nested(EvidenceInSchema),
        validate=validate.Length(max=RelationLimits.QUOTES),
        metadata={"description": "Quotes to add to the ones the relation has"},
    )


class AgreementRefSchema(DumpSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class RelationSchema(ReaderSchema):
    """One relation as one of its two agreements lists it (`role`, `label`, `other`); made
    from a tracker.services.claims.relations.RelationView."""

    id = fields.Integer(attribute="relation.id", required=True)
    type = fields.String(attribute="relation.type", required=True)
    role = fields.String(
        required=True,
        metadata={"description": "This agreement's end: " + ", ".join(RelationRole)},
    )
    label = fields.String(
        required=True,
        metadata={"description": "The relation read from this end", "example": "superseded by"},
    )
    other = fields.Nested(AgreementRefSchema, required=True)
    subject = fields.Nested(AgreementRefSchema, attribute="relation.subject", required=True)
    target = fields.Nested(AgreementRefSchema, attribute="relation.target", required=True)
    date = fields.String(
        attribute="relation.date", allow_none=True, required=True, metadata={"description": "EDTF"}
    )
    note = fields.String(attribute="relation.note", required=True)
    evidence = fields.List(fields.Nested(QuoteRefSchema), attribute="quotes", required=True)
    recorded_by = Person(
        attribute="relation.recorded_by",
        allow_none=True,
        required=True,
        metadata={"description": f"Email{ANONYMOUS}"},
    )
    version = fields.Integer(attribute="relation.version", required=True)
    created_at = fields.DateTime(attribute="relation.created_at", required=True)
    updated_at = fields.DateTime(attribute="relation.updated_at", required=True)
