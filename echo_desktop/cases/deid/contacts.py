"""Ways to reach someone: phone and fax numbers, email addresses, URLs and IP addresses."""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Iterator
from typing import Any

from echo_desktop.cases.deid.spans import emit, finding
from echo_desktop.cases.deid.words import NUMBER, Cued, Folded
from echo_desktop.cases.findings import Finding, PhiKind

# North American numbers as people write them: (505) 555-0142, 505-555-0142, 505.555.0142,
# 505 555 0142, +1 505 555 0142, 1-800-555-0199, 5055550142 after a phone word, with an extension.
_NANP = re.compile(
    r"(?=[\d(+])(?<![\w/.-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s./-])\d{3}[\s.-]\d{4}"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?(?![\w-]|\.\d)",
    re.IGNORECASE,
)
_PHONE_WORDS = (
    "phone", "tel", "telephone", "cell", "mobile", "call", "text", "contact", "number", "ph", "ph\\.", "home",
    "work", "pager", "fax", "facsimile",
)  # fmt: skip
_PHONE_WORD = f"(?:{'|'.join(_PHONE_WORDS)})"
_BARE_DIGITS = Cued(
    Folded(rf"\b{_PHONE_WORD}\s*(?:#|no\.?|number)?\s*[:=]?\s*(?P<n>\d{{10}}|\d{{7}})\b"),
    # with 'no' or 'number' run on too: 'PhoneNumber: ...', 'telno 5551234'
    frozenset(word + end for word in _PHONE_WORDS if word.isalpha() for end in ("", "no", "number")),
)
_SHORT_LOCAL = Cued(
    re.compile(r"(?=\d)(?<![\w/.-])\d{3}-\d{4}(?![\w-]|\.\d)"),
    NUMBER,
)
_FAX_CONTEXT = re.compile(
    r"(?i)\b(?:fax(?:ed)?|facsimile|f)\b\s*(?:#|no\.?|number|line)?\s*[:.]?[\w\s,]{0,24}$"
)
_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:phone|tel|cell|mobile|call(?:ed)?|text|reach|number|contact|#)\b[\w\s:#]{0,20}$"
)

_LOCAL_PART = re.compile(r"[\w.+-]")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
_TLDS = "com|org|net|edu|gov|mil|int|io|us|info|biz|health|care|co|uk|ca|me|app|dev|ai|ly|tv|cloud"
_URL = re.compile(
    r"(?<![\w@.-])(?:"
    r"(?:https?|ftp|sftp)://[^\s<>\"']+"
    r"|www\.[^\s<>\"']+"
    rf"|(?=[A-Za-z0-9-]+\.[A-Za-z])(?:[A-Za-z0-9-]+\.)+(?:{_TLDS})\b(?:[:/][^\s<>\"']*)?"
    r")",
    re.IGNORECASE,
)
_IPV4 = Cued(
    re.compile(
        r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?::\d{1,5})?(?![\w]|\.\d)"
    ),
    NUMBER,
)
_IPV6_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_MAC = Cued(
    re.compile(r"(?<![\w:-])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![\w:-])"),
    # a MAC address starts with a digit or with one or two of the letters a-f
    frozenset({NUMBER, *"abcdef", *(a + b for a in "abcdef" for b in "abcdef")}),
)

_PLUS = re.compile(r"\+(?<![\w+]\+)\s?\d")  # the '+' first: the engine looks for it directly
_matcher_lock = threading.Lock()
_phonenumbers: Any = None


def find_contacts(text: str) -> Iterator[Finding]:
    """Phone and fax numbers, email addresses, URLs, and IP and MAC addresses."""
    for start, end in _phone_spans(text):
        fax = bool(_FAX_CONTEXT.search(text[max(0, start - 40) : start]))
        kind = PhiKind.FAX if fax else PhiKind.PHONE
        made = finding(text, start, end, kind, "[fax]" if fax else "[phone]")
        if made is not None:
            yield made
    yield from _emails(text)
    for match in _URL.finditer(text):
        if _is_url(match.group(0)):
            yield from emit(text, match.start(), _url_end(match), PhiKind.URL, "[link]")
    yield from _simple(text, _IPV4, PhiKind.IP, "[IP address]")
    for match in _IPV6_CANDIDATE.finditer(text):
        if _is_ipv6(match.group(0)):
            yield from emit(text, match.start(), match.end(), PhiKind.IP, "[IP address]")
    yield from _simple(text, _MAC, PhiKind.DEVICE, "[device ID]")


def _emails(text: str) -> Iterator[Finding]:
    """What `_EMAIL.finditer` finds, looked for only at each '@': from it back over the characters
    of an address's local part, where the pattern's lookbehind lets a match start."""
    resume = 0
    at = text.find("@")
    while at != -1:
        start = at
        while start > resume and _LOCAL_PART.match(text, start - 1):
            start -= 1
        match = _EMAIL.match(text, start) if start < at else None
        if match is not None:
            yield from emit(text, match.start(), match.end(), PhiKind.EMAIL, "[email]")
            resume = match.end()
        at = text.find("@", max(at + 1, resume))


def _phone_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _NANP.finditer(text):
        yield match.start(), match.end()
    for match in _BARE_DIGITS.finditer(text):
        yield match.start("n"), match.end("n")
    for match in _SHORT_LOCAL.finditer(text):
        if text.startswith("555-", match.start()):
            yield match.start(), match.end()  # 555 is the exchange kept for made-up numbers: a phone's
        elif _PHONE_CONTEXT.search(text[max(0, match.start() - 30) : match.start()]) or _FAX_CONTEXT.search(
            text[max(0, match.start() - 30) : match.start()]
        ):
            yield match.start(), match.end()
    if "+" in text:
        yield from _international(text)


def _international(text: str) -> Iterator[tuple[int, int]]:
    """Numbers written with a country code (+52 ..., +44 ...), by libphonenumber's matcher.

    Loaded only when a '+' appears: North American numbers, by far the most common here, need
    no library, and the import costs time.
    """
    global _phonenumbers
    if _phonenumbers is None:
        with _matcher_lock:
            if _phonenumbers is None:
                import phonenumbers

                _phonenumbers = phonenumbers
    # Only the stretch after each '+' is handed to the matcher: it is slow on long text.
    for plus in _PLUS.finditer(text):
        window = text[plus.start() : plus.start() + 32]
        matcher = _phonenumbers.PhoneNumberMatcher(window, None, leniency=_phonenumbers.Leniency.POSSIBLE)
        for match in matcher:
            if match.start == 0:
                yield plus.start(), plus.start() + match.end


def _is_ipv6(value: str) -> bool:
    # 10:30:00 is a time, and not an address either: ipaddress decides.
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def _is_url(value: str) -> bool:
    # 'e.g.', 'i.e.' and decimals never reach here (a TLD is needed); 'Dr.Smith' has no TLD.
    return not re.fullmatch(r"(?i)[\d.]+", value)


def _url_end(match: re.Match[str]) -> int:
    end = match.end()
    while end > match.start() and match.string[end - 1] in ".,;:!?)]}'\"":
        end -= 1
    return end


def _simple(text: str, pattern: re.Pattern[str] | Cued, kind: PhiKind, suggestion: str) -> Iterator[Finding]:
    for match in pattern.finditer(text):
        yield from emit(text, match.start(), match.end(), kind, suggestion)
