"""The outlet a story says it reports from: «به نقل از تسنیم», «как сообщает РИА Новости»,
«نقلا عن وكالة الأنباء السعودية», "according to TASS", "Reuters reported".

A cite is a phrase of tracker/text/lexicons/outlets.json (`cues`) with an outlet's name
right after it (or right before it: "Reuters reported"), perhaps with a few words between
("the state news agency", «خبرگزاری», «агентство», «وكالة»). A known outlet is answered with
its canonical name (TASS for «ТАСС», «تاس», ITAR-TASS); an unknown one is answered as
written, but only when it is plainly an outlet: named in quotation marks («Известия») or
with a word such as "news agency", «روزنامه», «газета», «صحيفة». "Officials said", «وزارت
خارجه اعلام کرد» and a story's own dateline ("MOSCOW, March 3 (Reuters) -", «/ТАСС/») are
no cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tracker.text.extract import lexicon
from tracker.text.normalise import normalise, normalise_with_offsets

LANGUAGES = ("en", "fa", "ru", "ar")
# Where a story names its own outlet as the author: "MOSCOW, March 3 (Reuters) -",
# "LONDON (AP) —", «МОСКВА, 3 марта. /ТАСС/.», «/Корр. ТАСС Иван Петров/».
_DATELINE = re.compile(
    r"^[^\n()/]{0,80}?\((?P<paren>[^()\n]{2,40})\)\s*[-–—]"
    r"|/(?:корр\.\s*)?(?P<slash>[^/\n]{2,40})/",
    re.IGNORECASE,
)
# Where an unknown outlet's name ends (with the words below): punctuation and quotes.
_END = re.compile(r"[.,;:!?()\[\]\n،؛«»\"“”]")
_STOPS = {
    "en": {"that", "on", "in", "which", "who", "said", "says", "as", "and", "of", "to"},
    "fa": {"از", "که", "و", "در", "به", "این", "امروز", "روز", "با", "را", "درباره"},
    "ru": {"о", "об", "что", "в", "на", "со", "по", "из", "и", "от"},
    "ar": {"ان", "عن", "في", "من", "یوم", "علی", "الی", "و", "بان"},
}
_QUOTED = re.compile(
    r"^\s*(?P<lead>[^«\"“„'\n.,;:]{0,40}?)[«\"“„'](?P<name>[^«»\"“”„'\n]{2,60})[»\"“”']"
)
_OPEN_QUOTE = "[«\"“„']?"


@dataclass(frozen=True)
class _Lexicon:
    before: re.Pattern[str]  # cue, fillers, known name
    after: re.Pattern[str]  # known name, fillers, cue
    cue: re.Pattern[str]  # any cue that names its outlet after it
    canonical: dict[str, str]  # normalised name -> canonical name
    upper: frozenset[str]  # names to be written in capitals (AP, SPA, INA) to count
    kinds: dict[str, frozenset[str]]
    not_outlets: tuple[str, ...]
    filler_words: frozenset[str]  # single words of the fillers


def _words(phrase: str) -> str:
    """A phrase as a regex on normalised text; a trailing Arabic ل joins the next word."""
    return r"\s+".join(re.escape(word) for word in normalise(phrase).split())


def _alternation(phrases: list[str]) -> str:
    return "|".join(sorted({_words(p) for p in phrases if p.strip()}, key=len, reverse=True))


@lru_cache(maxsize=8)
def _lexicon(language: str | None) -> _Lexicon:
    data = lexicon("outlets")
    languages = (language,) if language in LANGUAGES else LANGUAGES
    canonical: dict[str, str] = {}
    upper = set()
    for outlet in data["outlets"]:
        for names in outlet["names"].values():
            for name in names:
                canonical[normalise(name)] = outlet["name"]
                if name.isupper() and len(name) <= 4:
                    upper.add(normalise(name))
    names = _alternation(list({n for o in data["outlets"] for v in o["names"].values() for n in v}))
    before = [c for lang in languages for c in data["cues"][lang]["before"]]
    after = [c for lang in languages for c in data["cues"][lang]["after"]]
    fillers = _alternation([f for lang in languages for f in data["fillers"][lang]])
    # Arabic writes ل ("for", of وفقا لـ) and و, ب joined to the next word.
    prefix = r"(?:[وبل](?=\w))?"
    joined = [c for c in before if normalise(c).split()[-1] == "ل"]
    spaced = [c for c in before if c not in joined]
    cue_parts = [rf"(?:{_alternation(spaced)})\s+"]
    if joined:
        cue_parts.append(rf"(?:{_alternation(joined)})\s*")
    cue_before = "(?:" + "|".join(cue_parts) + ")"
    filler_run = rf"(?:{prefix}(?:{fillers})\s+){{0,4}}"
    name = rf"{_OPEN_QUOTE}{prefix}(?P<name>{names})(?!\w)"
    before_pattern = re.compile(rf"(?<!\w){cue_before}{filler_run}{name}")
    after_pattern = re.compile(
        rf"(?<!\w){_OPEN_QUOTE}(?P<name>{names})[»\"”']?(?:\s+(?:{fillers}))*"
        rf"\s+(?:{_alternation(after)})(?!\w)"
        if after
        else r"(?!x)x"
    )
    return _Lexicon(
        before=before_pattern,
        after=after_pattern,
        cue=re.compile(rf"(?<!\w){cue_before}"),
        canonical=canonical,
        upper=frozenset(upper),
        kinds={lang: frozenset(normalise(k) for k in data["kinds"][lang]) for lang in LANGUAGES},
        not_outlets=tuple(normalise(p) for p in data["not_outlets"]["phrases"]),
        filler_words=frozenset(
            word
            for lang in languages
            for f in data["fillers"][lang]
            for word in normalise(f).split()
        ),
    )


def _dateline_outlet(text: str) -> str | None:
    """The outlet a story's dateline names as its author, canonical if known."""
    found = _DATELINE.search(text[:300])
    if not found:
        return None
    written = normalise(found.group("paren") or found.group("slash") or "")
    known = _lexicon(None).canonical
    return known.get(written) or next(
        (known[word] for word in written.split() if word in known), None
    )


