"""Places smaller than a state (Safe Harbor 2): addresses, towns, counties, ZIP codes, and
named workplaces and facilities ('the Gallup Walmart distribution center'). A state alone may stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import pairwise

from echo_desktop.cases.deid.gazetteers import Gazetteers, everyday, gazetteers
from echo_desktop.cases.deid.spans import emit
from echo_desktop.cases.deid.vocabulary import (
    AMBIGUOUS_STATE_ABBREVIATIONS,
    BRANDS,
    COMMON_WORDS,
    COUNTRIES,
    EPONYM_FOLLOWERS,
    EPONYMS,
    MONTHS,
    NAMED_THINGS,
    PEOPLES,
    RELATIVES,
    STATE_ABBREVIATIONS,
    STATE_NAMES,
    STOPWORDS,
    TITLES,
    WEEKDAYS,
)
from echo_desktop.cases.deid.words import NUMBER, Cued, Folded, Word, words
from echo_desktop.cases.findings import Finding, PhiKind

_SUFFIX = (
    r"street|st|road|rd|avenue|ave|av|boulevard|blvd|drive|dr|lane|ln|way|court|ct|place|pl|"
    r"highway|hwy|route|rte|trail|trl|circle|cir|parkway|pkwy|loop|terrace|ter|square|sq|pike|"
    r"alley|row|crossing|xing|plaza|run|path|point|pt|ridge|mesa|canyon"
)
_STATE_AB = "|".join(sorted(STATE_ABBREVIATIONS))
_STATE_FULL = "|".join(sorted((s.replace(" ", r"\s+") for s in STATE_NAMES), key=len, reverse=True))
# After an address: ', Gallup', ', NM' or ', New Mexico', and a ZIP code, each optional.
_CITY_TAIL = (
    r"(?-i:(?:,\s*(?:[A-Z][a-z]+\.?\s+){0,2}[A-Z][a-z]+)?"
    rf"(?:,?\s+(?:{_STATE_AB}|(?i:{_STATE_FULL}))\b)?"
    r"(?:,?\s+\d{5}(?:-\d{4})?)?)"
)
_STREET = Cued(
    re.compile(
        rf"(?=\d)(?<![\w/.-])\d{{1,6}}[A-Za-z]?(?:-\d+)?\s+(?:[NSEW]\.?\s+|(?:north|south|east|west)\s+)?"
        rf"(?:[A-Za-z0-9][\w'.-]*\s+){{0,4}}(?i:{_SUFFIX})\b\.?"
        r"(?:,?\s*(?:apt|apartment|unit|suite|ste|#|lot|space|trlr|trailer)\.?\s*#?\s*[\w-]+)?" + _CITY_TAIL
    ),
    NUMBER,
)
# The lookaheads let the engine skip, at one cheap test, every place no match can start (the
# case-insensitive alternations after them are the slow part of a scan).
_ROAD_NUMBER = Cued(
    re.compile(
        r"\b(?=[cCsSfFiIbBnNrRhHmMeEpPtT])(?:(?:county|co\.?|state|forest|indian|bia|navajo|twp|township)\s+(?:road|rd|route|rte|highway|hwy)|"
        r"(?:rural\s+route|(?:rr|hc)(?=\s*\d+\s*,?\s*box)|highway|hwy|route|rte|mile\s+marker|exit)"
        r"|p\.?\s?o\.?\s+box|box)"
        r"\s*#?\s*\d+[A-Za-z]?(?:\s*,?\s*box\s*\d+)?" + _CITY_TAIL,
        re.IGNORECASE,
    ),
    (
        "county co state forest indian bia navajo twp township rural rr hc highway hwy route rte mile "
        "exit p po box"
    ),
)
# A numbered road after a word that goes somewhere: 'off SR 29', 'up KY-1098', 'on FM 1017'.
_NUMBERED_ROAD = Cued(
    re.compile(
        r"\b(?i:off|on|up|down|along|via|near|past|onto|take|takes|took|at|to|from|and)\s+"
        r"(?P<road>(?P<code>SR|FM|CR|US|[A-Z]{2})[- ]\d{1,4})(?![\w-]|[.,/]\d)"
    ),
    "off on up down along via near past onto take takes took at to from and",
)
# A road by its name alone, after a word that goes somewhere: 'off possum trot rd', 'on kansas
# ave', 'lives up sugar run hollow'.
_NAMED_ROAD = Cued(
    re.compile(
        r"(?i)\b(?:on|off|up|down|along|past|near)\s+(?P<road>(?P<name>(?:[a-z][a-z'’-]*\s+){1,3})"
        r"(?:(?:ave|rd|ln|blvd|hwy|pkwy)\b\.?|(?:avenue|road|street|lane|boulevard|pike|trail|hollow|holler|"
        r"highway|parkway)\b))"
    ),
    "on off up down along past near",
)
# A street numbered by its place: 'on 350th St', '6th Street'.
_ORDINAL_STREET = Cued(
    re.compile(
        r"(?=\d)(?<![\w/.-])\d{1,4}(?:st|nd|rd|th)\s+(?i:street|st|avenue|ave|road|rd)\b\.?", re.IGNORECASE
    ),
    NUMBER,
)
# A ZIP code is five digits after a state or the word 'ZIP' (alone, five digits are anything).
_FIVE_DIGITS = Cued(
    re.compile(r"(?=\d)(?<![\w.,/-])\d{5}(?:-\d{4})?(?![\w/]|[.,]\d)"),
    NUMBER,
)
_ZIP_BEFORE = re.compile(rf"(?:\b(?:{_STATE_AB}),?\s|(?i:\bzip(?:\s*code)?[:,]?)(?:\s|\s?\())$")
# Found from the word back ('... County'): the word is rare, the capitals before it are not.
_COUNTY_WORD = Cued(
    Folded(
        r"(?<=\s)(?:county|parish|borough|township|twp|precinct|reservation|pueblo|chapter(?:\s+house)?|village|rancheria)\b"
    ),
    "county parish borough township twp precinct reservation pueblo chapter village rancheria",
)
_COUNTY_NAME = re.compile(
    r"(?<![\w'’-])(?:[A-Z][A-Za-z'’]+(?:[\s-][A-Z][A-Za-z'’]+)?|[a-z]{3,}(?:\s[a-z]{3,})?)\s+$"
)
_FACILITY_NOUNS = (
    r"hospital|medical\s+center|medical\s+centre|health\s+center|health\s+centre|clinic|"
    r"urgent\s+care|elementary(?:\s+school)?|middle\s+school|high\s+school|school|academy|"
    r"university|college|mine|plant|factory|mill|distribution\s+center|warehouse|store|"
    r"supercenter|restaurant|casino|hotel|motel|church|chapel|senior\s+center|nursing\s+home|"
    r"care\s+center|rehab(?:ilitation)?\s+center|shelter|jail|prison|detention\s+center|"
    r"correctional\s+facility|trading\s+post|flea\s+market|market|mall|ranch|farm|dairy|refinery|"
    r"power\s+plant|station|base|depot|center|centre|facility|office|headquarters|hq|hall|memorial|"
    r"pharmacy|lumber|laboratories|laboratory|health\s+care|healthcare|rural\s+health|home|kidney\s+care|camp|medical\s+city|"
    r"family\s+practice|practice|health"
)
# Found from the noun back ('... distribution center'): nouns are rarer than capitals.
_FACILITY_NOUN = Cued(
    Folded(rf"(?<=\s)(?:{_FACILITY_NOUNS})\b"),
    (
        "hospital medical health clinic urgent elementary middle high school academy university "
        "college mine plant factory mill distribution warehouse store supercenter restaurant casino "
        "hotel motel church chapel senior nursing care rehab rehabilitation shelter jail prison "
        "detention correctional trading flea market mall ranch farm dairy refinery power station base "
        "depot center centre facility office headquarters hq hall memorial pharmacy lumber "
        "laboratories laboratory healthcare rural home kidney camp family practice"
    ),
)
# Words of one name sit on one line: 'MD\nFacility:' is a credential and the next label.
_FACILITY_NAME = re.compile(r"(?:\bthe[ \t]+)?(?<![\w-])(?:[A-Z][\w'&.-]*[ \t]+){1,5}$")
_EMPLOYER = Cued(
    re.compile(
        r"\b(?=[wWeEjJcCmMtTdDrR])(?:works?|working|worked|employed|job|employee|cashier|clerk|manager|teacher|driver|miner|retired)"
        r"\s+(?:at|for|by|with|from)\s+(?:the\s+)?(?P<place>(?-i:[A-Z][\w'&.-]*(?:\s+(?:of\s+)?[A-Z][\w'&.-]*){0,4}))",
        re.IGNORECASE,
    ),
    "work works working worked employed job employee cashier clerk manager teacher driver miner retired",
)
_STATE_AFTER = re.compile(
    rf",?\s+(?P<state>{_STATE_AB}|(?i:{_STATE_FULL}))\b(?:,?\s+\d{{5}}(?:-\d{{4}})?\b)?"
)
_AFTER_STREET = re.compile(rf"(?i)\b(?:{_SUFFIX})\.?,\s*$")
_PREPOSITIONS = frozenset(
    {"in", "from", "frm", "at", "near", "to", "outside", "around", "of", "between", "toward", "towards"}
)
# Whose shop is no one's name: 'her husband's store', "the patient's farm", "mom's garage".
# A road known by what it is made of or where it goes is no road's name: 'off gravel road'.
_PLAIN_ROAD_WORDS = frozenset(
    {"gravel", "dirt", "paved", "back", "main", "same", "county", "state", "private", "public", "rural",
     "icy", "muddy", "busy", "steep", "unpaved", "logging", "access", "service", "frontage", "farm", "ranch"}
)  # fmt: skip
_NOT_OWNERS = (
    STOPWORDS
    | RELATIVES
    | TITLES
    | EPONYMS  # "Bell's palsy", "Crohn's disease"
    | {"patient", "pt", "family", "neighbor", "neighbour", "farmer", "farmers", "children", "men", "women",
       "people", "doctor", "nurse", "today", "yesterday", "tomorrow", "year", "week", "everyone", "nobody"}
)  # fmt: skip
# Words that cannot be part of a lower-case place's name before 'chapter' or 'county'.
_NOT_NAME_WORDS = (
    STOPWORDS
    | COMMON_WORDS
    | {"past", "off", "out", "up", "down", "by", "behind", "beyond", "across", "along", "over", "around",
       "near", "retirement", "senior", "assisted", "gated"}
)  # fmt: skip
_LOCATION_VERBS = Folded(
    r"\b(?:lives?|living|lived|resides?|residing|resided|moved|moving|relocated|born|raised|"
    r"grew\s+up|visiting|visited|travell?ed|drove|drives|home|reside|house|stays?|staying)\s+(?:\w+\s+){0,2}$"
)
# Capitalised words that name something bigger than a state, or a people rather than a place.
_SAFE_CAPITALS = frozenset(
    {"ed", "er", "icu", "or", "us", "usa", "america", "united", "states", "mexico", "canada",
     "navajo", "hopi", "apache", "cherokee", "sioux", "lakota", "ute", "pueblo", "southwest",
     "midwest", "india", "china", "guatemala", "honduras", "philippines", "vietnam", "ama", "dnr",
     "dni", "npo", "polst", "hipaa", "snf", "ltc", "alf", "hh", "pt", "ot", "slp", "war", "nash", "mash"}
)  # fmt: skip
# Pueblos known by their own name only through the gazetteer alias: capitalised, the people is meant.
_PEOPLES = frozenset({"zuni", "jemez", "santo domingo", "san felipe"})
# 'lives in Shiprock', 'moved here from Tohatchi': a capitalised place after these is a place even
# when no gazetteer knows it.
_MOVED = Cued(
    re.compile(
        r"(?i:\b(?=[lLrRmMbBgGhHiIcCoOnN])(?:(?:lives?|living|lived|resides?|residing|resided|moved|relocated|raised|grew\s+up|home)"
        r"(?:\s+(?:here|back|alone|with\s+\w+(?:\s+\w+)?))?\s+(?:in|to|from|near|outside(?:\s+of)?|at)"
        r"|(?:is|comes|came|originally|hails)\s+from|hometown\s+(?:is|of)"
        r"|miles\s+(?:from|past|outside(?:\s+of)?|(?:north|south|east|west)\s+of))\s+)"
        r"(?P<place>[A-Z][a-z]+(?:[\s-][A-Z][a-z]+){0,2})"
    ),
    (
        "live lives living lived reside resides residing resided moved relocated raised grew home is "
        "comes came originally hails hometown miles"
    ),
)


# Lower-case typing: 'works at the walmart', 'retired from bnsf', 'a man from zuni',
# 'admitted to presbyterian hospital'. One word (two before a hospital), never an everyday one.
_LOWER_EMPLOYER = Cued(
    re.compile(
        r"\b(?=[wer])(?:works?|working|worked|employed|retired)\s+(?:at|for|from)\s+(?:the\s+)?(?P<place>[a-z][a-z'&]+)\b"
    ),
    "work works working worked employed retired",
)
_PERSON_FROM = re.compile(
    r"(?=[mMwWfFpPyYbBgGcCeElL\d])(?i:(?:\b(?:man|woman|male|female|patient|pt|yo|y/o|boy|girl|child|elder|lady|gentleman|family|m|f)|\d[mf])"
    r"\s+(?:originally\s+)?from\s+)(?P<place>[a-z][a-z'-]+)\b"
)
# Found from the noun back (the noun is rare; a lower-case word before it is everywhere).
_LOWER_HOSPITAL_NOUN = Cued(
    re.compile(
        r"(?<=\s)(?:hospital|hosp|medical\s+center|med\s+ctr|rmc|arh|hcf|baptist|methodist|lutheran|church|"
        r"nursing\s+(?:&|and)\s+rehab|nursing\s+home|health\s+care\s+center|health\s+center|care\s+center|manor|dairy|"
        r"chapter\s+house|apts|apartments|plaza|towers|holler)\b"
    ),
    (
        "hospital hosp medical med rmc arh hcf baptist methodist lutheran church nursing health care "
        "manor dairy chapter apts apartments plaza towers holler"
    ),
)
_FUNCTION = r"(?:to|at|the|a|an|in|from|our|his|her|their|my|your|and|of|by|with|past|near|for|on|into)\s"
_LOWER_HOSPITAL_NAME = re.compile(
    rf"(?<![\w'-])(?!{_FUNCTION})(?P<place>[a-z][a-z'-]+\s+(?:(?!{_FUNCTION})[a-z][a-z'-]+\s+)?)$"
)
# Generic words for where people work or are treated: not a name of one.
_GENERIC_PLACES = frozenset(
    {"home", "night", "nights", "work", "school", "daycare", "store", "factory", "restaurant", "farm",
     "ranch", "mine", "office", "casino", "hotel", "warehouse", "local", "outside", "regional",
     "referring", "previous", "community", "state", "rural", "private", "tribal", "general",
     "teaching", "psychiatric", "rehab", "nearest", "nearby", "small", "big", "large", "same",
     "another", "other", "different", "tertiary", "university", "children's", "va", "ihs", "city",
     "part", "full", "time", "least", "all", "one", "two", "a", "an", "her", "his", "their", "our",
     "transferred", "admitted", "discharged", "seen", "taken", "sent", "flown", "airlifted", "critical",
     "access"}
)  # fmt: skip


# A capital after a cue may still be a month, a weekday, a title or an everyday word.
_NOT_MOVED_PLACE = _SAFE_CAPITALS | STOPWORDS | COMMON_WORDS | set(MONTHS) | WEEKDAYS | TITLES | EPONYMS


# State codes that name a state's road ('KY-1098'), less those that are also clinical ('CA-125',
# 'IL-6', 'MI', 'MS', 'PA', 'SC', 'CO').
_ROAD_STATES = STATE_ABBREVIATIONS - {
    "CA",
    "IL",
    "MI",
    "MS",
    "PA",
    "SC",
    "CO",
    "MD",
    "ME",
    "IN",
    "OR",
    "OK",
    "HI",
    "ID",
    "DE",
    "AL",
    "MA",
    "LA",
    "GA",
    "VA",
    "NE",
    "DC",
}


# A shop or farm known by its owner, in any case: "miller's harness shop", "Lundy's store". Found
# from the noun back (nouns of shops are rarer than possessives).
_OWNED_NOUNS = (
    "store shop market garage station diner cafe grocery bar tavern farm ranch dairy mill salon "
    "restaurant orchard sawmill greenhouse produce"
)
_OWNED_NOUN = Cued(Folded(rf"(?<=\s)(?:{'|'.join(_OWNED_NOUNS.split())})\b"), _OWNED_NOUNS)
_OWNER_BEFORE = re.compile(r"(?<![\w'’-])(?P<owner>[A-Za-z][A-Za-z-]+)['’]s\s+(?:[A-Za-z]+\s+)?$")
# Chains a rural patient works at or lives by: 'the dollar general in ramer', 'the flying j'.
_CHAIN = Cued(
    Folded(
        r"\b(?:dollar\s+general|family\s+dollar|dollar\s+tree|tractor\s+supply|flying\s+j|love['’]?s\s+travel"
        r"(?:\s+stop)?|pilot\s+travel\s+center|casey['’]?s(?:\s+general\s+store)?|kum\s*(?:&|and)\s*go|"
        r"maverik|cenex|piggly\s+wiggly|ingles|food\s+lion|bashas['’]?|family\s+fare|hy-?vee|walmart|"
        r"wal-mart|sam['’]?s\s+club|home\s+depot|lowe['’]?s|dairy\s+queen|sonic\s+drive-?in|"
        r"mcdonald['’]?s|tyson|jbs|cargill|smithfield|perdue|pilgrim['’]?s)\b"
    ),
    "dollar family tractor flying love pilot casey kum maverik cenex piggly ingles food bashas hy hyvee "
    "walmart wal sam home lowe dairy sonic mcdonald tyson jbs cargill smithfield perdue pilgrim "
    "loves caseys sams lowes mcdonalds pilgrims kumandgo bashas",
)


def _lower_places(text: str) -> Iterator[Finding]:
    gaz = gazetteers()
    english = gaz.english
    for noun in _OWNED_NOUN.finditer(text):
        owned = _OWNER_BEFORE.search(text, max(0, noun.start() - 40), noun.start())
        if owned is None:
            continue
        owner = owned.group("owner").lower()
        listed = owner in gaz.last_names or owner in gaz.first_names
        if owner not in _NOT_OWNERS and (listed or not everyday(owner, english)):
            yield from emit(text, owned.start(), noun.end(), PhiKind.LOCATION, "[workplace]")
    for match in _CHAIN.finditer(text):
        yield from emit(text, match.start(), match.end(), PhiKind.LOCATION, "[workplace]")
    spans: list[tuple[int, int]] = []
    for pattern in (_LOWER_EMPLOYER, _PERSON_FROM):
        for match in pattern.finditer(text):
            following = re.match(r" ([a-z]+)", text[match.end("place") : match.end("place") + 24])
            compound = following is not None and following.group(1) not in STOPWORDS
            if pattern is _LOWER_EMPLOYER and compound and everyday(match.group("place"), english):
                continue  # 'works at sonic', 'works at the walmart'; not 'at the grain elevator'
            spans.append(match.span("place"))
    for noun in _LOWER_HOSPITAL_NOUN.finditer(text):
        name = _LOWER_HOSPITAL_NAME.search(text, max(0, noun.start() - 40), noun.start())
        if name is not None and name.group("place").split()[0] not in _GENERIC_PLACES:
            # 'new hope baptist', 'pine crest nursing & rehab': words naming one, even 'new'
            yield from emit(text, name.start("place"), noun.end(), PhiKind.LOCATION, "[workplace]")
    for start, end in spans:
        head = text[start:end].split()[0]
        if head not in STOPWORDS and head not in COMMON_WORDS and head not in _GENERIC_PLACES:
            yield from emit(text, start, end, PhiKind.LOCATION, "[workplace]")


def find_locations(text: str) -> Iterator[Finding]:
    """Addresses, roads, ZIP codes, counties, towns, and named workplaces and facilities."""
    for match in _STREET.finditer(text):
        value = match.group(0)
        if (
            not _dose_like(value)
            and "\n" not in value.strip()
            and not re.search(r"[a-z0-9]\.\s+[A-Z]", value)
            and _street_named(value)
        ):
            yield from emit(text, match.start(), match.end(), PhiKind.LOCATION, "[address]")
    for match in _ROAD_NUMBER.finditer(text):
        yield from emit(text, match.start(), match.end(), PhiKind.LOCATION, "[address]")
    for match in _NAMED_ROAD.finditer(text):
        name = match.group("name").lower().split()
        plain = all(w in _PLAIN_ROAD_WORDS for w in name)
        if not plain and not any(w in _NOT_NAME_WORDS or w in MONTHS or w in WEEKDAYS for w in name):
            yield from emit(text, match.start("road"), match.end("road"), PhiKind.LOCATION, "[address]")
    for match in _NUMBERED_ROAD.finditer(text):
        code, number = match.group("code"), match.group("road")[3:]
        if len(number) < 2 or (len(number) == 4 and number[:2] in ("19", "20")):
            continue  # 'NC 2 lpm', 'compared to US 2019': a cannula's flow, a study's year
        if code in ("SR", "FM", "US") or (code in _ROAD_STATES and match.group("road")[2] == "-"):
            yield from emit(text, match.start("road"), match.end("road"), PhiKind.LOCATION, "[address]")
    for match in _ORDINAL_STREET.finditer(text):
        yield from emit(text, match.start(), match.end(), PhiKind.LOCATION, "[address]")
    for match in _FIVE_DIGITS.finditer(text):
        if _ZIP_BEFORE.search(text, max(0, match.start() - 12), match.start()):
            yield from emit(text, match.start(), match.end(), PhiKind.LOCATION, "[ZIP code]")
    for word in _COUNTY_WORD.finditer(text):
        name = _COUNTY_NAME.search(text, max(0, word.start() - 60), word.start())
        if name is None:
            continue
        start = name.start()
        parts = name.group(0).split()
        if len(parts) == 2 and name.group(0).islower() and any(p in _NOT_NAME_WORDS for p in parts):
            # 'coyote canyon chapter' is a two-word name; 'past dennehotso chapter house' is not
            start = name.start() + name.group(0).rindex(parts[1])
            parts = parts[1:]
        head = parts[0].lower()
        # 'Apache County', 'Navajo County': a people's name before a capitalised County is the county
        people_county = head in PEOPLES and text[word.start() : word.start() + 1].isupper()
        if head not in _NOT_NAME_WORDS and head not in EPONYMS and (head not in PEOPLES or people_county):
            yield from emit(text, start, word.end(), PhiKind.LOCATION, "[county]")
    for match in _FACILITY_NOUN.finditer(text):
        name = _FACILITY_NAME.search(text, max(0, match.start() - 90), match.start())
        if name is None:
            continue
        start = _after_sentence_end(text, name.start(), match.start())
        if is_named_facility(text[start : match.end()]):
            yield from emit(text, start, match.end(), PhiKind.LOCATION, "[workplace]")
    for match in _EMPLOYER.finditer(text):
        place = match.group("place")
        if place.split()[0].lower() not in _NOT_MOVED_PLACE:
            yield from emit(text, match.start("place"), match.end("place"), PhiKind.LOCATION, "[workplace]")
    for match in _MOVED.finditer(text):
        place = match.group("place").lower()
        if place not in STATE_NAMES | COUNTRIES | NAMED_THINGS and place.split()[0] not in _NOT_MOVED_PLACE:
            yield from emit(text, match.start("place"), match.end("place"), PhiKind.LOCATION, "[town]")
    yield from _lower_places(text)
    yield from _towns(text, gazetteers())


_SENTENCE_BREAK = re.compile(r"(?<!\b[SMFD]t)(?<!\bSte)\.\s+(?:(?:At|The|In|On|To)\s+)?(?=[A-Z])")


def _after_sentence_end(text: str, start: int, end: int) -> int:
    """Where a facility's name starts once a sentence before it is left out: 'WV. At Logan
    Regional Medical Center' is 'Logan Regional Medical Center' ('St. Mary's' keeps its period)."""
    for match in _SENTENCE_BREAK.finditer(text, start, end):
        start = match.end()
    return start


# Street words that are everyday words too ('75 min each way', '8 HU on non-con CT'): after them
# the street's own name must be capitalised.
_AMBIGUOUS_SUFFIXES = frozenset(
    {"way", "run", "row", "path", "point", "pt", "loop", "place", "pl", "court", "ct", "circle", "cir",
     "square", "sq", "crossing", "xing", "plaza", "ridge", "mesa", "canyon", "drive", "dr", "trail",
     "trl", "terrace", "ter", "pike", "alley"}
)  # fmt: skip


_SUFFIX_WORD = re.compile(rf"(?i:{_SUFFIX})")


def _street_named(value: str) -> bool:
    """Whether a number and a street word have a street's name between them."""
    parts = re.findall(r"[A-Za-z][\w'-]*", value)
    suffixes = [i for i, p in enumerate(parts) if _SUFFIX_WORD.fullmatch(p)]
    suffix_at = suffixes[-1] if suffixes else None  # the street's own word, after its name
    if suffix_at is None or parts[suffix_at].lower() not in _AMBIGUOUS_SUFFIXES:
        return True
    between = [
        p
        for p in parts[:suffix_at]
        if p.lower() not in ("n", "s", "e", "w", "north", "south", "east", "west")
    ]
    suffix = parts[suffix_at]
    if suffix.isupper() and len(suffix) > 1:
        return bool(between) and all(p[:1].isupper() and not p.isupper() for p in between)
    return bool(between) and all(p[:1].isupper() for p in between)


