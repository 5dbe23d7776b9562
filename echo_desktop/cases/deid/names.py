"""Names of patients, relatives and others (Safe Harbor 1).

A run of words is a name when something says so:
- a title before it ("Mr. John Whitaker", "Dr. Reyes", "dr smith");
- a relative or a naming word before it ("her mother Maria", "daughter, Hope", "named Will");
- a census first name followed by a census last name ("Angela Reyes", "john smith" typed in
  lower case);
- a census first name alone, capitalised, that is not also an everyday word ("Maria called").
Clinical eponyms (Parkinson's, Graves' disease, Down syndrome, Glasgow Coma Scale) never are.
The suggestion is the relative's role when it is known ("her mother"), else "the patient".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from echo_desktop.cases.deid.gazetteers import Gazetteers, everyday, gazetteers
from echo_desktop.cases.deid.spans import finding
from echo_desktop.cases.deid.vocabulary import (
    COMMON_WORDS,
    CONTRACTIONS,
    COUNTRIES,
    EPONYM_FOLLOWERS,
    EPONYMS,
    FIELD_FILLERS,
    MONTHS,
    NAMED_THINGS,
    PEOPLES,
    RELATIVES,
    SERVICE_WORDS,
    STATE_NAMES,
    STOPWORDS,
    SURNAME_WORDS,
    TITLES,
    WEEKDAYS,
)
from echo_desktop.cases.deid.words import Word, words
from echo_desktop.cases.findings import Finding, PhiKind

_NAMING_WORDS = frozenset(
    {"named", "name", "names", "called", "aka", "nee", "née", "signed", "contact", "pcp", "attn", "attention"}
)
# Words that work like a title before a name: 'Nurse Jackie', 'nurse jackie'.
_ROLE_TITLES = frozenset({"nurse", "rn", "np", "pa", "coach", "pastor", "father", "sister", "officer"})
_LABELS = re.compile(
    r"(?i)(?:^|\n)\s*(?:patient|pt|name|patient name|contact|emergency contact|next of kin|nok|"
    r"pcp|provider|referring(?: provider| physician)?|attending|resident|nurse|rn|np|pa|md|"
    r"signed(?: by)?|author|cc|guarantor|caregiver|guardian|parent|mother|father|spouse)\s*:\s*$"
)
# Words before a name that say a person follows: "seen by", "per", "told", "Dear".
_NAME_CUES = frozenset(
    {"by", "per", "told", "asked", "advised", "informed", "instructed", "consulted", "counseled",
     "counselled", "reminded", "thanked", "dear", "patient", "pt", "notified", "paged", "updated"}
)  # fmt: skip
# A surname alone is a person when one of these is before it ("told Nguyen") ...
_TELL_VERBS = _NAME_CUES - {"by", "patient", "pt", "dear"} | {"saw", "examined", "reassured", "educated"}
# ... or one of these after it ("Garcia was seen", "Okafor reports").
_SUBJECT_VERBS = frozenset(
    {"was", "is", "has", "had", "reports", "reported", "states", "stated", "says", "said", "denies",
     "denied", "presented", "presents", "returned", "returns", "came", "comes", "agreed", "agrees",
     "declined", "declines", "arrived", "endorses", "endorsed", "complains", "complained", "feels",
     "felt", "went", "lives", "lived", "works", "worked", "wants", "wanted", "prefers", "preferred",
     "understands", "tolerated", "tolerates", "missed", "took", "takes", "continues", "remains",
     "called", "admits", "admitted", "refused", "refuses", "notes", "noted", "got", "needs"}
)  # fmt: skip
# A credential after a name: "Adaeze Nwosu, MD", "Kimberly Nez FNP".
_CREDENTIALS = frozenset(
    {"md", "do", "rn", "np", "pa", "pa-c", "fnp", "fnp-c", "cnm", "phd", "lpn", "cna", "msw",
     "lcsw", "pharmd", "dds", "dnp", "aprn", "mph", "chw", "lmsw", "bsn", "msn", "ccm", "lpc",
     "pmhnp", "pmhnp-bc", "cadc", "ladc", "lcdc", "bcba", "slp", "cde", "cdces", "ibclc", "lmft",
     "lmhc", "crna", "dpm", "dmd", "facp", "faafp", "mba", "ms", "ma", "ot", "otr", "dpt", "rd"}
)  # fmt: skip
_LANDFORMS = frozenset(
    {"mountain", "mountains", "river", "lake", "valley", "canyon", "mesa", "creek", "springs", "hills"}
)
# Unions built once: these run on nearly every word of a two-page case.
_NOT_LOWER_SURNAME = STOPWORDS | COMMON_WORDS | SURNAME_WORDS | EPONYMS | RELATIVES
_NOT_LOWER_SECOND = STOPWORDS | COMMON_WORDS | SURNAME_WORDS | SERVICE_WORDS | RELATIVES
_COMMON_SURNAME_RANK = 12000  # the 1990 census's commonest surnames: real surnames, few words
_LOWER_SURNAME_RANK = 3000  # stricter for lower-case typing, where any word could follow
_SENTENCE_END = re.compile(r"[.!?\n]\s*$")
_POSSESSORS = frozenset({"his", "her", "their", "patient", "pt", "patients", "the", "a", "my", "our", "your"})


def find_names(text: str) -> Iterator[Finding]:
    """Person names, with the relative's role as the suggestion where the text gives it."""
    gaz = gazetteers()
    tokens = words(text)
    index = 0
    first_names = gaz.first_names
    while index < len(tokens):
        word = tokens[index]
        bare = word.bare
        lower_start = not word.text[:1].isupper()
        common_surname = gaz.surname_rank.get(bare, _LOWER_SURNAME_RANK + 1) <= _LOWER_SURNAME_RANK
        if lower_start and bare not in first_names and bare not in TITLES and not common_surname:
            index += 1  # most words: lower case, no first name or common surname, so no name here
            continue
        span = _name_at(text, tokens, index, gaz)
        if span is None:
            index += 1
            continue
        first, last = span
        if _names_a_thing(tokens, first, last):
            index = last + 1
            continue
        start_index, role = _role_before(tokens, first, text)
        role = role or _role_after(tokens, last, text)
        default = "the physician" if tokens[first].bare in ("dr", "prof", "professor") else "the patient"
        suggestion = _suggest(role or default, text, tokens[start_index].start)
        made = finding(text, tokens[start_index].start, tokens[last].end, PhiKind.NAME, suggestion)
        if made is not None:
            yield made
        index = last + 1


