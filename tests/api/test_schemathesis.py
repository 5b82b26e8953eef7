"""Property-based conformance: schemathesis drives every operation of our own OpenAPI document.

For each operation, Hypothesis (fixed seed: derandomize) generates a bounded number of valid
and of invalid requests. Every answer must be free of 5xx, carry a status code the document
lists for that operation, and have a body and headers that conform to the documented schema.
The counts are printed at the end of the run (section "schemathesis").

`make fuzz` runs the same with many more examples (TRACKER_FUZZ_EXAMPLES per operation and
mode) and a new seed each time (TRACKER_FUZZ_SEED to replay one; the seed is printed).
"""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest
import schemathesis
import schemathesis.checks
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.generation import GenerationMode

from tests import factories
from tracker import create_app

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


@pytest.fixture
def document(app, session):  # type: ignore[no-untyped-def]
    # Some rows for the by-id operations to find (Hypothesis tries small ids early).
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    factories.article(session)
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