def _dose_like(value: str) -> bool:
    # "2 puffs per day": no street suffix there, but "1 tab PO daily at St" cannot be a street.
    return bool(
        re.search(r"(?i)\b(?:mg|mcg|ml|iu|units?|tabs?|tablets?|puffs?|po|bid|tid|qid|daily|drops?)\b", value)
    )


def is_named_facility(value: str) -> bool:
    """'Gallup Walmart distribution center', not 'The clinic' or 'Hepatitis C clinic'."""
    capitals = [w for w in re.findall(r"[A-Za-z][\w'&.-]*", value) if w[:1].isupper()]
    names = [
        w
        for w in capitals
        if w.lower() not in STOPWORDS and w.lower() not in {"the"} and len(w) > 1 and w.lower() not in BRANDS
    ]
    if not names:
        return False
    # Clinical services are not places: 'Hepatitis C Clinic', 'ECHO clinic', 'Diabetes Center'.
    clinical = {
        "echo",
        "hepatitis",
        "diabetes",
        "hiv",
        "pain",
        "cancer",
        "heart",
        "kidney",
        "liver",
        "sleep",
        "wound",
        "dialysis",
        "memory",
        "stroke",
        "trauma",
        "emergency",
        "primary",
        "family",
        "pediatric",
        "women's",
        "behavioral",
        "mental",
        "addiction",
        "recovery",
        "infusion",
        "ecg",
        "ekg",
        "mri",
        "ct",
        "ed",
        "er",
        "icu",
        "or",
        "c",
        "b",
        "a",
        "va",
        "ihs",
        "our",
        "this",
        "that",
        "his",
        "her",
        "their",
        "community",
        "nursing",
        "home",
        "transplant",
        "surgery",
        "surgical",
        "imaging",
        "radiology",
        "lab",
        "laboratory",
        "vascular",
        "cardiac",
        "treatment",
        "detox",
        "crisis",
        "counseling",
        "burn",
        "public",
        "global",
        "men's",
        "population",
        "occupational",
        "environmental",
        "sexual",
        "reproductive",
        "oral",
        "native",
        "indian",
        "ecmo",
        "cf",
        "nicu",
        "picu",
        "ccu",
        "micu",
        "sicu",
        "pacu",
        "ob",
        "ent",
        "gi",
        "tb",
        "std",
        "sti",
        "best",
        "student",
        "employee",
        "school",
        "rural",
        "county",
        "tribal",
        "university",
    }
    return any(w.lower().removesuffix("'s") not in clinical and w.lower() not in EPONYMS for w in names)


