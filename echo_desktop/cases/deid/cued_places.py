"""Towns known by the words around them, however small and however typed: the cases
`locations.py` leaves.

- a postal town followed by its own state ("oneida tn", "Glasgow, MT", "lame deer mt");
- a postal town after "in", "from", "near", "outside" or "to": any town of two words or more
  ("from second mesa"), a one-word town that is no English word ("from akiachak", "in Aniak");
- a capitalised word no list knows after "in", "from", "near" or "outside" ("from Ebeye"),
  unless it is a people, a language, a month or a medicine being switched;
- a creek, hollow, mesa or the like with its name ("up Troublesome Creek");
- a facility whose kind comes first ("Clínica Borinquen", "Hospital San Antonio") or whose
  name is an acronym of one ("YKHC", "UMMC").
The postal towns and the English vocabulary are `Gazetteers.towns` and `.english`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from itertools import pairwise

from echo_desktop.cases.deid.gazetteers import Gazetteers, everyday, gazetteers
from echo_desktop.cases.deid.spans import emit
from echo_desktop.cases.deid.vocabulary import (
    BRANDS,
    COMMON_WORDS,
    COUNTRIES,
    EPONYM_FOLLOWERS,
    EPONYMS,
    MONTHS,
    PEOPLES,
    STATE_ABBREVIATIONS,
    STATE_CODES,
    STATE_NAMES,
    STOPWORDS,
    TITLES,
    WEEKDAYS,
)
from echo_desktop.cases.deid.words import Cued, Word, words
from echo_desktop.cases.findings import Finding, PhiKind

_PREPOSITIONS = frozenset({"in", "from", "near", "outside", "to", "at", "past", "by"})
# 'lives out past wanblee', 'out by eagle butte': a town named as the way to where someone lives.
_ROAD_WORDS = frozenset({"past", "by"})
_STRONG_PREPOSITIONS = frozenset(
    {"in", "from", "near", "outside", "resident", "native", "residents", "natives"}
)
_OF_PLACE = frozenset(
    {"resident", "residents", "native", "natives", "outskirts", "north", "south", "east", "west"}
)
# 'switched from Humira', 'changed to Ozempic': a medicine, not a place.
_SWITCHING = frozenset(
    {"switched", "changed", "transitioned", "converted", "weaned", "tapered", "titrated", "moved",
     "increased", "decreased", "reduced", "benefit", "relief", "improvement", "response", "results",
     "result", "allergic", "allergy", "interest", "interested", "specialist", "fellowship", "trained",
     "training", "certified", "board", "boarded", "degree", "residency", "written", "published"}
)  # fmt: skip
_NOT_PLACE = (
    STOPWORDS
    | COMMON_WORDS
    | PEOPLES
    | EPONYMS
    | STATE_NAMES
    | set(MONTHS)
    | WEEKDAYS
    | TITLES
    | COUNTRIES
    | BRANDS
)
_STATES = {s.upper() for s in STATE_ABBREVIATIONS}
_STATE_WORD = re.compile(r",?\s+(?P<state>[A-Za-z]{2})\b(?!\.\w|-)")
_STATE_NAME_AFTER = re.compile(r",\s+(?P<name>(?:New|North|South|West|Rhode)\s[A-Z][a-z]+|[A-Z][a-z]+)\b")
# Found from the landform back (a capitalised landform is rarer than a preposition).
_LANDFORMS = (
    "creek hollow holler branch fork gap ridge mesa canyon flat flats bottom bend knob springs lake river "
    "valley mountain bay island point landing"
)
_LANDFORM = Cued(
    re.compile(rf"(?<=[a-z] )(?:{'|'.join(w.capitalize() for w in _LANDFORMS.split())})\b"), _LANDFORMS
)
_LANDFORM_NAME = re.compile(
    r"\b(?:up|on|at|near|in|from|along|by)\s((?-i:[A-Z][a-z'ʻ]+(?:\s[A-Z][a-z'ʻ]+)?))\s$"
)
_LEADING_FACILITY = Cued(
    re.compile(
        r"\b(?:Cl[íi]nica|Centro(?:\s+de\s+Salud)?|Hospital|Iglesia|Escuela|Farmacia)"
        r"(?:\s+(?:de|del|la|el|los|las|y)?\s*[A-ZÁÉÍÓÚÑ][\wáéíóúñü'-]+){1,5}"
    ),
    "cl clinica centro hospital iglesia escuela farmacia",
)
# 'St. Charles Bend', 'San Juan Health', 'Christus St. Vincent': a saint's name is a town or a
# hospital, not a person; not 'St. John's wort' or 'St. Louis encephalitis'.
_SAINT_PLACE = Cued(
    re.compile(
        r"\b(?:San|Santa|Santo|St\.?|Saint|Ste\.?)\s(?!John['’]s\s+wort)[A-Z][a-z]+(?:['’]s)?(?:\s[A-Z][a-z]+)?"
        r"|(?<=\bat )st\.? [a-z]{4,}|(?<=\bto )st\.? [a-z]{4,}"  # 'onc at st. alphonsus'
    ),
    "san santa santo st saint ste",
)
# From the capital (capitals are few): a word of capitals ending MC, HC or MH.
_FACILITY_ACRONYM = re.compile(r"[A-Z](?<![\w][A-Z])[A-Z]{1,3}(?:MC|HC|MH)\b")
_NOT_FACILITY_ACRONYMS = frozenset({"FQHC", "CHC", "RHC", "PCMH", "IHC"})  # kinds of clinic, not one
_DISEASE_AFTER = re.compile(
    r"\s+(?:spotted|fever|virus|disease|encephalitis|syndrome|tick|wort|criteria|score|classification|rule)\b",
    re.I,
)


def find_cued_places(text: str) -> Iterator[Finding]:
    """Towns, landforms and facilities found by the words around them."""
    gaz = gazetteers()
    tokens = words(text)
    i = 0
    town_lengths = gaz.town_lengths
    while i < len(tokens):
        word = tokens[i]
        if not word.capitalised and word.bare not in town_lengths and word.bare.isascii():
            i += 1  # most words: lower case, and no town starts with them
            continue
        found = _town_at(text, tokens, i, gaz)
        if found is not None:
            end, state_end = found
            yield from emit(text, tokens[i].start, state_end or tokens[end].end, PhiKind.LOCATION, "[town]")
            i = end + 1
        else:
            i += 1
    for match in _LANDFORM.finditer(text):
        name = _LANDFORM_NAME.search(text, max(0, match.start() - 40), match.start())
        if name is not None and not _DISEASE_AFTER.match(text, match.end()):
            yield from emit(text, name.start(1), match.end(), PhiKind.LOCATION, "[place]")
    for match in _SAINT_PLACE.finditer(text):
        if not _DISEASE_AFTER.match(text, match.end()):
            yield from emit(text, match.start(), match.end(), PhiKind.LOCATION, "[place]")
    for match in _LEADING_FACILITY.finditer(text):
        yield from emit(text, match.start(), match.end(), PhiKind.LOCATION, "[place]")
    for match in _FACILITY_ACRONYM.finditer(text):
        if match.group(0) not in _NOT_FACILITY_ACRONYMS:
            yield from emit(text, match.start(), match.end(), PhiKind.LOCATION, "[place]")


def _town_at(text: str, tokens: Sequence[Word], i: int, gaz: Gazetteers) -> tuple[int, int | None] | None:
    """(last word index, end of a state after it or None) of a town starting at word i."""
    word = tokens[i]
    lengths = gaz.town_lengths.get(_key(word))
    if lengths is None and not word.capitalised:
        return None  # most words: no town starts with them, and only a capital may be an unknown one
    if word.upper or not word.text[:1].isalpha():
        return None
    previous = tokens[i - 1] if i > 0 else None
    cue = previous is not None and previous.bare in _PREPOSITIONS and text[previous.end : word.start] == " "
    if previous is not None and previous.bare == "of" and i > 1 and tokens[i - 2].bare in _OF_PLACE:
        cue = True  # 'a lifelong resident of Ocracoke'
        previous = tokens[i - 2]
    switching = i > 1 and tokens[i - 2].bare in _SWITCHING
    for length in lengths or ():
        run = tokens[i : i + length]
        if len(run) < length or any(text[a.end : b.start] != " " for a, b in pairwise(run)):
            continue
        name = " ".join(_key(w) for w in run)
        states = gaz.towns.get(name)
        if states is None or name in STATE_NAMES:
            continue
        after = tokens[i + length] if i + length < len(tokens) else None
        if after is not None and after.bare in EPONYM_FOLLOWERS:
            continue
        state_end = _state_after(text, run[-1], states)
        if state_end is not None and (length > 1 or (word.bare not in STOPWORDS and word.bare not in TITLES)):
            return i + length - 1, state_end
        if not cue or switching or any(w.bare in _NOT_PLACE for w in run[:1]):
            continue
        if length > 1 and any(not everyday(w.bare, gaz.english) for w in run):
            return i + length - 1, None
        strong_before = previous is not None and (
            previous.bare in _STRONG_PREPOSITIONS or previous.bare in _ROAD_WORDS
        )
        same_case = all(w.capitalised for w in run) or all(w.text.islower() for w in run)
        at_before = previous is not None and previous.bare == "at" and word.text.islower()
        if length > 1 and (strong_before or at_before) and same_case and not word.sentence_start:
            return i + length - 1, None  # 'near Rough Rock', 'in Twin Falls', 'from point hope'
        unknown_word = not everyday(word.bare, gaz.english) and not (
            word.text.islower() and word.bare in gaz.first_names
        )
        strong = previous is not None and (
            previous.bare in _STRONG_PREPOSITIONS or previous.bare in _ROAD_WORDS or word.capitalised
        )
        if length == 1 and unknown_word and strong:
            return i, None
        after_strong = previous is not None and previous.bare in _STRONG_PREPOSITIONS
        if length == 1 and word.capitalised and not word.sentence_start and after_strong:
            return i, None  # 'outside Bliss', 'near Chicken': a capital after 'near' names the town
    # A capitalised word no list knows, after 'in', 'from', 'near' or 'outside'.
    if (
        cue
        and not switching
        and previous is not None
        and previous.bare in _STRONG_PREPOSITIONS
        and word.capitalised
        and not word.sentence_start
        and _key(word).isalpha()
        and len(word.bare) > 3
        and word.bare not in _NOT_PLACE
        and not everyday(word.bare, gaz.english)
        and word.bare not in gaz.first_names
        and word.bare not in gaz.last_names
        and _ends_the_phrase(text, tokens, i)
    ):
        return i, None
    return None


_PHRASE_ENDS = frozenset(
    {"and", "with", "for", "where", "who", "area", "village", "community", "but", "to", "on", "was", "is",
     "were", "has", "had", "in", "at", "since", "until", "last", "this", "today", "yesterday", "when",
     "while", "after", "before", "about", "via", "by", "till", "so", "because", "then", "or"}
)  # fmt: skip


def _ends_the_phrase(text: str, tokens: Sequence[Word], i: int) -> bool:
    """'from Ebeye, moved to Hilo', 'lives in Aniak.': the place ends a phrase; 'near Medicare
    renewal time' is a thing before its noun."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None:
        return True
    gap = text[tokens[i].end : nxt.start]
    return gap.strip() != "" or nxt.bare in _PHRASE_ENDS


def _key(word: Word) -> str:
    """A word as the town list spells it: 'lānaʻi' -> 'lanai', "kea'au" -> 'keaau'."""
    bare = word.bare
    if bare.isascii() and "'" not in bare:
        return bare
    folded = unicodedata.normalize("NFKD", bare).encode("ascii", "ignore").decode("ascii")
    return folded.replace("'", "") or bare


def _state_after(text: str, last: Word, states: frozenset[str]) -> int | None:
    """The end of the town's own state right after it ('oneida tn', 'Glasgow, MT')."""
    named = _STATE_NAME_AFTER.match(text, last.end)
    if named is not None and STATE_CODES.get(named.group("name").lower()) in states:
        return named.end()  # 'Cherokee, North Carolina'
    match = _STATE_WORD.match(text, last.end)
    if match is None:
        return None
    state = match.group("state")
    if state.upper() not in states or state.upper() not in _STATES:
        return None
    if state.islower() and ("," not in match.group(0) and not last.text.islower()):
        return None  # 'Browning in' is not 'Browning, IN'
    if state.islower() and state in ("in", "or", "me", "hi", "ok", "oh", "de", "la", "pa", "ma", "co", "id"):
        return None
    return match.end()
