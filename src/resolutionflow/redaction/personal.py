"""Where personal data is in a text: e-mail addresses and phone numbers (always), and people's
names and IP addresses (the strict level).

Phone numbers are found by `phonenumbers` (the Python port of Google's libphonenumber), which
knows each country's numbering plan, so "0161 496 0000" and "+1 415 555 2671" are numbers
while a build number or a KB article is not. Names have no such library that works offline
without a language model, so they are found by what surrounds them: titles, the words people
use to introduce someone, a common given name followed by a surname, and the names of the
account's own people when the caller knows them. Pure: no database, no HTTP.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from resolutionflow.redaction.secrets import Span

EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)

# Regions whose national formats are tried; numbers written with +country match in any.
PHONE_REGIONS = ("US", "GB", "AU", "DE", "FR", "NL", "IE", "NZ", "ZA", "IN")
_DIGIT_RUN = re.compile(r"\+?\(?\d[\d\s().\-/]{5,22}\d")
_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:phone|tel|telephone|mobile|cell|landline|fax|whatsapp|ext(?:ension)?"
    r"|call(?:ed)?(?:\s+\w+)?\s+(?:on|at)|ring\s+\w+\s+on|number)\b\W{0,3}"
    r"(?P<num>\+?\(?\d[\d\s().-]{5,20}\d)"
)


def email_spans(text: str) -> Iterator[Span]:
    if "@" not in text:
        return
    for match in EMAIL.finditer(text):
        yield Span(match.start(), match.end(), "EMAIL", "an e-mail address")


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _not_a_phone(value: str) -> bool:
    """Dates, times, versions and IP addresses that number matchers may take for phones."""
    v = value.strip()
    return bool(
        re.match(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?!\d)", v)
        or re.fullmatch(r"\d+(?:\.\d+){2,}", v)
    )


_SEVEN_DIGITS = re.compile(r"\d(?:\D{0,3}\d){6}")


def phone_spans(text: str) -> Iterator[Span]:
    if not _SEVEN_DIGITS.search(text):
        return
    import phonenumbers

    seen: set[tuple[int, int]] = set()
    for run in _DIGIT_RUN.finditer(text):
        candidate = run.group(0)
        if _digits(candidate) < 7 or _not_a_phone(candidate) or _IPV4.search(candidate):
            continue
        if candidate.lstrip("+(").isdigit() and len(candidate.lstrip("+(")) < 10:
            continue  # an error code or an id: numbers this short are written with spaces
        # The matcher reads a little context (a leading '+', brackets) around the run.
        lo, hi = max(0, run.start() - 2), min(len(text), run.end() + 1)
        window = text[lo:hi]
        # A number written with its country code reads the same in any region: one pass.
        regions = PHONE_REGIONS[:1] if "+" in window else PHONE_REGIONS
        for region in regions:
            matches = list(
                phonenumbers.PhoneNumberMatcher(
                    window, region, leniency=phonenumbers.Leniency.VALID
                )
            )
            for found in matches:
                start, end = lo + found.start, lo + found.end
                if text[end : end + 1] == ":":  # a time of day, not a number's end
                    continue
                if (start, end) not in seen and not _not_a_phone(found.raw_string):
                    seen.add((start, end))
                    yield Span(start, end, "PHONE", "a phone number")
            if matches:
                break
    for match in _PHONE_CONTEXT.finditer(text):
        number = match.group("num")
        if _digits(number) >= 7 and not _not_a_phone(number):
            yield Span(match.start("num"), match.end("num"), "PHONE", "a phone number")


_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.])"
)
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])")


def ip_spans(text: str) -> Iterator[Span]:
    for match in _IPV4.finditer(text):
        yield Span(match.start(), match.end(), "IP", "an IP address")
    if ":" in text:
        for match in _IPV6.finditer(text):
            value = match.group(0).split("%")[0]
            if value.count(":") < 2 or len(value) < 3:
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            yield Span(match.start(), match.end(), "IP", "an IP address")


# Given names common among English- and European-language speakers; a capitalised word after
# one of these is taken as a surname.
_GIVEN_NAMES = """
aaron adam adrian aidan aisha alan albert alex alexander alexandra alexis alice alicia alison
amanda amber amelia amy ana andre andrea andrew angela anita ann anna anne annie anthony
antonio arthur ashley barbara ben benjamin beth betty bill bob brandon brenda brian bruce
bryan carl carla carlos carmen carol caroline carolyn catherine charles charlie charlotte
chloe chris christian christina christine christopher claire clara colin craig crystal cynthia
dan daniel danielle david dean deborah debra denise dennis derek diana diane donald donna
doris dorothy douglas dylan edward elaine eleanor elena elizabeth ella ellen emily emma eric
erik erin ethan eva evelyn fatima fiona florian frances francesca francis frank fred gabriel
gareth gary george gerald gloria grace graham greg gregory hannah harold harry heather helen
henry holly hugo ian isaac isabel isabella jack jacob jacqueline jake james jamie jan jane
janet janice jason jean jeff jeffrey jennifer jeremy jerry jesse jessica jim joan joe johan
john johnny jon jonathan jordan jose joseph joshua joyce juan judith judy julia julie justin
karen kate katherine kathleen kathryn katie keith kelly ken kenneth kevin kim kimberly kyle
lara laura lauren lawrence leah lee lena leo leon liam linda lisa logan lois louis louise
lucas lucy luis luke lynn madison marco margaret maria marie marilyn mark martha martin mary
mason matthew maya megan melissa michael michelle mike mohammed monica nancy natalie nathan
neil nicholas nicole noah noel nora olivia omar oscar owen pamela patricia patrick paul paula
pedro peter philip phillip pierre priya rachel rahul ralph randy raj ravi raymond rebecca
richard rick rita rob robert robin roger ron ronald rose ross roy ruby russell ruth ryan sally
sam samantha samuel sandra sara sarah scott sean sebastian sharon shirley simon sofia sophia
sophie stephanie stephen steve steven susan teresa terry theresa thomas tim timothy tina tom
tony tracy tyler valerie vanessa victor victoria vincent virginia walter wayne wendy william
willie yusuf zach zoe
""".split()  # noqa: SIM905
GIVEN_NAMES = frozenset(_GIVEN_NAMES)

_CAP = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+(" + _CAP + r"(?:\s+" + _CAP + r")?)")
# Words after which a capitalised word is someone's name...
_INTRODUCED = re.compile(
    r"\b(?:[Ss]poke\s+(?:to|with)|[Cc]alled|[Ee]mailed|[Aa]ssisted|[Hh]elped|[Nn]amed|[Cc]c"
    r"|[Hh]i|[Hh]ello|[Dd]ear|[Tt]hanks|[Rr]egards|[Aa]ccording\s+to|[Rr]eported\s+by)"
    r"\s*[:,]?\s+(" + _CAP + r"(?:\s+" + _CAP + r")?)"
)
# ...and after which it is one only when it is a common given name.
_ROLE_WORD = re.compile(
    r"\b(?:[Uu]ser|[Cc]ustomer|[Cc]aller|[Cc]lient|[Cc]ontact|[Ee]mployee|[Mm]anager|[Ff]rom"
    r"|[Ff]or|[Ww]ith)\s*[:,]?\s+(" + _CAP + r"(?:\s+" + _CAP + r")?)"
)
_PAIR = re.compile(r"\b(" + _CAP + r")\s+(" + _CAP + r")\b")
# Capitalised words that follow an introducing word without being anyone's name.
_NOT_NAMES = frozenset(
    """the a an this that my our your their his her it its outlook teams windows office microsoft
    azure active directory exchange sharepoint onedrive chrome edge firefox google apple mac
    linux ubuntu vpn wifi it helpdesk support service desk admin administrator system domain
    server printer network internet monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december mr
    mrs ms dr hr finance sales marketing accounts reception legal security backup cloud ticket
    user customer client id name account accounts profile password group groups manager
    team""".split()  # noqa: SIM905
)


@lru_cache(maxsize=256)
def _known_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True)
    if not parts:
        return None
    # Whole names in any case; a single part of a name only as written (capitalised) and only
    # when it is long enough not to be an everyday word.
    words = {w for n in parts for w in n.split() if len(w) >= 3 and w[0].isupper()}
    whole = "|".join(re.escape(n) for n in parts)
    single = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"\b(?:(?i:" + whole + r")" + (r"|" + single if single else "") + r")\b")


def name_spans(text: str, known: Iterable[str] = ()) -> Iterator[Span]:
    for pattern in (_TITLED, _INTRODUCED, _ROLE_WORD):
        for match in pattern.finditer(text):
            first = match.group(1).split()[0].lower()
            if first in _NOT_NAMES or (pattern is _ROLE_WORD and first not in GIVEN_NAMES):
                continue
            yield Span(match.start(1), match.end(1), "NAME", "a person's name")
    for match in _PAIR.finditer(text):
        first, last = match.group(1), match.group(2)
        if first.lower() in GIVEN_NAMES and last.lower() not in _NOT_NAMES:
            yield Span(match.start(), match.end(), "NAME", "a person's name")
    known_names = _known_pattern(tuple(known))
    if known_names is not None:
        for match in known_names.finditer(text):
            yield Span(match.start(), match.end(), "NAME", "a person's name")
