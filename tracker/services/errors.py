"""Errors the services raise; the API and the web layer turn them into 4xx answers."""

from __future__ import annotations


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

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
