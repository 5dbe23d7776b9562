"""Dates: every element but the year is PHI (Safe Harbor 3). A year alone is allowed.

Numeric dates (03/14/2025, 3/14, 2025-03-14, 14.03.2025), dates with a month's name (14 Mar 2025,
March 3rd, Jan 5, March 2024), ordinal days ("on the 5th"), and a weekday before any of them.
Fractions that look like a month and a day (BP 118/76, pain 7/10, strength 5/5, a 2/6 murmur,
25/100 mg) are told apart by range and by the words around them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from echo_desktop.cases.deid.spans import emit
from echo_desktop.cases.deid.vocabulary import EPONYMS, MONTHS, WEEKDAYS
from echo_desktop.cases.deid.words import NUMBER, Cued, Folded
from echo_desktop.cases.findings import Finding, PhiKind

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# The words a date can start with, for `Cued`.
_MONTH_WORDS = frozenset(
    {"jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul",
     "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec",
     "december"}
)  # fmt: skip
_WEEKDAY_WORDS = frozenset(
    day + end
    for day in ("mon", "tue", "tues", "wed", "wednes", "thu", "thur", "thurs", "fri", "sat", "satur", "sun")
    for end in ("", "day")
)
_ORDINAL_WORDS = frozenset(
    {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
     "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
     "eighteenth", "nineteenth", "twentieth", "thirtieth", "twenty", "thirty"}
)  # fmt: skip
_YEAR = r"(?:(?:19|20)\d{2}|'\d{2})"

_NUMERIC = Cued(
    re.compile(
        r"(?=\d)(?<![\w/.-])(?:"
        r"(?P<iso>(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01]))"
        r"|(?P<mdy>(?:0?[1-9]|1[0-2]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01]|1[0-2])[-/.](?:(?:19|20)?\d{2}))"
        r"|(?P<my>(?:0?[1-9]|1[0-2])[/-](?:19|20)\d{2}|(?:0[1-9]|1[0-2])\.(?:19|20)\d{2}(?!\s*(?:mg|g|%|ml|mmol|mcg)))"
        r"|(?P<ym>(?:19|20)\d{2}-(?:0[1-9]|1[0-2]))"
        r"|(?P<md>(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]))"
        r")(?![\w/]|\.\d|-\d)",
        re.IGNORECASE,
    ),
    NUMBER,
)

# A range of days, 'next window 3/15-3/29': both ends are dates.
_MD_RANGE = Cued(
    re.compile(
        r"(?=\d)(?<![\w/.-])(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])-(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?![\w/]|\.\d)"
    ),
    NUMBER,
)
_NAMED = Cued(
    Folded(
        # The lookahead lets the engine skip, at one cheap test, every place no date can start.
        rf"\b(?=[\dJFMASONDTWjfmasondtw]){_WEEKDAY}?(?:"
        # March 3rd, 2024 / Mar. 3 / March 3-5 / Sept 14 '24
        rf"(?P<md>{_MONTH}\.?\s+(?:the\s+)?{_DAY}(?:\s*[-–]\s*{_DAY})?(?:,?\s+{_YEAR})?)"
        # 3rd of March 2024 / 14 Mar 2025 / 14-Mar-2025
        rf"|(?P<dm>(?:the\s+)?{_DAY}(?:\s+of)?[\s-]+{_MONTH}\.?(?:[\s,-]+{_YEAR})?)"
        # March 2024 / March of 2024
        rf"|(?P<my>{_MONTH}\.?,?\s+(?:of\s+)?{_YEAR})"
        r")(?!\w)"
    ),
    _WEEKDAY_WORDS | _MONTH_WORDS | {"the", NUMBER},
)

# "on the 5th", "by the 21st": a day of an unnamed month.
_ORDINAL_DAY = Cued(
    Folded(
        rf"\b(?P<lead>(?:on|by|since|until|till|til|from|before|after|of|around|to|through|thru|past|for)\s+|{_WEEKDAY})the\s+"
        r"(?P<day>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th))\b"
    ),
    _WEEKDAY_WORDS
    | frozenset(
        [
            "on",
            "by",
            "since",
            "until",
            "till",
            "til",
            "from",
            "before",
            "after",
            "of",
            "around",
            "to",
            "through",
            "thru",
            "past",
            "for",
        ]
    ),
)

# Dictated dates: 'April fifteenth', 'February twenty-second, twenty twenty-five', 'the ninth of
# November'. Found from the month's name (the ordinal words alone are everyday: 'the third dose').
_UNITS_WORD = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
_ORDINAL_WORD = (
    rf"(?:(?:twenty|thirty)[\s-]{_UNITS_WORD}|{_UNITS_WORD}|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)"
)
_YEAR_WORDS = (
    r"(?:,?\s+(?:nineteen|twenty|two\s+thousand)(?:[\s-]+(?:and\s+)?(?:oh[\s-])?"
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen))?)"
)
_SPOKEN = Cued(
    Folded(
        rf"\b(?:(?P<month>{_MONTH})\.?\s+(?:the\s+)?{_ORDINAL_WORD}|(?:the\s+)?{_ORDINAL_WORD}\s+of\s+(?P<after>{_MONTH}))"
        rf"\b{_YEAR_WORDS}?\b"
    ),
    _MONTH_WORDS | _ORDINAL_WORDS | {"the"},
)
# 'extubated the 27th;', 'again the 10th, both after PE': a day of the month ending its phrase
# ('the 4th ventricle', 'the 2nd trimester' go on to a noun).
_DAY_ENDING = Cued(
    Folded(
        r"\bthe\s+(?P<day>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th))"
        r"(?=\s*(?:[,.;:)!?]|$)|\s+(?:and|at|in|when|after|before|but|or|so|to|until|with|around|about)\b)"
    ),
    "the",
)
# Spanish: '18 de junio', 'el 3 de marzo de 2024'.
_SPANISH = Cued(
    Folded(
        r"\b(?:[12]\d|3[01]|0?[1-9])\s+de\s+(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
        r"setiembre|octubre|noviembre|diciembre)(?:\s+(?:de\s+|del\s+)?(?:19|20)\d{2})?\b"
    ),
    NUMBER,
)

# A month's name alone after a word that makes it a time ("seen in March", "since June").
_BARE_MONTH = Cued(
    re.compile(
        r"\b(?=[iIsSuUtTdDeElLmMnNbBoOfF])(?:in|since|until|till|during|early|late|mid|last|next|this|through|by|of|from)[\s-]+"
        r"(?P<month>January|February|March|April|June|July|August|September|October|November|December|"
        r"(?-i:Jan|Feb|Apr|Aug|Sept?|Oct|Nov|Dec)\.?(?=[\s,;)]|$)|"
        # typed in lower case too, but not 'march' or 'may', which are also verbs
        r"(?-i:january|february|april|june|july|august|september|october|november|december))\b",
        re.IGNORECASE,
    ),
    "in since until till during early late mid last next this through by of from",
)

# Words near an x/y that make it a measure, not a month and a day.
_FRACTION_CONTEXT = re.compile(
    r"\b(?:bp|b/p|blood pressure|pressure|sbp|dbp|pain|strength|power|murmur|grade|score|scale|"
    r"apgar|gcs|ratio|reflexes|dtrs?|acuity|vision|tab|tabs|tablet|tablets|mg|mcg|ml|units|"
    r"dose|doses|of|out of|x|times|mmhg|puffs|drops|days|weeks|hours|servings|cups|packs|"
    r"drinks|lmp|para|gravida|g\d|p\d|fev1|fvc|rr|hr|o2|spo2|sat|sats|cd4|dilated|effaced|"
    r"station|nyha|mallampati|gait|motor|sensation|bid|tid|qid|qd|daily|qhs|prn|q\d+h?|"
    r"cas|cdai|das28|sledai|haq|basdai|edss|cores|samples|biopsies|specimens)\b",
    re.IGNORECASE,
)
_DATE_CONTEXT = Folded(
    r"\b(?:on|since|from|until|till|dated?|dob|born|admitted|discharged|seen|visit|through|"
    r"by|before|after|last|next|due|started|stopped|began|ended|surgery|procedure|died|"
    r"deceased|expired|returned|presented|scheduled|appointment|appt|f/u|follow-up|"
    r"follow up|as of|effective|received|collected|drawn|performed|done|dos|doa|dod|"
    r"mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|"
    r"sun|sunday|admit|admission|d/c|dc|wk\s+of|week\s+of|seen\s+(?:on|at)|sx\s+began|faxed|faxed\s+over)\W*$"
)
# Words that date what follows them less surely: a score or a count follows them too ('Pain in ER
# 8/10', 'Missed 3/4 doses', 'CT 3/5 nodules'), so they count only after the checks for those.
_EVENT_CONTEXT = Folded(
    r"\b(?:ed|er|msg|visits?|called|call|vm|note|ref|referral|rx|filled|refilled|onset|missed|here|"
    r"saw\s+(?:her|him|them|pt)|today|starting)\W*$"
    # a test and then its day, with nothing between: 'CT 1/9', 'echo 2/6' ('on mri, 4/5 grip' is not)
    r"|\b(?:labs|bx|ct|mri|cxr|echo|ekg|ecg|egd|colonoscopy|biopsy)\s$"
)


# Holidays name a day: 'Thanksgiving 2024', 'on Christmas Eve', 'New Year's Day'.
_HOLIDAY = Cued(
    re.compile(
        r"\b(?=[TCNEHIMLVFDPYRJKGA])(?P<day>(?:Thanksgiving|Christmas(?:\s+(?:Eve|Day))?|New\s+Year['’]?s(?:\s+(?:Eve|Day))?|Easter|"
        r"Halloween|Independence\s+Day|Memorial\s+Day|Labor\s+Day|Valentine['’]?s\s+Day|Mother['’]?s\s+Day|"
        r"Father['’]?s\s+Day|Mardi\s+Gras|Eid(?:\s+al-(?:Fitr|Adha))?|Diwali|Hanukkah|Chanukah|Passover|"
        r"Yom\s+Kippur|Rosh\s+Hashanah|Juneteenth|Cinco\s+de\s+Mayo|Kwanzaa|Lunar\s+New\s+Year|Tet|"
        r"Good\s+Friday|Ash\s+Wednesday|Veterans['’]?\s+Day|Martin\s+Luther\s+King(?:\s+Jr\.?)?\s+Day"
        r")\b(?:,?\s+(?:19|20)\d{2})?)(?!\s+(?:disease|factor))"
    ),
    (
        "thanksgiving christmas new easter halloween independence memorial labor valentine mother "
        "father mardi eid diwali hanukkah chanukah passover yom rosh juneteenth cinco kwanzaa lunar "
        "tet good ash veterans martin valentines mothers fathers"
    ),
)


# A holiday typed in lower case counts after a word that makes it a time: 'falls since christmas'.
# Days that name one date of the year whatever is around them, typed in lower case too.
_FIXED_HOLIDAY = Cued(
    Folded(
        r"\b(?P<day>x-?mas(?:\s+(?:eve|day))?|christmas\s+(?:eve|day)|new\s+year['’]?s(?:\s+(?:eve|day))|"
        r"memorial\s+day|labor\s+day|valentine['’]?s(?:\s+day)?|independence\s+day|(?:4th|fourth)\s+of\s+july|"
        r"mother['’]?s\s+day|father['’]?s\s+day|veterans['’]?\s+day|halloween)\b"
    ),
    (
        "x xmas christmas new memorial labor valentine valentines independence fourth mother mothers "
        "father fathers veterans halloween"
    )
    + " "
    + NUMBER,
)
# '06JAN25', '14JAN2025' (pasted from older systems); '20250226' after a word that dates it.
_COMPACT = Cued(
    Folded(rf"(?<![\w-])(?:[0-3]\d{_MONTH}(?:\d{{2}}|\d{{4}}))(?![\w-])"),
    NUMBER,
)
_EIGHT_DIGITS = Cued(
    Folded(
        r"\b(?:collected|drawn|dob|dos|date|dated|on|resulted|received|admitted|discharged|born)\W{1,3}"
        r"(?P<date>(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(?!\d)"
    ),
    "collected drawn dob dos date dated on resulted received admitted discharged born",
)

_LOWER_HOLIDAY = Cued(
    re.compile(
        r"\b(?:on|since|over|after|before|around|until|till|by|at|for|from|during|last|this|next)\s+"
        r"(?P<day>(?:thanksgiving|christmas(?:\s+(?:eve|day))?|easter|halloween|new\s+year['’]?s(?:\s+(?:eve|day))?))\b"
        r"(?!\s+(?:disease|factor))"
    ),
    "on since over after before around until till by at for from during last this next",
)


def find_dates(text: str) -> Iterator[Finding]:
    """Every date in `text` that names more than a year; the suggestion keeps only the year."""
    for match in _NUMERIC.finditer(text):
        if match.group("md") and not _short_date_is_date(text, match.start(), match.end()):
            continue
        if match.group("mdy") and not _plausible_mdy(match.group("mdy")):
            continue
        yield from _emit(text, match.start(), match.end(), _year_of(match.group(0)))
    for match in _MD_RANGE.finditer(text):
        yield from _emit(text, match.start(), match.end(), "")
    for match in _NAMED.finditer(text):
        value = text[match.start() : match.end()]  # as written: the match may be of the lower-cased text
        word = _month_word(value)
        if (
            word == "may"
            and match.group("my") is None
            and not _may_is_month(value)
            and not _DATE_CONTEXT.search_short(text[max(0, match.start() - 24) : match.start()])
        ):
            continue  # 'you may 1) ...'; but 'next visit may 19', 'due may 1' are dates
        if word in ("mar", "march", "jan", "sun", "sat") and _is_lowercase_word(value, word):
            continue
        yield from _emit(text, match.start(), match.end(), _year_of(value))
    for match in _ORDINAL_DAY.finditer(text):
        # 'Thursday the 21st' is one date; 'on the 5th' is the day alone.
        weekday = match.group("lead").strip(" ,.").lower() in WEEKDAYS
        yield from _emit(text, match.start() if weekday else match.start("day"), match.end("day"), "")
    for match in _HOLIDAY.finditer(text):
        yield from _emit(text, match.start("day"), match.end("day"), _year_of(match.group("day")))
    for match in _FIXED_HOLIDAY.finditer(text):
        yield from _emit(text, match.start("day"), match.end("day"), "")
    for match in _COMPACT.finditer(text):
        yield from _emit(text, match.start(), match.end(), _year_of(text[match.start() : match.end()]))
    for match in _EIGHT_DIGITS.finditer(text):
        yield from _emit(text, match.start("date"), match.end("date"), match.group("date")[:4])
    for match in _LOWER_HOLIDAY.finditer(text):
        yield from _emit(text, match.start("day"), match.end("day"), "")
    for match in _BARE_MONTH.finditer(text):
        yield from _emit(text, match.start("month"), match.end("month"), "")
    for match in _SPOKEN.finditer(text):
        value = text[match.start() : match.end()]
        if (
            _month_word(value) in ("may", "march")
            and not value[:1].isupper()
            and match.group("after") is None
        ):
            continue  # 'you may first', 'march second' are verbs
        yield from _emit(text, match.start(), match.end(), "")
    for match in _DAY_ENDING.finditer(text):
        yield from _emit(text, match.start("day"), match.end("day"), "")
    for match in _SPANISH.finditer(text):
        yield from _emit(text, match.start(), match.end(), _year_of(text[match.start() : match.end()]))


def _emit(text: str, start: int, end: int, year: str) -> Iterator[Finding]:
    yield from emit(text, start, end, PhiKind.DATE, year or "[date]")


def _year_of(date_text: str) -> str:
    match = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", date_text)
    if match:
        return match.group(1)
    short = re.search(r"(?:'|[-/.])(\d{2})$", date_text.strip())
    if short and len(re.findall(r"\d+", date_text)) >= 3:
        two = int(short.group(1))
        return str(2000 + two if two <= 30 else 1900 + two)
    return ""


def _plausible_mdy(value: str) -> bool:
    """3.14.25 is a date; 10.2.33 (the start of an IP) or 1.2.3 (a version) mostly is not."""
    parts = re.split(r"[-/.]", value)
    separators = set(re.findall(r"[-/.]", value))
    if separators == {"."} and len(parts[2]) == 2 and not (1 <= int(parts[0]) <= 12):
        return False
    month, day = int(parts[0]), int(parts[1])
    # Day-first (14/03/2025) happens in pasted text from abroad: accept either order.
    return (month <= 12 and day <= 31) or (day <= 12 and month <= 31)


# 'Started pred 2/3': a start or stop, a medicine, then its day.
_STARTED_NEAR = re.compile(
    r"(?i)\b(?:(?:started|stopped|began|restarted|resumed|held|ended|discontinued|last|next|missed)\s+[a-z][\w-]*"
    r"|call(?:ed)?\s+back|missed\s+the)\s+$"
)
_LOG_AFTER = re.compile(r"\s+\d{1,3}(?:\s?(?:mg|mcg|units?|u)\b|/\d{2,3}\b)")
_DOSE_AFTER = re.compile(
    r"(?i)\s*(?:mg|mcg|bid|tid|qid|qd|daily|qam|qpm|qhs|am|pm|and\s+\w*(?:sone|olone))\b"
)
_RANGE_AFTER = re.compile(
    r"\s+(?:thru|through|to|until|-)\s+(?P<month>0?[1-9]|1[0-2])/(?P<day>0?[1-9]|[12]\d|3[01])\b"
)
_VISIT_AFTER = re.compile(r"(?i)\s+(?:visit|appt|appointment|mtg|meeting|f/u|follow-up|session)\b")
_TIME_AFTER = re.compile(r"\s+(?:[01]?\d:[0-5]\d|[01]\d[0-5]\d|2[0-3][0-5]\d)\b(?!\s*(?:mg|mcg|ml|units?|%))")


def _short_date_is_date(text: str, start: int, end: int) -> bool:
    """A month/day with no year, told from a measure (BP 118/76 fails the range already)."""
    month, day = (int(p) for p in text[start:end].split("/"))
    before = text[max(0, start - 24) : start]
    after = text[end : end + 24]
    if _DOSE_AFTER.match(after) or after.startswith(" of "):
        return False  # 'started bup 8/2 BID', 'hydrocortisone 10/5 and ...', 'seen 3/4 of visits'
    if _DATE_CONTEXT.search_short(before) or _STARTED_NEAR.search(before) or _VISIT_AFTER.match(after):
        return True
    ranged = _RANGE_AFTER.match(after)
    if ranged is not None and not _score_like(int(ranged.group("month")), int(ranged.group("day"))):
        return True  # 'missed visits 3/3 thru 3/7': a range of days ('4/5 to 5/5' is strength)
    if _TIME_AFTER.match(after):
        return True  # 'Phone msg 3/6 1415', 'Vitals 10/02 0415': a day and its time
    if _score_like(month, day):
        return False  # pain 7/10, strength 5/5, a 2/6 murmur, 4/4 reflexes
    if _FRACTION_CONTEXT.search(before[-14:]) or _FRACTION_CONTEXT.match(after.lstrip(" ")):
        return False
    if _LOG_AFTER.match(after) or _EVENT_CONTEXT.search_short(before):
        return True  # 'bp log: 4/1 168/94', 'induction log: 9/30 4mg', 'ED 1/9', 'CT 1/9'
    scale = re.search(r"([A-Za-z][\w-]*?)s?\s+$", before)
    if scale is not None and scale.group(1).lower() in EPONYMS:
        return False  # 'Apgars 7/9', 'Beighton 7/9': a named score
    return not re.match(r"\s*(?:%|\d)", after)


def _score_like(month: int, day: int) -> bool:
    return day == 10 or month <= day <= 6


def _month_word(date_text: str) -> str:
    word: str
    for word in re.findall(r"[A-Za-z]+", date_text.lower()):
        if word in MONTHS:
            return word
        if word not in WEEKDAYS and word not in ("the", "of", "st", "nd", "rd", "th"):
            break
    return ""


def _may_is_month(value: str) -> bool:
    """'May 5' is a date; 'may 2 weeks' or 'you may 1) ...' is not: a capital M or a year decides."""
    # '3rd of may': an ordinal day 'of' a month is a date however it is typed.
    return "May" in value or bool(re.search(r"(?:19|20)\d{2}|\d(?:st|nd|rd|th)\s+of\s+may", value, re.I))


def _is_lowercase_word(value: str, word: str) -> bool:
    # "mar 3" in lower case is plausible typing; "sat 3 hours" is not.
    return word in ("sun", "sat") and value[:1].islower()
