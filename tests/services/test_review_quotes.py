"""The sentence a review suggestion is quoted from, found without walking the article from
its start for each suggestion."""

from __future__ import annotations

import random
import re
import time

from tracker.services.evidence.review import sentence_around

STOPS = re.compile(r"[.!?؟;؛\n]")


def _by_definition(text: str, start: int, end: int) -> tuple[int, int]:
    """From after the last stop before `start` to the next stop after `end` (included),
    trimmed of white space."""
    left = max((m.end() for m in STOPS.finditer(text, 0, start)), default=0)
    found = STOPS.search(text, end)
    right = found.end() if found else len(text)
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right


def test_the_sentence_is_the_one_around_the_span():
    chooser = random.Random(14)
    pieces = ["Iran", " ", "signed", ".", "!", "?", "؟", ";", "؛", "\n", "  ", "قرارداد", "x"]
    for _ in range(300):
        text = "".join(chooser.choices(pieces, k=chooser.randint(0, 30)))
        for start in range(len(text) + 1):
            end = chooser.randint(start, len(text))
            assert sentence_around(text, start, end) == _by_definition(text, start, end)


def test_quoting_two_thousand_suggestions_of_a_long_article_is_quick():
    text = "Moscow and Tehran signed the treaty on 17 January. " * 4_000  # 204,000 characters
    started = time.perf_counter()
    for start in range(len(text) - 2_000, len(text) - 11):  # near the end of the text
        sentence_around(text, start, start + 10)
    # a walk from the start for each took 2.2 s on the test machine; now a few ms
    assert time.perf_counter() - started < 0.5
