"""The Persian/Arabic normaliser, as tables: each variant folds to the same form."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.text.normalise import locate, normalise, normalise_with_offsets

ZWNJ = "\u200c"

FOLDS = [
    # Arabic yeh and alef maksura -> Persian yeh
    ("علي", "علی"),
    ("مصطفى", "مصطفی"),
    # Arabic kaf -> keheh
    ("كتاب", "کتاب"),
    ("كرملين", "کرملین"),
    # ZWNJ removed: with and without it the word is the same
    (f"می{ZWNJ}کنند", "میکنند"),
    (f"توافق{ZWNJ}نامه", "توافقنامه"),
    # diacritics (harakat, tanwin, shadda, sukun, superscript alef)
    ("مُحَمَّد", "محمد"),
    ("شُكْراً", "شکرا"),
    ("رَحْمٰن", "رحمن"),
    # tatweel
    ("تهـــران", "تهران"),
    # Persian and Arabic-Indic digits
    ("۱۴۰۳/۱۰/۲۸", "1403/10/28"),
    ("٢٠٢٥", "2025"),
    # hamza-carrying alefs, teh marbuta, heh with yeh
    ("إيران", "ایران"),
    ("أمريكا", "امریکا"),
    ("آمریکا", "امریکا"),
    ("الجمهورية", "الجمهوریه"),
    ("خانۀ", "خانه"),
    # Arabic presentation forms (NFKC)
    ("\ufefb", "لا"),
    # Latin and Cyrillic case, ё
    ("KREMLIN", "kremlin"),
    ("Кремль", "кремль"),
    ("Ёлка", "елка"),
    # white space, bidi marks, no-break space
    ("  a \u00a0\t b\n", "a b"),
    ("\u200fتهران\u200e", "تهران"),
    # Arabic punctuation
    ("تهران، مسکو؛ چرا؟", "تهران, مسکو; چرا?"),
]


@pytest.mark.parametrize(("raw", "folded"), FOLDS)
def test_variant_folds(raw, folded):
    assert normalise(raw) == folded


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ميكنند", f"می{ZWNJ}کنند"),
        ("مسكو و تهران", "مسکو  و\u00a0تهران"),
        ("۲۰۲۵ ژانويه", "2025 ژانویه"),
        ("Москва", "МОСКВА"),
    ],
)
def test_spelling_variants_meet(one, other):
    assert normalise(one) == normalise(other)


def test_offsets_point_back_into_the_original():
    text = f"  ما می{ZWNJ}کنیم  "
    folded, origin = normalise_with_offsets(text)
    assert folded == "ما میکنیم"
    # Every character of the result comes from the original character it points at.
    assert "".join(text[i] for i in origin) == folded
    assert origin[0] == 2 and origin[-1] == len(text) - 3


def test_locate_returns_the_span_as_the_article_spells_it():
    text = f"گفت: مسکو و تهران به زودی توافق{ZWNJ}نامه را امضا می{ZWNJ}کنند."
    start, end = locate(text, "توافقنامه را امضا ميكنند")
    assert text[start:end] == f"توافق{ZWNJ}نامه را امضا می{ZWNJ}کنند"


def test_locate_says_none_when_absent():
    assert locate("Moscow and Tehran", "Beijing") is None
    assert locate("Moscow and Tehran", "   ") is None


@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
    | st.text(alphabet="يكیک ‌ـًٌٍَُِّْٰ۰۱٠١ﻻ aBёЁ\t\n\u200f", max_size=60)
)
@settings(max_examples=400, derandomize=True)
def test_the_fast_normaliser_equals_the_one_with_offsets(text):
    assert normalise(text) == normalise_with_offsets(text)[0]


def _one_character_at_a_time(text):  # type: ignore[no-untyped-def]
    """normalise_with_offsets as a walk through the text: the definition it must equal."""
    from tracker.text.normalise import _fold

    out, origin = [], []
    for index, ch in enumerate(text):
        for c in _fold(ch):
            if c == " " and (not out or out[-1] == " "):
                continue
            out.append(c)
            origin.append(index)
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
    | st.text(alphabet="يكیک ‌ـًٌٍَُِّْٰ۰۱٠١ﻻ aBёЁ\t\n\u200f\u00a8ﬁ", max_size=60)
)
@settings(max_examples=400, derandomize=True, deadline=None)
def test_offsets_are_those_of_a_walk_through_the_text(text):
    assert normalise_with_offsets(text) == _one_character_at_a_time(text)


@given(st.text(), st.text())
def test_a_title_and_text_normalise_as_their_parts_joined(title, text):
    """The search text of an article, normalise(title + newline + text), is made from the
    text's normalised form (already made for its hash and signature) without a second pass."""
    parts = (normalise(title), normalise(text))
    assert normalise(f"{title}\n{text}") == " ".join(part for part in parts if part)
