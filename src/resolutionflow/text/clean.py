"""Take what is not the problem out of a ticket's text: names, greetings, signatures, numbers.

Tickets arrive as e-mails, call logs and titles typed in a hurry. Around the few words that say
what is wrong sit words that say who and where: the customer ("Oakridge Pharmacy - printer
offline", "[Kestrel] vpn"), the caller ("Reset password for Yusuf Demir", "Thanks, Tom"),
greetings and signatures, e-mail addresses and phone numbers, mail prefixes ("RE:", "FW:",
"[EXTERNAL]"), ticket numbers ("#48213", "INC0012345", "(ref 55123)"), disclaimers and "Sent
from my iPhone". Compared as they are, two tickets from one customer look alike whatever their
problem, and a title built from them names a person.

`clean` removes all of that and keeps the rest as written, capitalisation included ("OneDrive",
"Hyper-V"), so its output can be both compared and shown. Names are found three ways: the
names the caller knows (the session's customer, the account's users), the shapes people are
named in (`resolutionflow.redaction.personal`: "Hi Tom", "Mr Patel", a common given name and
a surname) and the shapes desks log calls in ("Janet rang -", "(called in by Callum)",
"Voicemail from Danielle at Summit Ridge,"). A customer's name also counts in its short forms
("Northgate" for "Northgate Veterinary Clinic"). Redaction placeholders ("{{EMAIL_1}}") go too.

Pure: no database, no model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from resolutionflow.redaction.personal import GIVEN_NAMES as _COMMON_GIVEN_NAMES
from resolutionflow.redaction.personal import email_spans, name_spans, phone_spans
from resolutionflow.text.words import KEYWORD_STOP, word_set

_PLACEHOLDER = re.compile(r"\{\{[A-Z_]+_\d+\}\}")
_PREFIX = re.compile(
    r"^(?:\s*(?:(?:re|fw|fwd|aw|wg)\s*:|\[external\]|\(external\)|urgent\s*[:!-]|"
    r"subject\s*:|important\s*:))+\s*",
    re.IGNORECASE,
)
_TICKET = re.compile(
    r"\[\s*ticket\s*#?\s*\d+\s*\]|\(\s*(?:ref|ticket|case)\.?\s*#?\s*\d+\s*\)"
    r"|\b(?:re\s+)?(?:ticket|case|ref|incident|request)\s*(?:no\.?|number)?\s*#?\s*\d[\d-]{2,}\b"
    r"|\b(?:INC|REQ|RITM|CHG|TASK|SR|CS)\d{4,}\b|\bT\d{8}\.\d{4}\b|#\d{3,}\b",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:hi|hiya|hey|hello|dear|morning|afternoon|evening|good\s+(?:morning|afternoon|evening)"
    r"|greetings|to\s+whom)\b[^\n]{0,60}$",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^(?:thanks|thank\s+you|many\s+thanks|thx|cheers|regards|kind\s+regards|best\s+regards"
    r"|warm\s+regards|best\s+wishes|best|br|sent\s+from\s+my|get\s+outlook\s+for"
    r"|sent\s+from\s+outlook|this\s+(?:e-?mail|message)\s+(?:and\s+any|is|may)|confidential"
    r"|disclaimer)\b",
    re.IGNORECASE,
)
_CALL_LOG = re.compile(
    r"^\s*(?:(?i:(?:voicemail|call|message|teams\s+message|phone\s+call|e-?mail)\s+from"
    r"\s+[^:,\-]{1,60}[:,\-]|per\s+(?:phone\s+)?call\s+with\s+[^:,\-]{1,40}[:,\-]"
    r"|phoned\s+in\s*:|walk[- ]?up\s+at\s+[^:,\-]{1,40}[:,\-])"
    r"|[A-Z][a-z]+\s+(?:rang|called|phoned)\s*(?:in\s*)?(?:from\s+[^:,\-]{1,40})?\s*[:,\-]"
    r"|(?i:[a-z]+\s+from\s+[^:]{1,40}\s+called\s*:))\s*"
)
# The same, in text that lost its line breaks on the way (one-line summaries).
_INLINE_GREETING = re.compile(
    r"(?:^|(?<=\s))(?:hi|hiya|hey|hello|dear)(?:\s+(?:team|all|guys|there|it|support|everyone"
    r"|sir/madam|[A-Za-z][a-z]+))?\s*[,!]\s*(?:hope\s+you(?:'re|\s+are)\s+well[.!]?\s*)?"
    r"|(?:^|(?<=[.!?:]\s))(?:good\s+)?(?:morning|afternoon|evening)(?:\s+all)?\s*[,!]\s*",
    re.IGNORECASE,
)
_INLINE_CLOSING = re.compile(
    r"\s(?:thanks(?:\s+in\s+advance)?|thank\s+you|many\s+thanks|kind\s+regards|best\s+regards"
    r"|regards|cheers|best\s+wishes|sent\s+from\s+my|get\s+outlook\s+for)\b(?![\w-])[\s\S]*$",
    re.IGNORECASE,
)
_CALLED_IN = re.compile(
    r"\s*\((?:called|rang|phoned|reported|logged)\s+(?:in\s+)?(?:by\s+)?[^)]{1,40}\)", re.I
)
_LEAD_TAG = re.compile(r"^\s*\[[^\]\n]{1,40}\]\s*")
_TRAIL_PAREN = re.compile(r"\s*\((?:[A-Z][a-z'&.-]+)(?:\s+[A-Z][a-z'&.-]+){0,3}\)\s*$")
_SPACES = re.compile(r"[ \t]+")

# Given names beyond the redactor's list, from the many languages an MSP's customers speak.
GIVEN_NAMES = _COMMON_GIVEN_NAMES | word_set(
    """abdul ahmed aiko akira ali amir anders andrei anya arjun astrid ayesha bogdan callum
    chen chidi dmitri elif emre fabio farah finn freya giulia hamza hana hans haruto hiroshi
    ibrahim imran ingrid ivan jakub javier jin jonas kai kasia katarzyna kenji klaus lars
    lukas luca magnus malik mateo matteo mei mia mikael ming nadia nikolai nina olga pablo
    piotr rafael ravi reza rosa sakura sanjay santiago sergei shreya sven tariq tomasz wei
    xin yan yuki yusuf zainab zara ewan hamish fergus niamh siobhan aoife declan ciaran rhys
    cerys dafydd isla ruairi morag"""
)
_EVERYDAY = word_set(
    """mark grace will bill rose ruby may jack frank dean lee sally rob pat joy hope faith
    summer victor carol chase hunter max pearl iris june april august amber crystal
    penny"""
)
_PERSON = re.compile(r"\b([A-Z][a-z]+)(\s+[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)?\b")
_PUNCT_RUN = re.compile(r"\s*([,;:])(?:\s*[,;:])+")
_EDGE = " \t\n-–—:;,|/"


def _dedash(text: str) -> str:
    return text.strip(_EDGE)


@lru_cache(maxsize=4096)
def _name_forms(name: str) -> tuple[str, ...]:
    """A customer's or person's name and the short forms tickets use: the name without
    a company suffix, and its leading words ("Summit Ridge", "Northgate")."""
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    if not words:
        return ()
    forms = {" ".join(words)}
    while words and words[-1].lower().strip(".") in _COMPANY_SUFFIXES:
        words = words[:-1]
        if words:
            forms.add(" ".join(words))
    for k in range(len(words) - 1, 0, -1):
        lead = words[:k]
        if len(" ".join(lead)) >= 4 and lead[0][:1].isupper() and lead[-1].lower() not in _WEAK:
            forms.add(" ".join(lead))
    return tuple(sorted(forms, key=len, reverse=True))


_COMPANY_SUFFIXES = word_set(
    "ltd limited llp llc inc plc gmbh co corp corporation group practice clinic"
)
_WEAK = word_set("the and of & a for at in on")


@lru_cache(maxsize=1024)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    forms: set[str] = set()
    for name in names:
        if name and name.strip():
            forms.update(_name_forms(name))
    forms = {f for f in forms if len(f) >= 3 and f.lower() not in _NEVER_NAMES}
    if not forms:
        return None
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(r"(?<![\w-])(?:" + alternatives + r")(?:'s)?(?![\w-])", re.IGNORECASE)


# Product and service words a short form of a customer's name must never swallow.
_NEVER_NAMES = word_set(
    """outlook teams windows office microsoft azure exchange sharepoint onedrive printer
    network internet email mail vpn wifi server cloud backup security it support service
    desk admin sales finance accounts reception legal marketing hr"""
)


def _cut(text: str, spans: Iterable[tuple[int, int]]) -> str:
    parts, at = [], 0
    for start, end in sorted(spans):
        if start < at:
            start = at
        if end <= start:
            continue
        parts.append(text[at:start])
        parts.append(" ")
        at = end
    parts.append(text[at:])
    return "".join(parts)


def _body(text: str) -> str:
    """An e-mail's subject and body: greetings dropped, everything from the closing on cut."""
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]
    if len(paragraphs) <= 1:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        kept = []
        for k, line in enumerate(lines):
            if k and (_CLOSING.match(line) or _lone_name(line)):
                break
            if k and _GREETING.match(line):
                continue
            kept.append(line)
        return "\n".join(kept)
    kept = []
    for k, para in enumerate(paragraphs):
        first_line = para.splitlines()[0].strip()
        if k and (_CLOSING.match(first_line) or _lone_name(first_line)):
            break
        if k and _GREETING.match(first_line) and len(para) <= 80:
            continue
        kept.append(para)
    return "\n\n".join(kept)


