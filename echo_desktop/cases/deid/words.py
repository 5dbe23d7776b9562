"""The words of a text with their offsets, and where sentences start."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ](?:[A-Za-zÀ-ÖØ-öø-ÿ'’-]*[A-Za-zÀ-ÖØ-öø-ÿ])?(?:['’]s?)?|\d+")


@dataclass(frozen=True)
class Word:
    """One word: its text, offsets, and what the guard asks of it."""

    text: str
    start: int
    end: int
    sentence_start: bool  # first word of a sentence, a line or a field: capitalised anyway

    @property
    def bare(self) -> str:
        """Lower case, without a possessive ('Parkinson's' -> 'parkinson')."""
        lowered = self.text.lower().replace("’", "'")
        for tail in ("'s", "'"):
            if lowered.endswith(tail):
                return lowered[: -len(tail)]
        return lowered

    @property
    def capitalised(self) -> bool:
        """'Maria', 'McKinley', "O'Brien": an upper-case first letter and a lower-case letter after."""
        return self.text[:1].isupper() and any(c.islower() for c in self.text[1:])

    @property
    def upper(self) -> bool:
        return self.text.isupper() and len(self.text) > 1

    @property
    def possessive(self) -> bool:
        return self.text.endswith(("'s", "’s", "'", "’"))


def words(text: str) -> list[Word]:
    """The words of `text`, each marked when it starts a sentence, a line or a labelled field."""
    found: list[Word] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        gap = text[previous_end : match.start()]
        starts = not found or bool(
            re.search(r"[.!?:;\n•*\-–—|>]\s*$|^\s*[\"(]?$", gap) and _ends_clause(gap, found)
        )
        found.append(Word(match.group(0), match.start(), match.end(), starts))
        previous_end = match.end()
    return found


def _ends_clause(gap: str, found: list[Word]) -> bool:
    # "Dr. Reyes": the period after a title does not end a sentence.
    if not found:
        return True
    if gap.strip() == "":
        return False
    if gap.lstrip().startswith(".") and found[-1].bare in {
        "dr",
        "mr",
        "mrs",
        "ms",
        "st",
        "mt",
        "jr",
        "sr",
        "prof",
    }:
        return False
    return not (gap.strip() in ("-", "'") and "\n" not in gap)
