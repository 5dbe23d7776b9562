"""Names known by the words around them, however they are typed: the cases `names.py` leaves.

- the words right before an age and sex ("Xia Vang, 71F", "sophie kasayulie 11f", "Pt: Opal
  Meade, 92 yrs");
- a word after a person's role, a title or "pt" ("pt amber", "bf dusty", "mr white", "CHA evelyn
  ulak", "goes by sissy"), when it is a census name or no English word;
- a lower-case surname after "by", "per" or "then", or before what a clinician did ("seen by
  ortiz", "per kaplan", "kowalski gave a Z-pak"), when it is a census surname and no English word;
- a capitalised word with the person's role after it ("Denver (pt's boyfriend)").
The English vocabulary (`Gazetteers.english`) is what tells "pt amber" from "pt afebrile".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from echo_desktop.cases.deid.gazetteers import Gazetteers, everyday, gazetteers
from echo_desktop.cases.deid.spans import emit
from echo_desktop.cases.deid.vocabulary import (
    CONTRACTIONS,
    COUNTRIES,
    EPONYMS,
    MONTHS,
    PEOPLES,
    RELATIVES,
    STATE_NAMES,
    STOPWORDS,
    TITLES,
    WEEKDAYS,
)
from echo_desktop.cases.deid.words import Cued, Word, words
from echo_desktop.cases.findings import Finding, PhiKind

# An age and a sex right after a name: "71F", "11f", "35m", "67 yo F", "92 yrs".
# From the comma or the space (its first character, so the engine skips the rest at once).
_ANCHOR = re.compile(
    r"[,\s](?:(?<=,)\s*)?(?:\d{1,3}\s?(?:[MFmf]|yo\s?[MFmf]?|y/o\s?[MFmf]?|yrs?|years?\s+old|-(?:yr|year)s?-old)"
    r"|aged?\s+\d{1,3})(?![\w/.])"
)
# Words before a name that say a person follows, typed any way.
_PERSON_CUES = frozenset(
    {"pt", "patient", "pts", "mr", "mrs", "ms", "dr", "bf", "gf", "nana", "papa", "aana", "grandpa",
     "grandma", "gma", "gpa", "sissy", "cha", "chr", "chw", "chap", "interpreter", "sonographer",
     "deputy", "officer", "nurse", "rn", "np", "lpn", "ma", "tech", "therapist", "counselor",
     "counsellor", "pharmacist", "provider", "pcp", "midwife", "chaplain", "worker", "pastor", "coach",
     "sheriff", "judge", "rev", "fr"}
)  # fmt: skip
_TITLE_LIKE = frozenset(
    {
        "doctor",
        "nurse",
        "officer",
        "deputy",
        "sheriff",
        "pastor",
        "coach",
        "chaplain",
        "sonographer",
        "judge",
        "rev",
        "fr",
    }
)
_SIGN_OFFS = frozenset(
    {"thanks", "thank", "thx", "ty", "regards", "sincerely", "best", "cheers", "love", "respectfully"}
)
# A signature: a dash and a capitalised name ending the message ('... thx -Lee', '. - Cheyenne').
_LOWER_SIGNATURE = re.compile(r"(?:^|\s)[-–—]\s?(?P<name>[a-z]{3,})[.!]?\s*$")
_DASH_SIGNATURE = re.compile(r"(?:^|\s)[-–—]\s?(?P<name>[A-Z][a-z]+)[.!]?\s*$")
# 'Our pharmacist, Kiora deBrum, noted': a role, a comma, then the person.
_COMMA_ROLES = frozenset(
    {"pharmacist", "interpreter", "counselor", "counsellor", "therapist", "midwife", "pcp"}
)
_GREETINGS = frozenset({"hi", "hello", "hey", "aloha", "dear", "hola", "greetings"})
_BY_CUES = frozenset({"by", "per", "then", "saw", "call", "ask", "tell"})
_DID_VERBS = frozenset(
    {"gave", "give", "gives", "thinks", "thought", "said", "says", "recommended", "recommends",
     "started", "ordered", "prescribed", "wrote", "sent", "saw", "called", "told", "wants",
     "agreed", "felt", "feels", "did", "does", "checked", "reviewed", "signed", "brought", "drove",
     "drives", "texted", "asked", "asks", "reports", "reported", "was", "is", "has", "had"}
)  # fmt: skip
# Words that are never a name, even where a name could stand.
_ABOUT_CUES = frozenset({"re", "att", "attn", "txt", "text", "msg", "vm"})
_IS_ROLES = RELATIVES | {"interpreter", "nurse", "pcp", "chr", "chw", "aide", "caregiver", "name", "coach"}
_ANY_CUE = (
    _PERSON_CUES
    | RELATIVES
    | TITLES
    | _GREETINGS
    | _BY_CUES
    | _ABOUT_CUES
    | _TITLE_LIKE
    | _SIGN_OFFS
    | {"is", "you"}
)
_NOT_SIGNATURE = STOPWORDS | TITLES | set(MONTHS) | WEEKDAYS | EPONYMS  # '- Cheyenne' signs a message
# Words after a role that name a thing of the role, not the person: 'nurse licence RN-448812'.
_ROLE_THINGS = frozenset({"licence", "license", "licensure", "practitioner", "np", "visit", "note", "notes"})
_NEVER_BUT_PLACES = STOPWORDS | TITLES | RELATIVES | EPONYMS | PEOPLES | set(MONTHS) | WEEKDAYS
_NEVER = (
    CONTRACTIONS
    | STOPWORDS
    | TITLES
    | RELATIVES
    | EPONYMS
    | STATE_NAMES
    | PEOPLES
    | COUNTRIES
    | set(MONTHS)
    | WEEKDAYS
)


# After two or more capitalised words: an age alone between commas ("Keoni Kahananui, 58,
# fisherman"), a description set off by a comma ("Tigist Alemu, a 41-year-old", "Abebe Worku,
# DOB"), or "is a" ("Losa Mauga is a G4P3").
_COMMA_AGE = re.compile(
    r"[,\s](?:(?<=,)(?:\s*\d{1,3}\s*(?:y\.?o\.?\s*)?,|\s+(?:an?\s|DOB\b|dob\b|aged?\b|MRN\b|who\s))"
    r"|(?<=\s)\s*is\s+an?\s)"
)


# A nickname in quotes beside a name, or after "known as", "goes by", "aka": 'Ifeoma ("Ify")'.
_NICKNAME = re.compile(
    r"(?:\b(?P<name>[A-Z][\w'’-]+)\s+\(?|\b(?:known\s+as|goes\s+by|aka|a\.k\.a\.|nicknamed|called)\s+)"
    r"[\"“](?P<nick>[A-Z][\w'’-]+)[\"”]\)?"
)


def find_cued_names(text: str) -> Iterator[Finding]:
    """Names found by an age after them, a role or title before them, or a verb beside them."""
    gaz = gazetteers()
    tokens = words(text)
    yield from _before_age(text, tokens, gaz)
    yield from _before_comma_age(text, tokens, gaz)
    # A signature ends the text: only its last stretch is searched (no dash, space and name run
    # to 64 characters).
    signature = _DASH_SIGNATURE.search(text, max(0, len(text.rstrip()) - 64))
    if signature is not None and signature.group("name").lower() not in _NOT_SIGNATURE:
        yield from emit(text, signature.start("name"), signature.end("name"), PhiKind.NAME, "the patient")
    signed = _LOWER_SIGNATURE.search(text, max(0, len(text.rstrip()) - 64))
    if (
        signed is not None
        and signed.group("name") in gaz.first_names
        and not everyday(signed.group("name"), gaz.english)
    ):
        yield from emit(
            text, signed.start("name"), signed.end("name"), PhiKind.NAME, "the patient"
        )  # '-brandi'
    quoted = '"' in text or "“" in text
    for match in _NICKNAME.finditer(text) if quoted else ():
        if match.group("name") is not None and match.group("name").lower() not in _NEVER:
            yield from emit(text, match.start("name"), match.end("name"), PhiKind.NAME, "the patient")
        yield from emit(text, match.start("nick"), match.end("nick"), PhiKind.NAME, "the patient")
    yield from _speaker_names(text, tokens, gaz)
    yield from _initial_names(text, gaz)
    last = len(tokens) - 1
    for i, word in enumerate(tokens):
        # Cheap tests first: most words have no cue before them and no name's shape.
        previous = tokens[i - 1] if i > 0 else None
        cued = previous is not None and previous.bare in _ANY_CUE and not word.sentence_start
        if cued and previous is not None and _after_cue(text, previous, word, gaz):
            end = _surname_after(text, tokens, i, gaz)
            yield from emit(text, word.start, tokens[end].end, PhiKind.NAME, "the patient")
        elif i == last or not (word.capitalised or word.text.islower()):
            continue
        elif word.bare in gaz.first_names and _lower_pair(text, tokens, i, gaz):
            yield from emit(text, word.start, tokens[i + 1].end, PhiKind.NAME, "the patient")
        elif (
            _may_have_role(text, word, tokens[i + 1])
            or (i > 0 and tokens[i - 1].bare in RELATIVES and text[tokens[i - 1].end : word.start] == " (")
        ) and _role_follows(text, tokens, i, gaz):
            # with the capitalised words of the same name before it: 'Pa Houa Vang (sister)'
            first = i
            while (
                first > 0
                and i - first < 2
                and word.capitalised
                and tokens[first - 1].capitalised
                and not tokens[first].sentence_start
                and text[tokens[first - 1].end : tokens[first].start] == " "
                and tokens[first - 1].bare not in _NEVER
            ):
                first -= 1
            yield from emit(text, tokens[first].start, word.end, PhiKind.NAME, "the patient")


def _may_have_role(text: str, word: Word, nxt: Word) -> bool:
    gap = text[word.end : nxt.start]
    if word.possessive:
        return True  # "grace's a1c", "Joy's grandmother": checked in _role_follows
    if gap == " ":
        return word.text.islower() and nxt.bare in _DID_VERBS
    return gap in (" (", ", ")


# Endings of drug names, procedures and conditions: a word no dictionary has with one is clinical.
_CLINICAL_ENDING = re.compile(
    r"(?:ide|ine|ol|pril|sartan|statin|mab|nib|zole|cillin|mycin|cycline|pam|lam|done|tide|gliptin"
    r"|flozin|parin|xaban|vir|sone|lone|zine|mine|itis|osis|emia|oma|ectomy|otomy|plasty|scopy|gram"
    r"|graphy|ase|cin|fen|ium|ate)$"
)


def _clinical(bare: str, gaz: Gazetteers) -> bool:
    return bool(_CLINICAL_ENDING.search(bare)) and bare not in gaz.first_names and bare not in gaz.last_names


def _is_name_word(word: Word, gaz: Gazetteers) -> bool:
    """A census name, or a word no English dictionary has (and no clinical shorthand)."""
    bare = word.bare
    if bare in _NEVER or not bare.replace("-", "").replace("'", "").isalpha() or len(bare) < 2:
        return False
    if bare in gaz.first_names or bare in gaz.last_names:
        return True
    return not everyday(bare, gaz.english) and len(bare) > 4 and not word.upper and not _clinical(bare, gaz)


def _before_age(text: str, tokens: Sequence[Word], gaz: Gazetteers) -> Iterator[Finding]:
    for match in _ANCHOR.finditer(text):
        index = _index_ending_before(tokens, match.start())
        if index is None:
            continue
        first = index
        while first >= 0 and first > index - 4:
            word = tokens[first]
            gap_after = text[word.end : tokens[first + 1].start] if first < index else ""
            if first < index and gap_after not in (" ", "-"):
                break
            capital_run = word.capitalised and all(t.capitalised for t in tokens[first : index + 1])
            if word.bare in _NEVER or not word.bare.isalpha():
                break
            if not capital_run and not _is_name_word(word, gaz):
                break
            if not capital_run and everyday(word.bare, gaz.english) and word.bare not in gaz.first_names:
                break
            if word.sentence_start:
                first -= 1
                break
            first -= 1
        first += 1
        if first > index:
            continue
        run = tokens[first : index + 1]
        if any(w.bare in gaz.first_names or not everyday(w.bare, gaz.english) for w in run):
            yield from emit(text, run[0].start, run[-1].end, PhiKind.NAME, "the patient")


def _before_comma_age(text: str, tokens: Sequence[Word], gaz: Gazetteers) -> Iterator[Finding]:
    for match in _COMMA_AGE.finditer(text):
        index = _index_ending_before(tokens, match.start())
        if index is None:
            continue
        first = index
        while first >= 0 and index - first < 4:
            word = tokens[first]
            if first < index and text[word.end : tokens[first + 1].start] != " ":
                break
            bare = word.bare
            named = bare in gaz.first_names or bare in gaz.last_names
            if not word.capitalised or bare in _NEVER or not bare.replace("'", "").isalpha() or len(bare) < 2:
                break
            if everyday(bare, gaz.english) and not named:
                break
            first -= 1
            if word.sentence_start:
                break
        run = tokens[first + 1 : index + 1]
        if len(run) >= 2 or (len(run) == 1 and _alone_before_age(match.group(0), run[0], gaz)):
            yield from emit(text, run[0].start, run[-1].end, PhiKind.NAME, "the patient")
        elif not run and _lower_name_before_age(match.group(0), tokens[index], gaz):
            # 'ayaan, 26, G2P1 ...', 'school nurse: destiny, 12, 2nd seizure': typed in lower case,
            # a name opening its sentence with the age after it
            yield from emit(text, tokens[index].start, tokens[index].end, PhiKind.NAME, "the patient")


def _lower_name_before_age(anchor: str, word: Word, gaz: Gazetteers) -> bool:
    bare = word.bare
    if not word.text.islower() or not word.sentence_start or not re.match(r",\s*\d", anchor):
        return False
    if bare in _NEVER or bare in _PREDICATES or not bare.isalpha() or len(bare) < 3:
        return False
    return bare in gaz.first_names or not everyday(bare, gaz.english)


def _alone_before_age(anchor: str, word: Word, gaz: Gazetteers) -> bool:
    """ "Gurpreet, 58, dialysis", "Sandy, 39, LPN": one word starting a sentence, then an age."""
    if not word.sentence_start or not anchor.strip(", ")[:1].isdigit():
        return False
    return word.bare in gaz.first_names or (len(word.bare) > 3 and not everyday(word.bare, gaz.english))


def _index_ending_before(tokens: Sequence[Word], offset: int) -> int | None:
    """The index of the last word that ends at or before `offset`, if it ends right there."""
    low, high = 0, len(tokens)
    while low < high:
        middle = (low + high) // 2
        if tokens[middle].end <= offset:
            low = middle + 1
        else:
            high = middle
    index = low - 1
    return index if index >= 0 and offset - tokens[index].end <= 0 else None


def _after_cue(text: str, previous: Word, word: Word, gaz: Gazetteers) -> bool:
    gap = text[previous.end : word.start]
    if gap not in (" ", ". ", ": ", ", "):
        return False
    bare = word.bare
    if bare in _ROLE_THINGS:
        return False
    if bare.endswith(("ed", "ing")) and bare not in gaz.first_names and bare not in gaz.last_names:
        return False  # 'Patient ambulated 150 feet': what the person did
    person_cue = previous.bare in _PERSON_CUES or previous.bare in RELATIVES
    # "per pt jordan", "her niece Georgia": a country's or a state's name is a person's after a role.
    never = bare in _NEVER and not (person_cue and (bare in COUNTRIES or bare in STATE_NAMES))
    if not bare.isalpha() or word.upper or (never and previous.bare not in TITLES):
        return False
    if previous.bare in _PERSON_CUES or previous.bare in RELATIVES:
        if previous.possessive or _clinical(bare, gaz):
            return False  # "her husband's glipizide": what the relative has, not who
        role_noun = previous.bare in _TITLE_LIKE or previous.bare in _COMMA_ROLES
        if gap == ", " and previous.bare not in RELATIVES and not (role_noun and word.capitalised):
            return False
        if previous.bare in TITLES and _after_number(text, previous):
            return False  # '160 ms. Hydroxychloroquine': milliseconds, not Ms.
        if previous.bare in ("ms", "dr", "ma", "pt", "mr") and previous.upper:
            return False  # MS (multiple sclerosis), DR, MA, PT (physical therapy) in capitals
        if previous.bare in TITLES and gap in (" ", ". ") and previous.bare not in ("sr", "prof"):
            # "Dr. Bell", "dr nez", "mr white": after a title any name-shaped word is a name.
            return (
                bare not in STOPWORDS
                and bare not in MONTHS
                and (word.capitalised or bare in gaz.last_names or not everyday(bare, gaz.english))
            )
        title_surname = previous.bare in _TITLE_LIKE and bare in gaz.last_names
        rank = gaz.surname_rank.get(bare)
        common_surname = rank is not None and rank < 500  # 'pastor black', 'coach young'
        if bare in gaz.first_names or (
            title_surname and (word.capitalised or common_surname or not everyday(bare, gaz.english))
        ):
            return True  # 'nurse bishop', 'deputy rich': after a title-like role, a surname even if a word
        # 'son khoa': after a relative a short word no list or dictionary has is a name too
        longer = len(bare) > (2 if previous.bare in RELATIVES else 4)
        return (bare in gaz.last_names or longer) and not everyday(bare, gaz.english)
    if previous.bare in _SIGN_OFFS and word.capitalised and not never and gap.strip(" ,-–\n") == "":
        return _ends_message(text, word) and not everyday(bare, gaz.english)  # "thanks, Krzysztof"
    if (
        previous.bare == "is"
        and not never
        and text[max(0, previous.start - 5) : previous.start].lower() == "name "
    ):
        return bare in gaz.first_names or not everyday(bare, gaz.english)  # "his wife's name is rose"
    before_is = text[max(0, previous.start - 24) : previous.start].lower().split()
    if previous.bare == "is" and not never and before_is and before_is[-1].rstrip(",") in _IS_ROLES:
        return bare in gaz.first_names or not everyday(bare, gaz.english)  # "pt's son is bill"
    if previous.bare == "is" and word.capitalised and not never and text[word.end : word.end + 1] == ",":
        before = text[max(0, previous.start - 6) : previous.start].lower()
        return before.endswith(("this ", "it ")) and not everyday(bare, gaz.english)  # "this is Joy,"
    if previous.bare in _GREETINGS and word.capitalised and not never:
        after = text[word.end : word.end + 1]
        known = bare in gaz.first_names or not everyday(bare, gaz.english)
        return after in (",", "!", ":", "") and known  # "Aloha Kawika,", "Hi Amber,"
    if previous.bare in _ABOUT_CUES and word.text.islower() and gap == " " and not never:
        # 're tou her', 'att kaminaga', 'txt from summer': who a message is about, to or from
        if previous.bare not in ("att", "attn"):
            return bare in gaz.first_names and not everyday(bare, gaz.english)  # not "re bup", "re peg"
        return bare in gaz.first_names or bare in gaz.last_names  # 'att kowalski'; not 'att appt'
    if previous.bare in _BY_CUES and word.text.islower() and gap == " ":
        return bare in gaz.last_names and not everyday(bare, gaz.english) and bare not in gaz.first_names
    return False


def _ends_message(text: str, word: Word) -> bool:
    """Whether a word is the last of its text or line (a signature)."""
    rest = text[word.end :]
    line_end = rest.find("\n")
    return not (rest if line_end == -1 else rest[:line_end]).strip(" .!\"'")


def _after_number(text: str, word: Word) -> bool:
    return bool(re.search(r"\d\s*$", text[max(0, word.start - 4) : word.start]))


def _surname_after(text: str, tokens: Sequence[Word], i: int, gaz: Gazetteers) -> int:
    """The first name's index, or the next word's when it reads as a surname ("evelyn ulak")."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None or nxt.sentence_start or text[tokens[i].end : nxt.start] != " ":
        return i
    if nxt.bare in _NEVER or nxt.bare in _DID_VERBS or not nxt.bare.isalpha():
        return i
    if nxt.capitalised and tokens[i].capitalised:
        return i + 1
    if nxt.bare in gaz.last_names or (not everyday(nxt.bare, gaz.english) and len(nxt.bare) > 3):
        return i + 1
    return i