def _lone_name(line: str) -> bool:
    """A line that is only a name, as a signature ends ("Tom", "Priya Shah")."""
    words = line.strip(" ,.!").split()
    return (
        0 < len(words) <= 3
        and all(w[:1].isupper() and w[1:].islower() for w in words if w.isalpha())
        and words[0].lower() in GIVEN_NAMES
    )


def clean(text: str | None, *, names: Sequence[str] = ()) -> str:
    """The text with names, greetings, signatures, e-mail addresses, phone numbers, ticket
    numbers, mail prefixes and redaction placeholders removed, the rest as written.

    `names`: names known to be customers or people (the session's customer, the account's
    users); their short forms are removed too. Results are cached: proposals are compared
    and retitled from the same summaries again and again."""
    if not text:
        return ""
    return _clean(text, tuple(n for n in names if n))


@lru_cache(maxsize=32768)
def _clean(text: str, names: tuple[str, ...]) -> str:
    out = text.replace("\r\n", "\n").replace("\r", "\n")
    out = _body(out)
    closing = _INLINE_CLOSING.search(out)
    if closing is not None and closing.start() >= 10:
        out = out[: closing.start()]
    out = _INLINE_GREETING.sub(" ", out)
    out = _PLACEHOLDER.sub(" ", out)
    spans = [(s.start, s.end) for s in email_spans(out)]
    spans += [(s.start, s.end) for s in phone_spans(out)]
    out = _cut(out, spans)
    out = _TICKET.sub(" ", out)
    out = _PREFIX.sub("", out)
    out = _CALL_LOG.sub("", out)
    out = _CALLED_IN.sub(" ", out)
    out = _LEAD_TAG.sub("", out)
    pattern = _names_pattern(tuple(names))
    if pattern is not None:
        out = pattern.sub(" ", out)
    out = _cut(out, [(s.start, s.end) for s in name_spans(out)])
    out = _cut(out, _given_name_spans(out))
    out = _TRAIL_PAREN.sub("", out)
    out = _drop_dangling(out)
    return _tidy(out)


