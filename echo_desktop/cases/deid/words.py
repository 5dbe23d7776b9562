"""The words of a text with their offsets, and where sentences start."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

# Letters of Latin-script names, Hawaiian's macrons and ʻokina included ('Lānaʻi', 'Mayagüez').
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ"
_WORD = re.compile(rf"[{_LETTER}](?:[{_LETTER}'’ʻ-]*[{_LETTER}])?(?:['’]s?)?|\d+")
_BREAK = re.compile(r"[.!?:;\n•*\-–—|>]\s*$|^\s*[\"(]?$")
_TITLE_WORDS = frozenset({"dr", "mr", "mrs", "ms", "st", "mt", "jr", "sr", "prof"})


def _bare(word: str) -> str:
    lowered = word.lower().replace("’", "'")
    if lowered.endswith("'s"):
        return lowered[:-2]
    return lowered[:-1] if lowered.endswith("'") else lowered


class Word:
    """One word: its text, offsets, and what the guard asks of it (worked out once).

    A plain class with slots, not a dataclass: a two-page case has a thousand words, and this
    is the guard's hottest constructor.
    """

    __slots__ = ("bare", "capitalised", "end", "possessive", "sentence_start", "start", "text", "upper")

    def __init__(self, text: str, start: int, end: int, sentence_start: bool) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.sentence_start = sentence_start  # first word of a sentence, a line or a field
        self.bare = _bare(text)  # lower case, no possessive: "Parkinson's" -> "parkinson"
        self.capitalised = text[:1].isupper() and not text.isupper()  # "Maria", "McKinley"
        self.upper = len(text) > 1 and text.isupper()  # "MS", "ICU"
        self.possessive = text.endswith(("'s", "’s", "'", "’"))

    def __repr__(self) -> str:
        return f"Word({self.start}:{self.end})"  # never the text: it may be PHI


@lru_cache(maxsize=8)
def words(text: str) -> tuple[Word, ...]:
    """The words of `text`, each marked when it starts a sentence, a line or a labelled field.

    Cached for the last few texts: the name and the place detectors both walk the same words.
    """
    found: list[Word] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        gap = text[previous_end:start]
        # One space between two words (most gaps) starts nothing; the rest is worked out.
        starts = False if gap == " " and found else _starts_sentence(gap, found)
        found.append(Word(text[start:end], start, end, starts))
        previous_end = end
    return tuple(found)


def _starts_sentence(gap: str, found: list[Word]) -> bool:
    if not found:
        return True
    if gap == " " or not gap.strip():
        return "\n" in gap
    if not _BREAK.search(gap):
        return False
    # "Dr. Reyes": the period after a title does not end a sentence; "93-year-old" is one word.
    if gap.lstrip().startswith(".") and found[-1].bare in _TITLE_WORDS:
        return False
    return not (gap.strip() in ("-", "'") and "\n" not in gap)


@lru_cache(maxsize=8)
def lowered(text: str) -> str | None:
    """The text in lower case when that keeps every offset, else None (cached: every detector asks)."""
    low = text.lower()
    return low if len(low) == len(text) else None  # a few letters lower-case to two characters


class Folded:
    """A case-insensitive pattern, run as a case-sensitive one on the lower-cased text when that
    keeps every offset (CPython's `re` tries a case-insensitive alternation about three times
    slower). Its matches' offsets are the text's; read their text from the original, not from
    the match, which may be lower case. The pattern is written in lower case."""

    __slots__ = ("_insensitive", "_sensitive")

    def __init__(self, pattern: str) -> None:
        self._insensitive = re.compile(pattern, re.IGNORECASE)
        self._sensitive = re.compile(pattern)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        low = lowered(text)
        return self._sensitive.finditer(low) if low is not None else self._insensitive.finditer(text)