def _lower_pair(text: str, tokens: Sequence[Word], i: int, gaz: Gazetteers) -> bool:
    """ "darlene lomayestewa", "agnes kameroff": a census first name typed in lower case, then a
    word no dictionary or list knows."""
    word = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None or not word.text.islower() or not nxt.text.islower() or text[word.end : nxt.start] != " ":
        return False
    if word.bare not in gaz.first_names or word.bare in _NEVER or everyday(word.bare, gaz.english):
        return False
    return (
        nxt.bare.isalpha()
        and len(nxt.bare) > 3
        and nxt.bare not in _NEVER
        and not everyday(nxt.bare, gaz.english)
        and (nxt.bare in gaz.last_names or len(nxt.bare) > 5)
    )


def _relative(bare: str) -> bool:
    return bare in RELATIVES or (bare.endswith("s") and bare[:-1] in RELATIVES)


def _role_follows(text: str, tokens: Sequence[Word], i: int, gaz: Gazetteers) -> bool:
    """ "Denver (pt's boyfriend)", "Brooklyn, pt's 19yo daughter", "kowalski gave"."""
    word = tokens[i]
    # A state's or a country's name is a person's when the role follows ("Georgia (pt's aunt)").
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    # 'will (pt's grandson)': a name that is also a word, known by the role in brackets after it
    bracketed = nxt is not None and text[word.end : nxt.start] == " (" and word.bare in gaz.first_names
    if (word.bare in _NEVER_BUT_PLACES and not bracketed) or not word.bare.isalpha() or word.upper:
        return False
    if nxt is None:
        return False
    gap = text[word.end : nxt.start]
    if gap == " (" and nxt.bare in ("pt", "patient") and text[nxt.end : nxt.end + 1] == ")":
        return len(word.bare) > 2  # 'meron (pt)'
    if word.possessive and word.capitalised and word.bare in gaz.first_names and nxt.text.islower():
        return True  # "Joy's grandmother reports", "Call Frank's cell"
    previous = tokens[i - 1] if i > 0 else None
    if previous is not None and previous.bare in RELATIVES and text[previous.end : word.start] == " (":
        return text[word.end : word.end + 1] == ")" and (
            word.bare in gaz.first_names or not everyday(word.bare, gaz.english)
        )  # "mom (sarah)"
    if (word.capitalised or word.bare in gaz.first_names) and gap in (" (", ", "):
        role = [t.bare for t in tokens[i + 1 : i + 5]]
        if (
            gap == " ("
            and role
            and _relative(role[0])
            and text[tokens[i + 1].end : tokens[i + 1].end + 1] == ")"
        ):
            return True  # 'grace (granddaughter) at bedside', 'hodan (parents)'
        if len(role) > 1 and role[0] in RELATIVES and role[1] == "of":
            return True  # "Abdiweli, son of pt"
        return (
            bool(role)
            and role[0] in ("pt", "patient", "his", "her", "their", "our")
            and any(r in RELATIVES or r in _PERSON_CUES for r in role[1:])
        )
    if word.bare in _NEVER:
        return False
    if word.possessive and word.text.islower() and word.bare in gaz.first_names:
        # "grace's a1c", "hector's mom", "sandy's last visit" starting a note; not "the bill's total"
        return (
            word.sentence_start
            or not everyday(nxt.bare, gaz.english)
            or nxt.bare in RELATIVES
            or len(nxt.bare) <= 3
        )
    if word.text.islower() and gap == " " and nxt.bare in _DID_VERBS - {"was", "is", "has", "had"}:
        return (
            word.bare in gaz.last_names
            and not everyday(word.bare, gaz.english)
            and word.bare not in gaz.first_names
        )
    return False