@lru_cache(maxsize=1)
def _spellings() -> dict[str, frozenset[str]]:
    spellings: dict[str, frozenset[str]] = {}
    for outlet in lexicon("outlets")["outlets"]:
        names = {outlet["name"], *(n for ns in outlet["names"].values() for n in ns)}
        spellings[outlet["name"].lower()] = frozenset(n.lower() for n in names)
    return spellings


def outlet_names(outlet: str) -> frozenset[str]:
    """Every name of `outlet` (as `cited_source` gives it) in the four languages, lower-cased,
    itself included: what an article on record from that outlet may give as its outlet."""
    return _spellings().get(outlet.lower(), frozenset()) | {outlet.lower()}


def cited_source(text: str, language: str | None) -> str | None:
    """The outlet `text` says it reports from: its canonical name when known, the words as
    written when not (None when the text cites no outlet)."""
    if not text:
        return None
    folded, origin = normalise_with_offsets(text)
    lex = _lexicon(language if language in LANGUAGES else None)
    own = _dateline_outlet(text)
    found: list[tuple[int, str]] = []
    for pattern in (lex.before, lex.after):
        for match in pattern.finditer(folded):
            start, end = match.span("name")
            rest = folded[start:]
            if any(rest.startswith(phrase) for phrase in lex.not_outlets):
                continue
            written = text[origin[start] : origin[end - 1] + 1]
            key = match.group("name")
            if key in lex.upper and not written.isupper():
                continue  # "ap", "spa" in running text are no agencies
            outlet = lex.canonical.get(key)
            if outlet and outlet != own:
                found.append((match.start(), outlet))
    if found:
        return min(found)[1]
    return _unknown(text, folded, origin, lex, language)


def _unknown(
    text: str, folded: str, origin: list[int], lex: _Lexicon, language: str | None
) -> str | None:
    """An outlet not in the lexicon, as written, after a cue: «...» quoted, or with a kind
    word ("the Tehran Times newspaper", «روزنامه اعتماد», «газета Известия»)."""
    languages = (language,) if language in LANGUAGES else LANGUAGES
    kinds = frozenset().union(*(lex.kinds[lang] for lang in languages))
    fillers = lex.filler_words
    stops = set().union(*(_STOPS[lang] for lang in languages))
    for cue in lex.cue.finditer(folded):
        after = text[origin[cue.end() - 1] + 1 :] if cue.end() < len(folded) else ""
        after = after.lstrip()
        quoted = _QUOTED.match(after)
        if quoted:
            words = normalise(quoted.group("lead")).split()
            if all(word in kinds or word in fillers for word in words):
                return quoted.group("name").strip()
        window = _END.split(after, maxsplit=1)[0]
        words = window.split()[:6]
        if not words:
            continue
        folded_words = [normalise(word) for word in words]
        kind_at = next((i for i, word in enumerate(folded_words) if word in kinds), None)
        if kind_at is None:
            continue
        if kind_at == 0 or (kind_at == 1 and folded_words[0] == "the" and len(words) > 2):
            # «روزنامه اعتماد», «агентство Bloomberg»: the name follows its kind
            name = []
            for word, plain in zip(words[kind_at + 1 :], folded_words[kind_at + 1 :], strict=False):
                if plain in stops or plain in kinds:
                    break
                name.append(word)
            picked = name[:3]
        else:
            # "the Tehran Times newspaper", "Kyodo news agency": the kind ends the name
            picked = words[: kind_at + 1]
            if normalise(picked[0]) == "the":
                picked = picked[1:]
            if any(normalise(word) in stops for word in picked):
                continue
        if not picked:
            continue
        if any(
            ch.isalpha() and ch.isascii() or "\u0400" <= ch <= "\u04ff" for w in picked for ch in w
        ):
            # Latin and Cyrillic names are capitalised: "according to news reports" is none
            if not any(word[:1].isupper() for word in picked):
                continue
        return " ".join(picked)
    return None