_ROMAN_CLASS = re.compile(r"(?:I{1,3}|IV|V|VI{1,3})[a-c]?")
_PERSON_NOUNS = frozenset(
    {"boy", "girl", "man", "woman", "men", "women", "elder", "family", "child", "patient", "speaker",
     "interpreter", "mother", "father", "grandmother", "grandfather", "teen", "infant", "baby", "couple"}
)  # fmt: skip
_WEEKDAY_SHORT = frozenset({"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"})
_STORMS = frozenset({"hurricane", "storm", "typhoon", "cyclone"})
_SAINT_WORDS = frozenset({"san", "santa", "st", "saint", "fort", "mount", "mt", "lake", "port"})


def _names_a_thing(tokens: Sequence[Word], first: int, last: int) -> bool:
    """ "St. Louis encephalitis", "Austin Flint murmur", "Ryan White ADAP", "Sierra Leone": words
    shaped like a person's name that name a saint's town, a sign, a program or a country."""
    if first > 0 and tokens[first - 1].bare in _SAINT_WORDS | _STORMS:
        return True  # 'St. Louis', 'Hurricane Irma'
    if first > 0 and f"{tokens[first - 1].bare} {tokens[first].bare}" in STATE_NAMES | NAMED_THINGS:
        return True  # 'North Carolina'

    if last + 1 < len(tokens) and tokens[last + 1].bare in EPONYM_FOLLOWERS:
        return True
    if tokens[first].bare in CONTRACTIONS or tokens[first].bare in ("i", "ok"):
        return True  # "I'd rather", 'pcp ok w that'
    if first == last and tokens[first].upper and len(tokens[first].bare) <= 3:
        return True  # 'father with MI at 52': an abbreviation, not a person
    if tokens[first].bare in ("a", "an", "the", "dear", "hi", "hello", "hey", "thanks"):
        return True  # 'An Old Order Amish', 'Dear, NP ...'
    after_relative = first > 0 and tokens[first - 1].bare in RELATIVES
    if (
        first == last
        and (tokens[first].bare in WEEKDAYS or tokens[first].bare in MONTHS)
        and not after_relative
    ):
        return True  # 'on Sunday', but 'her daughter April'
    if last + 2 < len(tokens) and tokens[last + 1].possessive and tokens[last + 2].bare in EPONYM_FOLLOWERS:
        return True  # 'Grey Turner's sign'

    after = tokens[last + 1].bare if last + 1 < len(tokens) else ""
    if first == last and tokens[first].bare in PEOPLES and after in _PERSON_NOUNS:
        return True  # 'a 14-year-old Karen boy'
    if after and _ROMAN_CLASS.fullmatch(tokens[last + 1].text):
        return True  # 'a Forrest IIb ulcer', 'Hunt and Hess II': a class, not a person
    before_digits = last + 1 < len(tokens) and tokens[last + 1].text[:1].isdigit()
    if first == last and len(tokens[first].bare) <= 3 and before_digits:
        return True  # 'Na 128', 'K 5.9': a lab and its value
    if first == last and tokens[first].bare in _WEEKDAY_SHORT and before_digits:
        return True  # 'Sun 3/23/2025': a weekday before its date
    joined = " ".join(t.bare for t in tokens[first : last + 1])
    if joined in NAMED_THINGS or joined in COUNTRIES:
        return True
    return last + 1 < len(tokens) and f"{joined} {tokens[last + 1].bare}" in NAMED_THINGS


