"""One normaliser for Persian, Arabic, Russian and English text, used at index and query time.

It folds the spelling variants that make the same word look different: Arabic ي/ى and ك
become Persian ی and ک, hamza-carrying alefs become ا, ة and ۀ become ه, zero-width joiners
and non-joiners, tatweel, bidi marks and Arabic diacritics are removed, Persian and
Arabic-Indic digits become ASCII, Latin and Cyrillic are case-folded (ё as е), and runs of
white space become one space. `normalise_with_offsets` also maps every character of the
result back to the original text, so a quote found in normalised text has exact offsets.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import compress

_LETTERS = {
    "\u064a": "\u06cc",  # ARABIC LETTER YEH -> FARSI YEH
    "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
    "\u0643": "\u06a9",  # ARABIC LETTER KAF -> KEHEH
    "\u0623": "\u0627",  # ALEF WITH HAMZA ABOVE -> ALEF
    "\u0625": "\u0627",  # ALEF WITH HAMZA BELOW -> ALEF
    "\u0622": "\u0627",  # ALEF WITH MADDA ABOVE -> ALEF
    "\u0671": "\u0627",  # ALEF WASLA -> ALEF
    "\u0624": "\u0648",  # WAW WITH HAMZA ABOVE -> WAW
    "\u0626": "\u06cc",  # YEH WITH HAMZA ABOVE -> FARSI YEH
    "\u0629": "\u0647",  # TEH MARBUTA -> HEH
    "\u06c0": "\u0647",  # HEH WITH YEH ABOVE (ۀ) -> HEH
    "\u06d5": "\u0647",  # AE -> HEH
    "\u0640": "",  # TATWEEL
    "\u0451": "\u0435",  # ё -> е
    "\u060c": ",",  # ARABIC COMMA
    "\u061b": ";",  # ARABIC SEMICOLON
    "\u061f": "?",  # ARABIC QUESTION MARK
}

# Joiners, bidi controls, soft hyphen, byte-order mark: invisible, never part of a word.
_INVISIBLE = {
    "\u00ad",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",
}

_DIGITS = {chr(0x06F0 + i): str(i) for i in range(10)} | {
    chr(0x0660 + i): str(i) for i in range(10)
}


def _is_arabic_mark(ch: str) -> bool:
    """Harakat, tanwin, shadda, sukun, superscript alef and Quranic marks."""
    code = ord(ch)
    return (
        0x064B <= code <= 0x065F
        or code == 0x0670
        or 0x0610 <= code <= 0x061A
        or 0x06D6 <= code <= 0x06ED
    )


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    """What one character becomes: "" (dropped), itself, or one or more other characters."""
    if ch in _INVISIBLE or _is_arabic_mark(ch):
        return ""
    if ch in _DIGITS:
        return _DIGITS[ch]
    if ch in _LETTERS:
        return _LETTERS[ch]
    if ch.isspace():
        return " "
    out = []
    # NFKC folds presentation forms (ﻻ -> لا) and compatibility characters.
    for c in unicodedata.normalize("NFKC", ch).casefold():
        if c in _INVISIBLE or _is_arabic_mark(c):
            continue
        c = _DIGITS.get(c, c)
        out.append(_LETTERS.get(c, c))
    return "".join(out)


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from.

    Folded in C by str.translate; each original index is repeated as many times as its
    character folds into (none, one or several), then the characters of each run of spaces
    but its first, and any space at either end, are cut from both.
    """
    folded = text.translate(_TABLE)
    widths = list(map(_WIDTH.__getitem__, text))
    origin: list[int] = []
    done = 0
    for index in compress(range(len(text)), map((1).__ne__, widths)):
        origin += range(done, index)  # each of these folded into one character
        origin += [index] * widths[index]
        done = index + 1
    origin += range(done, len(text))
    if " " not in folded:
        return folded, origin
    out: list[str] = []
    kept: list[int] = []
    done = 0
    for run in _SPACE_RUN.finditer(folded):
        start, end = run.span()
        keep = start + (start > 0 and end < len(folded))  # one space between two words
        out.append(folded[done:keep])
        kept += origin[done:keep]
        done = end
    if not out:
        return folded, origin
    out.append(folded[done:])
    kept += origin[done:]
    return "".join(out), kept


class _FoldTable(dict):  # type: ignore[type-arg]
    """str.translate's table: each character's fold, worked out on first sight and kept."""

    def __missing__(self, code: int) -> str:
        folded = _fold(chr(code))
        self[code] = folded
        return folded


_TABLE = _FoldTable()


class _Width(dict):  # type: ignore[type-arg]
    """How many characters each character folds into, kept like _TABLE."""

    def __missing__(self, ch: str) -> int:
        width = len(_fold(ch))
        self[ch] = width
        return width


_WIDTH = _Width()
_SPACE_RUN = re.compile(r"^ +| {2,}| +$")
_SPACES = re.compile(" {2,}")


def normalise(text: str) -> str:
    """The normalised form of `text` (see the module docstring for what it folds).

    The same result as normalise_with_offsets(text)[0], made in C by str.translate: indexing
    a hundred thousand articles should not walk them character by character in Python.
    """
    return _SPACES.sub(" ", text.translate(_TABLE)).strip(" ")


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets [start, end) in `text` of the first span whose normalised form equals `quote`'s.

    The span starts at the first original character of the match and ends after the last one,
    so `text[start:end]` is the quote as the article spells it. None when it is not there.
    """
    needle = normalise(quote)
    if not needle:
        return None
    haystack, origin = normalise_with_offsets(text)
    position = haystack.find(needle)
    if position < 0:
        return None
    start = origin[position]
    end = origin[position + len(needle) - 1] + 1
    return start, end


# Deleted from text taken from pages: C0 and C1 control characters but tab and newline (NUL
# cannot be stored by PostgreSQL at all), lone surrogates (not storable as UTF-8), the byte
# order mark, and the bidirectional embeddings, overrides and isolates, whose unmatched
# opening would reorder the text shown after them. Kept: ZWNJ and ZWJ (Persian spelling),
# the direction marks LRM, RLM and ALM (U+200E, U+200F, U+061C: they place Latin names and
# numbers in right-to-left text and affect nothing beyond their neighbours), and every other
# format character (soft hyphen, word joiner, Arabic number signs).
_CONTROLS = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\u202a-\u202e\u2066-\u2069]"
)
# Line breaks of other systems become newlines: deleted, they would glue lines together.
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85]")


def clean_text(value: str) -> str:
    """`value` without control characters (see _CONTROLS), its line breaks as newlines."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", value))