def person_names(names: Iterable[str]) -> list[str]:
    """People's names as `clean` should look for them: each whole, and each of its words on
    its own (call logs name an engineer by first name, "Jonas picked this up", or by last).
    Words shorter than three letters are left out: they match too much."""
    out: list[str] = []
    for name in names:
        whole = " ".join((name or "").split())
        if not whole:
            continue
        out.append(whole)
        parts = [w.strip(".,'") for w in whole.split()]
        out += [w for w in parts if len(w) >= 3 and w[:1].isupper() and w not in out]
    return list(dict.fromkeys(out))


def without_names(text: str | None, names: Sequence[str] = ()) -> str:
    """The text with only the given names taken out, its
    sentences and line breaks kept: for prose such as a proposal's description, where `clean`
    would also cut greetings and closings that are not there."""
    if not text:
        return ""
    pattern = _names_pattern(tuple(n for n in names if n))
    if pattern is None or pattern.search(text) is None:
        return text
    lines = []
    for line in pattern.sub(" ", text).split("\n"):  # blank lines (paragraphs) are kept
        line = _SPACES.sub(" ", _EMPTY_BRACKETS.sub(" ", line))
        lines.append(_SPACE_BEFORE_PUNCT.sub(r"\1", line).strip())
    return "\n".join(lines).strip()


