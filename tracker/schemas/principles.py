"""The principle vocabulary and statements of principle."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models.evidence import ArticleLimits
from tracker.models.principle import StatementLimits
from tracker.schemas.common import (
    PARTY_CODE,
    DumpSchema,
    InputSchema,
    OutputSchema,
    QuoteRefSchema,
    Text,
    id_field,
)


class PrincipleSchema(DumpSchema):
    code = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    description = fields.String(required=True)


class StatementInSchema(InputSchema):
    principle = fields.String(
        required=True, validate=validate.Length(min=1, max=StatementLimits.PRINCIPLE)
    )
    party = fields.String(
        allow_none=True,
        validate=PARTY_CODE,
        metadata={"description": "Null: stated by the parties together"},
    )
    quote = fields.String(validate=validate.Length(min=1, max=ArticleLimits.QUOTE))
    article_id = id_field()
    clause = Text(
        validate=validate.Length(max=StatementLimits.CLAUSE), metadata={"example": "Art. 3 §3"}
    )
    note = Text(validate=validate.Length(max=StatementLimits.NOTE))


class StatementSchema(OutputSchema):
    id = fields.Integer(required=True)
    agreement_id = fields.Integer(required=True)
    principle = fields.String(required=True)
    label = fields.String(required=True)
    party = fields.String(allow_none=True, required=True)
    clause = fields.String(required=True)
    note = fields.String(required=True)
    evidence = fields.List(fields.Nested(QuoteRefSchema), required=True)
