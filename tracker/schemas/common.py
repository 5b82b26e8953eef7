"""Pieces shared by several resources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from tracker.models.vocab import EventStatus, Stage, Step
from tracker.text.dates import MAX_YEAR, MIN_YEAR, RANGE

LANGUAGE = validate.Regexp(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="Not a language code such as fa, ru, ar or en."
)
PARTY_CODE = validate.Regexp(r"^[A-Za-z]{2,16}$", error="Not a party code such as RUS, IRN or EU.")


class InputSchema(Schema):
    """What clients send. Text with a NUL character or a lone surrogate (a JSON escape such
    as \\ud800 that is half of a character) is refused per field: neither can be stored or
    sent back as UTF-8, and no researcher means them."""

    @pre_load
    def refuse_nul(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[str]] = {}
            for key, value in data.items():
                name = safe_text(str(key))
                if _has(value, _nul) or _has(key, _nul):
                    errors.setdefault(name, []).append("may not contain a NUL character")
                if _has(value, _surrogate) or _has(key, _surrogate):
                    errors.setdefault(name, []).append(
                        "may not contain a lone surrogate (half of a UTF-16 pair, such as "
                        "\\ud800): it is not a character"
                    )
            if errors:
                raise ValidationError(errors)
        return data


def _nul(text: str) -> bool:
    return "\x00" in text


def _surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def safe_text(text: str) -> str:
    """Text that can be written as UTF-8: a lone surrogate shown as its escape (\\ud800)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _has(value: Any, test: Any) -> bool:
    # Input depth is bounded when the body is read (tracker.api.base.MAX_JSON_DEPTH).
    if isinstance(value, str):
        return bool(test(value))
    if isinstance(value, Mapping):
        return any(_has(k, test) or _has(v, test) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has(v, test) for v in value)
    return False


def _supported_year(value: Any) -> bool:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(f"{value.isoformat()} is outside the supported range ({RANGE}).")
    return True


def day_field(**kwargs: Any) -> fields.Date:
    """A day (YYYY-MM-DD) within the supported range of years."""
    return fields.Date(validate=_supported_year, **kwargs)


def instant_field(**kwargs: Any) -> fields.AwareDateTime:
    """An ISO 8601 instant with its offset, within the supported range of years."""
    return fields.AwareDateTime(validate=_supported_year, **kwargs)


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