# How a message names its writer and its reader in texting: 'hey dawn its wade.', 'yo lane its
# brown -', 'its hope from the clinic'. A name from the census lists here is a name even when it
# is also a word (dawn, hope, lane), since the words around it leave no other reading.
_HAILS = frozenset({"hey", "hi", "hello", "yo", "hiya", "morning", "aloha", "hola"})
# What 'its ...' says of a thing rather than who is writing, though census lists have it.
_PREDICATES = frozenset(
    {"fine", "good", "ok", "okay", "well", "done", "over", "back", "young", "long", "little", "early",
     "late", "true", "clear", "hard", "bad", "sick", "better", "worse", "white", "black", "green",
     "gray", "grey", "red", "blue", "brown", "normal", "stable", "due", "free", "gone", "easy", "real",
     "sure", "new", "old", "high", "low", "short", "small", "big", "fair", "near", "far", "open", "sharp",
     "dull", "sore", "tender", "swollen", "itchy", "painful", "burning", "constant", "same", "improving",
     "worsening", "negative", "positive", "cold", "hot", "warm", "dry", "wet", "clean", "yellow", "bloody",
     "sweet", "bitter", "light", "heavy", "soft", "weak", "strong", "tight", "loose", "numb", "stiff",
     "bright", "dark", "mild", "severe", "moderate", "acute", "chronic", "worst", "best", "nice"}
)  # fmt: skip
_SPEAKER_CUES = _HAILS | {"its", "it", "is"}
_SPEAKER_AFTER = re.compile(
    r"\s*(?:[,.!:;]|[-–—]\s|$)|\s+(?:from|here|at|w|with|calling|again|its|it['’]s|this|can|could|pls|"
    r"please|u|you|just|quick|rn|np|md|chr)\b"
)


