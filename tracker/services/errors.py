"""Errors the services raise; the API and the web layer turn them into 4xx answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from tracker.schemas.common import flatten_errors


class ServiceError(Exception):
    status = 400


class InvalidInput(ServiceError):
    """Input that cannot be stored; `errors` maps each field to what is wrong with it."""

    status = 422

    def __init__(self, errors: dict[str, list[str]] | dict[str, str]):
        self.errors = {k: [v] if isinstance(v, str) else list(v) for k, v in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The request clashes with what is stored (it exists already, say)."""

    status = 409


class Stale(ServiceError):
    """The thing changed since the version the caller edited: fetch it again."""

    status = 412


class FieldErrors:
    """Collects per-field messages while input is checked, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def load(self, schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
        """`data` loaded by `schema`, the one check of input's shape (types, lengths,
        choices, ranges, dates) on every path: the API, the web forms, the CLI and imports
        all reach the services, so each gets the API's messages, per field (a nested one by
        its dotted path, `evidence.0.quote`). What is refused is collected here and left out
        of what is returned, so that checks of meaning can still name their fields."""
        try:
            return schema.load(data)
        except ValidationError as exc:
            for field, messages in flatten_errors(exc.messages).items():
                self.errors.setdefault(field, []).extend(messages)
            valid = exc.valid_data
            return dict(valid) if isinstance(valid, Mapping) else {}

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