# What is left of "Reset password for Yusuf Demir" or "Printer offline - Tom Baker" once the
# name is gone: a preposition or a dash with nothing after it.
_DANGLING = re.compile(r"(?:\s+(?:for|from|by|with|at|per|re)|\s*[-–—|(])\s*$", re.IGNORECASE)
_DANGLING_LINE = re.compile(
    r"(?:\s+(?:for|from|by|with|at|per|re)|\s*[-–—|(])[ \t]*$"
    r"|\s+(?:for|from|by|with|at|per)(?=\s*[:,])",
    re.IGNORECASE | re.MULTILINE,
)


def _drop_dangling(text: str) -> str:
    return _DANGLING_LINE.sub("", text)


_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_PARAGRAPHS = re.compile(r"\n\s*\n")


def _tidy(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line)
        line = _PUNCT_RUN.sub(r"\1", line)
        line = _SPACE_BEFORE_PUNCT.sub(r"\1", line)
        line = _EMPTY_BRACKETS.sub(" ", line)
        line = _dedash(_SPACES.sub(" ", line))
        if line:
            lines.append(line)
    return "\n".join(lines).strip()


def _given_name_spans(text: str) -> list[tuple[int, int]]:
    """A capitalised given name, with the capitalised word after it (a surname)."""
    spans = []
    for match in _PERSON.finditer(text):
        first = match.group(1).lower()
        if first in GIVEN_NAMES:
            last = match.group(2)
            if first in _EVERYDAY and (not last or last.strip().lower() in _NEVER_NAMES):
                continue  # "Mark as read", "Grace period": a word, not a name
            if last and last.strip().lower() in _NEVER_NAMES:
                spans.append((match.start(1), match.end(1)))
            else:
                spans.append((match.start(), match.end()))
    return spans


def one_line(text: str | None, *, names: Sequence[str] = ()) -> str:
    """`clean`, as one line (paragraphs joined with ". ")."""
    cleaned = clean(text, names=names)
    parts = [p.strip().rstrip(".:;,") for p in cleaned.split("\n") if p.strip()]
    return ". ".join(parts)


# --- titles and keywords from what texts share -------------------------------------------------

_DISPLAY_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#'.\-]*[A-Za-z0-9+#]|[A-Za-z0-9]")

TITLE_WORDS = 10
_WEAK_END = word_set(
    "a an and as at by for from in into of on or the to with when after before but"
)


def subject(text: str | None, *, names: Sequence[str] = ()) -> str:
    """The first line of the cleaned text: an e-mail's subject, a ticket's title."""
    cleaned = clean(text, names=names)
    first = cleaned.split("\n", 1)[0] if cleaned else ""
    # "Title - the first line of the description" and "Title: description" shapes.
    head = re.split(r"\s+[-–—]\s+|:\s+|\.\s+", first, maxsplit=1)[0]
    if head != first and len(head.split()) >= 2:
        first = head
    return first.strip(" .:;,!?-")


def short_title(text: str, limit: int = TITLE_WORDS) -> str:
    """At most `limit` words, not ending on a weak word, first letter capitalised (the rest as
    written: "OneDrive", "Hyper-V")."""
    words = [w for w in text.split() if w.strip(" .,;:!?")]
    if len(words) > limit:
        words = words[:limit]
        while len(words) > 3 and words[-1].lower().strip(" .,;:!?") in _WEAK_END:
            words.pop()
    title = " ".join(words).strip(" .,;:!?-")
    if title.isupper() and len(words) >= 2:  # a title shouted in capitals
        title = title.lower()
    return title[:1].upper() + title[1:]


@lru_cache(maxsize=32768)
def _display_words(text: str) -> tuple[str, ...]:
    return tuple(_DISPLAY_WORD.findall(text))


