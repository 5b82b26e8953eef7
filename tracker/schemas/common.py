"""Pieces shared by several resources."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from tracker.models.evidence import ArticleLimits
from tracker.models.mixins import MAX_ID
from tracker.models.user import public_name, shown_actor
from tracker.models.vocab import LANGUAGE_CODE, MAX_LANGUAGE_CODE, EventStatus, Stage, Step
from tracker.text.dates import MAX_YEAR, MIN_YEAR, RANGE, DateError, parse_date_input

LANGUAGE = validate.And(
    validate.Length(max=MAX_LANGUAGE_CODE),
    validate.Regexp(LANGUAGE_CODE, error="Not a language code such as fa, ru, ar or en."),
)
# How a person is named to a reader without a token when TRACKER_PUBLIC_READ=1.
ANONYMOUS = ' (to a reader without a token under public read: the display name, or "a researcher")'
PARTY_CODE = validate.Regexp(r"^[A-Za-z]{2,16}$", error="Not a party code such as RUS, IRN or EU.")


# JSON input (a request body, a line of an import) nested deeper than this, or with a
# longer number, is nothing this system takes.
MAX_JSON_DEPTH = 64
MAX_NUMBER_DIGITS = 100


class NotJson(ValueError):
    """The body cannot be read as JSON this API takes; the message says why."""


def _number(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise NotJson(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _decimal(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS:
        raise NotJson(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    return float(text)


def _constant(name: str) -> Any:
    raise NotJson(f"{name} is not a JSON number")


def _depth_within(document: Any, limit: int) -> bool:
    """Whether arrays and objects nest at most `limit` levels (checked without recursion)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return False
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return True


def read_json(raw: bytes | str) -> Any:
    """A request body as JSON; NotJson (or json.JSONDecodeError) when it is not one we take.

    Python's reader would otherwise fail in ways no client can act on: a RecursionError on
    deep nesting, a ValueError on a number of thousands of digits; NaN and Infinity are not
    JSON at all.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise NotJson(f"it is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        document = json.loads(
            text, parse_int=_number, parse_float=_decimal, parse_constant=_constant
        )
    except RecursionError:
        raise NotJson(f"it nests more than {MAX_JSON_DEPTH} levels deep") from None
    if not _depth_within(document, MAX_JSON_DEPTH):
        raise NotJson(f"it nests more than {MAX_JSON_DEPTH} levels deep")
    return document


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
    # Input depth is bounded when the JSON is read (read_json, MAX_JSON_DEPTH).
    if isinstance(value, str):
        return bool(test(value))
    if isinstance(value, Mapping):
        return any(_has(k, test) or _has(v, test) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has(v, test) for v in value)
    return False


class Text(fields.String):
    """Text as a person typed it, without the spaces around it: a length or a required
    value is checked on what is stored, so "   " counts as empty."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def _date_input(value: str) -> bool:
    """An EDTF or Solar Hijri date (empty: none given); the error says what is wrong."""
    if value:
        try:
            parse_date_input(value)
        except DateError as exc:
            raise ValidationError(str(exc)) from None
    return True


def date_input_field(*, max_length: int, **kwargs: Any) -> Text:
    """A date as a researcher writes it, EDTF (2025-01-17, 2025-06~) or Solar Hijri
    (1403/10/28), checked by the parser that stores it (services store the parsed form)."""
    return Text(validate=[validate.Length(max=max_length), _date_input], **kwargs)


def flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"json": {"evidence": {0: {"quote": [..]}}}} -> {"evidence.0.quote": [..]}: the
    messages per field, a nested one named by its dotted path, as the API answers them and
    the services' InvalidInput carries them.

    The request location (json, query, headers) is dropped: field names are unique enough.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            name = str(key)
            if not prefix and name in {"json", "query", "headers", "form", "files", "path"}:
                name = ""
            path = f"{prefix}.{name}" if prefix and name else prefix or name
            for field, messages in flatten_errors(value, path).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(errors, list | tuple):
        if all(isinstance(m, str) for m in errors):
            flat[prefix or "_schema"] = list(errors)
        else:
            for item in errors:
                for field, messages in flatten_errors(item, prefix).items():
                    flat.setdefault(field, []).extend(messages)
    else:
        flat[prefix or "_schema"] = [str(errors)]
    return flat


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


class DumpSchema(Schema):
    """A schema marshmallow dumps: for what is read straight off a model's columns and is not
    on a hot path (accounts, tokens, digests), so that no presenter spells its fields a second
    time."""


class ReaderSchema(OutputSchema):
    """A representation marshmallow makes from a model for one kind of reader: made with
    `public=True` (an anonymous reader under TRACKER_PUBLIC_READ=1), its `Person` and `Actor`
    fields name staff without their emails.

    The view knows the reader, so it makes the representation itself
    (`ReminderSchema(public=anonymous()).make(reminder)`); the instance given to the response
    decorator documents the shape and passes what the view made through (OutputSchema).
    """

    def __init__(self, *args: Any, public: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.public = public

    def make(self, obj: Any, *, many: bool | None = None) -> Any:
        """The representation of `obj` (a model, or a list of them with many=True)."""
        return Schema.dump(self, obj, many=many)


class Person(fields.String):
    """A user (the attribute holds a User, or None) as the reader may see them: their email,
    or to a public reader their display name or "a researcher" (ReaderSchema)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return public_name(value.display_name) if self.root.public else value.email


class Actor(fields.String):
    """An audit entry's `actor` as the reader may see it: to a public reader, the user's
    public name, or for the system's own labels (a rule), the label (ReaderSchema)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return shown_actor(value, obj.user, public=self.root.public)


def id_field(**kwargs) -> fields.Integer:  # type: ignore[no-untyped-def]
    """A row id: a positive 32-bit integer."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


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
        validate=validate.Length(min=1, max=ArticleLimits.QUOTE),
        metadata={"description": "Must be in the article's text (spelling variants are folded)"},
    )


STAGE = one_of(Stage)
STEP = one_of(Step)
EVENT_STATUS = one_of(EventStatus)
