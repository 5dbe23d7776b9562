"""A small learned check for names and places, beside the rules: an averaged perceptron over each
word's shape, its lists (census names, postal towns, the English vocabulary, the guard's own
vocabulary) and the words around it.

The rules find an identifier by a cue someone thought of; the model weighs every cue at once, so
it also finds "Saw Eh Htoo, a 14-year-old ..." or "taro farmer in Waipi'o" when no single rule
fires. It never sees a name itself: a word enters a feature only when it is an everyday word, a
role, a title or a clinical word, so what it learnt is context, not the people in the training
text. Trained by `scripts/train_deid_model.py` on the development text (tests/data/phi/ and the
shared set); the weights ship in `data/token_model.json.gz` and load on first use. Only words
that could be part of a name or a place are scored (capitalised, in a name or town list, or no
English word), and a word is flagged only when NAME or LOCATION beats O by `MARGIN`.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Iterator, Sequence
from importlib import resources

from echo_desktop.cases.deid import vocabulary as vocab
from echo_desktop.cases.deid.gazetteers import Gazetteers, everyday, gazetteers
from echo_desktop.cases.deid.spans import emit
from echo_desktop.cases.deid.words import Word, words
from echo_desktop.cases.findings import Finding, PhiKind

LABELS = ("O", "NAME", "LOCATION")
MARGIN = 4.0
"""How far NAME or LOCATION must beat O: chosen on held-out sets for recall at precision >= 0.97
(docs/deid.md)."""
MODEL_FILE = "token_model.json.gz"

_NEVER = (
    vocab.STOPWORDS
    | vocab.EPONYMS
    | vocab.EPONYM_FOLLOWERS
    | vocab.TITLES
    | vocab.RELATIVES
    | set(vocab.MONTHS)
    | vocab.WEEKDAYS
    | vocab.STATE_NAMES
    | vocab.PEOPLES
    | vocab.COUNTRIES
    | vocab.SERVICE_WORDS
    | vocab.FIELD_FILLERS
    | vocab.BRANDS
    | vocab.CONTRACTIONS
    | {
        "md",
        "do",
        "np",
        "pa",
        "rn",
        "lpn",
        "pharmd",
        "fnp",
        "dnp",
        "phd",
        "lcsw",
        "chr",
        "cha",
        "chw",
        "pmhnp",
    }
    | {
        "na",
        "k",
        "cl",
        "bun",
        "cr",
        "hgb",
        "hct",
        "plt",
        "wbc",
        "ast",
        "alt",
        "alp",
        "inr",
        "tsh",
        "ldl",
        "hdl",
    }
    | {"nation", "nations", "tribe", "tribes", "reservation", "country", "county", "city", "town", "village"}
    # Faiths and churches: 'the family is Hmong and Lutheran' (a church's name is the rules').
    | {
        "lutheran",
        "baptist",
        "methodist",
        "catholic",
        "mennonite",
        "amish",
        "presbyterian",
        "pentecostal",
        "episcopal",
        "episcopalian",
        "mormon",
        "lds",
        "muslim",
        "jewish",
        "hindu",
        "sikh",
        "buddhist",
        "adventist",
        "orthodox",
        "evangelical",
        "christian",
        "quaker",
        "anglican",
        "apostolic",
        "nazarene",
    }
    # Regions bigger than a state's part: 'travel outside the Southwest'.
    | {"southwest", "southeast", "northwest", "northeast", "midwest", "upstate", "downstate", "stateside"}
    # Name particles alone, and periods of a year that name no day.
    | {
        "von",
        "van",
        "de",
        "la",
        "da",
        "di",
        "le",
        "du",
        "del",
        "della",
        "der",
        "den",
        "bin",
        "ibn",
        "al",
        "el",
    }
    | {"ramadan", "lent", "advent", "passover"}
    # Payers and programs: everyone's, not a place.
    | {
        "medicare",
        "medicaid",
        "medi-cal",
        "tricare",
        "chip",
        "wic",
        "snap",
        "ssi",
        "ssdi",
        "tanf",
        "cobra",
        "obamacare",
        "marketplace",
        "champva",
        "ihs",
        "prc",
    }
)
_LISTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("stop", vocab.STOPWORDS),
    ("common", vocab.COMMON_WORDS),
    ("eponym", vocab.EPONYMS),
    ("people", vocab.PEOPLES),
    ("relative", vocab.RELATIVES),
    ("title", vocab.TITLES),
    ("state", vocab.STATE_NAMES),
    ("month", frozenset(vocab.MONTHS)),
    ("weekday", vocab.WEEKDAYS),
    ("follower", vocab.EPONYM_FOLLOWERS),
    ("country", vocab.COUNTRIES),
)
_ROMAN_CLASS = re.compile(r"(?:I{1,3}|IV|V|VI{1,3})[a-c]?")
_LEADING_CAPITALS = re.compile(r"[A-Z]{2,}[a-z]{1,3}")  # 'QTc', 'LDLc', 'ICDs'
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}[0-9]*['’]?s")
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
_NAME_PREFIX = re.compile(r"(?:Mc|Mac|De|Da|Di|Du|La|Le|Van|Von|O['’])[A-Z]")
# Each listed word's "in=<list>" features, worked out once rather than for every word of a case.
_MEMBERSHIP: dict[str, tuple[str, ...]] = {}
for _name, _listed in _LISTS:
    for _word in _listed:
        _MEMBERSHIP[_word] = (*_MEMBERSHIP.get(_word, ()), "in=" + _name)
_SAID_WORDS = vocab.STOPWORDS | vocab.RELATIVES | vocab.TITLES | vocab.EPONYMS | vocab.EPONYM_FOLLOWERS

_lock = threading.Lock()
_loaded: TokenModel | None = None


def shape(text: str) -> str:
    """'d' digits, 'X' capitals, 'Xx' capitalised, 'x' lower case, 'm' mixed."""
    if text.isdigit():
        return "d"
    if text.isupper() and len(text) > 1:
        return "X"
    if text[:1].isupper():
        return "Xx"
    return "x" if text.islower() else "m"


def _context(word: Word, gaz: Gazetteers) -> str:
    """A neighbour as a feature: the word itself when it is everyday or a cue, else its shape
    (so no name in the training text is ever learnt as such)."""
    bare = word.bare
    if bare in vocab.COMMON_WORDS or bare in _SAID_WORDS or everyday(bare, gaz.english):
        return bare
    return "<" + shape(word.text) + ">"


class TextFeatures:
    """Each word's features in one text; what every word lends its neighbours (its context word,
    shape and lists) is worked out once, not for each neighbour (the training script shares this)."""

    def __init__(self, text: str, tokens: Sequence[Word], gaz: Gazetteers) -> None:
        self._text = text
        self._tokens = tokens
        self._gaz = gaz
        self._shapes: dict[int, str] = {}
        self._contexts: dict[int, str] = {}
        # Typed in lower case ('pt lives w son tou in wausau')? Then a lower-case word says less.
        starts = [w for w in tokens if w.sentence_start and w.text[:1].isalpha()]
        capitalised = sum(1 for w in starts if w.text[:1].isupper())
        self._style = "lower" if starts and capitalised * 2 < len(starts) else "cased"

    def _shape(self, j: int) -> str:
        found = self._shapes.get(j)
        if found is None:
            found = self._shapes[j] = shape(self._tokens[j].text)
        return found

    def _context(self, j: int) -> str:
        found = self._contexts.get(j)
        if found is None:
            found = self._contexts[j] = _context(self._tokens[j], self._gaz)
        return found

    def of(self, i: int) -> list[str]:
        """The features of word i."""
        text, tokens, gaz = self._text, self._tokens, self._gaz
        word = tokens[i]
        bare = word.bare
        own_shape = self._shape(i)
        found = ["bias", "shape=" + own_shape, f"style={self._style}|{own_shape}"]
        if word.sentence_start:
            found.append("sentence_start")
        named = False
        if bare in gaz.first_names:
            found.append("first")
            named = True
        rank = gaz.surname_rank.get(bare)
        if rank is not None:
            found.append("last" if rank < 1000 else "last<10k" if rank < 10000 else "last>10k")
            named = True
        if bare in gaz.towns:
            found.append("town")
        if bare in gaz.places:
            found.append("place")
        if everyday(bare, gaz.english):
            found.append("english")
        found.extend(_MEMBERSHIP.get(bare, ()))
        if bare in _SAID_WORDS:
            found.append("w=" + bare)
        found.append("suffix=name" if named else "suffix=" + bare[-3:])
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < len(tokens):
                other = tokens[j].bare
                found.append(f"w{offset}={self._context(j)}")
                found.append(f"s{offset}={self._shape(j)}")
                if other in gaz.first_names:
                    found.append(f"first{offset}")
                if other in gaz.last_names:
                    found.append(f"last{offset}")
            else:
                found.append(f"w{offset}=<edge>")
        before = text[tokens[i - 1].end : word.start] if i > 0 else "^"
        after = text[word.end : tokens[i + 1].start] if i + 1 < len(tokens) else "$"
        found.append("gap_before=" + before.strip()[:2])
        found.append("gap_after=" + after.strip()[:2])
        previous = self._context(i - 1) if i > 0 else "^"
        following = self._context(i + 1) if i + 1 < len(tokens) else "$"
        found.append(f"pair_before={previous}|{own_shape}")
        found.append(f"pair_after={own_shape}|{following}")
        return found


def features(text: str, tokens: Sequence[Word], i: int, gaz: Gazetteers) -> list[str]:
    """The features of word i alone (for one word; a whole text goes through `TextFeatures`)."""
    return TextFeatures(text, tokens, gaz).of(i)


_MULTIWORD = vocab.STATE_NAMES | vocab.NAMED_THINGS


def candidate_at(tokens: Sequence[Word], i: int, gaz: Gazetteers) -> bool:
    """`candidate`, and not part of a state's or a known thing's two-word name ('Puerto Rico')."""
    if not candidate(tokens[i], gaz):
        return False
    bare = tokens[i].bare
    before = f"{tokens[i - 1].bare} {bare}" if i > 0 else ""
    after = f"{bare} {tokens[i + 1].bare}" if i + 1 < len(tokens) else ""
    if i + 1 < len(tokens):
        following = tokens[i + 1]
        if following.bare in vocab.EPONYM_FOLLOWERS or _ROMAN_CLASS.fullmatch(following.text):
            return False  # 'a Forrest IIb ulcer', 'Graves disease': an eponym's class or disease
        if i + 2 < len(tokens) and following.capitalised and tokens[i + 2].bare in vocab.EPONYM_FOLLOWERS:
            return False  # 'von Willebrand disease'
    return before not in _MULTIWORD and after not in _MULTIWORD


def candidate(word: Word, gaz: Gazetteers) -> bool:
    """Whether a word could be part of a name or a place at all (the others are not scored)."""
    bare = word.bare
    # The cheap tests first: this runs on every word of a case.
    if not word.capitalised:
        # In lower case only a word no dictionary has: 'bear weight', 'at home' are towns too.
        if word.upper or len(bare) < 2 or bare in _NEVER:
            return False
        if everyday(bare, gaz.english) and bare not in gaz.first_names:
            return False
        return bare.replace("'", "").replace("-", "").isalpha()
    if bare in _NEVER or len(bare) < 2 or not bare.replace("'", "").replace("-", "").isalpha():
        return False
    if _INNER_CAPITAL.search(word.text) and not _NAME_PREFIX.match(word.text):
        return False  # 'AFib', 'PharmD', 'GoFundMe'; but 'McDonald', 'DeShawn', "O'Neil"
    if _PLURAL_ACRONYM.fullmatch(word.text) or _LEADING_CAPITALS.fullmatch(word.text):
        return False  # 'DAAs', 'NSAIDs', 'UTIs'
    named = bare in gaz.first_names or bare in gaz.last_names or bare in gaz.towns
    # 'Newborn, Apgars 7/9', 'Hepatitis C': an everyday word in no name or town list
    return named or not everyday(bare, gaz.english)


class TokenModel:
    """The perceptron's averaged weights: feature -> (O, NAME, LOCATION)."""

    def __init__(self, weights: dict[str, tuple[float, float, float]]) -> None:
        self._weights = weights

    def scores(self, feats: Sequence[str]) -> tuple[float, float, float]:
        o = n = loc = 0.0
        for feat in feats:
            weight = self._weights.get(feat)
            if weight is not None:
                o += weight[0]
                n += weight[1]
                loc += weight[2]
        return o, n, loc

    @classmethod
    def read(cls, raw: bytes) -> TokenModel:
        data = json.loads(gzip.decompress(raw))
        if data.get("labels") != list(LABELS):
            raise ValueError("the token model's labels are not the guard's")
        return cls({feat: (w[0], w[1], w[2]) for feat, w in data["weights"].items()})