def _speaker_names(text: str, tokens: Sequence[Word], gaz: Gazetteers) -> Iterator[Finding]:
    for i in range(1, len(tokens)):
        previous = tokens[i - 1]
        if previous.bare not in _SPEAKER_CUES:
            continue  # most words: the cheap test first
        word = tokens[i]
        bare = word.bare
        if text[previous.end : word.start] != " " or bare in STOPWORDS or bare in _NEVER:
            continue
        if previous.bare in _HAILS and (previous.sentence_start or i == 1) and bare in gaz.first_names:
            pass  # 'hey dawn', 'yo lane': a hail at the start of a message, then who it is for
        elif previous.text.lower() in ("its", "it's", "it’s") or (
            previous.bare == "is" and i > 1 and tokens[i - 2].bare == "this"
        ):
            rank = gaz.surname_rank.get(bare)
            known = bare in gaz.first_names or (rank is not None and rank < 1000)
            if bare in _PREDICATES or not (known or (rank is not None and not everyday(bare, gaz.english))):
                continue  # 'its time', 'this is bad', 'its fine,', 'its long -'
        else:
            continue
        if _SPEAKER_AFTER.match(text, word.end):
            yield from emit(text, word.start, word.end, PhiKind.NAME, "the patient")
    for match in _PATIENT_BRACKET.finditer(text):
        bare = match.group("name").lower()
        if bare not in _NEVER and (bare in gaz.first_names or not everyday(bare, gaz.english)):
            yield from emit(text, match.start("name"), match.end("name"), PhiKind.NAME, "the patient")