@lru_cache(maxsize=32768)
def _content_words(text: str) -> tuple[str, ...]:
    """The words of a text that can say what it is about (cached: a proposal's summaries are
    read again on every merge)."""
    out = []
    for raw in _display_words(text):
        word = raw.strip(".-'")
        low = word.lower()
        if len(word) < 3 and not any(c.isdigit() for c in word):
            continue
        if low in KEYWORD_STOP or low in GIVEN_NAMES or low.isdigit():
            continue
        out.append(word)
    return tuple(out)


def shared_title(summaries: Sequence[str], *, names: Sequence[str] = ()) -> str:
    """A title for a problem several tickets report: the subject line (cleaned) that shares
    the most words with the other tickets' subjects, the earliest of equals. One ticket's
    title is its own subject."""
    subjects = [subject(s, names=names) for s in summaries]
    subjects = [s for s in subjects if s]
    if not subjects:
        return ""
    bags = [{w.lower() for w in _content_words(s)} for s in subjects]
    counts: Counter[str] = Counter(w for bag in bags for w in bag)

    def score(k: int) -> tuple[float, int, int]:
        bag = bags[k]
        shared = sum(counts[w] - 1 for w in bag)
        return (-(shared / (len(bag) ** 0.75) if bag else 0.0), len(subjects[k].split()), k)

    # A one-word subject ("Printer", "vpn") says too little when others say more.
    pool = [k for k in range(len(subjects)) if len(bags[k]) >= 2] or list(range(len(subjects)))
    best = min(pool, key=score)
    return short_title(_usual_forms(subjects[best], subjects))


def _usual_forms(text: str, texts: Sequence[str]) -> str:
    """`text` with each lower-case word in the form the texts most often write it ("vpn" ->
    "VPN" when most write VPN)."""
    forms: dict[str, Counter[str]] = {}
    for other in texts:
        for word in _display_words(other):
            forms.setdefault(word.lower(), Counter())[word] += 1

    def usual(match: re.Match[str]) -> str:
        word = match.group(0)
        if word != word.lower():
            return word
        counts = forms.get(word)
        if not counts:
            return word
        form, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        capitalised = form[:1].isupper() and form[1:].islower()
        return form if n > counts[word] and not capitalised else word

    return _DISPLAY_WORD.sub(usual, text)


def shared_keywords(
    texts: Sequence[str], *, names: Sequence[str] = (), limit: int = 10, extra: Sequence[str] = ()
) -> list[str]:
    """Up to `limit` keywords: the words most of the texts (cleaned) say, most common first
    (ties: first seen), then `extra` words; each in the form it is most often written in
    ("OneDrive", "VPN", "printer"). No names, no filler."""
    docs: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    order: dict[str, int] = {}
    for text in texts:
        seen: set[str] = set()
        for word in _content_words(clean(text, names=names)):
            low = word.lower()
            shown = word if not (word[:1].isupper() and word[1:].islower()) else low
            forms.setdefault(low, Counter())[shown] += 1
            order.setdefault(low, len(order))
            if low not in seen:
                seen.add(low)
                docs[low] += 1
    ranked = sorted(docs, key=lambda w: (-docs[w], order[w]))
    out: list[str] = []
    for low in ranked:
        form = min(forms[low].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if form not in out:
            out.append(form)
        if len(out) >= limit:
            return out
    for word in extra:
        if word and word not in out and word.lower() not in GIVEN_NAMES:
            out.append(word)
        if len(out) >= limit:
            break
    return out


def shared_reports(
    summaries: Sequence[str], *, count: int | None = None, names: Sequence[str] = (), limit: int = 3
) -> str:
    """How several tickets reported one problem: up to `limit` distinct cleaned subjects, the
    most representative first ("Reported 8 times, e.g. ..."); `count` the number of tickets
    when more than the summaries given."""
    subjects: list[str] = []
    seen: set[str] = set()
    first = shared_title(summaries, names=names)
    for text in [first, *(subject(s, names=names) for s in summaries)]:
        key = " ".join(w.lower() for w in _content_words(text))
        if text and key and key not in seen:
            seen.add(key)
            subjects.append(text.rstrip("."))
        if len(subjects) == limit:
            break
    quoted = "; ".join(f'"{s}"' for s in subjects)
    times = max(count or 0, len(summaries))
    return f"Reported {times} times, e.g. {quoted}." if quoted else ""
