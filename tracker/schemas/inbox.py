"""The evidence inbox (SPEC §2c): stories waiting for triage, and the decisions on them."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models.agreement import AgreementLimits
from tracker.models.mixins import MAX_ID
from tracker.models.vocab import AgreementKind, InboxState
from tracker.schemas.common import (
    LANGUAGE,
    PARTY_CODE,
    InputSchema,
    OutputSchema,
    Text,
    id_field,
    one_of,
)
from tracker.schemas.relations import AgreementRefSchema

ID_RANGE = validate.Range(min=1, max=MAX_ID)
# The most claims of one kind an accept takes (an article's suggestions are fewer).
MAX_CLAIMS = 500


class InboxQuerySchema(InputSchema):
    state = fields.String(
        validate=one_of(InboxState),
        metadata={"description": "Which pile (default: new): " + ", ".join(InboxState)},
    )
    feed = fields.Integer(
        validate=ID_RANGE, metadata={"description": "Only stories brought in by this feed"}
    )
    language = fields.String(validate=LANGUAGE)
    agreement = fields.Integer(
        validate=ID_RANGE,
        metadata={"description": "Only stories whose top suggestion, or decision, is this one"},
    )
    watched = fields.Boolean(
        metadata={"description": "Only stories about agreements my digest watchlist names"}
    )


class ClaimsSchema(InputSchema):
    """The claims to record, as the review form's one submission takes them (see
    docs/evidence.md): each event, relation and declaration names by `index` the suggestion
    of the item's `extracted` it comes from."""

    parties = fields.List(
        fields.String(validate=PARTY_CODE),
        validate=validate.Length(max=MAX_CLAIMS),
        metadata={"description": "Party codes to add to the agreement"},
    )
    events = fields.List(
        fields.Dict(keys=fields.String()),
        validate=validate.Length(max=MAX_CLAIMS),
        metadata={
            "description": "{index, stage?, step?, consent_type?, party?, body?, date?, status?}"
        },
    )
    principles = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        validate=validate.Length(max=MAX_CLAIMS),
        metadata={"description": "Principle codes"},
    )
    relations = fields.List(
        fields.Dict(keys=fields.String()),
        validate=validate.Length(max=MAX_CLAIMS),
        metadata={"description": "{index, type, target_id, date?}"},
    )
    declarations = fields.List(
        fields.Dict(keys=fields.String()),
        validate=validate.Length(max=MAX_CLAIMS),
        metadata={"description": "{index, kind, party, made_at?, objects_to?, date?, text?}"},
    )


class AcceptSchema(InputSchema):
    agreement_id = id_field(required=True, metadata={"description": "The story is about it"})
    claims = fields.Nested(ClaimsSchema, load_default=dict)


class NewAgreementSchema(InputSchema):
    """What changes the matcher's suggestion of a new agreement (all optional)."""

    title = Text(validate=validate.Length(min=1, max=AgreementLimits.TITLE))
    parties = fields.List(
        fields.String(validate=PARTY_CODE),
        validate=validate.Length(max=MAX_CLAIMS),
        metadata={"description": "Party codes"},
    )
    kind = fields.String(validate=one_of(AgreementKind))
    claims = fields.Nested(
        ClaimsSchema,
        metadata={
            "description": "Claims to record on the new agreement, as accept takes them "
            "(default: none)"
        },
    )


class InboxArticleSchema(OutputSchema):
    id = fields.Integer(required=True)
    outlet = fields.String(required=True)
    title = fields.String(required=True)
    url = fields.String(required=True, allow_none=True)
    language = fields.String(required=True, allow_none=True)
    published = fields.String(required=True, allow_none=True, metadata={"description": "EDTF"})


class ReasonSchema(OutputSchema):
    code = fields.String(required=True)
    text = fields.String(required=True)


class SuggestedAgreementSchema(OutputSchema):
    title = fields.String(required=True)
    parties = fields.List(fields.String(), required=True)
    kind = fields.String(required=True)


class SuggestionSchema(OutputSchema):
    agreement_id = fields.Integer(required=True, allow_none=True)
    new_agreement = fields.Nested(SuggestedAgreementSchema, required=True, allow_none=True)
    score = fields.Float(required=True, metadata={"description": "0 to 1"})
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class InboxItemSchema(OutputSchema):
    """A story: one article, or the group of its near-duplicates (first first)."""

    id = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"enum": [str(s) for s in InboxState]})
    article_id = fields.Integer(required=True, metadata={"description": "The first article"})
    articles = fields.List(fields.Nested(InboxArticleSchema), required=True)
    snippet = fields.String(
        required=True, metadata={"description": "The start of the text, in its own script"}
    )
    feed_id = fields.Integer(required=True, allow_none=True)
    suggestions = fields.List(
        fields.Nested(SuggestionSchema),
        required=True,
        metadata={"description": "Agreements it may be about, best first (at most five)"},
    )
    extracted = fields.Dict(
        required=True,
        allow_none=True,
        metadata={
            "description": "POST /extract's answer for the text (none when it could not be "
            "read); accept's claims name its suggestions by index"
        },
    )
    decided_by = fields.String(required=True, allow_none=True, metadata={"description": "Email"})
    decided_at = fields.DateTime(required=True, allow_none=True)
    agreement_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Accepted for this agreement"}
    )
    created_at = fields.DateTime(required=True)
    language = fields.String(required=True, allow_none=True)
    outlet = fields.String(required=True)
    title = fields.String(required=True)
    top_agreement = fields.Nested(AgreementRefSchema, required=True, allow_none=True)
    top_score = fields.Float(required=True, allow_none=True)
    version = fields.Integer(required=True)