# 'pt (wade) is 8 months on bup': the patient's name in brackets after the word for him.
_PATIENT_BRACKET = Cued(
    re.compile(r"(?i)\b(?:pt|patient)\s\((?P<name>[a-z][a-z'’-]+)\)"),
    "pt patient",
)


# An initial and a surname: 'A. Deschenie', 'J. Bishop, RN', 'Re: L. Lonjose'. Found from the
# capital (capitals are few); a germ's name ('E. coli', 'H. Pylori') is not a person's.
_INITIAL_NAME = re.compile(r"[A-Z](?<![\w./'’-][A-Z])\.\s?(?P<name>[A-Z][a-z'’-]+)\b(?!\.[a-z])")
_INITIAL_CUE = re.compile(
    r"(?:^|\n|[:(/,;-]\s*|\b(?i:pt|patient|re|for|by|dr|mr|mrs|ms|sonographer|tech|with|from|to|and|"
    r"per|cc|attn|signed|dictated|read|nurse|rn|np|pa|md|aide|interpreter|chw|chr|therapist|counselor|"
    r"pharmacist|provider|coach|pastor|officer)\.?\s+)$"
)
_WORD_BEFORE = re.compile(r"[A-Za-z0-9] $")
_PERSON_BEFORE = re.compile(r"\b(?i:pt|patient|re|dr|mr|mrs|ms)\.?:?\s+$")
_GERMS = frozenset(
    {"coli", "pylori", "aureus", "diff", "difficile", "dificile", "pneumoniae", "aeruginosa", "tuberculosis",
     "gonorrhoeae", "trachomatis", "vaginalis", "burgdorferi", "monocytogenes", "influenzae", "faecalis",
     "faecium", "albicans", "lamblia", "pallidum", "avium", "epidermidis", "pyogenes", "agalactiae",
     "marinum", "jirovecii", "neoformans", "gondii", "vulnificus", "cholerae", "typhi", "fumigatus",
     "capitis", "corporis", "cruris", "pedis", "versicolor", "canis", "sapiens", "acnes", "glabrata",
     "auris", "perfringens", "botulinum", "tetani", "dermatitidis", "immitis", "capsulatum", "rickettsii"}
)  # fmt: skip
# A name as records print it: 'WHITE, FAITH M', 'ROSE, WILL T' (capitals, a comma, a middle initial).
_CAPITAL_LAST_FIRST = re.compile(
    r"[A-Z](?<![\w'’-][A-Z])[A-Z'’-]+,\s?"
    r"(?:(?P<first>[A-Z][A-Z'’-]+)\s[A-Z]\.?|(?P<initial>[A-Z]))(?![\w/&-])"
)
# A chat log's speaker: '[9:14] lane: pt here from big sandy'.
_CHAT_SPEAKER = re.compile(
    r"\[\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?\]\s*(?P<name>[A-Za-z][a-z'’-]+(?:\s[A-Za-z][a-z'’-]+)?)\s*:"
)
_INITIALS = Cued(
    re.compile(
        r"[iI](?<!\w[iI])nitials?(?:\s*:\s*|\s+)(?P<initials>[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?|[A-Z]{2,3}\b)"
    ),
    "initial initials",
)


