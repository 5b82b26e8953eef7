"""The participants table of an agreement (SPEC §2b): a row per party, like the UN's
status pages."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models.vocab import ConsentType, DeclarationKind, MadeAt, Participation
from tracker.schemas.common import InputSchema, OutputSchema, PartyRefSchema, one_of

FORMATS = ("json", "csv")


def _day(description: str) -> fields.String:
    return fields.String(
        required=True, allow_none=True, metadata={"description": f"{description} (EDTF)"}
    )


class ParticipantDeclarationSchema(OutputSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=one_of(DeclarationKind))
    made_at = fields.String(required=True, allow_none=True, validate=one_of(MadeAt))
    withdrawn_on = fields.String(
        required=True, allow_none=True, metadata={"description": "EDTF; null while it stands"}
    )
    objects_to = fields.Integer(
        required=True, allow_none=True, metadata={"description": "An objection's: what it answers"}
    )


class ParticipantSchema(OutputSchema):
    party = fields.Nested(PartyRefSchema, required=True)
    participation = fields.String(required=True, validate=one_of(Participation))
    signed = _day("The party's signature")
    consent_type = fields.String(
        required=True,
        allow_none=True,
        validate=one_of(ConsentType),
        metadata={"description": "The kind of its instrument"},
    )
    consent_marker = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The kind as the UN prints it after the date: a accession, "
            "A acceptance, AA approval, c formal confirmation, d succession, s definitive "
            "signature, empty for a ratification; null without an instrument"
        },
    )
    consented = _day("Its instrument deposited, exchanged or notified")
    bound_from = _day("Bound from")
    withdrawal_notified = _day("Its withdrawal notified")
    withdrawal_effective = _day("Its withdrawal takes effect")
    suspended_since = _day("Its participation suspended since")
    declarations = fields.List(
        fields.Nested(ParticipantDeclarationSchema),
        required=True,
        metadata={
            "description": "The party's reservations, declarations, understandings and "
            "objections, by date (in full at /declarations/{id})"
        },
    )


class ParticipantsQuerySchema(InputSchema):
    format = fields.String(
        validate=validate.OneOf(FORMATS),
        load_default="json",
        metadata={"description": "json (default) or csv (text/csv, the same page)"},
    )
