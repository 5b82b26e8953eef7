"""Small checks of input values shared by the services; each reports on its field."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from tracker.models.vocab import LANGUAGE_CODE, MAX_LANGUAGE_CODE
from tracker.services.errors import FieldErrors
from tracker.text.dates import DateError, EdtfDate, parse_date_input

_LANGUAGE = re.compile(LANGUAGE_CODE)


def text(
    errors: FieldErrors,
    field: str,
    value: Any,
    *,
    max_length: int,
    required: bool = False,
) -> str:
    """A stripped string (\"\" when absent); too long, missing or not a string is reported."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, "must be text")
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, "is required")
    if len(value) > max_length:
        errors.add(field, f"is longer than {max_length} characters")
    return value


def choice(
    errors: FieldErrors,
    field: str,
    value: Any,
    allowed: type[StrEnum],
    *,
    required: bool = True,
) -> str | None:
    if value is None or value == "":
        if required:
            errors.add(field, "is required")
        return None
    if not isinstance(value, str) or value not in allowed.__members__.values():
        names = ", ".join(allowed)
        errors.add(field, f"{value!r} is not one of: {names}")
        return None
    return value


def integer(
    errors: FieldErrors, field: str, value: Any, *, minimum: int, maximum: int
) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(field, "must be a whole number")
        return None
    if not minimum <= value <= maximum:
        errors.add(field, f"must be between {minimum} and {maximum}")
        return None
    return value


def language(errors: FieldErrors, field: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    code = value.strip() if isinstance(value, str) else ""
    if not code or len(code) > MAX_LANGUAGE_CODE or not _LANGUAGE.match(code):
        errors.add(field, f"{value!r} is not a language code such as fa, ru, ar or en")
        return None
    return code


def edtf(errors: FieldErrors, field: str, value: Any) -> EdtfDate | None:
    """An EDTF or Solar Hijri date as stored EDTF; None when absent or invalid (reported)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors.add(field, "must be a date written as text (EDTF, e.g. 2024-01-15)")
        return None
    try:
        return parse_date_input(value)
    except DateError as exc:
        errors.add(field, str(exc))
        return None