def _towns(text: str, gaz: Gazetteers) -> Iterator[Finding]:
    tokens = words(text)
    i = 0
    place_lengths = gaz.place_lengths
    while i < len(tokens):
        if tokens[i].bare not in place_lengths and tokens[i].bare not in _ABBREVIATED:
            i += 1  # most words start no place's name
            continue
        length = _place_at(tokens, i, gaz, text)
        if length:
            end = i + length - 1
            state_end = _state_after(text, tokens, end)
            made_end = tokens[end].end if state_end is None else state_end
            yield from emit(text, tokens[i].start, made_end, PhiKind.LOCATION, "[town]")
            i += length
        else:
            i += 1


def _place_at(tokens: Sequence[Word], i: int, gaz: Gazetteers, text: str) -> int:
    """How many words from i make a town or county name here (0 if none)."""
    word = tokens[i]
    lengths = gaz.place_lengths.get(word.bare)
    expanded = _ABBREVIATED.get(word.bare)
    if expanded is not None:  # 'st cloud', 'ft defiance': the gazetteer spells the word out
        lengths = tuple(sorted({*(lengths or ()), *gaz.place_lengths.get(expanded, ())}, reverse=True))
    if not lengths:
        return 0  # most words: no place name starts with them
    for length in lengths:
        if i + length > len(tokens):
            continue
        run = tokens[i : i + length]
        name = word.bare if length == 1 else " ".join(w.bare for w in run)
        if name not in gaz.places and expanded is not None and length > 1:
            name = expanded + name[len(word.bare) :]
        if name not in gaz.places or name in STATE_NAMES:
            continue
        if any(text[a.end : b.start] not in (" ", ". ") for a, b in pairwise(run)):
            continue
        if _is_place_here(run, tokens, i, length, gaz, text):
            return length
    return 0


