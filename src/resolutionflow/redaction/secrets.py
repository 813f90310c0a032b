"""Where secrets are in a text: provider keys and tokens, private keys, JWTs, connection strings,
passwords named in context or shaped like one, and payment card numbers (Luhn-checked).

Provider token shapes come from detect-secrets (Yelp's maintained scanner, whose regex
detectors we run on free text), with the shapes it does not know added here. What it cannot do
is read prose: "the password is Hunter2!" or a password-shaped word in a step, so those
patterns are ours. Pure: no database, no HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

PLACEHOLDER = re.compile(r"\{\{[A-Z]+_\d+\}\}")


@dataclass(frozen=True)
class Span:
    """One finding: text[start:end] is the value, `category` its placeholder type (SECRET,
    CARD, EMAIL, ...) and `what` says in words what it is."""

    start: int
    end: int
    category: str
    what: str


# --- shapes that are secrets wherever they appear --------------------------------------------

# Shapes detect-secrets 1.5 does not carry, or carries only in an older form.
_EXTRA_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key", re.compile(r"\b(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "an AWS secret key",
        re.compile(
            r"(?i)aws.{0,20}?(?:secret|key).{0,20}?[\s:=\"']([0-9A-Za-z/+]{40})(?![0-9A-Za-z/+])"
        ),
    ),
    (
        "an API secret key",
        re.compile(
            r"\b(?:sk|rk|pk)[-_](?:live|test|proj|ant|svcacct|admin)?[-_]?"
            r"(?:api\d\d-)?[A-Za-z0-9_-]{20,}"
        ),
    ),
    (
        "a GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{50,})"),
    ),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Google OAuth secret", re.compile(r"\bGOCSPX-[A-Za-z0-9_-]{20,}")),
    ("a Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    (
        "an Azure client secret",
        re.compile(r"(?<![\w~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}"),
    ),
    ("an Atlassian API token", re.compile(r"\bATATT3[A-Za-z0-9_=-]{40,}")),
    ("a Twilio key", re.compile(r"\b(?:AC|SK)[0-9a-f]{32}\b")),
    ("a SendGrid key", re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{30,}")),
    ("a Shopify token", re.compile(r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b")),
    ("a Datadog or npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    (
        "a JSON web token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ),
    (
        "a private key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\n]*)",
            re.S,
        ),
    ),
    ("a PuTTY private key", re.compile(r"PuTTY-User-Key-File-\d: .*?Private-MAC: [0-9a-f]+", re.S)),
    (
        "a storage or service key",
        re.compile(
            r"(?i)\b(?:AccountKey|SharedAccessKey|SharedSecret)\s*=\s*([A-Za-z0-9+/=]{20,})"
        ),
    ),
    ("a shared access signature", re.compile(r"(?i)[?&]sig=([A-Za-z0-9%+/=]{20,})")),
    ("a bearer token", re.compile(r"\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/-]{20,}=*)")),
    (
        "a webhook address with its secret",
        re.compile(
            r"https://(?:hooks\.slack\.com/services|discord(?:app)?\.com/api/webhooks"
            r"|[\w.-]+\.webhook\.office\.com/webhookb2)/[^\s\"'<>]+"
        ),
    ),
)

# detect-secrets' regex detectors that fit free text (the keyword and entropy ones read code).
_DETECT_SECRETS_PLUGINS = (
    ("detect_secrets.plugins.aws", "AWSKeyDetector", "an AWS key"),
    ("detect_secrets.plugins.artifactory", "ArtifactoryDetector", "an Artifactory token"),
    ("detect_secrets.plugins.azure_storage_key", "AzureStorageKeyDetector", "an Azure key"),
    ("detect_secrets.plugins.basic_auth", "BasicAuthDetector", "credentials in a URL"),
    ("detect_secrets.plugins.discord", "DiscordBotTokenDetector", "a Discord token"),
    ("detect_secrets.plugins.github_token", "GitHubTokenDetector", "a GitHub token"),
    ("detect_secrets.plugins.gitlab_token", "GitLabTokenDetector", "a GitLab token"),
    ("detect_secrets.plugins.jwt", "JwtTokenDetector", "a JSON web token"),
    ("detect_secrets.plugins.mailchimp", "MailchimpDetector", "a Mailchimp key"),
    ("detect_secrets.plugins.npm", "NpmDetector", "an npm token"),
    ("detect_secrets.plugins.openai", "OpenAIDetector", "an OpenAI key"),
    ("detect_secrets.plugins.pypi_token", "PypiTokenDetector", "a PyPI token"),
    ("detect_secrets.plugins.sendgrid", "SendGridDetector", "a SendGrid key"),
    ("detect_secrets.plugins.slack", "SlackDetector", "a Slack token"),
    ("detect_secrets.plugins.square_oauth", "SquareOAuthDetector", "a Square secret"),
    ("detect_secrets.plugins.stripe", "StripeDetector", "a Stripe key"),
    ("detect_secrets.plugins.telegram_token", "TelegramBotTokenDetector", "a Telegram token"),
    ("detect_secrets.plugins.twilio", "TwilioKeyDetector", "a Twilio key"),
)


@lru_cache(maxsize=1)
def _plugins() -> tuple[tuple[str, Any], ...]:
    import importlib

    loaded = []
    for module_name, class_name, what in _DETECT_SECRETS_PLUGINS:
        try:
            plugin = getattr(importlib.import_module(module_name), class_name)()
        except (ImportError, AttributeError):  # an older detect-secrets without this detector
            continue
        loaded.append((what, plugin))
    return tuple(loaded)


# Every token shape has a run of this many token characters; prose without one is skipped.
_LONG_TOKEN = re.compile(r"[A-Za-z0-9_+/=~.%-]{16,}")
_MULTILINE = ("a private key", "a PuTTY private key")


def _token_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) for each line holding a long run of token characters."""
    seen: set[int] = set()
    for run in _LONG_TOKEN.finditer(text):
        start = text.rfind("\n", 0, run.start()) + 1
        if start in seen:
            continue
        seen.add(start)
        end = text.find("\n", run.end())
        yield start, text[start : end if end >= 0 else len(text)]


