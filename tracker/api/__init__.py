"""The JSON API under /api/v1 (flask-smorest): one module per resource."""

from __future__ import annotations

from flask import Flask
from flask_smorest.spec.plugins import integerconverter2paramschema

from tracker.api import (
    agreements,
    articles,
    declarations,
    digests,
    docs,
    events,
    extract,
    feeds,
    inbox,
    page_cache,
    participants,
    parties,
    principles,
    relations,
    reminders,
    search,
    users,
)
from tracker.api.base import IdConverter, JSONProvider, api
from tracker.extensions import csrf

RESOURCES = (
    agreements,
    events,
    declarations,
    relations,
    articles,
    extract,
    search,
    inbox,
    principles,
    reminders,
    digests,
    feeds,
    parties,
    participants,
    users,
)

API_SETTINGS = {
    "API_TITLE": "Treaty Tracker API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}

SPEC_KWARGS = {
    "info": {
        "description": (
            "The system of record for intergovernmental agreements. Send "
            "`Authorization: Bearer <token>` (`flask --app app tracker create-token EMAIL`): "
            "viewers read, editors write, admins manage users and tokens. Lists are paged "
            "with `page` and `page_size`; the X-Pagination header tells the totals. Every "
            "single resource has an ETag; PATCH and DELETE need it in If-Match (428 without, "
            "412 when stale). Errors are `{code, status, message, errors}`."
        )
    },
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    },
}


def init_app(app: Flask) -> None:
    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    app.json = JSONProvider(app)
    page_cache.init_app(app)
    app.url_map.converters["id"] = IdConverter
    api.init_app(app, spec_kwargs=SPEC_KWARGS)
    api.register_converter(IdConverter, integerconverter2paramschema)
    for module in RESOURCES:
        csrf.exempt(module.blp)  # bearer tokens, not cookies: no cross-site request to forge
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.blp)