def token_model() -> TokenModel:
    """The shipped model, loaded the first time (thread-safe)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                raw = resources.files(__package__).joinpath("data", MODEL_FILE).read_bytes()
                _loaded = TokenModel.read(raw)
    return _loaded


def find_model_tokens(text: str, covered: Sequence[tuple[int, int]] = ()) -> Iterator[Finding]:
    """Names and places the model is sure of; neighbouring words of one kind make one finding.
    Words inside a `covered` span (what the rules found) are not scored."""
    gaz = gazetteers()
    model = token_model()
    tokens = words(text)
    inside = _covered_words(tokens, covered)
    text_features = TextFeatures(text, tokens, gaz)
    run: tuple[int, int, PhiKind] | None = None
    for i, word in enumerate(tokens):
        kind: PhiKind | None = None
        if i not in inside and candidate_at(tokens, i, gaz):
            o, name, place = model.scores(text_features.of(i))
            if max(name, place) - o > MARGIN:
                kind = PhiKind.NAME if name >= place else PhiKind.LOCATION
        if kind is not None and run is not None and run[2] is kind and text[run[1] : word.start] == " ":
            run = (run[0], word.end, kind)
            continue
        if run is not None:
            yield from emit(text, run[0], run[1], run[2], _suggestion(run[2]))
        run = (word.start, word.end, kind) if kind is not None else None
    if run is not None:
        yield from emit(text, run[0], run[1], run[2], _suggestion(run[2]))


def _covered_words(tokens: Sequence[Word], covered: Sequence[tuple[int, int]]) -> set[int]:
    """The indices of the words that lie inside one of the `covered` spans."""
    if not covered:
        return set()
    spans = sorted(covered)
    inside: set[int] = set()
    k = 0
    for i, word in enumerate(tokens):
        while k < len(spans) and spans[k][1] <= word.start:
            k += 1
        j = k
        while j < len(spans) and spans[j][0] < word.end:
            if spans[j][0] <= word.start and word.end <= spans[j][1]:
                inside.add(i)
                break
            j += 1
    return inside


def _suggestion(kind: PhiKind) -> str:
    return "the patient" if kind is PhiKind.NAME else "[place]"