def token_spans(text: str) -> Iterator[Span]:
    """Provider tokens, keys and key blocks, in any text (comments and prose included)."""
    if "PRIVATE KEY" in text or "PuTTY-User-Key" in text:
        for what, pattern in _EXTRA_SHAPES:
            if what in _MULTILINE:
                for match in pattern.finditer(text):
                    yield Span(match.start(), match.end(), "SECRET", what)
    for offset, line in _token_lines(text):
        for span in _line_token_spans(line):
            yield Span(span.start + offset, span.end + offset, span.category, span.what)


def _line_token_spans(text: str) -> Iterator[Span]:
    for what, pattern in _EXTRA_SHAPES:
        if what in _MULTILINE:
            continue
        for match in pattern.finditer(text):
            group = 1 if pattern.groups and match.group(1) else 0
            yield Span(match.start(group), match.end(group), "SECRET", what)
    for what, plugin in _plugins():
        for value in set(plugin.analyze_string(text)):
            if len(value) < 8 or PLACEHOLDER.fullmatch(value):
                continue
            start = text.find(value)
            while start >= 0:
                yield Span(start, start + len(value), "SECRET", what)
                start = text.find(value, start + len(value))


# --- credentials named and given a value ------------------------------------------------------

SECRET_NAME = (
    r"[A-Za-z0-9_]*(?:password|passwd|passphrase|passcode|pwd|secret|token|apikey|api_key"
    r"|api-key|accesskey|access_key|clientsecret|client_secret|privatekey|private_key"
    r"|accountkey|sharedaccesskey|auth_token|authtoken)"
)
QUOTED = r"(?P<q>['\"\u2018\u2019\u201c\u201d])(?P<val>.*?)(?P=q)"

# Shapes that name a credential and give it a literal value (scripts, configs, pasted logs).
ASSIGNMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "a password assigned to a variable",
        re.compile(r"\$(?:\w+:)?" + SECRET_NAME + r"\s*=\s*" + QUOTED, re.I),
    ),
    (
        "a password passed as a parameter",
        re.compile(r"\s-" + SECRET_NAME + r"(?::|\s+)" + QUOTED, re.I),
    ),
    (
        "a password in a shell variable",
        re.compile(
            r"(?:^|[\s;])(?:export\s+)?"
            + SECRET_NAME
            + r"=(?:"
            + QUOTED
            + r"|(?P<bare>[^\s;'\"$`]+))",
            re.I | re.M,
        ),
    ),
    (
        "a password in a key=value setting",
        re.compile(
            r"[\"']?\b"
            + SECRET_NAME
            + r"[\"']?\s*[=:]\s*(?:"
            + QUOTED
            + r"|(?P<bare>[^\s;'\"$`&,)}]+))",
            re.I,
        ),
    ),
    (
        "a password on the command line",
        re.compile(
            r"--(?:password|passwd|token|secret|api-key|apikey|client-secret)(?:=|\s+)(?:"
            + QUOTED
            + r"|(?P<bare>[^\s;'\"$`]+))",
            re.I,
        ),
    ),
    (
        "a password after -p for sshpass",
        re.compile(r"\bsshpass\s+-p\s*(?:" + QUOTED + r"|(?P<bare>[^\s;'\"$`]+))"),
    ),
    (
        "a password in a connection string",
        re.compile(r"(?i)(?:^|;)\s*(?:password|pwd)\s*=\s*(?P<bare>[^;\"'\s]+)"),
    ),
    ("a user:password pair", re.compile(r"\s-u\s+[\"']?[^\s:'\"$]+:(?P<bare>[^\s'\"$@]+)")),
    ("credentials in a URL", re.compile(r"://[^/\s:@'\"]+:(?P<bare>[^/\s@'\"$]+)@")),
    (
        "a password given to net user",
        re.compile(r"(?i)\bnet(?:\.exe)?\s+user\s+\S+\s+(?P<bare>(?!/)[^\s*]+)"),
    ),
)

