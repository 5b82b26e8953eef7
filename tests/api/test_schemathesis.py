"""Property-based conformance: schemathesis drives every operation of our own OpenAPI document.

For each operation, Hypothesis (fixed seed: derandomize) generates a bounded number of valid
and of invalid requests. Every answer must be free of 5xx, carry a status code the document
lists for that operation, and have a body and headers that conform to the documented schema.
The counts are printed at the end of the run (section "schemathesis").

`make fuzz` runs the same with many more examples (TRACKER_FUZZ_EXAMPLES per operation and
mode) and a new seed each time (TRACKER_FUZZ_SEED to replay one; the seed is printed).

`test_odd_shapes_are_refused_and_conform` then bends generated valid requests into shapes
that once broke the server: lone surrogates in strings and keys, nesting past the limit,
numbers too long to be ids, dates outside years 1000 to 2999 (in bodies and queries), and
`If-Match: *`. Each must be a documented 4xx that conforms to the document.
"""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest
import schemathesis
import schemathesis.checks
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.core import NOT_SET
from schemathesis.generation import GenerationMode

from tests import factories
from tracker import create_app
from tracker.services.inbox import items

FUZZ = int(os.environ.get("TRACKER_FUZZ_EXAMPLES") or 0)
EXAMPLES = FUZZ or 20  # per operation and generation mode
SEED = int(os.environ.get("TRACKER_FUZZ_SEED") or random.randrange(2**32)) if FUZZ else None
schemathesis.checks.load_all_checks()
# Well-shaped input may still be refused for its meaning (an unknown party code, a quote
# not in the article): 422 is right there, so "schema-valid data must be accepted" is off.
# Every other check runs: no 5xx, documented status codes, content types, headers and
# bodies conforming to the document, invalid input rejected with a 4xx.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]
COUNTS: Counter[str] = Counter()


def _operations() -> list[str]:
    """The operations of the document, read once from an app that touches no database."""
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    labels = [result.ok().label for result in document.get_all_operations()]
    app.extensions["tracker.engine"].dispose()
    return labels


OPERATIONS = _operations()

# Fields and query parameters that take a date, and a far-off value for each.
FAR_BODY = {"date": "9999-12-01", "published": "0001-01-05", "due": "9999-12-31"}
FAR_QUERY = {
    "updated_since": "9999-12-31T23:59:59-14:00",
    "due_before": "0001-01-01",
    "week": "9999-W52",
}


def _shapes() -> list[tuple[str, str]]:
    """(operation, shape) pairs: which odd shapes apply to which operation."""
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    pairs = []
    for result in document.get_all_operations():
        operation = result.ok()
        if list(operation.body):
            pairs += [(operation.label, s) for s in ("surrogate", "deep", "long_number")]
            properties = {
                name
                for body in operation.body
                for name in (body.definition.get("schema") or {}).get("properties", {})
            }
            if properties & set(FAR_BODY):
                pairs.append((operation.label, "far_date"))
        if {p.name for p in operation.query} & set(FAR_QUERY):
            pairs.append((operation.label, "far_date"))
        if "If-Match" in {p.name for p in operation.headers}:
            pairs.append((operation.label, "if_match_star"))
    app.extensions["tracker.engine"].dispose()
    return pairs


def _strings(value, change):  # type: ignore[no-untyped-def]
    """`value` with `change` applied to every string in it (keys too), and whether any was."""
    if isinstance(value, str):
        return change(value), True
    if isinstance(value, dict):
        items = [(_strings(k, change), _strings(v, change)) for k, v in value.items()]
        return {k: v for (k, _), (v, _) in items}, any(a or b for (_, a), (_, b) in items)
    if isinstance(value, list):
        items = [_strings(v, change) for v in value]
        return [v for v, _ in items], any(hit for _, hit in items)
    return value, False


def _nested(depth: int):  # type: ignore[no-untyped-def]
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def bend(case, shape: str):  # type: ignore[no-untyped-def]
    """A generated request bent into one of the odd shapes: a new explicit case (schemathesis
    would otherwise re-judge the changed parts, and cannot hash a lone surrogate)."""
    body = case.body if isinstance(case.body, dict) else {}
    query = dict(case.query or {})
    headers = dict(case.headers or {})
    if shape == "surrogate":
        bent, hit = _strings(body, lambda text: "\ud800" + text)
        body = bent if hit else {**bent, "\udfff": "x"}
    elif shape == "deep":
        body = {**body, next(iter(body), "x"): _nested(200)}
    elif shape == "long_number":
        body = {**body, next(iter(body), "x"): 10**200}
    elif shape == "far_date":
        names = {p.name for p in case.operation.query}
        query |= {k: v for k, v in FAR_QUERY.items() if k in names}
        body = {**body, **FAR_BODY}
    elif shape == "if_match_star":
        headers["If-Match"] = "*"
    has_body = bool(list(case.operation.body))
    return case.operation.Case(
        path_parameters=case.path_parameters,
        headers=headers,
        query=query,
        body=body if has_body else NOT_SET,
        media_type=case.media_type if has_body else None,
    )


SHAPES = _shapes()


@pytest.fixture
def document(app, session):  # type: ignore[no-untyped-def]
    # Some rows for the by-id operations to find (Hypothesis tries small ids early).
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    items.take(session, factories.article(session))  # a story in the inbox
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Unknown query parameters are ignored, as is usual on the web (cache busters and the
    # like); invalid values of known ones and invalid bodies must still be refused.
    loaded.config.generation.update(allow_extra_parameters=False)
    return loaded


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_conforms(document, accounts, label, mode):  # type: ignore[no-untyped-def]
    method, path = label.split(" ", 1)
    operation = document[path][method]
    token = accounts["admin"][1]
    excluded = list(EXCLUDED)

    @given(case=operation.as_strategy(generation_mode=mode))
    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        derandomize=SEED is None,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):  # type: ignore[no-untyped-def]
        COUNTS["cases"] += 1
        try:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded
            )
        except Exception:
            COUNTS["failures"] += 1
            raise

    check()
    COUNTS["runs"] += 1


@pytest.mark.parametrize(("label", "shape"), SHAPES, ids=[f"{a}-{b}" for a, b in SHAPES])
def test_odd_shapes_are_refused_and_conform(document, accounts, label, shape):  # type: ignore[no-untyped-def]
    method, path = label.split(" ", 1)
    operation = document[path][method]
    token = accounts["admin"][1]
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)

    @given(case=strategy.map(lambda case: bend(case, shape)))
    @seed(SEED)
    @settings(
        max_examples=max(3, EXAMPLES // 4),
        derandomize=SEED is None,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):  # type: ignore[no-untyped-def]
        COUNTS["cases"] += 1
        try:
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, excluded_checks=list(EXCLUDED)
            )
            assert 400 <= response.status_code < 500, (shape, response.status_code)
        except Exception:
            COUNTS["failures"] += 1
            raise

    check()
    COUNTS["runs"] += 1