def _initial_names(text: str, gaz: Gazetteers) -> Iterator[Finding]:
    for match in _INITIAL_NAME.finditer(text):
        bare = match.group("name").lower()
        if bare in _GERMS or bare in _NEVER or bare in STOPWORDS:
            continue
        rank = gaz.surname_rank.get(bare)
        cued = _INITIAL_CUE.search(text, max(0, match.start() - 16), match.start()) is not None
        strong = cued and _PERSON_BEFORE.search(text, max(0, match.start() - 16), match.start()) is not None
        rare = rank is None or rank >= 5000
        if everyday(bare, gaz.english) and rare and bare not in gaz.first_names and not strong:
            continue  # 'Plan B. Patient', 'vitamin D. Hypertension'; but 'Pt E. Sundown'
        listed = rank is not None or bare in gaz.first_names
        if (not listed or match.group(0)[0] in "LR") and not cued:
            continue  # 'stage C. Norepi', 'MTH L. Hammer toes' (left): a surname no list has needs a cue
        if not cued and _WORD_BEFORE.search(text, max(0, match.start() - 2), match.start()):
            continue  # 'Hepatitis B. Young adults ...': a word's letter ends a sentence, one begins
        yield from emit(text, match.start(), match.end(), PhiKind.NAME, "the patient")
    for match in _CAPITAL_LAST_FIRST.finditer(text):
        last = match.group(0).partition(",")[0].lower()  # the capital found first is its first letter
        if match.group("first") is None:
            # 'ATT KOWALSKI, T': a surname and an initial, when the surname is no word
            known = len(last) >= 4 and last in gaz.last_names and not everyday(last, gaz.english)
            known = known and last not in _NEVER
        else:
            # the whole shape is a record's name, even of words ('WHITE, FAITH M')
            first = match.group("first").lower()
            known = (first in gaz.first_names or last in gaz.last_names) and last not in STOPWORDS
        if known:
            yield from emit(text, match.start(), match.end(), PhiKind.NAME, "the patient")
    for match in _CHAT_SPEAKER.finditer(text):
        bare = match.group("name").split()[0].lower()
        listed = bare in gaz.first_names or bare in gaz.last_names
        if bare not in _NEVER and (listed or not everyday(bare, gaz.english)):
            yield from emit(text, match.start("name"), match.end("name"), PhiKind.NAME, "the patient")
    for match in _INITIALS.finditer(text):
        # 'pt (initials R.T.)': initials a presenter gives are still the patient's
        yield from emit(text, match.start("initials"), match.end("initials"), PhiKind.NAME, "the patient")