def _name_at(text: str, tokens: Sequence[Word], i: int, gaz: Gazetteers) -> tuple[int, int] | None:
    """(first, last) token indices of a name starting at token i, or None."""
    word = tokens[i]
    if not word.text[0].isupper() and word.bare not in gaz.first_names and word.bare not in TITLES:
        # Most words: lower case and no first name, so only a surname beside a verb can apply.
        return _lower_surname(tokens, i, tokens[i - 1] if i > 0 else None, gaz)
    if word.bare in TITLES and _title_shape(text, word):
        run = _name_run(text, tokens, i + 1, gaz, lenient=True)
        if run is not None:
            return i, run
        return None
    if not _could_be_name(word):
        return None
    previous = tokens[i - 1] if i > 0 and not word.sentence_start else None
    if _named_by_context(text, tokens, i, previous, gaz):
        end = _name_run(text, tokens, i, gaz, lenient=True, trusted_first=True)
        if end is not None:
            return i, end
    # First + last name from the census lists.
    if i + 1 < len(tokens) and _pair(tokens[i], tokens[i + 1], gaz, text):
        end = i + 1
        if (
            end + 1 < len(tokens)
            and _surname(tokens[end + 1], gaz)
            and tokens[end + 1].bare not in STOPWORDS
            and tokens[end + 1].text.islower() == tokens[end].text.islower()  # not 'Smith spotted'
            and _adjacent(text, tokens[end], tokens[end + 1])
        ):
            end += 1
        return i, end
    shaped = _shaped_name(text, tokens, i, previous, gaz)
    if shaped is not None:
        return shaped
    # A capitalised first name on its own that is not an everyday word.
    if (
        word.capitalised
        and len(word.bare) > 2
        and word.bare not in STOPWORDS
        and word.bare in gaz.first_names
        and word.bare not in COMMON_WORDS
        and word.bare not in gaz.places
        and word.bare not in STATE_NAMES
        and not _eponym(tokens, i)
        and not (word.sentence_start and i + 1 < len(tokens) and tokens[i + 1].capitalised)
    ):
        return i, i
    return None


def _shaped_name(
    text: str, tokens: Sequence[Word], i: int, previous: Word | None, gaz: Gazetteers
) -> tuple[int, int] | None:
    """A name known by its shape and surroundings rather than by a gazetteer pair.

    - two capitalised name-like words after a cue ("seen by Adaeze Nwosu", "Dear Kwame Mensah");
    - a census first name and a capitalised surname no list has ("Margaret Oyelaran");
    - any capitalised word and a hyphenated surname ("Jacinta Velasquez-Orozco");
    - capitalised words before a credential ("Chidi Eze, MD");
    - a possessive before a relative ("Chidi's mother"), or a name set off after one
      ("his wife of 70 years, Dolores");
    - a common census surname alone beside a verb ("Garcia was seen", "told Nguyen").
    """
    word = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if not _name_like(word):
        return _lower_surname(tokens, i, previous, gaz)
    second = nxt is not None and _name_like(nxt) and not nxt.sentence_start and _adjacent(text, word, nxt)
    if second and not _eponym(tokens, i + 1):
        assert nxt is not None
        cued = previous is not None and previous.bare in _NAME_CUES
        census_first = word.bare in gaz.first_names and word.bare not in COMMON_WORDS
        if cued or census_first or _hyphenated_surname(nxt, gaz):
            return i, _third(text, tokens, i + 1)
    end = _credential_run(text, tokens, i)
    lone_word = end == i and everyday(word.bare, gaz.english) and word.bare not in gaz.first_names
    if end is not None and not lone_word:
        return i, end  # 'Chidi Eze, MD'; not 'Psych NP'

    everyday_word = everyday(word.bare, gaz.english) and word.bare not in gaz.first_names
    if word.possessive and nxt is not None and nxt.bare in RELATIVES and not everyday_word:
        return i, i  # "Chidi's mother"
    if text[word.start - 2 : word.start] == ", " and _relative_before(tokens, i):
        return i, i  # "his wife of 70 years, Dolores"
    if word.bare in SURNAME_WORDS or word.bare in gaz.places or word.bare in WEEKDAYS:
        return None
    common = gaz.surname_rank.get(word.bare, _COMMON_SURNAME_RANK + 1) <= _COMMON_SURNAME_RANK
    if (common or _hyphenated_surname(word, gaz)) and _verb_beside(tokens, i, previous):
        return i, i
    return None


