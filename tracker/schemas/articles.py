"""Evidence articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from marshmallow import ValidationError, fields, validate

from tracker.models.evidence import ArticleLimits
from tracker.schemas.common import (
    LANGUAGE,
    InputSchema,
    OutputSchema,
    Text,
    date_input_field,
    flatten_errors,
    instant_field,
    read_json,
)


class ArticleInSchema(InputSchema):
    url = Text(
        validate=[validate.Length(max=ArticleLimits.URL), validate.URL(schemes={"http", "https"})]
    )
    title = Text(validate=validate.Length(max=ArticleLimits.TITLE))
    outlet = Text(validate=validate.Length(max=ArticleLimits.OUTLET))
    author = Text(validate=validate.Length(max=ArticleLimits.AUTHOR))
    language = Text(validate=LANGUAGE)
    published = date_input_field(
        max_length=ArticleLimits.PUBLISHED, metadata={"description": "EDTF or Solar Hijri"}
    )
    text = Text(validate=validate.Length(max=ArticleLimits.TEXT))
    html = Text(
        validate=validate.Length(min=1, max=ArticleLimits.TEXT),
        metadata={"description": "A page's HTML: its main text is extracted"},
    )
    fetch = fields.Boolean(
        metadata={"description": "Fetch the URL when no text or HTML is given (default true)"}
    )
    cites = fields.Integer(
        strict=True, allow_none=True, metadata={"description": "Id of the article this one quotes"}
    )


class ArticleSummarySchema(OutputSchema):
    id = fields.Integer(required=True)
    url = fields.String(allow_none=True, required=True)
    title = fields.String(required=True)
    outlet = fields.String(required=True)
    author = fields.String(required=True)
    language = fields.String(allow_none=True, required=True)
    published = fields.String(allow_none=True, required=True)
    retrieved_at = fields.DateTime(allow_none=True, required=True)
    content_hash = fields.String(required=True)
    cites = fields.Integer(allow_none=True, required=True)
    duplicate_of = fields.Integer(allow_none=True, required=True)
    hidden = fields.Boolean(
        required=True,
        metadata={
            "description": "A story dismissed in the inbox or filtered out as not about "
            "agreements: left out of lists and search unless asked for"
        },
    )
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class ArticleSchema(ArticleSummarySchema):
    text = fields.String(required=True)
    cited_by = fields.List(
        fields.Integer(), required=True, metadata={"description": "Articles quoting this one"}
    )


class ArticleQuerySchema(InputSchema):
    language = fields.String(validate=LANGUAGE)
    outlet = fields.String(validate=validate.Length(min=1, max=ArticleLimits.OUTLET))
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Words of the title or text, in any spelling"},
    )
    updated_since = instant_field()
    sort = fields.String(
        validate=validate.OneOf(["updated", "-updated", "published", "-published"]),
        load_default="-updated",
    )
    hidden = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Include the articles of stories dismissed in the inbox or filtered "
            "out as not about agreements (left out by default)"
        },
    )


class DeletedArticleSchema(OutputSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True, allow_none=True)
    outlet = fields.String(required=True, allow_none=True)
    deleted_at = fields.DateTime(required=True)
    deleted_by = fields.String(required=True, allow_none=True)


ArticleLine = tuple[int, dict[str, Any] | None, dict[str, list[str]]]


def read_article_lines(lines: Iterable[str | bytes], start: int = 1) -> Iterator[ArticleLine]:
    """JSON Lines of articles, each checked by the schema of `POST /api/v1/articles`: per
    non-blank line, (its number, its fields or None, the errors that refuse it). `start`: the
    number of the first line (a part of a file read apart from the rest)."""
    schema = ArticleInSchema()
    for number, line in enumerate(lines, start=start):
        if isinstance(line, bytes):
            try:  # a byte order mark before the first line is no part of it
                raw = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield number, None, {"line": [f"is not UTF-8 text (byte {exc.start + 1})"]}
                continue
        else:
            raw = line
        if not raw.strip():
            continue
        try:
            parsed = read_json(raw)
        except ValueError as exc:  # not JSON, or nested too deep, or a number too long
            yield number, None, {"line": [f"is not JSON ({exc})"]}
            continue
        if not isinstance(parsed, dict):
            yield number, None, {"line": ["must be a JSON object"]}
            continue
        try:
            data = schema.load(parsed)
        except ValidationError as exc:
            yield number, None, flatten_errors(exc.messages)
            continue
        data.pop("fetch", None)
        yield number, data, {}