def _is_place_here(
    run: Sequence[Word], tokens: Sequence[Word], i: int, length: int, gaz: Gazetteers, text: str
) -> bool:
    first = run[0]
    name = " ".join(w.bare for w in run)
    after = tokens[i + length] if i + length < len(tokens) else None
    if after is not None and (after.bare in EPONYM_FOLLOWERS or run[-1].possessive):
        return False  # 'Glasgow Coma Scale', 'Lyme disease'
    if any(w.bare in EPONYMS for w in run) or name in MONTHS or name in WEEKDAYS or name in _SAFE_CAPITALS:
        return False
    if (
        name in COUNTRIES
        or name in NAMED_THINGS
        or name in BRANDS
        or (after is not None and f"{name} {after.bare}" in NAMED_THINGS)
    ):
        return False  # 'moved back to Jordan', 'the Lone Star tick'
    before = tokens[i - 1] if i > 0 else None
    by_preposition = before is not None and before.bare in _PREPOSITIONS and not first.sentence_start
    if name in PEOPLES and not by_preposition:
        return False  # 'speaks limited English', 'a Zuni elder'; 'from zuni' is the pueblo
    by_verb = bool(_LOCATION_VERBS.search_short(text[max(0, first.start - 40) : first.start]))
    has_state = _state_after(text, tokens, i + length - 1) is not None
    common = name in COMMON_WORDS or name in STOPWORDS
    embedded = (before is not None and before.capitalised and text[before.end : first.start] == " ") or (
        after is not None and after.capitalised and text[run[-1].end : after.start] == " "
    )
    if all(w.capitalised or w.upper for w in run):
        if has_state or by_verb:
            return True
        if name in _PEOPLES:
            return False  # 'a Zuni elder': the people; 'lives in Zuni' (above) is the town
        if embedded and not by_preposition:
            return False  # 'Presbyterian Centennial Care': part of a longer name
        if common:
            return by_preposition and before is not None and before.bare in ("in", "from", "near", "outside")
        if name in gaz.first_names and (before is None or before.bare not in _PREPOSITIONS):
            return False  # 'Denver' or 'Sharon' alone could be a person: the name detector decides
        return not first.sentence_start or after is None or after.text in (",", "is", "was")
    # Lower-case typing: 'lives in gallup', 'from farmington nm', '14 cedar st, gallup'.
    english = gaz.english
    # A town of two words or more before what is in it or after where one goes: 'the fort smith
    # clinic', 'to rapid city', 'past rough rock'. Two everyday words that make a town's name are
    # rarely anything else there.
    # ... and where the town's name ends its phrase: not 'at high point of the arch', 'to cut off sugar'
    ends_phrase = (
        after is None or after.bare in _PHRASE_AFTER or not text[run[-1].end : after.start].isspace()
    )
    multi_cue = len(run) >= 2 and (
        (after is not None and after.bare in _PLACE_FOLLOWERS)
        or (before is not None and before.bare in _MULTI_CUES and not first.sentence_start and ends_phrase)
    )
    if not has_state and all(everyday(w.bare, english) for w in run) and not by_preposition and not multi_cue:
        return False  # 'the home bp cuff gateway', 'through the village clinic': everyday words
    after_street = bool(_AFTER_STREET.search(text, max(0, first.start - 24), first.start))
    plain_preposition = by_preposition and before is not None and before.bare in ("in", "from", "near", "frm")
    # 'medevac to anchorage': after 'to' only a town that is no name and no word ('talked to marion')
    to_town = (
        before is not None
        and before.bare == "to"
        and not first.sentence_start
        and name not in gaz.first_names
        and name not in gaz.last_names
        and not any(everyday(w.bare, english) for w in run)
    )
    # 'past crownpoint', 'in belen', 'at chinle ihs', '40 miles from chinle': a cue that names a
    # place, so a town that is also a first name ('belen', 'marion') is a town here ...
    place_cue = (before is not None and before.bare in _PLACE_CUES and not first.sentence_start) or (
        after is not None and after.bare in _PLACE_FOLLOWERS
    )
    # ... which 'from' is not: 'a call from marion'.
    return not common and (
        by_verb
        or has_state
        or after_street
        or place_cue
        or bool(_MILES_BEFORE.search(text, max(0, first.start - 24), first.start))
        or (plain_preposition and name not in gaz.first_names)
        or to_town
        or multi_cue
    )


