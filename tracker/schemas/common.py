"""Pieces shared by several resources."""

from __future__ import annotations

import re
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
    """What clients send. Text with a NUL character, or with a lone surrogate (JSON can
    spell one, "\\ud800", but it is no character and no database can store it), is refused
    per field: PostgreSQL cannot store either, and no researcher means them."""

    @pre_load
    def refuse_nul(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            bad = {
                str(key).encode("utf-8", "backslashreplace").decode("utf-8"): problem
                for key, value in data.items()
                if (problem := _unstorable(key) or _unstorable(value))
            }
            if bad:
                raise ValidationError({key: [problem] for key, problem in bad.items()})
        return data


_SURROGATE = re.compile("[\ud800-\udfff]")


def _unstorable(value: Any) -> str | None:
    """Why `value` (text, or text inside lists and objects) cannot be stored, if it cannot."""
    if isinstance(value, str):
        if "\x00" in value:
            return "may not contain a NUL character"
        if _SURROGATE.search(value):
            return "may not contain a lone surrogate (\\ud800 to \\udfff), which is no character"
        return None
    if isinstance(value, Mapping):
        return next((p for k, v in value.items() if (p := _unstorable(k) or _unstorable(v))), None)
    if isinstance(value, list | tuple):
        return next((p for v in value if (p := _unstorable(v))), None)
    return None


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
