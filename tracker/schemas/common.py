"""Pieces shared by several resources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from tracker.models.vocab import EventStatus, Stage, Step

LANGUAGE = validate.Regexp(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="Not a language code such as fa, ru, ar or en."
)
# How a person is named to a reader without a token when TRACKER_PUBLIC_READ=1.
ANONYMOUS = ' (to a reader without a token under public read: the display name, or "a researcher")'
PARTY_CODE = validate.Regexp(r"^[A-Za-z]{2,16}$", error="Not a party code such as RUS, IRN or EU.")


class InputSchema(Schema):
    """What clients send. Text with a NUL character is refused per field (PostgreSQL cannot
    store it, and no researcher means it)."""

    @pre_load
    def refuse_nul(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            bad = [key for key, value in data.items() if _has_nul(value) or _has_nul(key)]
            if bad:
                raise ValidationError(
                    {str(key): ["may not contain a NUL character"] for key in bad}
                )
        return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class OutputSchema(Schema):
    """A schema that documents a representation the API builds itself (tracker.api.present).

    Dumping passes the built data through unchanged: the presenters already give every
    field its final shape (dates become ISO 8601 in the JSON provider), and running a
    second serialiser over each item of a page cost a third of a list request. That the
    two agree is checked by schemathesis, which validates every answer against this schema.
    """

    def dump(self, obj, *, many=None):  # type: ignore[no-untyped-def,override]
        return obj


def id_field(**kwargs) -> fields.Integer:  # type: ignore[no-untyped-def]
    """A row id: a positive 32-bit integer."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1), **kwargs)


def one_of(values) -> validate.OneOf:  # type: ignore[no-untyped-def]
    return validate.OneOf([str(v) for v in values])


class PartyRefSchema(OutputSchema):
    code = fields.String(required=True, metadata={"example": "RUS"})
    name = fields.String(required=True, metadata={"example": "Russian Federation"})


class QuoteRefSchema(OutputSchema):
    """A quoted span of an article backing a claim."""

    id = fields.Integer(required=True)
    article_id = fields.Integer(required=True)
    quote = fields.String(
        required=True, metadata={"description": "The span as the article spells it"}
    )
    start = fields.Integer(
        required=True, metadata={"description": "Offset of the span in the article's text"}
    )
    end = fields.Integer(required=True, metadata={"description": "Offset just after the span"})


class EvidenceInSchema(InputSchema):
    article_id = id_field(required=True)
    quote = fields.String(
        required=True,
        validate=validate.Length(min=1, max=5000),
        metadata={"description": "Must be in the article's text (spelling variants are folded)"},
    )


STAGE = one_of(Stage)
STEP = one_of(Step)
EVENT_STATUS = one_of(EventStatus)