def _name_like(word: Word) -> bool:
    """Capitalised, and not a function word, an everyday word, an eponym, a month or a service."""
    bare = word.bare
    return (
        word.capitalised
        and word.text[:1].isalpha()
        and len(bare) > 1
        and bare not in STOPWORDS
        and bare not in COMMON_WORDS
        and bare not in EPONYMS
        and bare not in EPONYM_FOLLOWERS
        and bare not in MONTHS
        and bare not in WEEKDAYS
        and bare not in STATE_NAMES
        and bare not in RELATIVES
        and bare not in TITLES
        and bare not in SERVICE_WORDS
        and bare not in _CREDENTIALS
    )


def _hyphenated_surname(word: Word, gaz: Gazetteers) -> bool:
    # 'Velasquez-Orozco', 'Mensah-Bonsu': capitalised parts, one a known name; not 'Child-Pugh'.
    parts = word.text.split("-")
    return (
        len(parts) > 1
        and all(part[:1].isupper() and part[1:2].islower() for part in parts)
        and any(p.lower() in gaz.last_names or p.lower() in gaz.first_names for p in parts)
        and not any(p.lower() in EPONYMS for p in parts)
    )


def _third(text: str, tokens: Sequence[Word], j: int) -> int:
    # 'Hector Ramirez Villalobos': a third name-like word right after, not 'Smith on'.
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    if nxt is not None and _name_like(nxt) and _adjacent(text, tokens[j], nxt) and not _eponym(tokens, j + 1):
        return j + 1
    return j


def _credential_run(text: str, tokens: Sequence[Word], i: int) -> int | None:
    j = i
    while j + 1 < len(tokens) and j < i + 3:
        nxt = tokens[j + 1]
        gap = text[tokens[j].end : nxt.start]
        if nxt.bare in _CREDENTIALS and gap in (", ", " ", ",") and (nxt.upper or nxt.bare == "pa-c"):
            return j
        if not (_name_like(nxt) and _adjacent(text, tokens[j], nxt)):
            return None
        j += 1
    return None


def _relative_before(tokens: Sequence[Word], i: int) -> bool:
    for j in range(i - 1, max(-1, i - 7), -1):
        if tokens[j].bare in RELATIVES:
            return True
        if tokens[j].sentence_start:
            return False
    return False


def _verb_beside(tokens: Sequence[Word], i: int, previous: Word | None) -> bool:
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return (previous is not None and previous.bare in _TELL_VERBS) or (
        nxt is not None and nxt.bare in _SUBJECT_VERBS and not tokens[i].possessive
    )


def _lower_surname(
    tokens: Sequence[Word], i: int, previous: Word | None, gaz: Gazetteers
) -> tuple[int, int] | None:
    """'garcia was seen', 'told nguyen': a common surname typed in lower case, beside a verb."""
    word = tokens[i]
    bare = word.bare
    if len(bare) < 3 or bare in _NOT_LOWER_SURNAME or not word.text.islower():
        return None
    if bare in gaz.first_names or bare in gaz.places:
        return None
    if gaz.surname_rank.get(bare, _LOWER_SURNAME_RANK + 1) > _LOWER_SURNAME_RANK:
        return None
    return (i, i) if _verb_beside(tokens, i, previous) else None


