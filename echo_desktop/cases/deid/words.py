"""The words of a text with their offsets, and where sentences start."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import ClassVar

# Letters of Latin-script names, Hawaiian's macrons and ʻokina included ('Lānaʻi', 'Mayagüez').
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ"
_WORD = re.compile(rf"[{_LETTER}](?:[{_LETTER}'’ʻ-]*[{_LETTER}])?(?:['’]s?)?|\d+")
_BREAK = re.compile(r"[.!?:;\n•*\-–—|>]\s*$|^\s*[\"(]?$")
_TITLE_WORDS = frozenset({"dr", "mr", "mrs", "ms", "st", "mt", "jr", "sr", "prof", "fr", "rev"})


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
        upper = text.isupper()
        self.capitalised = not upper and text[0].isupper()  # "Maria", "McKinley"
        self.upper = upper and len(text) > 1  # "MS", "ICU"
        last = text[-1]
        if last in "'’sS":
            self.bare = _bare(text)  # lower case, no possessive: "Parkinson's" -> "parkinson"
            self.possessive = text.endswith(("'s", "’s", "'", "’"))
        else:
            self.bare = text.lower() if "’" not in text else text.lower().replace("’", "'")
            self.possessive = False

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

    def search_short(self, text: str) -> re.Match[str] | None:
        """`search` in a short stretch of text (a few words before a candidate), lower-cased here
        rather than through the cache, which is for whole texts."""
        low = text.lower()
        return self._sensitive.search(low) if len(low) == len(text) else self._insensitive.search(text)

    @property
    def pattern(self) -> str:
        """The pattern's source, as `re.Pattern.pattern`."""
        return self._sensitive.pattern

    @property
    def sensitive(self) -> re.Pattern[str]:
        """The pattern as it runs on the lower-cased text (`lowered(text)`, when not None)."""
        return self._sensitive


NUMBER = "#"
"""`word_starts`' key for where a number starts."""
_START = re.compile(r"(?<!\w)(?:[a-z]+|\d)")


@lru_cache(maxsize=8)
def word_starts(text: str) -> dict[str, list[int]] | None:
    """Where each word starts, by its leading run of lower-case ASCII letters ('mid' for
    'mid-March', 'it' for "it's"), and where each number starts (under `NUMBER`); None when
    lower-casing would move offsets. One pass that spares the guard dozens: see `Cued`."""
    low = lowered(text)
    if low is None or "ı" in low or "ſ" in low:
        # 'ı' and 'ſ' match 'i' and 's' in a case-insensitive pattern but are no ASCII letter here
        return None
    found: dict[str, list[int]] = {}
    for match in _START.finditer(low):
        key = match.group()
        if not "a" <= key[0] <= "z":
            key = NUMBER
        at = found.get(key)
        if at is None:
            found[key] = [match.start()]
        else:
            at.append(match.start())
    return found


class Cued:
    """A pattern every match of which starts where one of a few words (or a number) starts,
    tried only there: the same matches as `finditer` over the whole text, in a fraction of the
    time (CPython's `re` tries a pattern with no literal first character at every position of
    a two-page case; these words start a few dozen). `first` must name every word a match can
    start with, by `word_starts`' keys; tests/test_deid_cued.py checks each pattern against the
    whole-text search on every development text."""

    __slots__ = ("_first", "_folded", "_pattern")
    registry: ClassVar[list[Cued]] = []

    def __init__(self, pattern: re.Pattern[str] | Folded, first: str | frozenset[str]) -> None:
        self._pattern = pattern
        self._folded = isinstance(pattern, Folded)
        self._first = frozenset(first.split()) if isinstance(first, str) else first
        Cued.registry.append(self)

    @property
    def pattern(self) -> re.Pattern[str] | Folded:
        return self._pattern

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """What `pattern.finditer(text)` finds (offsets into `text`)."""
        starts = word_starts(text)
        if starts is None:
            yield from self._pattern.finditer(text)
            return
        positions: list[int] = []
        for word in self._first:
            found = starts.get(word)
            if found is not None:
                positions += found
        positions.sort()
        pattern = self._pattern
        if isinstance(pattern, Folded):
            target = lowered(text)
            assert target is not None  # word_starts() is None otherwise
            match_at = pattern.sensitive.match
        else:
            target, match_at = text, pattern.match
        resume = 0
        for position in positions:
            if position < resume:
                continue  # inside the last match, where finditer does not look either
            match = match_at(target, position)
            if match is not None:
                resume = max(match.end(), position + 1)
                yield match


def forget_texts() -> None:
    """Empty the per-text caches (words, lower-cased copies, word starts): the bench does, so each
    scan it times meets its text afresh, as when a case is first opened."""
    words.cache_clear()
    lowered.cache_clear()
    word_starts.cache_clear()