_EXPANSION = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\$[\w:]+|`.")
_FILLER = frozenset(
    """none null nil empty blank unknown unset n/a na tbd expired reset changed required set true
    false yes no same the a an his her their new old""".split()  # noqa: SIM905
)


def is_placeholder(value: str) -> bool:
    """Values that hold no secret: empty, a variable, a prompt or a visible placeholder."""
    v = value.strip().strip(".,;")
    if len(v) < 3 or PLACEHOLDER.search(v):
        return True
    if v.startswith(("$", "%", "(", "@(", "{{", "<", "[")) or v.endswith(">"):
        return True
    if re.fullmatch(r"\*+|x+|\.+|-+|_+|null|none|true|false|\d{1,3}", v, re.I):
        return True
    if v.lower() in _FILLER:
        return True
    return bool(re.match(r"(Read-Host|Get-Credential|Get-Secret|\$env:|process\.env)", v, re.I))


def literal_text(quoted: str) -> str:
    """What a string literal holds once its variable expansions are taken out."""
    return _EXPANSION.sub("", quoted).strip()


def assignment_values(line: str) -> Iterator[tuple[str, str, int]]:
    """(what, value, offset of the value) for each credential given a literal on the line."""
    for what, pattern in ASSIGNMENTS:
        for match in pattern.finditer(line):
            groups = match.groupdict()
            name = "val" if groups.get("val") is not None else "bare"
            value = groups.get(name) or ""
            start = match.start(name) if groups.get(name) is not None else match.end()
            if groups.get("q") in ('"', None) and "$" in value:
                value = literal_text(value)
            if not is_placeholder(value):
                yield what, value, start


# --- passwords in prose -----------------------------------------------------------------------

_PASSWORD_WORD = r"(?:pass(?:word|wd|code|phrase)?|pwd|pw|pin|secret|credentials?|login\s+details)"
_CONNECTOR = (
    r"(?:[:=]|\bis\b|\bwas\b|\bwill\s+be\b|\bset\s+to\b|\breset\s+to\b|\bchanged\s+to\b"
    r"|\bto\b|\bof\b|\bas\b)"
)
_IN_CONTEXT = re.compile(
    r"(?i)\b"
    + _PASSWORD_WORD
    + r"\b(?P<between>[^\n.;!?]{0,40}?)\s*(?P<conn>"
    + _CONNECTOR
    + r")\s*(?:"
    + QUOTED
    + r"|(?P<bare>[^\s,;]+))"
)
_SYMBOLS = "!@#$%^&*?+=~"
_SETTING = re.compile(r"[A-Za-z_][\w.-]*[=:]+")


def looks_like_password(value: str) -> bool:
    """Mixed case, a digit and a symbol, and nothing that makes it an address or a path."""
    v = value.rstrip(".,:")
    if not (8 <= len(v) <= 64) or PLACEHOLDER.search(v):
        return False
    if "://" in v or "\\" in v or "/" in v or v.startswith(("$", "%", "-")):
        return False
    if re.search(r"@[A-Za-z0-9-]+\.[A-Za-z]{2,}", v):  # an e-mail address
        return False
    return (
        any(c.islower() for c in v)
        and any(c.isupper() for c in v)
        and any(c.isdigit() for c in v)
        and any(c in _SYMBOLS for c in v)
    )


def _strong_enough(value: str) -> bool:
    """After "is"/"to": a word that could be a password, not an English word."""
    v = value.rstrip(".,:")
    if len(v) < 4 or v.lower() in _FILLER:
        return False
    has_digit = any(c.isdigit() for c in v)
    has_symbol = any(not c.isalnum() for c in v)
    inner_upper = any(c.isupper() for c in v[1:])
    return has_digit or has_symbol or (inner_upper and any(c.islower() for c in v))


_PROSE_HINTS = ("pass", "pwd", "pw", "pin", "secret", "credential", "login")
_SYMBOL = re.compile(r"[!@#$%^&*?+=~]")
_TOKEN_END = frozenset(" \t\r\n\x00'\"`<>()[]{}|,;")