def _named_by_context(
    text: str, tokens: Sequence[Word], i: int, previous: Word | None, gaz: Gazetteers
) -> bool:
    """A word the text itself calls a name: after a relative, 'named', 'Nurse', or a 'Name:' label."""
    word = tokens[i]
    if (
        previous is not None
        and previous.bare in RELATIVES
        and word.capitalised
        and not word.sentence_start
        and word.bare in gaz.first_names
    ):
        return True  # 'her brother Will found her': a capital after a relative, even 'Will' or 'May'
    if _eponym(tokens, i) or word.bare in STOPWORDS:
        return False
    if word.text.islower() and word.bare not in gaz.first_names:
        return False  # lower-case typing: only a first name from the census ('her mom maria')
    if previous is not None and (previous.bare in RELATIVES or previous.bare in _NAMING_WORDS):
        return word.capitalised or word.text.islower()
    if previous is not None and previous.bare in _ROLE_TITLES:
        return word.bare in gaz.first_names or (word.capitalised and word.bare in gaz.last_names)
    if previous is not None and previous.bare in ("by", "per") and word.bare in gaz.first_names:
        return word.bare not in COMMON_WORDS  # "seen by margaret": a town's name too, but after "by"
    if previous is not None and previous.bare in ("by", "with", "to", "from", "attn"):
        # "seen by Maria", "lives with Hope": only a gazetteer first name, not any capital.
        return (
            word.bare in gaz.first_names
            and word.bare not in COMMON_WORDS
            and word.bare not in gaz.places
            and word.bare not in STATE_NAMES
        )
    line_start = text.rfind("\n", 0, word.start) + 1  # a label is on the name's own line
    if word.bare in FIELD_FILLERS:
        return False  # 'Name: Unknown', 'Provider: Hub team'
    if not word.capitalised or len(text[line_start : word.start].split()) > 5:
        return False  # a label is three words at most, and its colon; most lines say more
    return bool(_LABELS.search(text, max(0, line_start - 1), word.start))


_VALVE_GRADE = re.compile(
    r"(?i)\b(?:mild|moderate|mod|severe|trace|trivial|significant|worsening|functional|ischemic|primary|"
    r"secondary|acute|chronic|\d\+)\s+$"
)


def _title_shape(text: str, word: Word) -> bool:
    if re.search(r"\d\s*$", text[max(0, word.start - 4) : word.start]):
        return False  # "QRS 182 ms. Melody valve": milliseconds, not Ms.
    # "Dr." / "Dr" / "dr" then a space: a title; "MS" (multiple sclerosis) is not.
    if word.upper and word.bare in ("ms", "dr") and text[word.end : word.end + 1] != ".":
        return False
    if word.upper and re.search(r"[a-z][,;]?\s+$", text[max(0, word.start - 4) : word.start]):
        return False  # 'Patient has MS. Started ...': capitals after lower case are an abbreviation
    if word.upper and _VALVE_GRADE.search(text, max(0, word.start - 16), word.start):
        return False  # 'severe MR. Dobutamine ...': mitral (or tricuspid) regurgitation, graded
    return text[word.end : word.end + 2] in (". ", " ") or text[word.end : word.end + 1] == " "


def _name_run(
    text: str, tokens: Sequence[Word], i: int, gaz: Gazetteers, lenient: bool, trusted_first: bool = False
) -> int | None:
    """The last index of a run of up to three name words from i ('Angela Reyes', 'J. Smith')."""
    end = None
    j = i
    while j < len(tokens) and j < i + 3:
        word = tokens[j]
        if j > i and not _adjacent(text, tokens[j - 1], word):
            break
        if _eponym(tokens, j) or (word.bare in STOPWORDS and not word.capitalised):
            break
        if (
            (trusted_first and j == i)
            or (trusted_first and j == i + 1 and _lower_surname_shape(word))
            or word.capitalised
            or (word.upper and len(word.text) <= 2)
            # 'MR. JOHN SMITH' in a record typed in capitals
            or (lenient and word.upper and (word.bare in gaz.first_names or word.bare in gaz.last_names))
            or (
                lenient
                and word.text.islower()
                and (word.bare in gaz.first_names or word.bare in gaz.last_names)
                and word.bare not in STOPWORDS
                and word.bare not in COMMON_WORDS
                # 'Mrs. Bishop fell': a surname that is an everyday word after a name is the verb
                and (j == i or not everyday(word.bare, gaz.english))
            )
        ):
            if (
                word.bare in MONTHS and not (trusted_first and j == i)
            ) or word.bare in WEEKDAYS | STATE_NAMES:
                break
            end = j
            j += 1
            continue
        break
    return end


