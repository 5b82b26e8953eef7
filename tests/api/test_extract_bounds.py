"""POST /api/v1/extract: a text of the longest size is read in bounded time; a longer one is
refused, naming `text`."""

from __future__ import annotations

import time

from bench.extraction import mixed_text
from tests.api.conftest import assert_error
from tracker.text.extract import MAX_CHARACTERS


def test_the_longest_text_is_read_and_a_longer_one_refused(viewer):
    text = "Ref 4f1c. " + mixed_text(MAX_CHARACTERS - 10)
    assert len(text) == MAX_CHARACTERS
    started = time.perf_counter()
    response = viewer.post("/api/v1/extract", json={"text": text, "published": "2025-06-12"})
    seconds = time.perf_counter() - started
    assert response.status_code == 200
    found = response.get_json()
    assert {"IRN", "RUS"} <= {p["code"] for p in found["parties"]}
    assert all(text[e["start"] : e["end"]] == e["text"] for e in found["events"])
    # 40 s before; about 2 s on the shared 2-core test machine
    assert seconds < 10, seconds
    body = assert_error(viewer.post("/api/v1/extract", json={"text": text + "."}), 422, "text")
    assert "200,000 characters" in body["errors"]["text"][0]