_PLACE_CUES = frozenset({"in", "near", "past", "outside"})
_PHRASE_AFTER = frozenset(
    {"for", "on", "in", "at", "to", "and", "or", "by", "with", "today", "tomorrow", "yesterday", "next",
     "last", "this", "but", "so", "where", "when", "after", "before", "until", "since", "area"}
)  # fmt: skip
_MULTI_CUES = frozenset({"to", "at", "past", "near", "outside", "in", "from", "frm"})
_ABBREVIATED = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
# Words after a town that make it one: 'chinle ihs', 'lukachukai chapter', 'san juan regional'.
_PLACE_FOLLOWERS = frozenset(
    {
        "ihs",
        "chapter",
        "county",
        "clinic",
        "hospital",
        "regional",
        "health",
        "school",
        "pueblo",
        "area",
        "elementary",
        "middle",
        "high",
        "lab",
        "ambulance",
        "ems",
        "fire",
        "police",
        "pharmacy",
        "airport",
        "jail",
        "library",
        "senior",
        "chr",
        "plant",
        "hosp",
        "rmc",
        "ihs's",
    }
)
_MILES_BEFORE = re.compile(r"(?i)miles?\s+(?:from|past|outside(?:\s+of)?|(?:north|south|east|west)\s+of)\s+$")


def _state_after(text: str, tokens: Sequence[Word], end: int) -> int | None:
    """The end offset of ', NM' / ' New Mexico' (and a ZIP) right after token `end`, if there."""
    match = _STATE_AFTER.match(text, tokens[end].end)
    if match is None:
        return None
    if (
        match.group("state") in AMBIGUOUS_STATE_ABBREVIATIONS
        and not re.search(r"\d{5}", match.group(0))
        and "," not in match.group(0)
    ):
        return None
    return match.end()