def _lower_surname_shape(word: Word) -> bool:
    # "seen by margaret oyelaran": after a trusted first name, a lower-case word no list knows,
    # unless it is a function word or reads like a verb ("jessica calls", "maria agreed").
    bare = word.bare
    return (
        word.text.islower()
        and bare.isalpha()
        and len(bare) > 2
        and bare not in _NOT_LOWER_SECOND
        and not bare.endswith(("s", "ed", "ing", "ly"))
    )


def _adjacent(text: str, a: Word, b: Word) -> bool:
    gap = text[a.end : b.start]
    return gap in (" ", ". ", " . ") or (gap == "-" and False)


def _could_be_name(word: Word) -> bool:
    return word.text[:1].isalpha() and word.bare not in EPONYMS and len(word.bare) > 1


def _pair(first: Word, second: Word, gaz: Gazetteers, text: str) -> bool:
    if not _adjacent(text, first, second) or second.sentence_start:
        return False
    if first.bare not in gaz.first_names or not _surname(second, gaz):
        return False
    if first.bare in EPONYMS or second.bare in EPONYMS or second.bare in EPONYM_FOLLOWERS:
        return False
    if first.capitalised and second.capitalised:
        # "Will Continue", "May Start": an everyday first word needs an uncommon surname.
        # "Will Continue" is an everyday word and a verb; "Rocky Mountain" is land, not a person.
        return not (first.bare in COMMON_WORDS and second.bare in STOPWORDS) and second.bare not in _LANDFORMS
    if first.text.islower() and second.text.islower():
        # Lower-case typing: "seen by john smith". Neither may be an everyday word.
        return (
            first.bare not in STOPWORDS | COMMON_WORDS
            and second.bare not in STOPWORDS
            and first.bare not in gaz.places
        )
    return False


def _surname(word: Word, gaz: Gazetteers) -> bool:
    return (word.bare in gaz.last_names or word.bare in gaz.first_names) and word.bare not in MONTHS


def _eponym(tokens: Sequence[Word], i: int) -> bool:
    """A clinical eponym here: a listed one, or any capital before 'disease', 'syndrome', 'scale'."""
    word = tokens[i]
    if word.bare in EPONYMS or any(part in EPONYMS for part in word.bare.split("-")):
        return True
    following = tokens[i + 1].bare if i + 1 < len(tokens) else ""
    after_next = tokens[i + 2].bare if i + 2 < len(tokens) else ""
    return following in EPONYM_FOLLOWERS or (word.possessive and after_next in EPONYM_FOLLOWERS)


def _role_before(tokens: Sequence[Word], first: int, text: str) -> tuple[int, str]:
    """Where the name's span starts (its role when one comes right before), and that role."""
    j = first - 1
    if j >= 0 and tokens[j].bare in TITLES:
        j -= 1
    if (
        j >= 0
        and tokens[j].bare in RELATIVES
        and re.fullmatch(r",?\s+(?:(?:dr|mr|mrs|ms)\.?\s+)?", text[tokens[j].end : tokens[first].start], re.I)
    ):
        role_start = j
        if j >= 1 and tokens[j - 1].bare in _POSSESSORS:
            role_start = j - 1
        role = text[tokens[role_start].start : tokens[j].end]
        return role_start, role
    return first, ""


def _role_after(tokens: Sequence[Word], last: int, text: str) -> str:
    # "Maria, her daughter," / "Maria (mother)"
    if (
        last + 2 < len(tokens)
        and re.fullmatch(r"\s*[,(]\s*", text[tokens[last].end : tokens[last + 1].start])
        and tokens[last + 1].bare in _POSSESSORS
        and tokens[last + 2].bare in RELATIVES
    ):
        return text[tokens[last + 1].start : tokens[last + 2].end]
    if (
        last + 1 < len(tokens)
        and tokens[last + 1].bare in RELATIVES
        and re.fullmatch(r"\s*[,(]\s*", text[tokens[last].end : tokens[last + 1].start])
    ):
        return "the " + tokens[last + 1].bare
    return ""


def _suggest(role: str, text: str, start: int) -> str:
    suggestion = role
    if role.split()[0].lower().rstrip("'s’") in ("patient", "pt") and len(role.split()) > 1:
        suggestion = "the patient's " + role.split(maxsplit=1)[1]
    at_start = start == 0 or bool(_SENTENCE_END.search(text, max(0, start - 8), start))
    return suggestion[:1].upper() + suggestion[1:] if at_start else suggestion
