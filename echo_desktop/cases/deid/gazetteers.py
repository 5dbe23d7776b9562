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


def _read(name: str) -> list[str]:
    raw = resources.files(__package__).joinpath("data", name).read_bytes()
    return [line.strip().lower() for line in gzip.decompress(raw).decode("utf-8").splitlines() if line]


def _load() -> Gazetteers:
    places = frozenset(_with_aliases(_read("us_places.txt.gz")))
    last_names = _read("last_names.txt.gz")
    return Gazetteers(
        first_names=frozenset(_read("first_names.txt.gz")),
        last_names=frozenset(last_names),
        places=places,
        place_lengths=_lengths_by_first_word(places),
        surname_rank={name: rank for rank, name in enumerate(last_names, 1)},
    )


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
