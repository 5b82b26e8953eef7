"""Near-duplicates: the labelled pairs of tests/data/duplicates.json, and grouping on intake."""

from __future__ import annotations

from bench.duplicates import evaluate, pairs, texts
from tracker.services.evidence.articles import DUPLICATE_THRESHOLD, add_article


def test_the_labelled_set_is_what_the_docs_describe():
    labelled = pairs()
    assert sum(same for *_, same in labelled) == 27
    assert sum(not same for *_, same in labelled) == 81
    assert {name[:2] for name in texts()} == {"fa", "ru", "en"}


def test_precision_and_recall_at_the_chosen_threshold_do_not_drop():
    precision, recall = evaluate(DUPLICATE_THRESHOLD)
    assert (precision, recall) >= (1.0, 1.0), (precision, recall)  # as docs/evidence.md reports


def test_a_republished_story_joins_the_group_of_the_first_one_seen(session):
    corpus = texts()
    first = add_article(session, {"text": corpus["ru1"], "outlet": "Kremlin press office"})
    copy = add_article(session, {"text": corpus["ru1a"], "outlet": "RIA Novosti"})
    copy_of_copy = add_article(session, {"text": corpus["ru1b"], "outlet": "TASS"})
    other = add_article(session, {"text": corpus["ru3"], "outlet": "TASS"})
    assert copy.duplicate_of_id == first.id
    assert copy_of_copy.duplicate_of_id == first.id  # the group's first, not the copy it matched
    assert other.duplicate_of_id is None
    assert first.duplicate_of_id is None


def test_short_texts_are_not_called_duplicates(session):
    one = add_article(session, {"text": "Russia and Iran signed the treaty in Moscow today."})
    two = add_article(session, {"text": "Russia and Iran signed the treaty in Moscow on Friday."})
    assert two.duplicate_of_id is None and one.duplicate_of_id is None