def _symbol_tokens(text: str) -> Iterator[tuple[int, str]]:
    """(offset, word) for each whitespace-delimited word holding a password symbol."""
    done = -1
    for symbol in _SYMBOL.finditer(text):
        if symbol.start() < done:
            continue
        start = symbol.start()
        while start > 0 and text[start - 1] not in _TOKEN_END:
            start -= 1
        end = symbol.end()
        while end < len(text) and text[end] not in _TOKEN_END:
            end += 1
        done = end
        yield start, text[start:end]


def prose_password_spans(text: str) -> Iterator[Span]:
    """Passwords named in sentences ("password is X", "pw: X") and password-shaped words."""
    lowered = text.lower()
    hinted = any(hint in lowered for hint in _PROSE_HINTS)
    named = _IN_CONTEXT.finditer(text) if hinted else iter(())
    for match in named:
        name = "val" if match.group("val") is not None else "bare"
        value = match.group(name)
        start, end = match.start(name), match.end(name)
        stripped = value.rstrip(".,:")
        end -= len(value) - len(stripped)
        if is_placeholder(stripped) and not (name == "val" and len(stripped) >= 3):
            continue
        explicit = match.group("conn") in (":", "=") or name == "val"
        if explicit or _strong_enough(stripped):
            if PLACEHOLDER.search(stripped):
                continue
            yield Span(start, end, "SECRET", "a password")
    for start, word in _symbol_tokens(text):
        value = word.rstrip(".,:")
        # "Name=value" and "scheme:rest" are a setting, not a password: judge the value alone.
        setting = _SETTING.match(value)
        if setting:
            value, start = value[setting.end() :], start + setting.end()
        if looks_like_password(value):
            yield Span(start, start + len(value), "SECRET", "a password")


# Every assignment shape names a credential with one of these; lines without one are skipped.
_ASSIGNMENT_HINTS = ("pass", "pwd", "secret", "token", "key", "://", "-u ", "-u\t", "net ")


def _hinted_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) for the lines worth reading for assignments."""
    lowered = text.lower()
    starts: set[int] = set()
    for hint in _ASSIGNMENT_HINTS:
        at = lowered.find(hint)
        while at >= 0:
            starts.add(text.rfind("\n", 0, at) + 1)
            at = lowered.find(hint, at + len(hint))
    for start in sorted(starts):
        end = text.find("\n", start)
        yield start, text[start : end if end >= 0 else len(text)]


def assignment_spans(text: str) -> Iterator[Span]:
    for offset, line in _hinted_lines(text):
        for span in _line_assignment_spans(line):
            yield Span(span.start + offset, span.end + offset, span.category, span.what)


def _line_assignment_spans(text: str) -> Iterator[Span]:
    for what, value, start in assignment_values(text):
        if value and text.startswith(value, start):
            yield Span(start, start + len(value), "SECRET", what)
        elif value:
            at = text.find(value, start)
            if at >= 0:
                yield Span(at, at + len(value), "SECRET", what)


# --- payment cards ----------------------------------------------------------------------------

_CARD = re.compile(r"(?<![\d.-])(?:\d[ -]?){12,18}\d(?![\d-])")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _issuer_ok(digits: str) -> bool:
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    return (
        (digits[0] == "4" and n in (13, 16, 19))  # Visa
        or (51 <= two <= 55 and n == 16)
        or (2221 <= four <= 2720 and n == 16)  # Mastercard
        or (two in (34, 37) and n == 15)  # American Express
        or (
            (digits.startswith("6011") or two == 65 or 644 <= int(digits[:3]) <= 649)
            and 16 <= n <= 19
        )  # Discover
        or (3528 <= four <= 3589 and 16 <= n <= 19)  # JCB
        or ((two in (36, 38) or 300 <= int(digits[:3]) <= 305) and n == 14)  # Diners
        or (two == 62 and 16 <= n <= 19)  # UnionPay
        or ((two == 50 or 56 <= two <= 69) and 12 <= n <= 19)  # Maestro
    )


_CARD_HINT = re.compile(r"\d{4}[ -]?\d{4}")


def card_spans(text: str) -> Iterator[Span]:
    if not _CARD_HINT.search(text):
        return
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and _issuer_ok(digits) and luhn_ok(digits):
            yield Span(match.start(), match.end(), "CARD", "a payment card number")


def secret_spans(text: str) -> list[Span]:
    """Every secret in free text: tokens, named credentials, passwords in prose, cards."""
    return [
        *token_spans(text),
        *assignment_spans(text),
        *prose_password_spans(text),
        *card_spans(text),
    ]
