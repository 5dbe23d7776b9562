"""The name and place lists the guard looks words up in, loaded once, on first use.

The lists ship gzipped in data/ (scripts/build_deid_gazetteers.py makes them). Loading takes a
few tens of milliseconds, so it waits for the first scan rather than slowing the app's start;
a lock makes two threads that scan at once load them only once.
"""

from __future__ import annotations

import gzip
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_lock = threading.Lock()
_loaded: Gazetteers | None = None


@dataclass(frozen=True)
class Gazetteers:
    """Lower-cased lookup sets."""

    first_names: frozenset[str]
    last_names: frozenset[str]
    places: frozenset[str]  # single- and multi-word US place names ("gallup", "santa fe")
    place_lengths: dict[str, tuple[int, ...]]  # first word -> word counts of its places, longest first
    surname_rank: dict[str, int]  # 1 for the commonest surname: the list ships in census order
    towns: dict[str, frozenset[str]]  # every US postal town (also villages) -> its states ("NM")
    town_lengths: dict[str, tuple[int, ...]]  # first word -> word counts of its towns, longest first
    english: frozenset[str]  # everyday English words: a lower-case word here is not a name


def _read(name: str) -> list[str]:
    raw = resources.files(__package__).joinpath("data", name).read_bytes()
    return [line.strip().lower() for line in gzip.decompress(raw).decode("utf-8").splitlines() if line]


def _load() -> Gazetteers:
    places = frozenset(_with_aliases(_read("us_places.txt.gz")))
    last_names = _read("last_names.txt.gz")
    towns: dict[str, set[str]] = {}
    for line in _read("us_towns.txt.gz"):
        town, _, state = line.partition("|")
        for name in {town, _fold(town)}:
            towns.setdefault(name, set()).add(state.upper())
    return Gazetteers(
        first_names=frozenset(_read("first_names.txt.gz")),
        last_names=frozenset(last_names),
        places=places,
        place_lengths=_lengths_by_first_word(places),
        surname_rank={name: rank for rank, name in enumerate(last_names, 1)},
        towns={town: frozenset(states) for town, states in towns.items()},
        town_lengths=_lengths_by_first_word(frozenset(towns)),
        english=frozenset(_read("english_words.txt.gz")),
    )


def _fold(place: str) -> str:
    """'española' as typed in a hurry: 'espanola'."""
    return unicodedata.normalize("NFKD", place).encode("ascii", "ignore").decode("ascii") or place


def _with_aliases(places: list[str]) -> list[str]:
    """The places as typed too: without accents ('espanola', 'pinon hills') and a pueblo by its
    own name ('zuni' for Zuni Pueblo, 'jemez'), as people write them in a hurry."""
    aliases = list(places)
    for place in places:
        folded = unicodedata.normalize("NFKD", place).encode("ascii", "ignore").decode("ascii")
        if folded != place and folded:
            aliases.append(folded)
        if place.endswith(" pueblo") and place != "pueblo":
            aliases.append(folded.removesuffix(" pueblo"))
    return aliases


def _lengths_by_first_word(places: frozenset[str]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for place in places:
        words = place.split()
        lengths.setdefault(words[0], set()).add(len(words))
    return {head: tuple(sorted(counts, reverse=True)) for head, counts in lengths.items()}


def gazetteers() -> Gazetteers:
    """The lists, loading them the first time (thread-safe)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load()
    return _loaded


@lru_cache(maxsize=16384)
def everyday(bare: str, english: frozenset[str]) -> bool:
    """Whether a lower-case word is everyday English, inflected or not ('says', 'tubed',
    'thinks', 'carries', 'eliminating'): the dictionary lists base forms only."""
    if bare in english:
        return True
    stems: list[str] = []
    if bare.endswith("ies"):
        stems.append(bare[:-3] + "y")
    if bare.endswith("es"):
        stems.append(bare[:-2])
    if bare.endswith("s"):
        stems.append(bare[:-1])
    if bare.endswith("ied"):
        stems.append(bare[:-3] + "y")
    if bare.endswith("ed"):
        stems += [bare[:-2], bare[:-1], bare[:-3]]  # asked, tubed, stopped
    if bare.endswith("ing"):
        stems += [bare[:-3], bare[:-3] + "e", bare[:-4]]  # asking, eliminating, running
    if bare.endswith("ly"):
        stems.append(bare[:-2])
    if bare.endswith("er"):
        stems += [bare[:-2], bare[:-1]]
    return any(len(stem) > 2 and stem in english for stem in stems)
